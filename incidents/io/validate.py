"""Row validation: every mapped row is either accepted (perhaps flagged) or quarantined.

All checks are column-wise (numpy/pandas masks, or one Python call per
distinct value), so a million-row file is validated in seconds. A row that
breaks a rule goes to quarantine with every reason it broke; a row that is
usable but doubtful is accepted with status ``needs_review`` and its reasons.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from incidents import model
from incidents.io import codes, distinct, geocheck
from incidents.io.counts import whole_numbers_by_value
from incidents.io.dates import DAY_FIRST, parse_dates
from incidents.io.legacy_types import NO_DEMONSTRATOR_REASON, translate_legacy_types

NON_NEGATIVE = ("fatalities", "fatalities_low", "fatalities_high")
PRECISION_CODES = ("geo_precision", "time_precision")
TRUE_WORDS = {"true", "1", "yes", "y", "oui", "vrai", "t"}


class ReasonLog:
    """Reasons collected per row by mask, formatted only for the rows that have any.

    A reason is a template; ``{}`` fields are filled from the given per-row
    arrays, so a million clean rows cost one mask each and no strings.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: list[tuple[np.ndarray, str, tuple[np.ndarray, ...]]] = []

    def add(self, mask: np.ndarray, template: str, *values: object) -> None:
        mask = np.asarray(mask, dtype=bool)
        if mask.any():
            arrays = tuple(np.asarray(v, dtype=object) for v in values)
            self.entries.append((mask, template, arrays))

    def mask(self) -> np.ndarray:
        result = np.zeros(self.size, dtype=bool)
        for mask, _, _ in self.entries:
            result |= mask
        return result

    def texts(self, rows: np.ndarray) -> list[str]:
        """The joined reasons of the given row positions.

        Rows with the same reasons share one string: a file of 200,000 rows that all
        lack a date costs one reason text, not 200,000 (each some 90 bytes).
        """
        joined: list[str] = [""] * len(rows)
        shared: dict[str, str] = {}
        for mask, template, arrays in self.entries:
            for slot in np.flatnonzero(mask[rows]):
                row = rows[slot]
                text = template.format(*(a[row] for a in arrays))
                if text:
                    text = f"{joined[slot]}; {text}" if joined[slot] else text
                    joined[slot] = shared.setdefault(text, text)
        return joined


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series(np.full(len(frame), "", dtype=object), index=frame.index, dtype=object)
    return frame[column].astype(str).str.strip()


def _cells(frame: pd.DataFrame, column: str) -> pd.Series:
    """The column as read, for a rule that strips each distinct value itself (a pass
    stripping every row first costs as much as the rule): a text column as it is,
    anything else (or a missing column) as ``_text`` gives it."""
    if column in frame.columns and isinstance(frame[column].array, pd.arrays.ArrowStringArray):
        return frame[column]
    return _text(frame, column)


def _numbers(text: pd.Series) -> pd.Series:
    """Numbers from text; a decimal comma (``12,5``) is read as a point. Read once per
    distinct value: pandas' reading of one value depends only on the set of values."""
    at, values = distinct.distinct(text)
    if len(values) == len(text):
        return _numbers_of(text)
    missing = bool((at == len(values)).any())
    numbers = _numbers_of(pd.Series(values + [None] * missing, dtype=text.dtype)).to_numpy()
    if not missing:
        numbers = np.append(numbers, np.nan)
    return pd.Series(numbers[at], index=text.index, copy=False)


def _numbers_of(text: pd.Series) -> pd.Series:
    if text.str.contains(",", regex=False).any():
        text = text.str.replace(",", ".", regex=False)
    return pd.to_numeric(text.where(text != ""), errors="coerce").astype("float64")


def _check_coordinates(frame: pd.DataFrame, bad: ReasonLog) -> tuple[np.ndarray, np.ndarray]:
    values, given = {}, {}
    for column, limit in (("latitude", 90), ("longitude", 180)):
        text = _text(frame, column)
        number = _numbers(text).to_numpy()
        given[column] = (text != "").to_numpy()
        bad.add(given[column] & np.isnan(number), f"{column} '{{}}' is not a number", text)
        out = given[column] & ~np.isnan(number) & (np.abs(number) > limit)
        bad.add(out, f"{column} {{}} out of range [-{limit}, {limit}]", text)
        values[column] = np.where(np.abs(number) <= limit, number, np.nan)
    lat, lon = values["latitude"], values["longitude"]
    lat_given, lon_given = given["latitude"], given["longitude"]
    bad.add(lat_given & ~lon_given, "latitude given without longitude")
    bad.add(lon_given & ~lat_given, "longitude given without latitude")
    return lat, lon


def _check_date_end(
    frame: pd.DataFrame, event_date: pd.Series, date_order: str, review: ReasonLog
) -> None:
    """``event_date_end``: the last day of a range; empty when it is the start day itself."""
    text = _text(frame, "event_date_end")
    given = (text != "").to_numpy()
    if not given.any():
        frame["event_date_end"] = pd.NaT
        return
    end, _ = parse_dates(text, default_order=date_order, column="event_date_end")
    unreadable = given & end.isna().to_numpy()
    review.add(unreadable, "event_date_end '{}' is not a date I can read; kept the start day", text)
    before = (end < event_date).to_numpy()
    review.add(before, "event_date_end '{}' is before event_date; kept the start day", text)
    end = end.where(~before & (end != event_date))
    frame["event_date_end"] = end.astype("datetime64[ns]")


def _check_event_types(frame: pd.DataFrame, bad: ReasonLog, review: ReasonLog) -> None:
    """Event and sub-event types looked up once per distinct value; a row's event type
    is a number into ``names`` (the taxonomy's event types, then None for missing)."""
    event_text, sub_text = _text(frame, "event_type"), _text(frame, "sub_event_type")
    event_names, event_at = distinct.lookup(event_text, codes.event_type_name)
    sub_at, sub_values = distinct.distinct(sub_text)
    sub_names = [codes.sub_event_type_name(value) for value in sub_values] + [None]
    names = model.event_types() + [None]
    number = {name: i for i, name in enumerate(names)}
    event_number = np.array([number[name] for name in event_names])[event_at]
    implied_number = np.array([number[model.event_type_of(name) if name is not None else None]
                               for name in sub_names])[sub_at]
    event_ok = np.array([name is not None for name in event_names])[event_at]
    sub_ok = np.array([name is not None for name in sub_names])[sub_at]
    event_given = (event_text != "").to_numpy()
    sub_given = (sub_text != "").to_numpy()
    missing = len(names) - 1
    event = np.where(event_given, event_number, np.where(sub_ok, implied_number, missing))
    options = ", ".join(model.event_types())
    bad.add(
        event_given & ~event_ok,
        f"event_type '{{}}' is not in the taxonomy (one of: {options})",
        event_text,
    )
    bad.add(~event_given & ~sub_ok, "event_type is empty")
    review.add(sub_given & ~sub_ok, "sub_event_type '{}' is not in the taxonomy", sub_text)
    mismatch = event_ok & sub_ok & (implied_number != event)
    if mismatch.any():
        shown = np.array(names, dtype=object)
        review.add(mismatch, "sub_event_type '{}' belongs to '{}', not '{}'",
                   np.array(sub_names, dtype=object)[sub_at], shown[implied_number], shown[event])
    frame["event_type"] = distinct.strings(names, event)
    # The canonical sub-event type, else the text as written, else missing.
    kept_sub = [name if name is not None else (value if value != "" else None)
                for name, value in zip(sub_names, sub_values + [None])]
    frame["sub_event_type"] = distinct.strings(kept_sub, sub_at)


def _check_integers(frame: pd.DataFrame, bad: ReasonLog, review: ReasonLog) -> None:
    # The lookups strip each distinct cell themselves.
    for column in (c for c in ("inter1", "inter2") if c in frame.columns):
        cells = _cells(frame, column)
        code = _integer_codes(cells, codes.actor_type_code)
        unknown = ~distinct.blank(cells) & code.isna()
        if unknown.any():
            review.add(unknown, f"{column} '{{}}' is not an actor type", _text(frame, column))
        frame[column] = code
    if "interaction" in frame.columns:
        cells = _cells(frame, "interaction")
        code = _integer_codes(cells, codes.interaction_from_text)
        unknown = ~distinct.blank(cells) & code.isna()
        if unknown.any():
            review.add(unknown, "interaction '{}' is not understood", _text(frame, "interaction"))
        frame["interaction"] = code
    others = [c for c in model.INTEGER_COLUMNS if c not in ("inter1", "inter2", "interaction")]
    for column in (c for c in others if c in frame.columns):
        # Each distinct cell is stripped where it is read, so a text column is passed
        # as it is (stripping every row first would cost a pass of its own).
        cells = _cells(frame, column)
        number, reasons, at = whole_numbers_by_value(cells, column)
        refused = (reasons != "")[at]
        if refused.any():
            bad.add(refused, "{}", reasons[at])
        whole = number.notna().to_numpy()
        values = number.fillna(0).to_numpy(dtype="int64")
        negative = whole & (values < 0) if column in NON_NEGATIVE else None
        if negative is not None and negative.any():
            bad.add(negative, f"{column} {{}} is negative", _text(frame, column))
        if column in PRECISION_CODES:
            outside = whole & ~np.isin(values, (1, 2, 3))
            if outside.any():
                bad.add(outside, f"{column} {{}} is not 1, 2 or 3", _text(frame, column))
        frame[column] = number


def _integer_codes(text: pd.Series, lookup) -> pd.arrays.IntegerArray:
    """``lookup`` of each distinct text as ``Int64`` (missing where it finds nothing)."""
    answers, at = distinct.lookup(text, lookup)
    return distinct.integers(answers, at)


def _ints(frame: pd.DataFrame, column: str) -> pd.Series:
    if column in frame.columns:
        return frame[column].astype("Int64")
    return pd.Series(pd.array([pd.NA] * len(frame), dtype="Int64"), index=frame.index)


def _fill_derived(frame: pd.DataFrame, event_date: pd.Series) -> None:
    """year from the date, disorder_type from the event type, interaction from inter codes."""
    frame["year"] = _ints(frame, "year").fillna(event_date.dt.year.astype("Int64"))
    implied, at = distinct.lookup(frame["event_type"], model.disorder_type_of)
    implied_text = pa.array(implied, type=pa.large_string()).take(at)
    frame["disorder_type"] = distinct.text_or(_text(frame, "disorder_type"), implied_text)
    inter1 = _ints(frame, "inter1").astype("float64").to_numpy()
    inter2 = _ints(frame, "inter2").astype("float64").fillna(0).to_numpy()
    low, high = np.minimum(inter1, inter2), np.maximum(inter1, inter2)
    derived = np.where(inter2 != 0, low * 10 + high, inter1 * 10)
    derived = pd.Series(derived, index=frame.index).astype("Float64").astype("Int64")
    frame["interaction"] = _ints(frame, "interaction").fillna(derived)


def _status(frame: pd.DataFrame, review: ReasonLog) -> None:
    """``needs_review`` with reasons where anything was flagged; the source's status, else ok."""
    positions = np.flatnonzero(review.mask())
    if "status" not in frame.columns and "status_reason" not in frame.columns:
        # An export's usual case, with no status of its own: built as Arrow directly.
        flagged = np.zeros(len(frame), dtype=np.intp)
        flagged[positions] = 1
        frame["status"] = distinct.strings(
            [model.Status.OK.value, model.Status.NEEDS_REVIEW.value], flagged)
        reason = np.full(len(frame), None, dtype=object)
        reason[positions] = [text or None for text in review.texts(positions)]
        frame["status_reason"] = pd.arrays.ArrowStringArray(
            pa.array(reason, type=pa.large_string()))
        return
    status = _text(frame, "status").to_numpy(dtype=object, copy=True)
    reason = _text(frame, "status_reason").to_numpy(dtype=object, copy=True)
    status[status == ""] = model.Status.OK.value
    status[positions] = model.Status.NEEDS_REVIEW.value
    for position, text in zip(positions, review.texts(positions)):
        reason[position] = f"{reason[position]}; {text}" if reason[position] else text
    reason[reason == ""] = None
    frame["status"] = pd.array(status, dtype="string")
    frame["status_reason"] = pd.array(reason, dtype="string")


def _without_empty_canonical(records: pd.DataFrame) -> pd.DataFrame:
    """Canonical columns with no value in any row left out (``model.conform`` adds
    them back once, at no cost, after the chunks are joined)."""
    empty = [c for c in records.columns
             if c in model.CANONICAL_COLUMNS and len(records) and _all_missing(records[c])]
    return records.drop(columns=empty) if empty else records


def _all_missing(values: pd.Series) -> bool:
    """``values.isna().all()``, from Arrow's null count for a text column."""
    if isinstance(values.array, pd.arrays.ArrowStringArray):
        return values.array._pa_array.null_count == len(values)
    return bool(values.isna().all())


def validate(
    frame: pd.DataFrame,
    reviews: list[tuple[np.ndarray, np.ndarray]] | None = None,
    *,
    date_order: str = DAY_FIRST,
    complete: bool = True,
) -> tuple[pd.DataFrame, np.ndarray, list[str], int]:
    """Validate a mapped text frame.

    Returns the accepted records (canonical dtypes), the positions of quarantined
    rows, their reasons, and how many accepted rows need review. With
    ``complete=False`` the records keep only the columns validation wrote or the
    file had, for a caller that joins chunks first and calls ``model.conform`` once.
    """
    frame = frame.reset_index(drop=True)
    size = len(frame)
    bad, review = ReasonLog(size), ReasonLog(size)
    for mask, reason in reviews or []:
        review.add(mask, "{}", reason)
    event_date, date_reasons = parse_dates(_cells(frame, "event_date"), default_order=date_order)
    bad.add(event_date.isna().to_numpy(), "{}", date_reasons)
    frame["event_date"] = event_date
    _check_date_end(frame, event_date, date_order, review)
    review.add(translate_legacy_types(frame), NO_DEMONSTRATOR_REASON)
    latitude, longitude = _check_coordinates(frame, bad)
    _check_event_types(frame, bad, review)
    _check_integers(frame, bad, review)
    # check_points normalises each distinct country text itself.
    swapped, km_outside = geocheck.check_points(
        latitude, longitude, _cells(frame, "country"), _cells(frame, "country_code"))
    outside = ~np.isnan(km_outside)
    if outside.any():  # the country named as text only when a row needs it
        country, country_code = _text(frame, "country"), _text(frame, "country_code")
        review.add(
            outside,
            "the point (latitude {}, longitude {}) lies {:.0f} km outside {}, the row's country; kept as given",
            latitude, longitude, km_outside, np.where(country != "", country, country_code),
        )
    review.add(
        swapped,
        f"{geocheck.SWAP_REASON} (given latitude {{}}, longitude {{}}; swapped back)",
        latitude,
        longitude,
    )
    frame["latitude"] = np.where(swapped, longitude, latitude)
    frame["longitude"] = np.where(swapped, latitude, longitude)
    placed = ~np.isnan(latitude) & ~np.isnan(longitude)
    source = distinct.strings([model.GeocodeMethod.SOURCE.value, None], np.where(placed, 0, 1))
    frame["geocode_method"] = distinct.text_or(_text(frame, "geocode_method"), source._pa_array)
    if "synthetic" in frame.columns:
        frame["synthetic"] = _text(frame, "synthetic").str.lower().isin(TRUE_WORDS)
    _fill_derived(frame, event_date)
    rejected = bad.mask()
    _status(frame, review)
    positions = np.flatnonzero(rejected)
    reasons = bad.texts(positions)
    accepted = frame[~rejected] if len(positions) else frame
    for column in model.TEXT_COLUMNS:
        if column in accepted.columns and accepted[column].dtype != "string":
            text = accepted[column].astype(str)
            blank = distinct.blank(text)
            if blank.any():
                accepted[column] = text.where(~blank)
    records = accepted.reset_index(drop=True)
    records = model.conform(records) if complete else _without_empty_canonical(records)
    needs_review = int((records["status"] == model.Status.NEEDS_REVIEW.value).sum())
    return records, positions, reasons, needs_review
