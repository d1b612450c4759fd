"""Spreadsheet formula injection: text cells that a spreadsheet would run are defused.

The OWASP rule: a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return gets a leading ``'``, so Excel, LibreOffice and Google Sheets show
it as text instead of evaluating it (``=HYPERLINK(...)``, ``@SUM(...)``, DDE).
Only text is touched: numbers, dates and booleans are written as they are, so a
negative number stays a number.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PATTERN = r"^([=+\-@\t\r])"


def defused_text(value: str) -> str:
    """One text cell, with ``'`` in front when it starts like a formula."""
    return "'" + value if value.startswith(TRIGGERS) else value


def defused_array(text: pa.Array) -> pa.Array:
    """An Arrow string array with every formula-like cell prefixed (nulls stay null)."""
    return pc.replace_substring_regex(text, pattern=_PATTERN, replacement="'\\1")


def defused_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells (in any column) are defused; other values are kept."""
    out = frame.copy()
    for position in range(out.shape[1]):
        column = out.iloc[:, position]
        if column.dtype == object or isinstance(column.dtype, (pd.StringDtype,
                                                              pd.CategoricalDtype)):
            out.isetitem(position, column.astype(object).map(
                lambda v: defused_text(v) if isinstance(v, str) else v))
    return out
