"""Row validation: every mapped row is either accepted (perhaps flagged) or quarantined.

All checks are column-wise (numpy/pandas masks, or one Python call per
distinct value), so a million-row file is validated in seconds. A row that
breaks a rule goes to quarantine with every reason it broke; a row that is
usable but doubtful is accepted with status ``needs_review`` and its reasons.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from incidents import model
from incidents.io import codes, geocheck
from incidents.io.dates import parse_dates

NON_NEGATIVE = ("fatalities", "fatalities_low", "fatalities_high")
PRECISION_CODES = ("geo_precision", "time_precision")
TRUE_WORDS = {"true", "1", "yes", "y", "oui", "vrai", "t"}


class ReasonLog:
    """Reasons collected per row by mask, joined only for the rows that have any."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: list[tuple[np.ndarray, object]] = []

    def add(self, mask: np.ndarray, reason: str | np.ndarray | pd.Series) -> None:
        mask = np.asarray(mask, dtype=bool)
        if mask.any():
            if isinstance(reason, pd.Series):
                reason = reason.to_numpy(dtype=object)
            self.entries.append((mask, reason))

    def mask(self) -> np.ndarray:
        result = np.zeros(self.size, dtype=bool)
        for mask, _ in self.entries:
            result |= mask
        return result

    def texts(self, rows: np.ndarray) -> list[str]:
        """The joined reasons of the given row positions."""
        collected: list[list[str]] = [[] for _ in rows]
        for mask, reason in self.entries:
            for slot in np.flatnonzero(mask[rows]):
                text = reason if isinstance(reason, str) else reason[rows[slot]]
                if text:
                    collected[slot].append(str(text))
        return ["; ".join(parts) for parts in collected]


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series("", index=frame.index, dtype=object)
    return frame[column].astype(str).str.strip()


def _numbers(text: pd.Series) -> pd.Series:
    """Numbers from text; a decimal comma (``12,5``) is read as a point."""
    if text.str.contains(",", regex=False).any():
        text = text.str.replace(",", ".", regex=False)
    return pd.to_numeric(text.where(text != ""), errors="coerce").astype("float64")


def _check_coordinates(frame: pd.DataFrame, bad: ReasonLog) -> tuple[np.ndarray, np.ndarray]:
    values = {}
    for column, limit in (("latitude", 90), ("longitude", 180)):
        text = _text(frame, column)
        number = _numbers(text).to_numpy()
        given = (text != "").to_numpy()
        bad.add(given & np.isnan(number), f"{column} '" + text + "' is not a number")
        out = given & ~np.isnan(number) & (np.abs(number) > limit)
        bad.add(out, f"{column} " + text + f" out of range [-{limit}, {limit}]")
        values[column] = np.where(np.abs(number) <= limit, number, np.nan)
    lat, lon = values["latitude"], values["longitude"]
    lat_given = (_text(frame, "latitude") != "").to_numpy()
    lon_given = (_text(frame, "longitude") != "").to_numpy()
    bad.add(lat_given & ~lon_given, "latitude given without longitude")
    bad.add(lon_given & ~lat_given, "longitude given without latitude")
    return lat, lon


def _check_event_types(frame: pd.DataFrame, bad: ReasonLog, review: ReasonLog) -> None:
    event_text, sub_text = _text(frame, "event_type"), _text(frame, "sub_event_type")
    event, event_ok = codes.map_unique(event_text.map(codes.fold), codes.event_type_names().get)
    sub, sub_ok = codes.map_unique(sub_text.map(codes.fold), codes.sub_event_type_names().get)
    event_given = (event_text != "").to_numpy()
    sub_given = (sub_text != "").to_numpy()
    implied, _ = codes.map_unique(pd.Series(sub), lambda s: model.event_type_of(s))
    event = np.where(event_given, event, np.where(sub_ok, implied, None))
    options = ", ".join(model.event_types())
    bad.add(
        event_given & ~event_ok,
        "event_type '" + event_text + f"' is not in the taxonomy (one of: {options})",
    )
    bad.add(~event_given & ~sub_ok, "event_type is empty")
    review.add(sub_given & ~sub_ok, "sub_event_type '" + sub_text + "' is not in the taxonomy")
    mismatch = event_ok & sub_ok & (implied != event)
    review.add(
        mismatch,
        "sub_event_type '" + pd.Series(sub, dtype=object).fillna("") + "' belongs to '"
        + pd.Series(implied, dtype=object).fillna("") + "', not '"
        + pd.Series(event, dtype=object).fillna("") + "'",
    )
    frame["event_type"] = pd.array(event, dtype="string")
    frame["sub_event_type"] = pd.array(np.where(sub_ok, sub, None), dtype="string").fillna(
        pd.array(sub_text.where(sub_text != ""), dtype="string")
    )


def _check_integers(frame: pd.DataFrame, bad: ReasonLog, review: ReasonLog) -> None:
    for column in ("inter1", "inter2"):
        text = _text(frame, column)
        code, found = codes.map_unique(text, codes.actor_type_code)
        review.add((text != "").to_numpy() & ~found, f"{column} '" + text + "' is not an actor type")
        frame[column] = pd.array(code, dtype="Int64")
    text = _text(frame, "interaction")
    code, found = codes.map_unique(text, codes.interaction_from_text)
    review.add((text != "").to_numpy() & ~found, "interaction '" + text + "' is not understood")
    frame["interaction"] = pd.array(code, dtype="Int64")
    others = [c for c in model.INTEGER_COLUMNS if c not in ("inter1", "inter2", "interaction")]
    for column in others:
        text = _text(frame, column)
        number = _numbers(text)
        given = (text != "").to_numpy()
        values = number.to_numpy()
        whole = ~np.isnan(values) & (np.mod(values, 1) == 0)
        bad.add(given & ~whole, f"{column} '" + text + "' is not a whole number")
        if column in NON_NEGATIVE:
            bad.add(given & whole & (values < 0), f"{column} " + text + " is negative")
        if column in PRECISION_CODES:
            bad.add(given & whole & ~np.isin(values, (1, 2, 3)), f"{column} " + text + " is not 1, 2 or 3")
        frame[column] = pd.array(np.where(whole, values, np.nan), dtype="Float64").astype("Int64")


def _fill_derived(frame: pd.DataFrame, event_date: pd.Series) -> None:
    """year from the date, disorder_type from the event type, interaction from inter codes."""
    frame["year"] = frame["year"].fillna(event_date.dt.year.astype("Int64"))
    disorder = _text(frame, "disorder_type")
    implied, _ = codes.map_unique(frame["event_type"].astype(object), model.disorder_type_of)
    frame["disorder_type"] = pd.array(np.where(disorder != "", disorder, implied), dtype="string")
    inter1 = frame["inter1"].astype("float64").to_numpy()
    inter2 = frame["inter2"].astype("float64").fillna(0).to_numpy()
    low, high = np.minimum(inter1, inter2), np.maximum(inter1, inter2)
    derived = np.where(inter2 != 0, low * 10 + high, inter1 * 10)
    derived = pd.Series(derived, index=frame.index).astype("Float64").astype("Int64")
    frame["interaction"] = frame["interaction"].fillna(derived)


def _status(frame: pd.DataFrame, review: ReasonLog) -> None:
    status = _text(frame, "status")
    reason = _text(frame, "status_reason")
    flagged = review.mask()
    new_reasons = pd.Series("", index=frame.index, dtype=object)
    positions = np.flatnonzero(flagged)
    new_reasons.iloc[positions] = review.texts(positions)
    joined = np.where(reason != "", reason + np.where(new_reasons != "", "; ", "") + new_reasons, new_reasons)
    frame["status"] = pd.array(
        np.where(flagged, model.Status.NEEDS_REVIEW.value, np.where(status != "", status, model.Status.OK.value)),
        dtype="string",
    )
    frame["status_reason"] = pd.array(np.where(joined != "", joined, None), dtype="string")


def validate(frame: pd.DataFrame, reviews: list[tuple[np.ndarray, pd.Series]] | None = None
             ) -> tuple[pd.DataFrame, np.ndarray, list[str], int]:
    """Validate a mapped text frame.

    Returns the accepted records (canonical dtypes), the positions of quarantined
    rows, their reasons, and how many accepted rows need review.
    """
    frame = frame.reset_index(drop=True).copy()
    size = len(frame)
    bad, review = ReasonLog(size), ReasonLog(size)
    for mask, reason in reviews or []:
        review.add(mask, reason)
    event_date, date_reasons = parse_dates(_text(frame, "event_date"))
    bad.add(event_date.isna().to_numpy(), date_reasons)
    frame["event_date"] = event_date
    latitude, longitude = _check_coordinates(frame, bad)
    _check_event_types(frame, bad, review)
    _check_integers(frame, bad, review)
    swapped = geocheck.swapped_points(
        latitude, longitude, _text(frame, "country"), _text(frame, "country_code")
    )
    review.add(
        swapped,
        f"{geocheck.SWAP_REASON} (given latitude "
        + pd.Series(latitude).astype(str) + ", longitude " + pd.Series(longitude).astype(str)
        + "; swapped back)",
    )
    frame["latitude"] = np.where(swapped, longitude, latitude)
    frame["longitude"] = np.where(swapped, latitude, longitude)
    placed = ~np.isnan(latitude) & ~np.isnan(longitude)
    method = _text(frame, "geocode_method")
    frame["geocode_method"] = pd.array(
        np.where(method != "", method, np.where(placed, model.GeocodeMethod.SOURCE.value, None)),
        dtype="string",
    )
    if "synthetic" in frame.columns:
        frame["synthetic"] = _text(frame, "synthetic").str.lower().isin(TRUE_WORDS)
    _fill_derived(frame, event_date)
    rejected = bad.mask()
    _status(frame, review)
    positions = np.flatnonzero(rejected)
    reasons = bad.texts(positions)
    accepted = frame[~rejected]
    for column in model.TEXT_COLUMNS:
        if column in accepted.columns:
            text = accepted[column].astype("string")
            accepted[column] = text.where(text.str.strip() != "")
    records = model.conform(accepted.reset_index(drop=True))
    needs_review = int((records["status"] == model.Status.NEEDS_REVIEW.value).sum())
    return records, positions, reasons, needs_review
