"""How a filter selects rows: each rule is written twice, side by side, as a vectorised
pandas mask and as an SQL condition, so the two can be read (and tested) together.

``mask(frame, spec, value)`` returns a boolean array, or ``None`` for "no constraint";
``sql(query, spec, value)`` returns a condition for ``query``'s dialect (parameters go
through ``query.param``), ``None`` for "no constraint", or raises ``NotInSql`` when the
dialect cannot say it (the caller then filters in memory).

Name matching (countries, admin units, event types, actors, free text) ignores case and
accents. Text columns of incident data repeat a few values many times, so the masks fold
and test the *distinct* values of a column once and map the answer back through the
factorised codes: no per-row Python, and cheap on a million rows. In SQL, a list of names
becomes the stored values that fold like them (``column IN ...``, exactly the mask's
answer); free text is matched on the dialect's folding with ``LIKE`` (PostgreSQL's
``lower(unaccent())`` agrees with Python's folding on the Latin and French text of the data).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pandas as pd

from incidents.text import fold_search, fold_search_text

if TYPE_CHECKING:
    from incidents.filters.spec import FilterSpec
    from incidents.filters.sql import SqlQuery

ACTOR_COLUMNS = ("actor1", "actor2", "assoc_actor_1", "assoc_actor_2")
TEXT_COLUMNS = ("notes", "location", *ACTOR_COLUMNS, "source")


class NotInSql(ValueError):
    """The store's SQL cannot express this filter; select in memory instead."""


class Rule(Protocol):
    def mask(self, frame: pd.DataFrame, spec: FilterSpec, value: Any) -> np.ndarray | None: ...

    def sql(self, query: SqlQuery, spec: FilterSpec, value: Any) -> str | None: ...


# -- vectorised helpers ------------------------------------------------------------


def codes_and_uniques(values: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """Integer codes per row (-1 for missing) and the distinct values they point to.

    A categorical column (``incidents.spatial_index.map_snapshot``) already is
    exactly that, so a million-row filter costs no hashing of strings at all.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy(), pd.Series(values.cat.categories, dtype="string")
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return codes, pd.Series(uniques, dtype="string")


# Up to this many matching values, rows are picked by comparing codes, value by value.
FEW_CODES = 8


def _by_distinct_values(values: pd.Series, test: Callable[[pd.Series], pd.Series]) -> np.ndarray:
    """Apply ``test`` to the folded distinct values and broadcast back to rows."""
    codes, uniques = codes_and_uniques(values)
    hits = test(fold_search(uniques)).fillna(False).to_numpy(dtype=bool)
    wanted = np.flatnonzero(hits)
    if len(wanted) <= FEW_CODES:
        # A few matches (the usual list of names): a comparison per match over the
        # small integer codes costs a fraction of looking every row's code up.
        rows = np.zeros(len(codes), dtype=bool)
        for code in wanted:
            rows |= codes == int(code)  # a Python int: compared in the codes' own type
        return rows
    return np.append(hits, False)[codes]


def folded_codes(values: pd.Series) -> np.ndarray:
    """An integer per row, equal for rows whose text folds alike (-1 where missing).

    Lets callers count or group places ignoring case and accents without
    building a folded string per row.
    """
    codes, uniques = codes_and_uniques(values)
    folded_ids, _ = pd.factorize(fold_search(uniques), use_na_sentinel=True)
    return np.append(folded_ids, -1)[codes]


def one_of(values: pd.Series, wanted: Sequence[str]) -> np.ndarray:
    """True where the value is one of ``wanted``, ignoring case and accents."""
    targets = {fold_search_text(w) for w in wanted}
    return _by_distinct_values(values, lambda folded: folded.isin(targets))


def _contains(values: pd.Series, needle: str) -> np.ndarray:
    return _by_distinct_values(values, lambda folded: folded.str.contains(needle, regex=False))


def reference_date(gdf: pd.DataFrame) -> date:
    """The date presets count back from: the latest event, or today when empty."""
    latest = gdf["event_date"].max() if len(gdf) else pd.NaT
    return date.today() if pd.isna(latest) else pd.Timestamp(latest).date()


def matching_values(distinct: Sequence[str], wanted: Sequence[str]) -> list[str]:
    """The stored values that fold like one of ``wanted``."""
    targets = set(fold_search(pd.Series(list(wanted), dtype="string")).dropna())
    stored = pd.Series(list(distinct), dtype="string")
    return stored[fold_search(stored).isin(targets).fillna(False).to_numpy(dtype=bool)].tolist()


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# -- the rules ---------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodBound:
    """One end of the period, once a preset is resolved (``FilterSpec.date_bounds``).

    An incident known only as a range (event_date .. event_date_end) is in the period
    when the range overlaps it; a missing date never is.
    """

    end: bool

    def _bound(self, spec: FilterSpec, latest: Callable[[], date | None]) -> date | None:
        reference = (latest() or date.today()) if spec.preset else date.today()
        return spec.date_bounds(reference)[1 if self.end else 0]

    def mask(self, frame: pd.DataFrame, spec: FilterSpec, value: Any) -> np.ndarray | None:
        bound = self._bound(spec, lambda: reference_date(frame))
        if bound is None:
            return None
        dates = frame["event_date"].to_numpy(dtype="datetime64[ns]")
        if self.end:
            return dates < np.datetime64(bound + timedelta(days=1), "ns")
        if "event_date_end" in frame.columns:
            ends = frame["event_date_end"].to_numpy(dtype="datetime64[ns]")
            dates = np.where(np.isnat(ends), dates, ends)
        return dates >= np.datetime64(bound, "ns")

    def sql(self, query: SqlQuery, spec: FilterSpec, value: Any) -> str | None:
        bound = self._bound(spec, query.latest)
        if bound is None:
            return None
        if self.end:
            return f"event_date < {query.day(bound + timedelta(days=1))}"
        return f"COALESCE(event_date_end, event_date) >= {query.day(bound)}"


@dataclass(frozen=True)
class OneOf:
    """The column's value is one of the names (``widen`` may add names, e.g. successor regions)."""

    column: str
    widen: Callable[[tuple[str, ...], FilterSpec], Sequence[str]] | None = None

    def _names(self, spec: FilterSpec, value: tuple[str, ...]) -> Sequence[str]:
        return self.widen(value, spec) if self.widen else value

    def mask(self, frame: pd.DataFrame, spec: FilterSpec, value: Any) -> np.ndarray | None:
        return one_of(frame[self.column], self._names(spec, value)) if value else None

    def sql(self, query: SqlQuery, spec: FilterSpec, value: Any) -> str | None:
        if not value:
            return None
        return query.one_of(self.column,
                            matching_values(query.distinct(self.column), self._names(spec, value)))


@dataclass(frozen=True)
class AnyContains:
    """The text occurs (folded) in at least one of the columns."""

    columns: tuple[str, ...]

    def mask(self, frame: pd.DataFrame, spec: FilterSpec, value: Any) -> np.ndarray | None:
        if not value:
            return None
        needle = fold_search_text(value)
        return np.logical_or.reduce([_contains(frame[c], needle) for c in self.columns])

    def sql(self, query: SqlQuery, spec: FilterSpec, value: Any) -> str | None:
        if not value:
            return None
        return _any_like(query, self.columns, fold_search_text(value))


def _any_like(query: SqlQuery, columns: Sequence[str], term: str) -> str:
    pattern = _like_pattern(term)
    return "(" + " OR ".join(query.like(c, pattern) for c in columns) + ")"


@dataclass(frozen=True)
class EveryWord:
    """Every word of the text occurs (folded) in at least one of the columns."""

    columns: tuple[str, ...]

    def mask(self, frame: pd.DataFrame, spec: FilterSpec, value: Any) -> np.ndarray | None:
        if not value:
            return None
        mask = np.ones(len(frame), dtype=bool)
        for term in fold_search_text(value).split(" "):
            mask &= np.logical_or.reduce([_contains(frame[c], term) for c in self.columns])
        return mask

    def sql(self, query: SqlQuery, spec: FilterSpec, value: Any) -> str | None:
        if not value:
            return None
        return " AND ".join(_any_like(query, self.columns, term)
                            for term in fold_search_text(value).split(" "))


@dataclass(frozen=True)
class Compare:
    """A number column compared with the value; a missing number never passes."""

    column: str
    operator: str  # ">=" or "<="

    def mask(self, frame: pd.DataFrame, spec: FilterSpec, value: Any) -> np.ndarray | None:
        if value is None:
            return None
        column = frame[self.column]
        passed = column >= value if self.operator == ">=" else column <= value
        return passed.fillna(False).to_numpy(dtype=bool)

    def sql(self, query: SqlQuery, spec: FilterSpec, value: Any) -> str | None:
        if value is None:
            return None
        return f"{self.column} {self.operator} {query.param(value)}"


class InsidePolygon:
    """The point lies in the polygon (WKT or GeoJSON text)."""

    def mask(self, frame: pd.DataFrame, spec: FilterSpec, value: Any) -> np.ndarray | None:
        from incidents.regions.spatial_filter import polygon_mask

        return np.asarray(polygon_mask(frame, value), dtype=bool) if value else None

    def sql(self, query: SqlQuery, spec: FilterSpec, value: Any) -> str | None:
        from incidents.regions.spatial_filter import parse_polygon

        if not value:
            return None
        query.require_spatial("polygon")
        area = query.param(parse_polygon(value).wkt)
        return f"ST_Intersects(geom, ST_GeomFromText({area}, 4326))"


class WithinDistance:
    """The point is within km of "lat,lon,km", on the sphere."""

    def mask(self, frame: pd.DataFrame, spec: FilterSpec, value: Any) -> np.ndarray | None:
        from incidents.regions.spatial_filter import near_mask

        return np.asarray(near_mask(frame, value), dtype=bool) if value else None

    def sql(self, query: SqlQuery, spec: FilterSpec, value: Any) -> str | None:
        from incidents.regions.spatial_filter import parse_near

        if not value:
            return None
        query.require_spatial("near")
        lat, lon, km = parse_near(value)
        # Great-circle distance on the sphere, as the mask's haversine computes it.
        return (f"geom IS NOT NULL AND ST_DistanceSphere(geom, ST_SetSRID(ST_MakePoint("
                f"{query.param(lon)}, {query.param(lat)}), 4326)) <= {query.param(km * 1000.0)}")


def successor_regions(names: tuple[str, ...], spec: FilterSpec) -> Sequence[str]:
    """``admin1s`` widened to the regions later carved out of them, when the spec asks."""
    from incidents.regions.crosswalk import expand_admin1

    return tuple(expand_admin1(names, include_successors=spec.include_successor_regions))
