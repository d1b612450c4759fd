"""Reading the dates analysts actually write, in French or English.

Accepted: ISO ``2024-12-07`` (also ``2024/12/07``), day-first ``07/12/2024``,
``07-12-2024`` and ``07.12.2024`` (a time after either is ignored), and
month names ``7 décembre 2024``, ``07 December 2024``, ``1er mars 2024``,
``Dec 7, 2024``, with or without accents, full or abbreviated. Numeric dates
are read day first, as ACLED and French usage write them: ``12/07/2024`` is
12 July.

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
_DAY_FIRST = re.compile(r"^(\d{1,2})([/.\-])(\d{1,2})\2(\d{4})(?: .*)?$")
_DAY_MONTH_NAME = re.compile(r"^(\d{1,2})(?:er)?[\s\-]+([a-z]+)\.?[\s\-]+(\d{4})$")
_MONTH_NAME_DAY = re.compile(r"^([a-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})$")

EXPECTED = "expected e.g. 2024-12-07, 07/12/2024, 7 décembre 2024 or Dec 7, 2024"

# Dates outside this range are typing errors (or overflow pandas' nanosecond
# timestamps, which wrap silently): checked on the year before any conversion.
EARLIEST = date(1900, 1, 1)


def latest_date() -> date:
    """The last acceptable event date: one year from today."""
    return date.today() + timedelta(days=366)


def _out_of_range(text: str, day: date) -> str | None:
    latest = latest_date()
    if EARLIEST <= day <= latest:
        return None
    return (
        f"event_date {text.strip()!r} is outside the accepted range "
        f"{EARLIEST.isoformat()} to {latest.isoformat()}"
    )


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def parse_date(text: str) -> tuple[date | None, str | None]:
    """One date string: ``(date, None)``, or ``(None, reason)`` when it cannot be read."""
    folded = _fold(text)
    if not folded:
        return None, "event_date is empty"
    parts: tuple[str, str, str] | None = None
    if m := _ISO.match(folded):
        parts = (m[1], m[3], m[4])
    elif m := _DAY_FIRST.match(folded):
        parts = (m[4], m[3], m[1])
    elif m := _DAY_MONTH_NAME.match(folded):
        if m[2] in MONTHS:
            parts = (m[3], str(MONTHS[m[2]]), m[1])
    elif m := _MONTH_NAME_DAY.match(folded):
        if m[1] in MONTHS:
            parts = (m[3], str(MONTHS[m[1]]), m[2])
    if parts is None:
        return None, f"event_date {text.strip()!r} is not a date I can read ({EXPECTED})"
    year, month, day = (int(p) for p in parts)
    if not EARLIEST.year <= year <= latest_date().year:
        return None, _out_of_range(text, date(EARLIEST.year - 1, 1, 1))
    try:
        value = date(year, month, day)
    except ValueError:
        return None, f"event_date {text.strip()!r} is not a real date"
    problem = _out_of_range(text, value)
    return (None, problem) if problem else (value, None)


def parse_dates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Dates as ``datetime64[ns]`` (NaT where unreadable) and a reason per unreadable row."""
    text = values.astype(str).str.strip()
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
        results = [parse_date(u) for u in uniques]
        days = np.array(
            [np.datetime64(d, "ns") if d else np.datetime64("NaT", "ns") for d, _ in results],
            dtype="datetime64[ns]",
        )
        why = np.array([r or "" for _, r in results], dtype=object)
        parsed = parsed.astype("datetime64[ns]")
        parsed[pending] = days[codes] if len(days) else np.array([], dtype="datetime64[ns]")
        reasons[pending] = why[codes] if len(why) else []
    return parsed.astype("datetime64[ns]"), reasons
