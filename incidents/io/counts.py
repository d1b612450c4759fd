"""Whole numbers (fatalities, years, codes) read exactly, or refused with a reason.

A count is never read through a float: ``1e20`` or ``2**63`` would overflow the
64-bit column and come back negative, and ``"1,000"`` read as a decimal comma
would become 1. The rules, applied once per distinct text:

- plain digits, optionally signed, optionally with a zero fraction (``12``, ``12.0``,
  ``12,00``) are the number they say;
- digits grouped in threes by a space (normal, no-break or thin) or an apostrophe
  (``1 000``, ``1'000``) are read as thousands, since no locale uses those as a
  decimal mark; so are two or more groups behind the same comma or dot
  (``1,000,000``, ``1.000.000``);
- a single comma or dot group (``1,000``, ``1.000``) is refused: it is one thousand
  in one locale and one in another, and the file does not say which;
- anything else (exponents, words, fractions) is not a whole number;
- a number above ``CEILING`` is refused rather than stored.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

# No single incident row counts a million of anything; the years and codes are far below.
CEILING = 1_000_000

_PLAIN = re.compile(r"([+-]?)(\d+)(?:[.,]0+)?")
_AMBIGUOUS = re.compile(r"[+-]?\d{1,3}[.,]\d{3}")
_SPACED = re.compile(r"([+-]?)(\d{1,3}(?:[ \u00a0\u202f']\d{3})+)")
_GROUPED = re.compile(r"([+-]?)(\d{1,3}(?:([.,])\d{3})(?:\3\d{3})+)")


def whole_number(text: str) -> int | str:
    """The integer a cell writes, or the reason (a template with ``{column}``) it is refused."""
    stripped = text.strip()
    if _AMBIGUOUS.fullmatch(stripped):
        return (
            "{column} '{text}' is ambiguous (one thousand, or one with three decimals?): "
            "write it without a separator"
        )
    match = _PLAIN.fullmatch(stripped) or _SPACED.fullmatch(stripped)
    match = match or _GROUPED.fullmatch(stripped)
    if not match:
        return "{column} '{text}' is not a whole number"
    digits = re.sub(r"\D", "", match.group(2))
    if len(digits.lstrip("0")) > len(str(CEILING)):
        return f"{{column}} '{{text}}' is above the ceiling of {CEILING:,}".replace(",", " ")
    value = int(digits) * (-1 if match.group(1) == "-" else 1)
    if abs(value) > CEILING:
        return f"{{column}} '{{text}}' is above the ceiling of {CEILING:,}".replace(",", " ")
    return value


def whole_numbers(text: pd.Series, column: str) -> tuple[pd.Series, np.ndarray]:
    """Exact ``Int64`` values (NA where empty or refused) and a reason per refused row ("" else)."""
    numbers, reasons, codes = whole_numbers_by_value(text, column)
    return numbers, reasons[codes]


def whole_numbers_by_value(
    text: pd.Series, column: str
) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """``whole_numbers`` with the reasons per distinct value (the last for a missing
    cell) and each row's code into them: a caller spreads reasons only when some row
    is refused. The text may be unstripped: each value is stripped here."""
    codes, uniques = pd.factorize(text)
    results = [whole_number(u) if u.strip() else None for u in uniques]
    # One slot more for a missing cell (code -1); values are built as int64 and a mask,
    # not converted from Python objects row by row.
    values = np.array([r if isinstance(r, int) else 0 for r in results] + [0], dtype="int64")
    missing = np.array([not isinstance(r, int) for r in results] + [True], dtype=bool)
    reasons = [
        r.format(column=column, text=u.strip()) if isinstance(r, str) else ""
        for r, u in zip(results, uniques)
    ] + [""]
    numbers = pd.arrays.IntegerArray(values[codes], missing[codes])
    return pd.Series(numbers, index=text.index), np.array(reasons, dtype=object), codes
