"""Well-formed delimited text read by Arrow's CSV parser, six times cheaper than pandas'.

pandas' C parser spends most of its time turning every cell into a Python string and
then into an Arrow string array; Arrow's parser writes the Arrow arrays directly. The
two agree on a well-formed file, and this module only takes files where they are known
to agree; anything else (``None``) goes to the pandas path, which decides as before:

- the text is UTF-8 (a BOM is skipped as pandas' ``utf-8-sig`` does); other encodings
  would be transcoded by Python anyway;
- no NUL byte and no carriage return other than in CRLF (pandas ends a record at a lone
  CR; Arrow does too, but the fuzz files show the two apart at its edges);
- no line holding only spaces or tabs (pandas skips it as blank, Arrow reads it as a
  row), and no leading blank or space before the header;
- every quote where RFC 4180 puts one (see :func:`quotes_well_placed`): pandas and Arrow
  read a stray quote inside an unquoted value differently at its edges;
- header names non-empty and distinct (pandas renames them ``Unnamed: 3``, ``a.1``);
- every row as wide as the header (Arrow refuses the file otherwise, and pandas' own
  handling of short and long rows applies).

The frame has pandas' ``str`` columns over ``large_string`` arrays, as ``read_csv``
gives them.
"""

from __future__ import annotations

import csv
import io
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as arrow_csv

_BOM = b"\xef\xbb\xbf"
_QUOTE = ord('"')
# A line of spaces and tabs only (pandas skips it as a blank line).
_WHITE_LINE = re.compile(rb"\n[ \t]+(?:\r?\n|$)")
# Arrow's parser reads the input in blocks of this size (faster than one big block, the
# work staying in the processor's cache); a longer record is read in one block.
BLOCK_BYTES = 1 << 20


def quotes_well_placed(data: bytes, delimiter: str) -> bool:
    """Whether every quote opens a value, closes one, or is doubled inside one.

    Counting quotes from the start, an even-numbered quote opens a quoted value (so it
    follows a delimiter, a line end, the start, or the quote just before it, which
    makes the two a doubled quote) and an odd-numbered one closes it (so it precedes a
    delimiter, a line end, the end, or the next quote).
    """
    view = np.frombuffer(data, dtype=np.uint8)
    at = np.flatnonzero(view == _QUOTE)
    if not len(at):
        return True
    if len(at) % 2:
        return False
    bounds = np.zeros(256, dtype=bool)
    bounds[[ord(delimiter), ord("\n"), ord("\r"), _QUOTE]] = True
    opening, closing = at[0::2], at[1::2]
    before = view[np.maximum(opening - 1, 0)]
    opened_right = bounds[before] | (opening == 0)
    after = view[np.minimum(closing + 1, len(view) - 1)]
    closed_right = bounds[after] | (closing == len(view) - 1)
    return bool(opened_right.all() and closed_right.all())


def _plain_enough(raw: bytes, delimiter: str) -> bool:
    if not raw or raw[:1] in (b"\n", b"\r", b" ", b"\t"):
        return False
    if b"\x00" in raw or (b"\r" in raw and raw.count(b"\r") != raw.count(b"\r\n")):
        return False
    if (b"\n " in raw or b"\n\t" in raw) and _WHITE_LINE.search(raw):
        return False
    return quotes_well_placed(raw, delimiter)


def _header(data: bytes, delimiter: str) -> list[str] | None:
    """The header's cells as the csv module reads its first line (None if it spans lines)."""
    end = data.find(b"\n")
    line = data[: end if end >= 0 else len(data)].rstrip(b"\r")
    if line.count(b'"') % 2:
        return None
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])


def _arrow_table(body: bytes, delimiter: str, names: list[str], block: int) -> pa.Table | None:
    """All cells as Arrow strings; a record longer than ``block`` is read in one block."""
    string = pa.string()
    try:
        return arrow_csv.read_csv(
            pa.py_buffer(body),
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
        if "straddl" in str(error) and block < len(body):
            return _arrow_table(body, delimiter, names, len(body) + 1)
        return None
    except (pa.ArrowNotImplementedError, pa.ArrowCapacityError):
        return None


def read_well_formed(data: bytes, encoding: str, delimiter: str) -> pd.DataFrame | None:
    """The table as pandas' ``read_csv(dtype=str, na_filter=False)`` reads it, or None
    when the file is not one Arrow is known to read the same way (see the module doc)."""
    if encoding not in ("utf-8", "utf-8-sig"):
        return None
    body = data[len(_BOM):] if data.startswith(_BOM) else data
    if not _plain_enough(body, delimiter):
        return None
    names = _header(body, delimiter)
    if not names or any(not name for name in names) or len(set(names)) != len(names):
        return None
    table = _arrow_table(body, delimiter, names, BLOCK_BYTES)
    if table is None or table.column_names != names:
        return None
    table = table.cast(pa.schema([(name, pa.large_string()) for name in names]))
    return table.to_pandas()
