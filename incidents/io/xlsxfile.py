"""Excel workbooks, read with openpyxl in read-only mode with cached values only.

``data_only=True`` means formulas are never evaluated: a cell holds the value
Excel last saved for it. The first sheet is read unless one is named.

A workbook is a zip of XML parts, so a small file can expand enormously. Before
openpyxl sees it, the zip's parts are measured: their total expanded size is
capped relative to the file, and the shared strings part (which openpyxl holds in
memory whole, even in read-only mode) has its own cap. XML is parsed through
defusedxml (openpyxl uses it when installed), so DTDs and external entities are
refused. Rows are streamed; a cell longer than Excel's own limit quarantines its
row; any failure inside openpyxl becomes an ``IngestError`` naming the row.
"""

from __future__ import annotations

import io
import re
import zipfile

import numpy as np
import pandas as pd

from incidents.errors import IngestError
from incidents.io.source import RawTable, cell_text

# Excel itself stores at most 32,767 characters in a cell.
MAX_CELL_CHARS = 32_767
# Expanded XML allowed: a fixed allowance plus a multiple of the file's own size
# (real workbooks expand 5-10 times; bombs expand thousands of times).
EXPANSION_ALLOWANCE = 10 * 1024 * 1024
EXPANSION_RATIO = 30
MAX_SHARED_STRINGS_BYTES = 64 * 1024 * 1024
# openpyxl parses about 60,000 cells a second here (rows cost about as much as a cell),
# so a sheet is read only up to this many rows and cells together: some 45,000 rows
# of a 31-column ACLED export, under half a minute. Counted before parsing, so a tiny
# file of a million empty-looking rows is refused at once; CSV has no such limit.
MAX_SHEET_ITEMS = 1_500_000
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s>/]")


def check_expansion(data: bytes) -> None:
    """Refuse a workbook whose parts would expand beyond the caps (a zip bomb)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise IngestError(f"not a readable .xlsx workbook (the zip is damaged: {exc})") from exc
    total = sum(part.file_size for part in parts)
    limit = EXPANSION_ALLOWANCE + EXPANSION_RATIO * len(data)
    if total > limit:
        raise IngestError(
            f"the workbook expands to {total / 1e6:,.0f} MB of XML, over the "
            f"{limit / 1e6:,.0f} MB allowed for a file this size; save it as CSV and import that"
        )
    for part in parts:
        if part.filename.lower().endswith("sharedstrings.xml") and (
            part.file_size > MAX_SHARED_STRINGS_BYTES
        ):
            raise IngestError(
                f"the workbook's shared text table is {part.file_size / 1e6:,.0f} MB, over "
                f"the {MAX_SHARED_STRINGS_BYTES / 1e6:,.0f} MB limit; save it as CSV and "
                "import that"
            )


def workbook_sheets(data: bytes) -> list[str]:
    """The sheet names of a workbook, in order ([] when it cannot be opened)."""
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return []
    try:
        return list(workbook.sheetnames)
    finally:
        workbook.close()


def read_xlsx_table(data: bytes, sheet: str | None = None) -> RawTable:
    import openpyxl  # 0.08 s to import: only when a workbook is read

    check_expansion(data)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except IngestError:
        raise
    except Exception as exc:  # zlib, XML, DTD, KeyError ... from a damaged workbook
        raise IngestError(f"not a readable .xlsx workbook ({_why(exc)})") from exc
    try:
        return _read_sheet(workbook, sheet)
    except IngestError:
        raise
    except Exception as exc:  # a damaged part found only when the sheet is opened
        raise IngestError(f"not a readable .xlsx workbook ({_why(exc)})") from exc
    finally:
        workbook.close()


def _why(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _read_sheet(workbook, sheet: str | None) -> RawTable:
    if sheet is not None and sheet not in workbook.sheetnames:
        names = ", ".join(workbook.sheetnames)
        raise IngestError(f"no sheet named {sheet!r} in the workbook (sheets: {names})")
    if not workbook.worksheets:
        raise IngestError("the workbook has no sheets")
    worksheet = workbook[sheet] if sheet is not None else workbook.worksheets[0]
    _check_sheet_size(workbook, worksheet)
    if hasattr(worksheet, "reset_dimensions"):
        # The stored dimension may claim XFD1048576: measure rows from their cells instead.
        worksheet.reset_dimensions()
    header_row, header = next(
        ((n, row) for n, row in _rows(worksheet, 1, None) if any(c.strip() for c in row)),
        (None, None),
    )
    if header is None:
        raise IngestError("the sheet is empty: expected a header row and incident rows")
    while header and not header[-1].strip():
        header.pop()
    columns = [name.strip() or f"column_{i + 1}" for i, name in enumerate(header)]
    width = len(columns)
    body: list[list[str]] = []
    numbers: list[int] = []
    rejected: list[tuple[int, str, dict[str, str]]] = []
    # Rows are cut to the header's width as they are parsed, so a cell far to the
    # right (column XFD) does not make every row 16,384 cells long.
    for number, row in _rows(worksheet, header_row + 1, width):
        if not any(cell.strip() for cell in row):
            continue
        row = row + [""] * (width - len(row))
        long_cells = [i for i, cell in enumerate(row) if len(cell) > MAX_CELL_CHARS]
        if long_cells:
            name = columns[long_cells[0]]
            reason = f"cell in column '{name}' is over Excel's {MAX_CELL_CHARS:,}-character limit"
            original = {c: v[:200] for c, v in zip(columns, row)}
            rejected.append((number - header_row, reason, original))
            continue
        body.append(row)
        numbers.append(number - header_row)
    frame = pd.DataFrame(body, columns=columns, dtype=str)
    meta = {"format": "xlsx", "sheet": worksheet.title}
    return RawTable(
        frame=frame, row_numbers=np.asarray(numbers, dtype=int), rejected=rejected, meta=meta
    )


def sheet_size(part) -> tuple[int, int]:
    """(rows, cells) of a sheet's XML, counted on the bytes as they are unpacked."""
    rows = cells = 0
    carry = b""
    while chunk := part.read(1 << 20):
        # Counted up to the last '<' only: a tag is never cut between two pieces.
        text = carry + chunk
        cut = text.rfind(b"<")
        body, carry = (text[:cut], text[cut:]) if cut > 0 else (text, b"")
        rows += sum(1 for _ in _ROW_TAG.finditer(body))
        cells += sum(1 for _ in _CELL_TAG.finditer(body))
    rows += sum(1 for _ in _ROW_TAG.finditer(carry))
    cells += sum(1 for _ in _CELL_TAG.finditer(carry))
    return rows, cells


def _check_sheet_size(workbook, worksheet) -> None:
    """Refuse a sheet with more rows and cells than ``MAX_SHEET_ITEMS`` before parsing it."""
    path = getattr(worksheet, "_worksheet_path", None)
    archive = getattr(workbook, "_archive", None)
    if path is None or archive is None:
        return
    with archive.open(path) as part:
        rows, cells = sheet_size(part)
    if rows + cells > MAX_SHEET_ITEMS:
        raise IngestError(
            f"the sheet holds {rows:,} rows and {cells:,} cells, more than the "
            f"{MAX_SHEET_ITEMS:,} rows and cells together a workbook is read with (about "
            "45,000 rows of an ACLED export); save it as CSV and import that"
        )


def _rows(worksheet, min_row: int, max_col: int | None):
    """(sheet row number, cells as text), with openpyxl's failures named by row."""
    number = min_row - 1
    iterator = worksheet.iter_rows(values_only=True, min_row=min_row, max_col=max_col)
    while True:
        try:
            values = next(iterator)
        except StopIteration:
            return
        except Exception as exc:
            raise IngestError(
                f"the sheet cannot be read past this row ({_why(exc)})", row=number + 1
            ) from exc
        number += 1
        if any(v is not None for v in values):
            yield number, [cell_text(v) for v in values]
