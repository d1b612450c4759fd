"""Excel workbooks, read with openpyxl in read-only mode with cached values only.

``data_only=True`` means formulas are never evaluated: a cell holds the value
Excel last saved for it. The first sheet is read unless one is named.
"""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pandas as pd

from incidents.errors import IngestError
from incidents.io.source import RawTable, cell_text


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

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise IngestError(f"not a readable .xlsx workbook: {exc}") from exc
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            names = ", ".join(workbook.sheetnames)
            raise IngestError(f"no sheet named {sheet!r} in the workbook (sheets: {names})")
        worksheet = workbook[sheet] if sheet is not None else workbook.worksheets[0]
        rows = (
            [cell_text(v) for v in row]
            for row in worksheet.iter_rows(values_only=True)
        )
        rows = (row for row in rows if any(cell.strip() for cell in row))
        header = next(rows, None)
        if header is None:
            raise IngestError("the sheet is empty: expected a header row and incident rows")
        while header and not header[-1].strip():
            header.pop()
        columns = [name.strip() or f"column_{i + 1}" for i, name in enumerate(header)]
        width = len(columns)
        body = [(row + [""] * width)[:width] for row in rows]
    finally:
        workbook.close()
    frame = pd.DataFrame(body, columns=columns, dtype=str)
    meta = {"format": "xlsx", "sheet": worksheet.title}
    return RawTable(frame=frame, row_numbers=np.arange(1, len(frame) + 1), meta=meta)
