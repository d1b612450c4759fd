"""read_incidents end to end: formats, whole-file errors, counts and the quarantine contract."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from incidents import model
from incidents.errors import FileTooLargeError, IngestError
from incidents.io import read_incidents

FIXTURES = Path(__file__).parent / "fixtures" / "io"


def test_empty_file_is_an_ingest_error() -> None:
    with pytest.raises(IngestError, match="empty"):
        read_incidents(b"", filename="empty.csv")


def test_header_only_gives_zero_rows_with_canonical_columns() -> None:
    result = read_incidents(b"event_date,event_type,latitude,longitude\n", filename="h.csv")
    assert len(result.records) == 0
    assert list(result.records.columns[: len(model.CANONICAL_COLUMNS)]) == list(
        model.CANONICAL_COLUMNS
    )
    assert result.counts["rows"] == 0 and result.counts["quarantined"] == 0


def test_missing_required_columns_lists_them() -> None:
    data = b"date,type,lat\n2024-12-07,Battles,12\n"
    with pytest.raises(IngestError) as info:
        read_incidents(data, filename="bad.csv")
    assert "event_date" in str(info.value) and "event_type" in str(info.value)


def test_over_the_size_limit_is_refused_before_parsing() -> None:
    data = b"event_date,event_type\n" + b"2024-12-07,Battles\n" * 100
    with pytest.raises(FileTooLargeError) as info:
        read_incidents(data, filename="big.csv", max_bytes=500)
    assert info.value.limit == 500 and info.value.size == len(data)
    assert "over the" in str(info.value)


def test_path_file_like_and_bytes_give_the_same_records() -> None:
    path = FIXTURES / "acled_sample.csv"
    from_path = read_incidents(path)
    with open(path, "rb") as handle:
        from_handle = read_incidents(handle)
    from_bytes = read_incidents(path.read_bytes(), filename="x.csv")
    pd.testing.assert_frame_equal(from_path.records, from_handle.records)
    pd.testing.assert_frame_equal(from_path.records, from_bytes.records)


def test_latin1_file_is_detected_and_reported() -> None:
    text = (
        "event_date;event_type;location;notes\n"
        "07/12/2024;Battles;Ségou;Attaque près de Kimparana, élevée\n"
    )
    result = read_incidents(text.encode("latin-1"), filename="latin.csv")
    assert result.counts["encoding"] == "cp1252"
    assert result.counts["delimiter"] == ";"
    assert result.records.loc[0, "location"] == "Ségou"
    assert result.records.loc[0, "notes"].startswith("Attaque près")


def test_utf8_bom_is_stripped_from_the_first_header() -> None:
    data = "\ufeffevent_date,event_type\n2024-12-07,Riots\n".encode("utf-8")
    result = read_incidents(data, filename="bom.csv")
    assert result.counts["encoding"] == "utf-8-sig"
    assert result.records.loc[0, "event_type"] == "Riots"


def test_semicolon_csv_with_decimal_commas() -> None:
    result = read_incidents(FIXTURES / "semicolon.csv")
    assert result.counts["delimiter"] == ";"
    assert result.records["latitude"].tolist() == [12.83, 13.5]
    assert result.records["longitude"].tolist() == [-4.92, -5.1]


def test_tab_separated_file() -> None:
    data = b"event_date\tevent_type\tfatalities\n2024-12-07\tBattles\t4\n"
    result = read_incidents(data, filename="t.tsv")
    assert result.counts["delimiter"] == "\t"
    assert result.records.loc[0, "fatalities"] == 4


def test_embedded_newline_and_quotes_stay_in_one_row() -> None:
    result = read_incidents(FIXTURES / "problems.csv")
    notes = result.records.set_index("event_id_cnty").loc["T9", "notes"]
    assert notes == 'notes with "quotes", a comma\nand a second line'
    assert result.counts["rows"] == 10


def test_every_row_is_either_accepted_or_quarantined() -> None:
    result = read_incidents(FIXTURES / "problems.csv")
    counts = result.counts
    assert counts["accepted"] + counts["quarantined"] == counts["rows"]
    ids = set(result.records["event_id_cnty"]) | set(result.quarantine["event_id_cnty"])
    assert ids == {f"T{i}" for i in range(1, 11)}
    assert list(result.quarantine.columns[:2]) == ["row_number", "reason"]
    assert result.quarantine["row_number"].tolist() == [2, 3, 5, 6, 7, 8]


def test_row_longer_than_the_header_is_quarantined_not_fatal() -> None:
    data = b"event_date,event_type\n2024-12-07,Battles\n2024-12-08,Riots,extra\n2024-12-09,Riots\n"
    result = read_incidents(data, filename="ragged.csv")
    assert result.counts["accepted"] == 2
    row = result.quarantine.iloc[0]
    assert row["row_number"] == 2 and "3 fields" in row["reason"]


def _xlsx(rows: list[list[object]], sheet: str = "Incidents") -> bytes:
    workbook = openpyxl.Workbook()
    first = workbook.active
    first.title = "Readme"
    first.append(["not the data"])
    data_sheet = workbook.create_sheet(sheet)
    for row in rows:
        data_sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_named_sheet_with_real_dates_and_numbers() -> None:
    from datetime import datetime

    data = _xlsx(
        [
            ["event_date", "event_type", "latitude", "longitude", "fatalities", "location"],
            [datetime(2024, 12, 7), "Battles", 12.8333, -4.9167, 3, "Kimparana"],
            ["31/02/2024", "Battles", 12.8, -4.9, 0, "Nowhere"],
        ]
    )
    result = read_incidents(data, filename="book.xlsx", sheet="Incidents")
    assert result.counts["format"] == "xlsx" and result.counts["sheet"] == "Incidents"
    record = result.records.iloc[0]
    assert record["event_date"] == pd.Timestamp("2024-12-07")
    assert record["latitude"] == 12.8333 and record["fatalities"] == 3
    assert "not a real date" in result.quarantine.loc[0, "reason"]


def test_xlsx_unknown_sheet_names_the_ones_there() -> None:
    data = _xlsx([["event_date", "event_type"], ["2024-12-07", "Riots"]])
    with pytest.raises(IngestError, match="Readme"):
        read_incidents(data, filename="book.xlsx", sheet="Nope")


def test_xlsx_defaults_to_the_first_sheet() -> None:
    data = _xlsx([["event_date", "event_type"], ["2024-12-07", "Riots"]])
    with pytest.raises(IngestError, match="missing required"):
        read_incidents(data, filename="book.xlsx")


def test_json_list_rejects_non_objects_with_a_reason() -> None:
    result = read_incidents(FIXTURES / "records.json")
    assert result.counts["format"] == "json"
    assert result.records["event_id_cnty"].tolist() == ["J1", "J3"]
    assert result.records.loc[1, "event_type"] == "Battles"
    assert result.records.loc[0, "tags"] == '["a", "b"]'
    rejected = result.quarantine.iloc[0]
    assert rejected["row_number"] == 2 and "not an object" in rejected["reason"]


def test_acled_api_envelope_with_text_actor_codes() -> None:
    result = read_incidents(FIXTURES / "acled_api.json")
    assert result.counts["mapping"] == "acled"
    assert result.records["inter1"].tolist() == [3, 6]
    assert result.records["interaction"].tolist() == [37, 60]


def test_geojson_points_null_geometry_and_polygons() -> None:
    result = read_incidents(FIXTURES / "points.geojson")
    assert result.counts["format"] == "geojson"
    first = result.records.iloc[0]
    assert (first["latitude"], first["longitude"]) == (12.8333, -4.9167)
    assert pd.isna(result.records.iloc[1]["latitude"])
    assert result.quarantine["row_number"].tolist() == [3]
    assert "Polygon" in result.quarantine.loc[0, "reason"]


def test_format_is_sniffed_when_there_is_no_name() -> None:
    data = (FIXTURES / "points.geojson").read_bytes()
    assert read_incidents(data).counts["format"] == "geojson"


def test_invalid_json_is_an_ingest_error() -> None:
    with pytest.raises(IngestError, match="not valid JSON"):
        read_incidents(b'[{"event_date": ', filename="x.json")


@pytest.mark.parametrize("name", ["acled_sample.csv", "records.json", "points.geojson"])
def test_counts_always_carry_the_documented_keys(name: str) -> None:
    counts = read_incidents(FIXTURES / name).counts
    for key in ("rows", "accepted", "quarantined", "needs_review", "encoding", "delimiter",
                "mapping", "format"):
        assert key in counts
    assert counts["delimiter"] == ("," if name.endswith(".csv") else None)


def test_absurdly_nested_json_is_an_ingest_error_not_a_crash() -> None:
    with pytest.raises(IngestError, match="nested"):
        read_incidents(b"[" * 100_000 + b"]" * 100_000, filename="deep.json")


@pytest.mark.parametrize(
    ("data", "name"),
    [(b"[]", "x.json"), (b'{"data": []}', "x.json"),
     (b'{"type": "FeatureCollection", "features": []}', "x.geojson")],
)
def test_empty_record_lists_read_as_zero_rows(data: bytes, name: str) -> None:
    result = read_incidents(data, filename=name)
    assert len(result.records) == 0 and result.counts["rows"] == 0
    assert list(result.records.columns) == list(model.CANONICAL_COLUMNS)


def test_chunked_validation_gives_the_records_of_one_pass(monkeypatch) -> None:
    """Rows validated three at a time, with columns empty in some chunks only, read the same."""
    data = (
        "event_id_cnty,event_date,event_type,fatalities,notes,latitude,longitude,source_col\n"
        "a1,2024-01-02,Battles,,,,,x\n"
        "a2,2024-01-03,Battles,,,,,\n"
        "a3,bad,Battles,,,,,\n"
        "a4,2024-01-05,Riots,4,,14.5,-4.2,\n"
        "a5,2024-01-06,Battles,,a note,,,\n"
        "a6,2024-01-07,Protests,,,,,y\n"
        "a7,2024-01-08,Battles,2,,,,\n"
    ).encode()
    whole = read_incidents(data, filename="c.csv")
    monkeypatch.setattr("incidents.io.reader.CHUNK_ROWS", 3)
    chunked = read_incidents(data, filename="c.csv")
    pd.testing.assert_frame_equal(chunked.records, whole.records)
    pd.testing.assert_frame_equal(chunked.quarantine, whole.quarantine)
    assert chunked.records["fatalities"].tolist()[2:] == [4, pd.NA, pd.NA, 2]
    assert chunked.records["notes"].tolist()[3] == "a note"
    assert chunked.records["latitude"].notna().tolist() == [False, False, True, False, False, False]
