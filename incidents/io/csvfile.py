"""Delimited text: encoding and delimiter detection, then a fast all-text parse.

The encoding is decided, not guessed: a BOM wins; otherwise the bytes must
decode as UTF-8 in full, else they are read as Windows-1252 (the usual
"ANSI" export of French Excel), else as Latin-1, which accepts every byte.
The choice is reported in the ingest counts so the analyst can see it.
"""

from __future__ import annotations

import csv
import io
import re

import numpy as np
import pandas as pd
import pyarrow as pa

from incidents import config
from incidents.errors import IngestError
from incidents.io.arrowcsv import read_well_formed, scan_utf8
from incidents.io.gdelt import name_headerless_gdelt
from incidents.io.hxl import is_hxl_row
from incidents.io.source import RawTable

DELIMITERS = (",", ";", "\t")
UTF_8 = ("utf-8", "utf-8-sig")
HEAD_BYTES = 1 << 16
# The csv module refuses values over 128 KB by default; pandas reads any size, and a
# long notes field is the analyst's text, so the module's passes allow what pandas does.
csv.field_size_limit(max(csv.field_size_limit(), config.MAX_INPUT_BYTES))


def detect_encoding(data: bytes) -> str:
    if declared := declared_encoding(data):
        return declared
    if is_utf8(data):
        return "utf-8"
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return "latin-1"
    return "cp1252"


def declared_encoding(data: bytes) -> str | None:
    """The encoding a BOM, or UTF-16's NUL bytes, declare; None when the bytes say nothing."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    return _utf16_without_bom(data[:4096])


def is_utf8(data: bytes) -> bool:
    """Whether the bytes decode as UTF-8, checked by Arrow's validator (the same answer
    as ``bytes.decode``, without making the 4-bytes-a-character Python string)."""
    values = pa.Array.from_buffers(
        pa.large_string(), 1,
        [None, pa.py_buffer(np.array([0, len(data)], dtype=np.int64)), pa.py_buffer(data)],
    )
    try:
        values.validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def _utf16_without_bom(head: bytes) -> str | None:
    """UTF-16 saved without a BOM: text in Latin script has a NUL in every other byte."""
    if len(head) < 4 or head.count(0) < len(head) // 4:
        return None
    even, odd = head[0::2], head[1::2]
    # A NUL character in the text (U+0000 is two zero bytes) must not hide the pattern.
    if odd.count(0) > len(odd) * 0.6 and even.count(0) <= len(even) * 0.05:
        return "utf-16-le"
    if even.count(0) > len(even) * 0.6 and odd.count(0) <= len(odd) * 0.05:
        return "utf-16-be"
    return None


def detect_delimiter(header_line: str) -> str:
    """The most frequent of comma, semicolon and tab in the header (comma on a tie)."""
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def read_csv_table(data: bytes) -> RawTable:
    try:
        return _read_csv_table(data)
    except csv.Error as exc:
        # The csv module's pass (field counts, quotes, the header) met text that breaks
        # its rules: a bare carriage return inside a value, most often.
        raise IngestError(
            "the file is not readable as delimited text: a value holds a line break that "
            f"is not inside quotes, or the text is binary ({exc})"
        ) from exc


def _read_csv_table(data: bytes) -> RawTable:
    encoding = declared_encoding(data) or "utf-8"
    frame = scan = None
    if encoding in UTF_8:
        # UTF-8 is presumed until a byte says otherwise: Arrow checks every cell as it
        # reads, so a well-formed file is not decoded in a pass of its own.
        head, header_line, delimiter = _header_of(data, encoding)
        if head.strip():
            scan = scan_utf8(data)
            frame = read_well_formed(data, scan, delimiter)
    if frame is not None:
        row_numbers, rejected = np.arange(1, len(frame) + 1), []
    else:
        encoding = detect_encoding(data)
        head, header_line, delimiter = _header_of(data, encoding)
        if not head.strip() and not data.decode(encoding).strip():
            raise IngestError("the file is empty: expected a header row and incident rows")
        if encoding in UTF_8:
            scan = scan or scan_utf8(data)
            quotes = len(scan.quotes)
        else:
            quotes = _quote_count(data, encoding)
        if quotes % 2:
            _check_quotes_closed(data.decode(encoding), delimiter)
        frame, row_numbers, rejected = _read_with_pandas(data, encoding, delimiter, head)
    frame.columns = [str(c).strip() for c in frame.columns]
    meta = {"format": "csv", "encoding": encoding, "delimiter": delimiter}
    first_line = next(csv.reader(io.StringIO(header_line, newline=""), delimiter=delimiter), [])
    raw = name_headerless_gdelt(
        RawTable(frame=frame, row_numbers=row_numbers, rejected=rejected, meta=meta), first_line
    )
    raw.frame = drop_empty_unnamed_columns(raw.frame)
    return raw


def _header_of(data: bytes, encoding: str) -> tuple[str, str, str]:
    """(the decoded start of the file, its header line, the delimiter that line uses)."""
    head = _decoded_start(data, encoding)
    header_line = head.lstrip("\r\n").split("\n", 1)[0]
    return head, header_line, detect_delimiter(header_line)


def _read_with_pandas(
    data: bytes, encoding: str, delimiter: str, head: str
) -> tuple[pd.DataFrame, np.ndarray, list[tuple[int, str, dict[str, str]]]]:
    """Any delimited text pandas reads (short, long and ragged rows set aside)."""
    try:
        # pandas decodes the bytes itself: a StringIO of the decoded text would
        # hold four bytes per character (1.8 GB for a 450 MB export).
        frame = pd.read_csv(
            io.BytesIO(data),
            encoding=encoding,
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=True,
        )
        if not isinstance(frame.index, pd.RangeIndex):
            frame = _without_trailing_fields(data, encoding, delimiter, head, frame)
        rejected: list[tuple[int, str, dict[str, str]]] = []
        row_numbers = np.arange(1, len(frame) + 1)
        frame, row_numbers, rejected = _without_short_rows(
            data, encoding, delimiter, frame, row_numbers
        )
    except pd.errors.ParserError:
        try:
            frame, row_numbers, rejected = _read_ragged(data.decode(encoding), delimiter)
        except csv.Error as exc:
            raise IngestError(f"the file is not readable as delimited text: {exc}") from exc
    except pd.errors.EmptyDataError as exc:
        raise IngestError("the file has no header row") from exc
    return frame, row_numbers, rejected


def _without_trailing_fields(
    data: bytes, encoding: str, delimiter: str, head: str, implied: pd.DataFrame
) -> pd.DataFrame:
    """Re-read a file whose rows carry more fields than its header.

    pandas then takes the first columns as an index and shifts every name by
    the surplus (a UCDP website export ends each row with a comma). The surplus
    fields get names of their own; when they are empty everywhere they are
    dropped, otherwise kept as ``unnamed_N`` so nothing is lost.
    """
    header = next(csv.reader(io.StringIO(head.lstrip("\r\n")), delimiter=delimiter))
    surplus = implied.index.nlevels
    names = [c.strip() for c in header] + [f"unnamed_{len(header) + i + 1}" for i in range(surplus)]
    return pd.read_csv(
        io.BytesIO(data), encoding=encoding, sep=delimiter, dtype=str, header=0, names=names,
        keep_default_na=False, na_filter=False, skip_blank_lines=True, index_col=False,
    )


def _without_short_rows(
    data: bytes, encoding: str, delimiter: str, frame: pd.DataFrame, row_numbers: np.ndarray
) -> tuple[pd.DataFrame, np.ndarray, list[tuple[int, str, dict[str, str]]]]:
    """Rows with fewer fields than the header are set aside with a reason.

    pandas pads a short row with empty cells, so a row cut in two by a stray
    line break would load as two half-rows. Counting fields takes a pass of the
    csv module (about 25 MB/s), so it is done only when some row could be short:
    empty from a usually filled column to the end of the row.
    """
    if not len(frame) or not len(frame.columns) or not _may_have_short_rows(frame):
        return frame, row_numbers, []
    width = len(frame.columns)
    reader = csv.reader(io.StringIO(data.decode(encoding), newline=""), delimiter=delimiter)
    next(reader, None)
    short: list[tuple[int, int]] = []
    position = 0
    for row in reader:
        if not row:
            continue
        if len(row) < width and not (position == 0 and is_hxl_row(row)):
            short.append((position, len(row)))
        position += 1
    if not short or position != len(frame):
        return frame, row_numbers, []
    positions = np.array([p for p, _ in short], dtype=int)
    rejected = [
        (int(row_numbers[p]), f"row has {n} field{'s' if n != 1 else ''}, header has {width}",
         {str(c): v for c, v in zip(frame.columns[:n], frame.iloc[p, :n])})
        for p, n in short
    ]
    keep = np.ones(len(frame), dtype=bool)
    keep[positions] = False
    return frame[keep].reset_index(drop=True), row_numbers[keep], rejected


def _may_have_short_rows(frame: pd.DataFrame, usually: float = 0.5) -> bool:
    """Whether a row is empty from a column that at least ``usually`` of the rows fill."""
    empty_so_far = np.ones(len(frame), dtype=bool)
    for position in range(len(frame.columns) - 1, -1, -1):
        empty = frame.iloc[:, position].to_numpy(dtype=object) == ""
        empty_so_far &= empty
        if not empty_so_far.any():
            return False
        if 1 - empty.mean() >= usually:
            return True
    return False


def drop_empty_unnamed_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns without a name (``""``, pandas' ``Unnamed: 7``, our ``unnamed_7``) that hold nothing.

    Spreadsheets saved as CSV often end every line with empty fields; those
    columns carry no data, so they are not kept as extra columns.
    """
    unnamed = [
        c for c in frame.columns
        if (not str(c).strip() or re.fullmatch(r"(?i)unnamed[:_ ]*\s*\d+", str(c).strip()))
        and not frame[c].astype(str).str.strip().ne("").any()
    ]
    return frame.drop(columns=unnamed) if unnamed else frame


def _decoded_start(data: bytes, encoding: str) -> str:
    """The text of the first bytes, enough for the header line (a cut character is dropped)."""
    return data[:HEAD_BYTES].decode(encoding, errors="ignore")


def _quote_count(data: bytes, encoding: str) -> int:
    if encoding.startswith("utf-16"):
        return data.decode(encoding, errors="replace").count('"')
    # In UTF-8, Windows-1252 and Latin-1 the byte 0x22 is always and only '"'.
    return data.count(b'"')


def _check_quotes_closed(text: str, delimiter: str) -> None:
    """Refuse a file whose quoted value never closes.

    pandas reads such a value to the end of the file, so every row after it would
    vanish into one cell. An even number of quote characters rules this out
    cheaply (the caller counts them); then a strict pass finds the line where
    the open quote starts.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    record_start = 1
    try:
        for _ in reader:
            record_start = reader.line_num + 1
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            raise IngestError(
                f"a quoted value opened on line {record_start} is never closed, so every "
                "line after it would be read into that one value; close the quote and "
                "import again"
            ) from exc


def _read_ragged(
    text: str, delimiter: str
) -> tuple[pd.DataFrame, np.ndarray, list[tuple[int, str, dict[str, str]]]]:
    """Slow path for files with rows longer than the header: those rows are rejected."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = (row for row in reader if any(cell.strip() for cell in row))
    header = next(rows)
    width = len(header)
    kept: list[list[str]] = []
    numbers: list[int] = []
    rejected: list[tuple[int, str, dict[str, str]]] = []
    for number, row in enumerate(rows, start=1):
        if len(row) > width:
            original = {f"field_{i + 1}": value for i, value in enumerate(row)}
            reason = f"row has {len(row)} fields, header has {width}"
            rejected.append((number, reason, original))
            continue
        kept.append(row + [""] * (width - len(row)))
        numbers.append(number)
    frame = pd.DataFrame(kept, columns=header, dtype=str)
    return frame, np.asarray(numbers, dtype=int), rejected
