"""Excel workbooks, read with python-calamine (a Rust reader) with cached values only.

Formulas are never evaluated: a cell holds the value Excel last saved for it. The
first worksheet is read unless one is named.

A workbook is a zip of XML parts, so a small file can expand enormously. Before
calamine sees it, the zip's parts are measured: their total expanded size is capped
relative to the file, and the shared strings part (held in memory whole) has its own
cap. Calamine holds the chosen sheet in memory as a dense grid from its first to its
last cell, so the sheet's XML is scanned first and a sheet with too many rows and
cells, or whose cells span too large a grid (one cell at XFD1048576), is refused
before it is loaded: calamine cannot recover from a failed allocation. A large sheet
whose rows are numbered in order is read in slices of rows (``xlsxslices``), so
calamine holds one slice at a time. Its XML reader never resolves DTDs or external
entities. A cell longer than Excel's own limit quarantines its row; any failure
inside calamine becomes an ``IngestError``.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import posixpath
import re
import zipfile
from dataclasses import dataclass
from typing import Any, Iterator

import numpy as np
import pandas as pd

from incidents.errors import IngestError
from incidents.io.source import RawTable, cell_text
from incidents.io.xlsxslices import slice_workbooks

# Excel itself stores at most 32,767 characters in a cell.
MAX_CELL_CHARS = 32_767
# Expanded XML allowed: a fixed allowance plus a multiple of the file's own size
# (real workbooks expand 5-10 times; bombs expand thousands of times).
EXPANSION_ALLOWANCE = 10 * 1024 * 1024
EXPANSION_RATIO = 30
MAX_SHARED_STRINGS_BYTES = 64 * 1024 * 1024
# A sheet is read only up to so many rows and cells together, counted before it is
# parsed (bench/xlsx_speed.py measures both figures). Time: a read runs at about
# 240,000 rows and cells a second on two loaded cores, so MAX_SHEET_ITEMS is some
# 17 s. Memory, against the bound of 300 MB + 10 x the file's size: calamine holds a
# sheet read whole as a grid (about 80 bytes a cell) and such a read peaks near
# 180 MB + 86 bytes an item; a well-compressed file is allowed fewer items, so that
# SHEET_ITEMS_FLOOR + SHEET_ITEMS_PER_MB x its size keeps within the bound (an ACLED
# export, some 225 bytes a row in the file: about 60,000 rows).
MAX_SHEET_ITEMS = 4_000_000
SHEET_ITEMS_FLOOR = 1_400_000
SHEET_ITEMS_PER_MB = 40_000
# The grid calamine allocates (up to the last cell with a value) has the same cap.
# A sheet of more than SLICED_ABOVE_ITEMS rows and cells whose rows are numbered in
# order is read in slices of SLICE_CELLS grid cells (incidents/io/xlsxslices.py):
# calamine then holds one slice, and what grows with the sheet is its rows as text,
# records and quarantine: some 55 bytes an item for an ACLED-shaped sheet, so such a
# sheet is allowed SLICED_ITEMS_PER_MB items a MB of file (120,000 ACLED rows peak
# at 353 MB read in slices, 487 MB read whole: bench/xlsx_speed.py), up to
# MAX_SHEET_ITEMS, about 125,000 ACLED rows. CSV has no such limit.
# Either way a row costs some 480 bytes once quarantined, however narrow (its reason,
# its cells as text, its number: 650,000 one-cell rows under a 2-column header in a
# 3 MB file peaked at 510 MB), so rows are capped too, at SHEET_ROWS_FLOOR +
# SHEET_ROWS_PER_MB x the file's size (130,000 such rows, 0.6 MB: 281 MB against
# 306). An ACLED export reaches MAX_SHEET_ITEMS long before.
SLICED_ABOVE_ITEMS = 800_000
SLICE_CELLS = 200_000
SLICED_ITEMS_FLOOR = 1_400_000
SLICED_ITEMS_PER_MB = 150_000
SHEET_ROWS_FLOOR = 120_000
SHEET_ROWS_PER_MB = 20_000

# Every r="..." attribute with what follows it up to the tag's end: on a row tag
# (r="12") or a cell (r="AB12"); a cell whose tag closes itself ("/>") is empty and
# calamine leaves it out of its grid.
_REFERENCE = re.compile(rb'\sr="([A-Za-z]*)([0-9]+)"([^>]*)>')
# Rows become a compact text frame in parts of this many, so that Python's own
# strings (some 60 bytes a cell) are never held for the whole sheet at once.
_ROWS_PER_PART = 20_000
_UNREADABLE_ROW = "a date cell lies outside the dates Excel can hold (1900-9999)"
_SYSTEM_ERRORS = (KeyboardInterrupt, SystemExit, GeneratorExit, MemoryError)


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
    try:
        check_expansion(data)
        with _open_workbook(data) as workbook:
            return list(workbook.sheet_names)
    except IngestError:
        return []


def read_xlsx_table(data: bytes, sheet: str | None = None) -> RawTable:
    check_expansion(data)
    with _open_workbook(data) as workbook:
        try:
            return _read_sheet(workbook, data, sheet)
        except IngestError:
            raise
        except BaseException as exc:  # a damaged part found only when the sheet is loaded
            if isinstance(exc, _SYSTEM_ERRORS):
                raise
            raise IngestError(f"not a readable .xlsx workbook ({_why(exc)})") from exc


@contextlib.contextmanager
def _open_workbook(data: bytes) -> Iterator[Any]:
    """A calamine workbook over the file's bytes, its failure to open an ``IngestError``."""
    from python_calamine import CalamineWorkbook  # loaded only when a workbook is read

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except BaseException as exc:  # zip, XML, password ... and Rust panics
        if isinstance(exc, _SYSTEM_ERRORS):
            raise
        raise IngestError(f"not a readable .xlsx workbook ({_why(exc)})") from exc
    try:
        yield workbook
    finally:
        workbook.close()


def _why(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _chosen_sheet(workbook: Any, sheet: str | None) -> str:
    names = list(workbook.sheet_names)
    if sheet is not None:
        if sheet not in names:
            raise IngestError(
                f"no sheet named {sheet!r} in the workbook (sheets: {', '.join(names)})"
            )
        return sheet
    from python_calamine import SheetTypeEnum

    worksheets = [m.name for m in workbook.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
    if not worksheets:
        raise IngestError("the workbook has no sheets")
    return worksheets[0]


def _read_sheet(workbook: Any, data: bytes, sheet: str | None) -> RawTable:
    chosen = _chosen_sheet(workbook, sheet)
    plan = _plan_sheet(data, chosen)
    if plan.rows_per_slice is None:
        rows = _rows(workbook.get_sheet_by_name(chosen))
    else:
        rows = _sliced_rows(data, plan, chosen)
    header_row = header = None
    for number, values in rows:
        if values is not None:
            header = [cell_text(_as_read(v)) for v in values]
            if any(cell.strip() for cell in header):
                header_row = number
                break
    if header_row is None:
        raise IngestError("the sheet is empty: expected a header row and incident rows")
    while header and not header[-1].strip():
        header.pop()
    columns = [name.strip() or f"column_{i + 1}" for i, name in enumerate(header)]
    width = len(columns)
    body: list[list[str]] = []
    parts: list[pd.DataFrame] = []
    numbers: list[int] = []
    rejected: list[tuple[int, str, dict[str, str]]] = []
    for number, values in rows:
        if values is None:
            rejected.append((number - header_row, _UNREADABLE_ROW, {}))
            continue
        # Cut to the header's width before converting, so a cell far to the right
        # does not make every row thousands of cells long.
        row = [cell_text(_as_read(v)) for v in values[:width]]
        if not any(cell.strip() for cell in row):
            continue
        row = row + [""] * (width - len(row))
        long_cells = [i for i, cell in enumerate(row) if len(cell) > MAX_CELL_CHARS]
        if long_cells:
            column = columns[long_cells[0]]
            reason = f"cell in column '{column}' is over Excel's {MAX_CELL_CHARS:,}-character limit"
            original = {c: v[:200] for c, v in zip(columns, row)}
            rejected.append((number - header_row, reason, original))
            continue
        body.append(row)
        numbers.append(number - header_row)
        if len(body) == _ROWS_PER_PART:
            parts.append(pd.DataFrame(body, columns=columns, dtype=str))
            body = []
    parts.append(pd.DataFrame(body, columns=columns, dtype=str))
    frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    meta = {"format": "xlsx", "sheet": chosen}
    return RawTable(
        frame=frame, row_numbers=np.asarray(numbers, dtype=int), rejected=rejected, meta=meta
    )


def _sliced_rows(data: bytes, plan: SheetPlan, sheet: str) -> Iterator[tuple[int, list | None]]:
    """The sheet's rows read one slice at a time (see ``incidents.io.xlsxslices``)."""
    from python_calamine import CalamineWorkbook

    with slice_workbooks(data, plan.part, plan.rows_per_slice) as books:
        for book in books:
            try:
                workbook = CalamineWorkbook.from_path(book)
            except BaseException as exc:
                if isinstance(exc, _SYSTEM_ERRORS):
                    raise
                raise IngestError(f"not a readable .xlsx workbook ({_why(exc)})") from exc
            try:
                yield from _slice_rows(workbook.get_sheet_by_name(sheet))
            finally:
                workbook.close()


def _slice_rows(worksheet: Any) -> Iterator[tuple[int, list | None]]:
    top, left = worksheet.start or (0, 0)
    try:
        values = worksheet.to_python()
    except BaseException as exc:
        if isinstance(exc, _SYSTEM_ERRORS) or type(exc).__name__ != "PanicException":
            raise
        yield from _rows(worksheet)  # row by row: the unreadable one is told apart
        return
    del worksheet
    for number, row in enumerate(values, start=top + 1):
        cells = [None] * left + row
        if any(v != "" and v is not None for v in cells):
            yield number, cells


@dataclass(frozen=True)
class SheetSize:
    """What a sheet's XML holds, counted before it is parsed."""

    rows: int
    cells: int
    grid: int  # cells of the rectangle from A1 to the last row and column referenced
    width: int = 0  # columns from A to the last one referenced
    in_order: bool = False  # every row tag numbered, the numbers increasing

    @property
    def items(self) -> int:
        return self.rows + self.cells


def sheet_size(part: Any) -> SheetSize:
    """Rows, cells and grid extent of a sheet's XML, counted on the bytes as they are unpacked.

    Tags are counted with plain byte counts (``<c`` also finds the few ``<col`` and
    ``<cfRule`` tags outside the data, ``:c`` a prefixed tag or an odd text): an
    overcount only makes the limit stricter.
    """
    rows = cells = referenced = last_row = last_row_tag = numbered = previous = 0
    in_order = True
    columns: set[bytes] = set()
    carry = b""
    while True:
        chunk = part.read(1 << 20)
        # Counted up to the last '<' only: a tag is never cut between two pieces.
        text = carry + chunk
        cut = text.rfind(b"<") if chunk else len(text)
        body, carry = (text[:cut], text[cut:]) if cut > 0 else (text, b"")
        rows += body.count(b"<row") + body.count(b":row")
        cells += body.count(b"<c") + body.count(b":c")
        valued_rows, row_tags = set(), set()
        for letters, number, rest in _REFERENCE.findall(body):
            if not letters:
                row_tags.add(number)
                numbered += 1
                in_order = in_order and int(number) > previous
                previous = int(number)
                continue
            referenced += 1
            if not rest.endswith(b"/"):
                columns.add(letters)
                valued_rows.add(number)
        if valued_rows:
            last_row = max(last_row, max(map(int, valued_rows)))
        if row_tags:
            last_row_tag = max(last_row_tag, max(map(int, row_tags)))
        if not chunk:
            break
    width = max((_column_number(letters) for letters in columns), default=0)
    if cells > referenced:
        # A cell without a reference takes the next column of its row (the row tag's
        # number, or the next row): count each as a column more, every row as used.
        width += cells - referenced
        last_row = max(last_row, last_row_tag, rows)
    return SheetSize(rows=rows, cells=cells, grid=width * last_row, width=width,
                     in_order=in_order and numbered == rows)


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


def _sheet_part(archive: zipfile.ZipFile, name: str) -> str | None:
    """The zip path of the sheet called ``name`` (None when the workbook does not say)."""
    from defusedxml import ElementTree

    try:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        links = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except Exception:  # missing or damaged parts: the caller checks every sheet part
        return None
    targets = {
        link.get("Id"): link.get("Target", "")
        for link in links.iter()
        if link.tag.rsplit("}", 1)[-1] == "Relationship"
    }
    for entry in book.iter():
        if entry.tag.rsplit("}", 1)[-1] != "sheet" or entry.get("name") != name:
            continue
        link = next((v for k, v in entry.attrib.items() if k.rsplit("}", 1)[-1] == "id"), None)
        target = targets.get(link)
        if not target:
            return None
        path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        return posixpath.normpath(path)
    return None


def sheet_rows_limit(file_bytes: int) -> int:
    """The rows a sheet may hold in a workbook of this many bytes (either reading)."""
    return SHEET_ROWS_FLOOR + SHEET_ROWS_PER_MB * file_bytes // (1024 * 1024)


def sliced_items_limit(file_bytes: int) -> int:
    """The rows and cells together a sheet read in slices may hold in a file this size."""
    allowance = SLICED_ITEMS_FLOOR + SLICED_ITEMS_PER_MB * file_bytes // (1024 * 1024)
    return min(MAX_SHEET_ITEMS, allowance)


def sheet_items_limit(file_bytes: int) -> int:
    """The rows and cells together a workbook of this many bytes is read with."""
    allowance = SHEET_ITEMS_FLOOR + SHEET_ITEMS_PER_MB * file_bytes // (1024 * 1024)
    return min(MAX_SHEET_ITEMS, allowance)


@dataclass(frozen=True)
class SheetPlan:
    """How a sheet is read: whole, or cut into slices of ``rows_per_slice`` rows."""

    part: str | None
    rows_per_slice: int | None


def _plan_sheet(data: bytes, name: str) -> SheetPlan:
    """Measure the sheet before calamine loads it: refuse one too large for the file's
    size, and cut a large one whose rows are numbered in order into slices."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        part = _sheet_part(archive, name)
        present = set(archive.namelist())
        if part in present:
            parts = [part]
        else:  # the sheet's part cannot be told: every worksheet part must pass
            part = None
            parts = [p for p in present if p.lower().startswith("xl/worksheets/")]
        sizes = []
        for path in parts:
            with archive.open(path) as stream:
                sizes.append(sheet_size(stream))
    sliced = (part is not None and sizes[0].in_order and sizes[0].items > SLICED_ABOVE_ITEMS)
    limit = sliced_items_limit(len(data)) if sliced else sheet_items_limit(len(data))
    for size in sizes:
        _check_size(size, limit)
        if size.rows > sheet_rows_limit(len(data)):
            raise IngestError(
                f"the sheet holds {size.rows:,} rows, more than the "
                f"{sheet_rows_limit(len(data)):,} a workbook this size is read with; "
                "save it as CSV and import that"
            )
    if not sliced:
        return SheetPlan(part=part, rows_per_slice=None)
    return SheetPlan(part=part, rows_per_slice=max(1, SLICE_CELLS // max(sizes[0].width, 1)))


def _check_size(size: SheetSize, limit: int) -> None:
    if size.items > limit:
        raise IngestError(
            f"the sheet holds {size.rows:,} rows and {size.cells:,} cells, more than "
            f"the {limit:,} rows and cells together a workbook this size is read "
            "with; save it as CSV and import that"
        )
    if size.grid > limit:
        raise IngestError(
            f"the sheet's cells span a grid of {size.grid:,} cells, more than the "
            f"{limit:,} a workbook this size is read with (a cell far below or to "
            "the right of the data?); save it as CSV and import that"
        )


def _rows(worksheet: Any) -> Iterator[tuple[int, list | None]]:
    """(sheet row number, cell values) of every row that holds a value.

    Calamine's rows begin at row 1 but at the first used column; the empty columns
    before it are put back. A row calamine cannot convert (a date cell whose serial
    lies beyond any date: its date library panics) comes as ``None``; calamine moves
    on to the next row.
    """
    _, left = worksheet.start or (0, 0)
    rows = worksheet.iter_rows()
    for number in itertools.count(1):
        try:
            values = next(rows)
        except StopIteration:
            return
        except BaseException as exc:
            if isinstance(exc, _SYSTEM_ERRORS):
                raise
            if type(exc).__name__ == "PanicException":
                yield number, None
                continue
            raise IngestError(
                f"the sheet cannot be read past this row ({_why(exc)})", row=number
            ) from exc
        cells = [None] * left + list(values)
        if any(v != "" and v is not None for v in cells):
            yield number, cells


def _as_read(value: Any) -> Any:
    """Calamine reads every number as a float: give whole numbers back as integers."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value
