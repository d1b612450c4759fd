"""Well-formed delimited text read by Arrow's CSV parser, at a fraction of pandas' cost.

pandas' C parser spends most of its time turning every cell into a Python string and
then into an Arrow string array; Arrow's parser writes the Arrow arrays directly. The
two read RFC 4180 text the same way, and this module takes only such text; anything
else (``None``) goes to the pandas path, which decides as before. Taken are files

- in UTF-8 (a BOM is skipped, as pandas' ``utf-8-sig`` skips it), found by one pass
  over the bytes (:func:`scan_utf8`);
- with no NUL byte and no carriage return outside a CRLF, nothing before the header;
- with every quote where RFC 4180 puts one (:func:`quotes_well_placed`): the two
  parsers agree on the stray quotes tried, but that is their own behaviour outside
  the standard, not a promise;
- with at least two header names, none empty and no two alike (pandas renames them
  ``Unnamed: 3``, ``a.1``; a line of spaces in a one-column file is a blank line to
  pandas and a value to Arrow);
- with no more columns than the reader takes (``MAX_COLUMNS``);
- whose every row is as wide as the header: Arrow refuses a file otherwise (a line of
  spaces is such a row), and pandas' handling of short and long rows applies.

The frame has pandas' ``str`` columns over ``large_string`` arrays, as ``read_csv``
gives them.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as arrow_csv

from incidents.io.source import MAX_COLUMNS

_BOM = b"\xef\xbb\xbf"
_QUOTE, _CR, _LF = ord('"'), ord("\r"), ord("\n")
# Arrow's parser reads the input in blocks of this size (faster than one big block, the
# work staying in the processor's cache); a longer record is read in one block.
BLOCK_BYTES = 1 << 20
# Bytes searched at a time: a mask of a whole 40 MB part at once is a fresh allocation
# of its size, whose page faults cost more than the search itself.
_WINDOW = 1 << 18


@dataclass(frozen=True)
class Scan:
    """What decides how a UTF-8 file is cut into cells, found in one pass over its bytes."""

    start: int  # where the text begins (after a BOM)
    quotes: np.ndarray  # offsets of every quote character
    plain: bool  # no NUL byte, no carriage return outside a CRLF


def scan_utf8(data: bytes) -> Scan:
    """The quotes, NUL bytes and carriage returns of text presumed UTF-8 (where those
    bytes are those characters and nothing else), a window at a time."""
    view = np.frombuffer(data, dtype=np.uint8)
    start = len(_BOM) if data.startswith(_BOM) else 0
    plain = b"\x00" not in data
    if plain and b"\r" in data:
        returns = _positions(view, _CR)
        following = view[np.minimum(returns + 1, len(view) - 1)]
        plain = bool(((following == _LF) & (returns + 1 < len(view))).all())
    return Scan(start=start, quotes=_positions(view, _QUOTE), plain=plain)


def _positions(view: np.ndarray, byte: int) -> np.ndarray:
    """Offsets of ``byte``, found a window at a time."""
    found = [np.flatnonzero(view[at:at + _WINDOW] == byte) + at
             for at in range(0, len(view), _WINDOW)]
    return np.concatenate(found) if found else np.zeros(0, dtype=np.intp)


def quotes_well_placed(data: bytes, quotes: np.ndarray, delimiter: str, start: int = 0) -> bool:
    """Whether every quote (``quotes``: their offsets) opens a value, closes one, or is
    doubled inside one (``start``: where the text begins, after a BOM).

    Counting quotes from the start, an even-numbered quote opens a quoted value (so it
    follows a delimiter, a line end, the start, or the quote just before it, which
    makes the two a doubled quote) and an odd-numbered one closes it (so it precedes a
    delimiter, a line end, the end, or the next quote).
    """
    if not len(quotes):
        return True
    if len(quotes) % 2:
        return False
    view = np.frombuffer(data, dtype=np.uint8)
    bounds = np.zeros(256, dtype=bool)
    bounds[[ord(delimiter), _LF, _CR, _QUOTE]] = True
    opening, closing = quotes[0::2], quotes[1::2]
    opened_right = bounds[view[np.maximum(opening - 1, 0)]] | (opening == start)
    closed_right = bounds[view[np.minimum(closing + 1, len(view) - 1)]] | (closing == len(view) - 1)
    return bool(opened_right.all() and closed_right.all())


def _header(data: bytes, start: int, delimiter: str) -> list[str] | None:
    """The header's cells as the csv module reads its first line (None if it spans lines)."""
    end = data.find(b"\n", start)
    line = data[start: end if end >= 0 else len(data)].rstrip(b"\r")
    if line.count(b'"') % 2:
        return None
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])


def _arrow_table(body: pa.Buffer, delimiter: str, names: list[str], block: int) -> pa.Table | None:
    """All cells as Arrow strings; a record longer than ``block`` is read in one block."""
    string = pa.string()
    try:
        return arrow_csv.read_csv(
            body,
            read_options=arrow_csv.ReadOptions(use_threads=False, block_size=block),
            parse_options=arrow_csv.ParseOptions(
                delimiter=delimiter, quote_char='"', double_quote=True, escape_char=False,
                newlines_in_values=True, ignore_empty_lines=True,
            ),
            convert_options=arrow_csv.ConvertOptions(
                column_types={name: string for name in names}, null_values=[],
                strings_can_be_null=False, quoted_strings_can_be_null=False, check_utf8=True,
            ),
        )
    except pa.ArrowInvalid as error:
        if "straddl" in str(error) and block < body.size:
            return _arrow_table(body, delimiter, names, body.size + 1)
        return None
    except (pa.ArrowNotImplementedError, pa.ArrowCapacityError):
        return None


def read_well_formed(data: bytes, scan: Scan, delimiter: str) -> pd.DataFrame | None:
    """The table as pandas' ``read_csv(dtype=str, na_filter=False)`` reads the UTF-8
    ``data`` (``scan`` of it), or None when the file is not one Arrow is known to read
    the same way (see the module doc)."""
    first = data[scan.start: scan.start + 1]
    if not scan.plain or first in (b"", b"\n", b"\r", b" ", b"\t"):
        return None
    if not quotes_well_placed(data, scan.quotes, delimiter, scan.start):
        return None
    names = _header(data, scan.start, delimiter)
    if not names or len(names) < 2 or any(not name for name in names) or \
            len(set(names)) != len(names):
        return None
    if len(names) > MAX_COLUMNS:
        # Refused once read; pandas reads it in less memory (Arrow holds some 5 KB of
        # buffers per column: 150 MB for the 30,000 columns of a hostile file).
        return None
    table = _arrow_table(pa.py_buffer(data)[scan.start:], delimiter, names, BLOCK_BYTES)
    if table is None or table.column_names != names:
        return None
    table = table.cast(pa.schema([(name, pa.large_string()) for name in names]))
    return table.to_pandas()
