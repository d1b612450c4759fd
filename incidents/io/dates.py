"""Reading the dates analysts actually write, in French or English.

Accepted: ISO ``2024-12-07`` (also ``2024/12/07``), numeric ``07/12/2024``,
``07-12-2024`` and ``07.12.2024`` (a time after either is ignored), month
names ``7 décembre 2024``, ``07 December 2024``, ``1er mars 2024``,
``Dec 7, 2024``, with or without accents, full or abbreviated, two-digit years
as a spreadsheet re-saves them (``16-Feb-21``, ``07/12/24``), GDELT's compact
``19970101``, and Excel serial
day numbers (``43831`` is 2020-01-01) when a whole column is made of them.

Day/month order is decided per column from all its values, never per cell: a
column with a first part above 12 somewhere is day-first, one with a second
part above 12 (and no first part above 12) is month-first (UCDP's website
export), and a column where every value fits both reads in the order the
caller names (day-first by default, as ACLED and French usage write dates).

A two-digit year is in this century up to the current year and in the last
century after it (``97`` is 1997, ``21`` is 2021).

Parsing is vectorised: ISO strings go through pandas in one pass, and the rest
are parsed once per distinct value (a million rows carry a few thousand dates).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

import numpy as np
import pandas as pd

MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        ("january", "jan", "janvier", "janv"),
        ("february", "feb", "fevrier", "fevr", "fev"),
        ("march", "mar", "mars"),
        ("april", "apr", "avril", "avr"),
        ("may", "mai"),
        ("june", "jun", "juin"),
        ("july", "jul", "juillet", "juil"),
        ("august", "aug", "aout"),
        ("september", "sep", "sept", "septembre"),
        ("october", "oct", "octobre"),
        ("november", "nov", "novembre"),
        ("december", "dec", "decembre"),
    ),
    start=1,
):
    MONTHS.update({name: _number for name in _names})

_ISO = re.compile(r"^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?:[t ].*)?$")
_NUMERIC = re.compile(r"^(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})(?: .*)?$")
_DAY_MONTH_NAME = re.compile(
    r"^(\d{1,2})(?:er)?[\s\-]+([a-z]+)\.?,?[\s\-]+(\d{4}|\d{2})(?: .*)?$"
)
_MONTH_NAME_DAY = re.compile(r"^([a-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SERIAL = re.compile(r"^\d{5}(?:\.0+)?$")
# Excel serial day numbers from 1930-01-01 to 2099-12-31; day 0 is 1899-12-30
# (Excel's phantom 29 February 1900 lies before this range).
SERIAL_RANGE = (10958, 73050)
EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
DAY_FIRST, MONTH_FIRST = "day_first", "month_first"

EXPECTED = "expected e.g. 2024-12-07, 07/12/2024, 7 décembre 2024 or Dec 7, 2024"

# Dates outside this range are typing errors (or overflow pandas' nanosecond
# timestamps, which wrap silently): checked on the year before any conversion.
EARLIEST = date(1900, 1, 1)


def latest_date() -> date:
    """The last acceptable event date: one year from today."""
    return date.today() + timedelta(days=366)


def _out_of_range(text: str, day: date, column: str = "event_date") -> str | None:
    latest = latest_date()
    if EARLIEST <= day <= latest:
        return None
    return (
        f"{column} {text.strip()!r} is outside the accepted range "
        f"{EARLIEST.isoformat()} to {latest.isoformat()}"
    )


def full_year(text: str) -> int:
    """A year as written: four digits as they are, two digits pivoted on the current year."""
    year = int(text)
    if len(text) > 2:
        return year
    this_century = date.today().year // 100 * 100
    return this_century + year if this_century + year <= date.today().year else this_century - 100 + year


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def parse_date(
    text: str, order: str = DAY_FIRST, column: str = "event_date"
) -> tuple[date | None, str | None]:
    """One date string: ``(date, None)``, or ``(None, reason)`` when it cannot be read.

    ``order`` says how a numeric ``a/b/yyyy`` is read (``parse_dates`` decides it
    for a whole column); ``column`` names the column in the reason.
    """
    folded = _fold(text)
    if not folded:
        return None, f"{column} is empty"
    parts: tuple[int, int, int] | None = None
    if m := _ISO.match(folded):
        parts = (int(m[1]), int(m[3]), int(m[4]))
    elif m := _COMPACT.match(folded):
        parts = (int(m[1]), int(m[2]), int(m[3]))
    elif m := _NUMERIC.match(folded):
        first, second = int(m[1]), int(m[3])
        day, month = (second, first) if order == MONTH_FIRST else (first, second)
        parts = (full_year(m[4]), month, day)
    elif m := _DAY_MONTH_NAME.match(folded):
        if m[2] in MONTHS:
            parts = (full_year(m[3]), MONTHS[m[2]], int(m[1]))
    elif m := _MONTH_NAME_DAY.match(folded):
        if m[1] in MONTHS:
            parts = (int(m[3]), MONTHS[m[1]], int(m[2]))
    if parts is None:
        return None, f"{column} {text.strip()!r} is not a date I can read ({EXPECTED})"
    year, month, day = parts
    if not EARLIEST.year <= year <= latest_date().year:
        return None, _out_of_range(text, date(EARLIEST.year - 1, 1, 1), column)
    try:
        value = date(year, month, day)
    except ValueError:
        written = "month first" if order == MONTH_FIRST else "day first"
        return None, f"{column} {text.strip()!r} is not a real date (read {written})"
    problem = _out_of_range(text, value, column)
    return (None, problem) if problem else (value, None)


def numeric_order(values: pd.Series, default: str = DAY_FIRST) -> str:
    """Day-first or month-first for a whole column of numeric dates, from all its values."""
    parts = values.str.extract(_NUMERIC.pattern)
    if parts.empty:
        return default
    first = pd.to_numeric(parts[0], errors="coerce")
    second = pd.to_numeric(parts[2], errors="coerce")
    if (first > 12).any():
        return DAY_FIRST
    if (second > 12).any():
        return MONTH_FIRST
    return default


def excel_serials(text: pd.Series) -> pd.Series | None:
    """Dates from a column made only of Excel serial day numbers, else None."""
    given = text[text != ""]
    if given.empty or not given.str.fullmatch(_SERIAL.pattern).all():
        return None
    days = pd.to_numeric(text.where(text != ""), errors="coerce")
    low, high = SERIAL_RANGE
    if not days.dropna().between(low, high).all():
        return None
    offsets = days.to_numpy(dtype="float64")
    result = np.full(len(text), np.datetime64("NaT", "ns"), dtype="datetime64[ns]")
    valid = ~np.isnan(offsets)
    result[valid] = (EXCEL_EPOCH + offsets[valid].astype("int64")).astype("datetime64[ns]")
    return pd.Series(result, index=text.index)


def parse_dates(
    values: pd.Series, *, default_order: str = DAY_FIRST, column: str = "event_date"
) -> tuple[pd.Series, pd.Series]:
    """Dates as ``datetime64[ns]`` (NaT where unreadable) and a reason per unreadable row.

    ``default_order`` is used only when no value of the column tells day-first
    from month-first.

    Each distinct value is read once (100,000 rows of an export hold a few thousand
    dates): every rule reads one value or the set of the column's values (serial
    numbers, day/month order), and the set is the same.
    """
    codes, distinct = pd.factorize(values, use_na_sentinel=False)
    if len(distinct) == len(values):
        return _parse_each(values, default_order, column)
    dates, reasons = _parse_each(pd.Series(distinct, copy=False), default_order, column)
    return (pd.Series(dates.to_numpy()[codes], index=values.index, copy=False),
            pd.Series(reasons.to_numpy()[codes], index=values.index, dtype=object, copy=False))


def _parse_each(
    values: pd.Series, default_order: str, column: str
) -> tuple[pd.Series, pd.Series]:
    text = values.astype(str).str.strip()
    serial = excel_serials(text)
    if serial is not None:
        reasons = pd.Series(np.where(serial.isna(), f"{column} is empty", ""), index=values.index)
        return serial.astype("datetime64[ns]"), reasons.astype(object)
    iso = text.str.slice(0, 10)
    year = pd.to_numeric(iso.str.slice(0, 4).where(iso.str.match(r"\d{4}-")), errors="coerce")
    # Only years in range reach pandas: 1500 or 9999 would raise or wrap there.
    iso = iso.where(year.between(EARLIEST.year, latest_date().year), "")
    parsed = pd.to_datetime(iso, format="%Y-%m-%d", errors="coerce")
    parsed = parsed.where(text.str.len().eq(10) | text.str.slice(10, 11).isin(["T", " "]))
    parsed = parsed.where(
        (parsed >= pd.Timestamp(EARLIEST)) & (parsed <= pd.Timestamp(latest_date()))
    )
    reasons = pd.Series("", index=values.index, dtype=object)
    pending = parsed.isna().to_numpy()
    if pending.any():
        rest = text[pending]
        codes, uniques = pd.factorize(rest)
        order = numeric_order(pd.Series(uniques, dtype=object).map(_fold), default_order)
        results = [parse_date(u, order, column) for u in uniques]
        days = np.array(
            [np.datetime64(d, "ns") if d else np.datetime64("NaT", "ns") for d, _ in results],
            dtype="datetime64[ns]",
        )
        why = np.array([r or "" for _, r in results], dtype=object)
        parsed = parsed.astype("datetime64[ns]")
        parsed[pending] = days[codes] if len(days) else np.array([], dtype="datetime64[ns]")
        reasons[pending] = why[codes] if len(why) else []
    return parsed.astype("datetime64[ns]"), reasons
