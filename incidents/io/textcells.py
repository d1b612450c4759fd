"""Column values encoded as JSON or CSV text, a whole column at a time.

Exports used to hand every cell to pandas' encoders as a Python object, which
at a million rows and fifty columns is most of the export's time. Here each
column of a chunk becomes ``Cells``: one Arrow ``large_string`` array of the
rows' encoded text and a per-row state (``MISSING``, ``BARE`` or ``QUOTED``).
Quotes, ``null`` and separators are left to ``incidents.io.rowtext``, which
adds them from the states, so no cell is ever joined to its quotes on its own.

The text is what pandas writes, byte for byte (the tests compare the two):

- JSON as ``DataFrame.to_json(force_ascii=False, double_precision=15)``:
  ``"``, ``\\`` and ``/`` are backslash-escaped, control characters become
  ``\\n``-style or ``\\u00XX`` escapes, other characters stay as they are;
  floats are left to pandas itself (its rounding rules are its own).
- CSV as ``DataFrame.to_csv``: a field is quoted when it holds a comma, a
  quote or a newline, with quotes doubled; floats in their shortest form,
  booleans as ``True``/``False``.

Strings are escaped on their UTF-8 bytes with numpy: the escapes are inserted
before the few bytes that need one, found without looking at any row alone.
A column of a kind this module does not know is encoded by pandas (JSON) or
reported as ``None`` (CSV), so callers can fall back without guessing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from incidents.io.formulas import defused_array

MISSING, BARE, QUOTED = 0, 1, 2
TEXT = pa.large_string()

_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
# The letter after the backslash for the characters JSON escapes in two bytes.
_SHORT_ESCAPES = {ord('"'): ord('"'), ord("\\"): ord("\\"), ord("/"): ord("/"),
                  0x08: ord("b"), 0x0C: ord("f"), 0x0A: ord("n"), 0x0D: ord("r"),
                  0x09: ord("t")}
_SHORT_LETTER = np.zeros(256, dtype=np.uint8)
for _byte, _letter in _SHORT_ESCAPES.items():
    _SHORT_LETTER[_byte] = _letter
_CONTROL_LIMIT = 0x20


@dataclass(frozen=True)
class Cells:
    """One column of a chunk: encoded text per row and how each row is written."""

    text: pa.LargeStringArray
    state: np.ndarray


def _arrow(values: pd.Series, type: pa.DataType | None = None) -> pa.Array:
    """The column as one Arrow array (pandas' Arrow-backed columns come chunked)."""
    array = pa.array(values, type=type, from_pandas=True)
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def _text_array(values: pd.Series) -> pa.LargeStringArray | None:
    """The column as Arrow strings, or None when it holds anything but text."""
    try:
        return _arrow(values, TEXT)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        return None


def _is_text(values: pd.Series) -> bool:
    if isinstance(values.dtype, pd.StringDtype):
        return True
    return values.dtype == object and pd.api.types.infer_dtype(values, skipna=True) in (
        "string", "empty"
    )


def _is_integer(values: pd.Series) -> bool:
    return pd.api.types.is_integer_dtype(values.dtype)


def _states(array: pa.Array, present: int) -> np.ndarray:
    valid = array.is_valid().to_numpy(zero_copy_only=False)
    return np.where(valid, present, MISSING).astype(np.int8)


def _bytes_of(array: pa.LargeStringArray) -> tuple[np.ndarray, np.ndarray]:
    """(offsets counted from the first value, the values' UTF-8 bytes)."""
    _, offset_buffer, data_buffer = array.buffers()
    first, last = array.offset, array.offset + len(array)
    offsets = np.frombuffer(offset_buffer, dtype=np.int64)[first : last + 1]
    if data_buffer is None:
        return offsets - offsets[0], np.empty(0, dtype=np.uint8)
    data = np.frombuffer(data_buffer, dtype=np.uint8)[offsets[0] : offsets[-1]]
    return offsets - offsets[0], data


def _from_bytes(offsets: np.ndarray, data: np.ndarray) -> pa.LargeStringArray:
    """Strings from offsets and bytes, with no nulls: ``Cells.state`` says what is missing."""
    return pa.LargeStringArray.from_buffers(
        len(offsets) - 1, pa.py_buffer(np.ascontiguousarray(offsets)), pa.py_buffer(data)
    )


def _found(data: np.ndarray, byte_values: bytes) -> np.ndarray:
    """Sorted positions in ``data`` of any of ``byte_values``."""
    raw = data.tobytes()
    present = [b for b in byte_values if raw.find(bytes([b])) >= 0]
    if not present:
        return np.empty(0, dtype=np.int64)
    hits = data == present[0]
    for byte in present[1:]:
        hits |= data == byte
    return np.flatnonzero(hits)


def _insert(offsets: np.ndarray, data: np.ndarray, at: np.ndarray,
            inserted: np.ndarray) -> pa.LargeStringArray:
    """The strings with ``inserted`` bytes put before positions ``at`` (sorted, may repeat)."""
    new_data = np.insert(data, at, inserted)
    new_offsets = offsets + np.searchsorted(at, offsets, side="left")
    return _from_bytes(new_offsets, new_data)


def json_escaped(array: pa.LargeStringArray) -> pa.LargeStringArray:
    """Each string's JSON escaping (without the quotes), as pandas writes it."""
    offsets, data = _bytes_of(array)
    if not len(data):
        return array
    specials = b'"\\/'
    if data.min() < _CONTROL_LIMIT:
        specials += bytes(range(_CONTROL_LIMIT))
    at = _found(data, specials)
    if not len(at):
        return array
    found = data[at]
    letters = _SHORT_LETTER[found]
    short = letters != 0
    counts = np.where(short, 1, 5)
    starts = np.cumsum(counts) - counts
    inserted = np.empty(int(counts.sum()), dtype=np.uint8)
    inserted[starts] = ord("\\")
    long_starts = starts[~short]
    inserted[long_starts + 1] = ord("u")
    inserted[long_starts + 2] = ord("0")
    inserted[long_starts + 3] = ord("0")
    inserted[long_starts + 4] = _HEX[found[~short] >> 4]
    data = data.copy()
    data[at] = np.where(short, letters, _HEX[found & 0x0F])
    return _insert(offsets, data, np.repeat(at, counts), inserted)


def json_key(name: object) -> str:
    """A column name as pandas writes it as a JSON object key (quotes included)."""
    return json.dumps(str(name), ensure_ascii=False).replace("/", "\\/")


def _date_text(values: pd.Series) -> pa.LargeStringArray:
    days = values.to_numpy(dtype="datetime64[D]")
    return pc.cast(pa.array(days, type=pa.date32(), from_pandas=True), TEXT)


def _pandas_json(values: pd.Series) -> Cells:
    """Cells encoded by pandas' own JSON encoder (floats and unusual kinds)."""
    if pd.api.types.is_float_dtype(values.dtype) and isinstance(values.dtype, np.dtype):
        encoded = values.to_json(orient="values", double_precision=15)[1:-1]
        whole = pa.array([encoded] if encoded else [], type=TEXT)
        text = pc.split_pattern(whole, ",").flatten()
    else:
        lines = values.to_frame("k").to_json(
            orient="records", lines=True, force_ascii=False, double_precision=15
        )
        rows = lines.rstrip("\n").split("\n") if len(values) else []
        text = pc.utf8_slice_codeunits(pa.array(rows, type=TEXT), len('{"k":'), -1)
    return Cells(text, np.full(len(values), BARE, dtype=np.int8))


def json_cells(values: pd.Series) -> Cells:
    """One column's JSON values: strings QUOTED, numbers and booleans BARE, nulls MISSING."""
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        text = _date_text(values)
        return Cells(text, _states(text, QUOTED))
    if values.dtype == np.bool_:
        text = pc.cast(pa.array(values.to_numpy()), TEXT)
        return Cells(text, _states(text, BARE))
    if _is_integer(values):
        text = pc.cast(_arrow(values), TEXT)
        return Cells(text, _states(text, BARE))
    if _is_text(values):
        text = _text_array(values)
        if text is not None:
            return Cells(json_escaped(text), _states(text, QUOTED))
    return _pandas_json(values)


def _csv_text(array: pa.LargeStringArray) -> Cells:
    """Strings for CSV: quoted only when they hold a comma, a quote or a newline."""
    offsets, data = _bytes_of(array)
    states = _states(array, BARE)
    at = _found(data, b',"\n')
    if not len(at):
        return Cells(array, states)
    rows = np.unique(np.searchsorted(offsets, at, side="right") - 1)
    states[rows[states[rows] != MISSING]] = QUOTED
    quotes = at[data[at] == ord('"')]
    if len(quotes):
        array = _insert(offsets, data, quotes, np.full(len(quotes), ord('"'), np.uint8))
    return Cells(array, states)


def csv_cells(values: pd.Series) -> Cells | None:
    """One column's CSV fields (empty when missing), or None for a kind not handled here."""
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        text = _date_text(values)
        return Cells(text, _states(text, BARE))
    if values.dtype == np.bool_:
        text = pc.if_else(pa.array(values.to_numpy()), pa.scalar("True", TEXT),
                          pa.scalar("False", TEXT))
        return Cells(text, _states(text, BARE))
    if _is_integer(values):
        text = pc.cast(_arrow(values), TEXT)
        return Cells(text, _states(text, BARE))
    if values.dtype == np.float64:
        numbers = values.to_numpy()
        text = pa.array(numbers.astype(str), type=TEXT, mask=np.isnan(numbers))
        return Cells(text, _states(text, BARE))
    if _is_text(values):
        text = _text_array(values)
        if text is not None:
            return _csv_text(defused_array(text))
    return None
