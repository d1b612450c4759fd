"""A large worksheet cut into slices of rows, each read by calamine as a small workbook.

python-calamine loads a whole sheet into memory before its first row can be read
(some 80 bytes a cell; it has no lazy reader, see dimastbk/python-calamine#42), so
a sheet of many rows would cost more than the memory bound. Here the sheet's XML
is cut as it is unpacked into slices of consecutive rows; each slice becomes a
workbook of its own (the original's workbook, styles and shared text, with the
chosen sheet holding only those rows) that calamine reads and drops before the
next. Rows keep their own numbers (their ``r`` attribute), so a slice reads as
that part of the whole sheet would.

Only a sheet whose every row tag carries its number, in increasing order, is cut
(Excel, LibreOffice and openpyxl write them so): an unnumbered row takes its
number from the row before it, which another slice holds. ``xlsxfile`` checks
that before choosing this reader.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import tempfile
import typing
import zipfile
import zlib
from collections.abc import Iterator

from incidents.errors import IngestError

_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")
_ROW_NUMBER = re.compile(rb'\sr="([0-9]+)"')
_DATA_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?sheetData\s*>")
_DIMENSION = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?dimension\b[^>]*>")
_OPENING = re.compile(rb"<((?:[A-Za-z_][\w.-]*:)?)(worksheet|sheetData)\b")
# Parts a slice's workbook leaves out: other sheets, what only they use, and what
# calamine never reads (document properties, theme).
_LEFT_OUT = ("xl/worksheets/", "xl/chartsheets/", "docprops/", "xl/theme/", "xl/media/",
             "xl/drawings/", "xl/charts/", "xl/pivot", "xl/externallinks/",
             "xl/printersettings/", "xl/embeddings/")


@contextlib.contextmanager
def slice_workbooks(data: bytes, part: str, rows_per_slice: int) -> Iterator[Iterator[str]]:
    """Paths of workbooks each holding the next ``rows_per_slice`` sheet rows of ``part``.

    The rows of a slice lie within ``rows_per_slice`` consecutive row numbers, so
    calamine's grid for it is at most that many rows tall. Each workbook is written
    (uncompressed) to one scratch file, over the previous one, and read from there:
    held in memory it would be copied again by calamine.
    """
    with _scratch_file() as (handle, path):
        yield _written(data, part, rows_per_slice, handle, path)


@contextlib.contextmanager
def _scratch_file() -> Iterator[tuple[typing.BinaryIO, str]]:
    """A file no kill can leave behind, and a path calamine can open it by: on Linux
    an unnamed temporary file reached through ``/proc/self/fd``; elsewhere a file in
    a temporary directory, removed when the context ends."""
    if os.path.isdir("/proc/self/fd"):
        with tempfile.TemporaryFile(prefix="incidents-xlsx-") as handle:
            yield handle, f"/proc/self/fd/{handle.fileno()}"
        return
    with tempfile.TemporaryDirectory(prefix="incidents-xlsx-") as folder:
        path = os.path.join(folder, "slice.xlsx")
        with open(path, "w+b") as handle:
            yield handle, path


def _written(data: bytes, part: str, rows_per_slice: int, handle: typing.BinaryIO,
             path: str) -> Iterator[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        kept = {}
        for info in archive.infolist():
            if info.filename == part or info.filename.lower().startswith(_LEFT_OUT):
                continue
            try:
                kept[info.filename] = archive.read(info)
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError):
                continue  # a damaged part calamine may not need: it says so if it does
        with archive.open(part) as stream:
            for head, rows, tail in _sheet_slices(stream, rows_per_slice):
                handle.seek(0)
                handle.truncate()
                with zipfile.ZipFile(handle, "w", zipfile.ZIP_STORED) as book:
                    for name, body in kept.items():
                        book.writestr(name, body)
                    with book.open(part, "w", force_zip64=True) as sheet:
                        sheet.write(head)
                        sheet.write(rows)
                        sheet.write(tail)
                handle.flush()
                yield path


def _sheet_slices(stream, rows_per_slice: int) -> Iterator[tuple[bytes, memoryview, bytes]]:
    """(the sheet's opening, a slice of its rows, the closing tags). The rows are a view
    of the buffer, valid until the next slice is asked for."""
    buffer = bytearray()
    head = tail = None
    scan = 0  # where the next row tag is looked for
    first = previous = None  # row numbers: the slice's first row, the last row seen
    while True:
        chunk = stream.read(1 << 20)
        buffer.extend(chunk)
        if head is None:
            found = _ROW_TAG.search(buffer)
            if found is None:
                if not chunk:
                    return  # no rows: the caller finds the sheet empty
                continue
            head, tail = _opening_and_closing(bytes(buffer[: found.start()]))
            del buffer[: found.start()]
        end = _DATA_END.search(buffer, scan)
        limit = end.start() if end else len(buffer)
        while True:
            found = _ROW_TAG.search(buffer, scan, limit)
            if found is None:
                break
            close = buffer.find(b">", found.start(), limit)
            if close < 0:
                break  # the tag continues in the next piece
            number = _ROW_NUMBER.search(buffer, found.start(), close + 1)
            if number is None or (previous is not None and int(number.group(1)) <= previous):
                raise IngestError("the sheet's rows are not numbered in order; save it as CSV "
                                  "and import that")
            previous = int(number.group(1))
            if first is None:
                first = previous
            elif previous >= first + rows_per_slice:
                yield from _viewed(head, buffer, found.start(), tail)
                del buffer[: found.start()]
                limit -= found.start()
                close -= found.start()
                first = previous
            scan = close + 1
        if end is not None:
            yield from _viewed(head, buffer, limit, tail)
            return
        if not chunk:
            raise IngestError("the sheet's XML ends before its rows do (a damaged workbook)")


def _viewed(head: bytes, buffer: bytearray, stop: int,
            tail: bytes) -> Iterator[tuple[bytes, memoryview, bytes]]:
    """The buffer's first ``stop`` bytes lent without a copy, released after use (the
    buffer cannot be cut while a view of it lives)."""
    with memoryview(buffer) as whole, whole[:stop] as rows:
        yield head, rows, tail


def _opening_and_closing(head: bytes) -> tuple[bytes, bytes]:
    """The sheet's XML before its first row (without the ``dimension``, which would make
    calamine size every slice's grid as the whole sheet's) and the tags that close it."""
    names = {name: prefix for prefix, name in _OPENING.findall(head)}
    tail = (b"</" + names.get(b"sheetData", b"") + b"sheetData></"
            + names.get(b"worksheet", b"") + b"worksheet>")
    return _DIMENSION.sub(b"", head), tail


__all__ = ["slice_workbooks"]
