"""A column's rule applied once per distinct value, and the answers spread back to its rows.

100,000 rows of an export hold a few dozen event types, a few thousand dates and
places: a rule read per distinct value (a Python lookup, a regular expression) costs
that many calls, and the column's answer is one ``take`` by the row codes. Text
answers are built as Arrow arrays directly (pandas' ``string`` dtype), never as a
column of Python objects converted afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def distinct(values: pd.Series) -> tuple[np.ndarray, list[Any]]:
    """(a code per row, the distinct values). A missing value's code is one past the
    last distinct value, so a list of answers ends with the answer for missing."""
    codes, uniques = pd.factorize(values)
    codes = codes.astype(np.intp, copy=False)
    codes[codes < 0] = len(uniques)
    return codes, list(uniques)


def lookup(values: pd.Series, function: Callable[[Any], Any],
           missing: Any = None) -> tuple[list[Any], np.ndarray]:
    """``function`` of each distinct value (``missing`` for a missing value), and the codes."""
    codes, uniques = distinct(values)
    return [function(value) for value in uniques] + [missing], codes


def strings(answers: list[str | None], codes: np.ndarray) -> pd.arrays.ArrowStringArray:
    """The rows' answers as pandas ``string`` (None is missing)."""
    return pd.arrays.ArrowStringArray(pa.array(answers, type=pa.large_string()).take(codes))


def integers(answers: list[int | None], codes: np.ndarray) -> pd.arrays.IntegerArray:
    """The rows' answers as ``Int64`` (None is missing)."""
    values = np.array([0 if a is None else a for a in answers], dtype="int64")
    missing = np.array([a is None for a in answers], dtype=bool)
    return pd.arrays.IntegerArray(values[codes], missing[codes])


def arrow_text(text: pd.Series) -> pa.Array | pa.ChunkedArray:
    """A text column as Arrow ``large_string`` (missing values null)."""
    array = text.array
    if isinstance(array, pd.arrays.ArrowStringArray):
        return array._pa_array
    return pa.array(text.to_numpy(dtype=object), type=pa.large_string(), from_pandas=True)


def text_or(text: pd.Series, fallback: pa.Array) -> pd.arrays.ArrowStringArray:
    """The row's text where it is not ``""``, else ``fallback``'s value, as pandas ``string``:
    what ``pd.array(np.where(text != "", text, fallback), dtype="string")`` gives."""
    fallback = fallback.cast(pa.large_string())
    given = (text != "").to_numpy()
    if not given.any():
        return pd.arrays.ArrowStringArray(fallback)
    return pd.arrays.ArrowStringArray(pc.if_else(pa.array(given), arrow_text(text), fallback))


def blank(text: pd.Series) -> np.ndarray:
    """``text.str.strip() == ""`` per row (False where missing), for a ``str`` column
    without stripping every value: Arrow's whitespace is the one ``utf8_trim_whitespace``
    strips (Python's ``str.isspace`` set)."""
    if not isinstance(text.array, pd.arrays.ArrowStringArray):
        return (text.str.strip() == "").to_numpy()
    values = arrow_text(text)
    empty = pc.or_(pc.equal(pc.binary_length(values), 0), pc.utf8_is_space(values))
    return pc.fill_null(empty, False).to_numpy(zero_copy_only=False)
