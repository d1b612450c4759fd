"""Hostile and careless input: every value right or quarantined with its reason, every
row counted, and every failure an IngestError naming the file (row, column)."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, timedelta

import openpyxl
import pytest

from incidents.errors import IngestError
from incidents.io import read_incidents
from incidents.io.counts import CEILING, whole_number

HEADER = "event_id_cnty,event_date,event_type,country,latitude,longitude,fatalities\n"


def _csv(*rows: str, name: str = "rows.csv"):
    return read_incidents((HEADER + "".join(r + "\n" for r in rows)).encode(), filename=name)


def _row(event_id: str = "A", day: str = "2024-01-01", fatalities: str = "1") -> str:
    return f"{event_id},{day},Battles,Mali,14,-4,{fatalities}"


def _reasons(result) -> list[str]:
    return result.quarantine["reason"].tolist()


@pytest.mark.parametrize("day", ["31/12/9999", "01/01/1500", "1500-01-01", "3000-06-01",
                                 "1899-12-31", "12 mars 2262"])
def test_dates_outside_the_range_are_quarantined_not_wrapped(day: str) -> None:
    result = _csv(_row(day=f'"{day}"'))
    assert result.counts["accepted"] == 0
    assert "outside the accepted range 1900-01-01" in _reasons(result)[0]


def test_range_ends_a_year_from_today() -> None:
    inside = (date.today() + timedelta(days=300)).isoformat()
    outside = (date.today() + timedelta(days=400)).isoformat()
    result = _csv(_row("A", inside), _row("B", outside))
    assert result.records["event_id_cnty"].tolist() == ["A"]
    assert result.counts["quarantined"] == 1


@pytest.mark.parametrize("text, reason", [
    ("1e20", "is not a whole number"),
    ("1e308", "is not a whole number"),
    (str(2**63), "above the ceiling"),
    ("9" * 4300, "above the ceiling"),
    ('"1,000"', "ambiguous"),
    ("1.000", "ambiguous"),
    ("1.5", "is not a whole number"),
])
def test_counts_that_cannot_be_read_exactly_are_quarantined(text: str, reason: str) -> None:
    result = _csv(_row(fatalities=text))
    assert result.counts["accepted"] == 0
    assert reason in _reasons(result)[0]


@pytest.mark.parametrize("text, value", [
    ("1 000", 1000), ("1\u202f000", 1000), ('"1,000,000"', 1_000_000), ("1.000.000", 1_000_000),
    ("12", 12), ("12.0", 12), ("+3", 3), ("007", 7),
])
def test_counts_read_exactly(text: str, value: int) -> None:
    result = _csv(_row(fatalities=text))
    assert result.records["fatalities"].tolist() == [value]


def test_ceiling_is_inclusive() -> None:
    assert whole_number(str(CEILING)) == CEILING
    assert isinstance(whole_number(str(CEILING + 1)), str)


def test_repeated_ids_that_would_clash_are_quarantined_and_counted() -> None:
    result = _csv(_row("A"), _row("A"), _row("A-2"))
    assert result.counts == {**result.counts, "rows": 3, "accepted": 2, "quarantined": 1}
    assert "would be stored as 'A-2'" in _reasons(result)[0]
    assert result.quarantine["row_number"].tolist() == [3]


def test_empty_json_records_are_counted() -> None:
    result = read_incidents(b"[{}, {}]", filename="x.json")
    assert result.counts["rows"] == 2 and result.counts["quarantined"] == 2
    assert set(_reasons(result)) == {"record is an empty object"}


def _collection(crs: dict | None) -> bytes:
    """One point, no country (so the swapped-coordinates check stays out of it)."""
    feature = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [14.5, -4.2]},
               "properties": {"event_date": "2024-01-01", "event_type": "Battles"}}
    document = {"type": "FeatureCollection", "features": [feature]}
    if crs is not None:
        document["crs"] = crs
    return json.dumps(document).encode()


def _named(name: str) -> dict:
    return {"type": "name", "properties": {"name": name}}


def test_geojson_crs_in_epsg_axis_order_is_read_lat_lon() -> None:
    result = read_incidents(_collection(_named("urn:ogc:def:crs:EPSG::4326")), filename="x.geojson")
    assert result.records[["latitude", "longitude"]].values.tolist() == [[14.5, -4.2]]


@pytest.mark.parametrize("crs", [None, _named("urn:ogc:def:crs:OGC:1.3:CRS84"), _named("EPSG:4326")])
def test_geojson_lon_lat_crs_read_as_is(crs) -> None:
    result = read_incidents(_collection(crs), filename="x.geojson")
    assert result.records[["latitude", "longitude"]].values.tolist() == [[-4.2, 14.5]]


@pytest.mark.parametrize("crs", [_named("urn:ogc:def:crs:EPSG::3857"), {"type": "link"}, "EPSG:4326"])
def test_other_crs_refused(crs) -> None:
    with pytest.raises(IngestError, match="x.geojson: GeoJSON crs .* is not supported"):
        read_incidents(_collection(crs), filename="x.geojson")


def test_headers_differing_by_case_are_refused_with_the_column() -> None:
    data = b"latitude,Latitude,longitude,event_date,event_type\n1,2,3,2024-01-01,Battles\n"
    with pytest.raises(IngestError) as caught:
        read_incidents(data, filename="case.csv")
    assert caught.value.filename == "case.csv" and caught.value.column == "Latitude"
    assert "differ only by case" in str(caught.value)


def test_lone_surrogates_and_huge_integers_in_json() -> None:
    data = ('[{"event_date": "2024-01-01", "event_type": "Battles", "notes": "\\ud800"},'
            '{"event_date": "2024-01-01", "event_type": "Battles", "fatalities": '
            + "9" * 4300 + "}]").encode()
    result = read_incidents(data, filename="x.json")
    assert result.counts["quarantined"] == 2
    assert "lone surrogate" in _reasons(result)[0]
    assert "above the ceiling" in _reasons(result)[1]


def test_json_numbers_are_kept_as_written() -> None:
    data = b'[{"event_date": "2024-01-01", "event_type": "Battles", "latitude": 14.500000000000001, "longitude": -4}]'
    result = read_incidents(data, filename="x.json")
    assert result.records["latitude"].tolist() == [14.500000000000001]


def test_utf16_without_bom_is_decoded() -> None:
    text = "event_date,event_type\n2024-01-01,Battles\n"
    result = read_incidents(text.encode("utf-16-le"), filename="u.csv")
    assert result.counts["accepted"] == 1 and result.counts["encoding"] == "utf-16-le"
    with pytest.raises(IngestError) as caught:
        read_incidents("a,b\n1,2\n".encode("utf-16-be"), filename="u.csv")
    assert "\x00" not in str(caught.value)


def _workbook() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["event_date", "event_type", "fatalities"])
    book.active.append(["2024-01-01", "Battles", 3])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _rewritten(data: bytes, part: str, change) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            target.writestr(info.filename, change(body) if info.filename == part else body)
    return out.getvalue()


@pytest.mark.parametrize("damage", [
    lambda d: d[: len(d) // 2],
    lambda d: _rewritten(d, "xl/worksheets/sheet1.xml", lambda b: b[: len(b) // 2]),
    lambda d: _rewritten(d, "xl/worksheets/sheet1.xml",
                         lambda b: b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + b),
    lambda d: _rewritten(d, "xl/workbook.xml", lambda b: b"<nonsense/>"),
    lambda d: _rewritten(d, "xl/sharedStrings.xml", lambda b: b"<sst>" + b"<si><t>x</t></si>" * 1),
], ids=["truncated-zip", "truncated-xml", "dtd-xxe", "no-workbook", "odd-shared-strings"])
def test_damaged_workbooks_are_ingest_errors(damage) -> None:
    try:
        read_incidents(damage(_workbook()), filename="book.xlsx")
    except IngestError as error:
        assert str(error).startswith("book.xlsx")


def test_shared_string_bomb_is_refused_before_parsing() -> None:
    bomb = b"<sst>" + b"<si><t>" + b"A" * (70 * 1024 * 1024) + b"</t></si></sst>"
    data = _rewritten(_workbook(), "xl/worksheets/sheet1.xml", lambda b: b)
    out = io.BytesIO(data)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", bomb)
    with pytest.raises(IngestError, match="expands to|shared text table"):
        read_incidents(out.getvalue(), filename="bomb.xlsx")


def _with_last_row(row_xml: bytes) -> bytes:
    return _rewritten(_workbook(), "xl/worksheets/sheet1.xml",
                      lambda b: b.replace(b"</sheetData>", row_xml + b"</sheetData>"))


def test_a_value_far_from_the_data_is_refused_before_its_grid_is_allocated() -> None:
    far = _with_last_row(b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    with pytest.raises(IngestError, match=r"^far.xlsx: .*grid of 17,179,869,184 cells"):
        read_incidents(far, filename="far.xlsx")


def test_empty_formatted_cells_far_away_do_not_count() -> None:
    styled = _with_last_row(b'<row r="1048576" customHeight="1"><c r="XFD1048576" s="0"/></row>')
    assert read_incidents(styled, filename="styled.xlsx").counts["accepted"] == 1


def test_a_sheet_over_the_item_limit_is_refused(monkeypatch) -> None:
    from incidents.io import xlsxfile

    monkeypatch.setattr(xlsxfile, "MAX_SHEET_ITEMS", 5)
    with pytest.raises(IngestError, match="2 rows and 6 cells, more than the 5"):
        read_incidents(_workbook(), filename="book.xlsx")


def test_data_starting_away_from_a1_keeps_its_columns_and_row_numbers() -> None:
    book = openpyxl.Workbook()
    for column, name in zip("CDE", ["event_date", "event_type", "fatalities"]):
        book.active[f"{column}3"] = name
    book.active["C5"], book.active["D5"], book.active["E5"] = "2024-01-01", "Battles", 3
    buffer = io.BytesIO()
    book.save(buffer)
    result = read_incidents(buffer.getvalue(), filename="offset.xlsx")
    assert result.counts["accepted"] == 1
    assert result.records["fatalities"].tolist() == [3]


def test_a_date_cell_beyond_any_date_quarantines_only_its_row() -> None:
    book = openpyxl.Workbook()
    book.active.append(["event_date", "event_type"])
    for serial in [45000, -1e308, 45001]:
        book.active.append([serial, "Battles"])
        book.active.cell(row=book.active.max_row, column=1).number_format = "yyyy-mm-dd"
    buffer = io.BytesIO()
    book.save(buffer)
    result = read_incidents(buffer.getvalue(), filename="serials.xlsx")
    assert result.counts["accepted"] == 2
    assert result.quarantine["row_number"].tolist() == [2]
    assert "outside the dates Excel can hold" in result.quarantine["reason"].iloc[0]


def test_unexpected_failures_become_ingest_errors(monkeypatch) -> None:
    from incidents.io import reader

    def broken(*args, **kwargs):
        raise IndexError("tuple index out of range")

    monkeypatch.setattr(reader, "validate", broken)
    with pytest.raises(IngestError, match=r"^x.csv: the file could not be read \(IndexError\)"):
        read_incidents(HEADER.encode() + _row().encode(), filename="x.csv")


def test_source_columns_named_like_the_quarantines_own_are_kept_apart() -> None:
    data = b"event_date,event_type,reason,row_number\nbad,Battles,mine,99\n"
    result = read_incidents(data, filename="x.csv")
    row = result.quarantine.iloc[0]
    assert row["row_number"] == 1 and "event_date" in row["reason"]
    assert (row["reason (source)"], row["row_number (source)"]) == ("mine", "99")
    data = b'[{"event_date": "x", "event_type": "Battles", "reason": "mine"}, 5]'
    rejected = read_incidents(data, filename="x.json").quarantine
    assert rejected["reason (source)"].tolist()[0] == "mine"
    assert rejected["reason"].tolist()[1] == "record is a JSON number, not an object"


def test_thousands_of_columns_are_refused() -> None:
    header = "event_date,event_type," + ",".join(f"c{n}" for n in range(1_200))
    with pytest.raises(IngestError, match="1,202 columns; at most 1,000"):
        read_incidents((header + "\n").encode(), filename="wide.csv")


def test_a_huge_quarantined_cell_does_not_widen_every_cell() -> None:
    rows = "".join(f"r{n},bad,Battles,Mali,14,-4,1\n" for n in range(2_000))
    data = (HEADER + rows + "x,bad,Battles,Mali,14,-4," + "9" * 5_000_000 + "\n").encode()
    result = read_incidents(data, filename="wide-cell.csv")
    assert result.counts["quarantined"] == 2_001
    assert result.quarantine["fatalities"].map(len).max() == 5_000_000


def test_crs_with_null_properties_is_refused_cleanly() -> None:
    with pytest.raises(IngestError, match="GeoJSON crs .* is not supported"):
        read_incidents(_collection({"type": "name", "properties": None}), filename="x.geojson")
