"""A large sheet read in slices of rows reads exactly as the whole sheet would."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pandas as pd
import pytest

from incidents.errors import IngestError
from incidents.io import read_incidents, xlsxfile
from incidents.io.xlsxslices import slice_workbooks

HEADER = ["event_id_cnty", "event_date", "event_type", "fatalities", "notes"]
SHEET = "xl/worksheets/sheet1.xml"


def _workbook(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _rows(count: int) -> list[list]:
    return [[f"r{n}", "2024-01-05" if n % 3 else "not a date", "Battles", n % 4, "x"]
            for n in range(count)]


def _both_ways(data: bytes, monkeypatch) -> tuple:
    monkeypatch.setattr(xlsxfile, "SLICED_ABOVE_ITEMS", 10**9)
    whole = read_incidents(data, filename="book.xlsx")
    monkeypatch.setattr(xlsxfile, "SLICED_ABOVE_ITEMS", 0)
    monkeypatch.setattr(xlsxfile, "SLICE_CELLS", 3 * len(HEADER))  # three rows a slice
    sliced = read_incidents(data, filename="book.xlsx")
    return whole, sliced


def _same(whole, sliced) -> None:
    pd.testing.assert_frame_equal(whole.records, sliced.records)
    pd.testing.assert_frame_equal(whole.quarantine, sliced.quarantine)
    assert whole.counts == sliced.counts


def test_slices_read_as_the_whole_sheet(monkeypatch) -> None:
    data = _workbook(_rows(20))
    with slice_workbooks(data, SHEET, 3) as books:
        assert len(list(books)) == 7  # header + 20 rows, 3 a slice
    whole, sliced = _both_ways(data, monkeypatch)
    _same(whole, sliced)
    assert sliced.counts["rows"] == 20
    assert sliced.quarantine["row_number"].tolist() == [1, 4, 7, 10, 13, 16, 19]


def test_rows_far_apart_and_a_column_left_empty_keep_their_numbers(monkeypatch) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    for column, name in enumerate(HEADER, start=2):  # the table begins in column B
        sheet.cell(row=1, column=column, value=name)
    for row in (2, 3, 40, 41, 900):
        sheet.cell(row=row, column=2, value=f"r{row}")
        sheet.cell(row=row, column=3, value="bad" if row == 41 else "2024-01-05")
        sheet.cell(row=row, column=4, value="Battles")
    buffer = io.BytesIO()
    book.save(buffer)
    whole, sliced = _both_ways(buffer.getvalue(), monkeypatch)
    _same(whole, sliced)
    assert sliced.quarantine["row_number"].tolist() == [40]


def test_an_unreadable_date_serial_in_a_slice_quarantines_its_row_only(monkeypatch) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for n in range(8):
        sheet.append([f"r{n}", 1e308 if n == 5 else 45300, "Battles", 1, ""])
        sheet.cell(row=sheet.max_row, column=2).number_format = "yyyy-mm-dd"
    buffer = io.BytesIO()
    book.save(buffer)
    whole, sliced = _both_ways(buffer.getvalue(), monkeypatch)
    _same(whole, sliced)
    assert sliced.counts["accepted"] == 7
    assert sliced.quarantine["row_number"].tolist() == [6]


def _rewritten(data: bytes, change) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            body = source.read(name)
            target.writestr(name, change(body) if name == SHEET else body)
    return out.getvalue()


def test_a_sheet_with_unnumbered_rows_is_read_whole(monkeypatch) -> None:
    data = _rewritten(_workbook(_rows(6)), lambda b: b.replace(b'<row r="4"', b"<row"))
    assert not xlsxfile.sheet_size(io.BytesIO(zipfile.ZipFile(io.BytesIO(data))
                                              .read(SHEET))).in_order
    whole, sliced = _both_ways(data, monkeypatch)
    _same(whole, sliced)
    assert sliced.counts["rows"] == 6


def test_a_sheet_cut_short_inside_its_rows_is_refused() -> None:
    data = _rewritten(_workbook(_rows(6)), lambda b: b[: b.index(b'<row r="5"') + 20])
    with pytest.raises(IngestError, match="ends before its rows do"), \
            slice_workbooks(data, SHEET, 2) as books:
        list(books)


def test_rows_are_capped_however_narrow(monkeypatch) -> None:
    # A quarantined row costs its reason, cells and number whatever its width: a sheet
    # read in slices may hold more cells than one read whole, not more rows.
    monkeypatch.setattr(xlsxfile, "SLICED_ABOVE_ITEMS", 0)
    monkeypatch.setattr(xlsxfile, "SHEET_ROWS_FLOOR", 15)
    monkeypatch.setattr(xlsxfile, "SHEET_ROWS_PER_MB", 0)
    with pytest.raises(IngestError, match=r"holds 21 rows, more than the 15 "):
        read_incidents(_workbook(_rows(20)), filename="book.xlsx")


def test_slices_leave_no_named_file_a_kill_could_strand(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    with slice_workbooks(_workbook(_rows(6)), SHEET, 3) as books:
        for path in books:
            assert zipfile.is_zipfile(path)
            assert list(tmp_path.iterdir()) == []
    assert list(tmp_path.iterdir()) == []
