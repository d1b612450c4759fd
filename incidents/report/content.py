"""What a situation report says: the figures of the filtered incidents and of the
previous period of the same length, computed once and drawn by ``render``."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

from incidents import model
from incidents.filters import FilterSpec, filter_mask, reference_date
from incidents.report.words import words

TOP_N = 8
SEVERE_N = 10
COLUMNS = ("incident_id", "event_date", "event_type", "actor1", "actor2", "country", "admin1",
           "location", "latitude", "longitude", "geo_precision", "fatalities", "notes",
           "source", "synthetic")


@dataclass(frozen=True)
class Ranked:
    """One row of a top list: a name, its count now and in the previous period."""

    name: str
    count: int
    previous: int


@dataclass
class ReportContent:
    language: str
    filters: list[str]
    start: date | None
    end: date | None
    previous_start: date | None
    previous_end: date | None
    incidents: pd.DataFrame  # the selected rows, ``COLUMNS`` only, plain dtypes
    weekly: pd.DataFrame = field(default_factory=pd.DataFrame)  # week x type: counts
    weekly_fatalities: pd.DataFrame = field(default_factory=pd.DataFrame)
    top_places: list[Ranked] = field(default_factory=list)
    top_regions: list[Ranked] = field(default_factory=list)
    top_actors: list[Ranked] = field(default_factory=list)
    severe: pd.DataFrame = field(default_factory=pd.DataFrame)
    precision_mix: dict[str, int] = field(default_factory=dict)
    synthetic: int = 0
    unplaced: int = 0
    quarantined: int = 0

    @property
    def total(self) -> int:
        return len(self.incidents)


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Categorical columns (the map snapshot's) as plain strings, numbers as floats."""
    out = pd.DataFrame(index=frame.index)
    for column in COLUMNS:
        if column not in frame.columns:
            out[column] = pd.NA
            continue
        values = frame[column]
        if isinstance(values.dtype, pd.CategoricalDtype):
            values = values.astype("string")
        out[column] = values
    for column in ("latitude", "longitude", "fatalities", "geo_precision"):
        out[column] = pd.to_numeric(out[column], errors="coerce").astype(float)
    out["event_date"] = pd.to_datetime(out["event_date"], errors="coerce")
    return out


def _period(spec: FilterSpec, frame: pd.DataFrame, chosen: pd.DataFrame
            ) -> tuple[date | None, date | None]:
    """The filter's period (a preset resolved as the filter resolves it), else the span
    of the chosen incidents."""
    start, end = spec.date_bounds(reference_date(frame) if spec.preset else date.today())
    dates = chosen["event_date"].dropna()
    if start is None and len(dates):
        start = dates.min().date()
    if end is None and len(dates):
        end = dates.max().date()
    return start, end


def describe_filters(spec: FilterSpec, language: str) -> list[str]:
    """The filters in words, one item per constraint (the period is said apart)."""
    w = words(language)
    items: list[str] = []
    for values in (spec.countries, spec.admin1s, spec.admin2s):
        if values:
            items.append(", ".join(values))
    if spec.event_types:
        items.append(", ".join(model.label(e, language) for e in spec.event_types))
    if spec.sub_event_types:
        items.append(", ".join(model.label(e, language) for e in spec.sub_event_types))
    if spec.statuses:
        items.append(w["statuses"].format(statuses=", ".join(spec.statuses)))
    if spec.include_successor_regions:
        items.append(w["successors"])
    if spec.preset:
        items.append(w.get(f"preset_{spec.preset}", spec.preset))
    if spec.actor:
        items.append(w["actor"].format(actor=spec.actor))
    if spec.min_fatalities:
        items.append(w["min_fatalities"].format(count=spec.min_fatalities))
    if spec.max_geo_precision:
        items.append(w["max_precision"].format(code=spec.max_geo_precision))
    if spec.text:
        items.append(w["text"].format(text=spec.text))
    if spec.near:
        items.append(w["near"].format(near=spec.near))
    if spec.polygon:
        items.append(w["drawn_area"])
    return items


def _ranked(now: pd.Series, before: pd.Series, limit: int = TOP_N) -> list[Ranked]:
    """The ``limit`` most frequent names now, with their counts in the previous period."""
    counts = now.dropna().astype(str)
    counts = counts[counts.str.strip() != ""].value_counts()
    previous = before.dropna().astype(str).value_counts()
    top = counts.sort_values(ascending=False, kind="stable").head(limit)
    return [Ranked(name, int(n), int(previous.get(name, 0))) for name, n in top.items()]


def _places(rows: pd.DataFrame) -> pd.Series:
    location = rows["location"].astype("string").fillna("")
    admin1 = rows["admin1"].astype("string").fillna("")
    same = location.str.casefold() == admin1.str.casefold()
    joined = location.where((admin1 == "") | same, location + " (" + admin1 + ")")
    return joined.where(location != "", pd.NA)


def _regions(rows: pd.DataFrame) -> pd.Series:
    admin1 = rows["admin1"].astype("string").fillna("")
    country = rows["country"].astype("string").fillna("")
    joined = admin1.where(country == "", admin1 + ", " + country)
    return joined.where(admin1 != "", pd.NA)


def _actors(rows: pd.DataFrame) -> pd.Series:
    return pd.concat([rows["actor1"], rows["actor2"]], ignore_index=True)


def _weekly(rows: pd.DataFrame, weights: pd.Series | None) -> pd.DataFrame:
    dated = rows[rows["event_date"].notna()]
    if dated.empty:
        return pd.DataFrame()
    week = dated["event_date"] - pd.to_timedelta(dated["event_date"].dt.day_of_week, unit="D")
    values = (weights.loc[dated.index] if weights is not None
              else pd.Series(1.0, index=dated.index))
    table = values.groupby([week.dt.normalize(), dated["event_type"].astype("string")
                            .fillna("?")]).sum().unstack(fill_value=0)
    weeks = pd.date_range(table.index.min(), table.index.max(), freq="7D")
    return table.reindex(weeks, fill_value=0)


def report_content(frame: pd.DataFrame, spec: FilterSpec, *, rows: np.ndarray | None = None,
                   language: str = "en", quarantined: int = 0) -> ReportContent:
    """The report of ``frame``'s incidents meeting ``spec`` (``rows``, when the caller
    already has the mask), against the previous period of the same length."""
    mask = np.asarray(filter_mask(frame, spec) if rows is None else rows, dtype=bool)
    chosen = _plain(frame.loc[mask])
    start, end = _period(spec, frame, chosen)
    previous_start = previous_end = None
    before = chosen.iloc[0:0]
    if start is not None and end is not None:
        length = (end - start).days + 1
        previous_end = start - timedelta(days=1)
        previous_start = previous_end - timedelta(days=length - 1)
        earlier = dataclasses.replace(spec, preset=None, start=previous_start, end=previous_end)
        before = _plain(frame.loc[np.asarray(filter_mask(frame, earlier), dtype=bool)])
    fatalities = chosen["fatalities"].fillna(0)
    severe = chosen.assign(_deaths=fatalities).sort_values(
        ["_deaths", "event_date"], ascending=[False, False], kind="stable").head(SEVERE_N)
    precision = chosen["geo_precision"]
    mix = {str(code): int((precision == code).sum()) for code in (1, 2, 3)}
    mix["unknown"] = int(precision.isna().sum())
    return ReportContent(
        language=language,
        filters=describe_filters(spec, language),
        start=start, end=end, previous_start=previous_start, previous_end=previous_end,
        incidents=chosen,
        weekly=_weekly(chosen, None),
        weekly_fatalities=_weekly(chosen, fatalities),
        top_places=_ranked(_places(chosen), _places(before)),
        top_regions=_ranked(_regions(chosen), _regions(before)),
        top_actors=_ranked(_actors(chosen), _actors(before)),
        severe=severe.drop(columns="_deaths"),
        precision_mix=mix,
        synthetic=int(chosen["synthetic"].fillna(False).astype(bool).sum()),
        unplaced=int((chosen["latitude"].isna() | chosen["longitude"].isna()).sum()),
        quarantined=int(quarantined),
    )
