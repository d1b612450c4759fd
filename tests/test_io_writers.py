"""Exports: RFC 7946 GeoJSON, ACLED-ordered CSV, GeoPackage, KML, and round trips."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from incidents import model
from incidents.errors import ExportError
from incidents.io import read_incidents
from incidents.io.writers import export, export_bytes

FIXTURES = Path(__file__).parent / "fixtures" / "io"
KML_NS = {"k": "http://www.opengis.net/kml/2.2"}
SAME = ["event_id_cnty", "event_date", "latitude", "longitude", "event_type",
        "sub_event_type", "fatalities", "notes", "status"]


@pytest.fixture(scope="module")
def records() -> pd.DataFrame:
    frame = read_incidents(FIXTURES / "problems.csv").records.copy()
    frame.loc[0, "latitude"] = 12.123456789
    frame.loc[0, "notes"] = "<b>bold</b> & \"quoted\" ; é"
    return frame


@pytest.fixture(scope="module")
def gdf(records) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        records,
        geometry=gpd.points_from_xy(records["longitude"], records["latitude"]),
        crs=model.CRS,
    )


def test_geojson_is_rfc7946(records) -> None:
    document = json.loads(export_bytes(records, "geojson"))
    assert document["type"] == "FeatureCollection" and "crs" not in document
    first, unplaced = document["features"][0], document["features"][2]
    assert first["geometry"] == {"type": "Point", "coordinates": [-4.92, 12.123457]}
    assert first["properties"]["event_date"] == "2024-12-07"
    assert first["properties"]["latitude"] == 12.123457
    assert set(model.CANONICAL_COLUMNS) <= set(first["properties"])
    assert unplaced["geometry"] is None
    assert unplaced["properties"]["latitude"] is None
    assert unplaced["properties"]["notes"] == 'notes with "quotes", a comma\nand a second line'


def test_geojson_streams_across_chunks(records, monkeypatch, tmp_path) -> None:
    from incidents.io import geojson_out

    monkeypatch.setattr(geojson_out, "CHUNK_ROWS", 3)
    path = tmp_path / "out.geojson"
    summary = export(records, "geojson", path)
    document = json.loads(path.read_text("utf-8"))
    assert summary.rows_written == len(records) == len(document["features"])
    ids = [f["properties"]["event_id_cnty"] for f in document["features"]]
    assert ids == records["event_id_cnty"].tolist()


def test_geometry_wins_over_the_coordinate_columns(gdf) -> None:
    moved = gdf.copy()
    moved.loc[0, "geometry"] = shapely.Point(1.5, 2.5)
    feature = json.loads(export_bytes(moved, "geojson"))["features"][0]
    assert feature["geometry"]["coordinates"] == [1.5, 2.5]
    assert feature["properties"]["latitude"] == 2.5


def test_csv_puts_acled_columns_first_in_acled_order(records) -> None:
    text = export_bytes(records, "csv").decode("utf-8")
    header = text.splitlines()[0].split(",")
    assert header[: len(model.ACLED_COLUMNS)] == list(model.ACLED_COLUMNS)
    assert header[len(model.ACLED_COLUMNS)] == "incident_id"
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    assert frame.loc[0, "event_date"] == "2024-12-07"
    assert frame.loc[2, "latitude"] == "" and frame.loc[2, "longitude"] == ""


@pytest.mark.parametrize("fmt", ["geojson", "csv", "gpkg"])
def test_round_trip_gives_back_the_same_incidents(gdf, fmt, tmp_path) -> None:
    path = tmp_path / f"incidents.{fmt}"
    export(gdf, fmt, path)
    back = read_incidents(path)
    assert back.counts["quarantined"] == 0
    expected = gdf[SAME].copy()
    expected["latitude"] = expected["latitude"].round(6)
    pd.testing.assert_frame_equal(back.records[SAME], pd.DataFrame(expected), check_dtype=True)


def test_gpkg_layer_keeps_unplaced_rows_with_empty_geometry(gdf, tmp_path) -> None:
    path = tmp_path / "incidents.gpkg"
    export(gdf, "gpkg", path)
    layer = gpd.read_file(path, layer="incidents")
    assert len(layer) == len(gdf)
    missing = layer.geometry.isna() | layer.geometry.is_empty
    assert missing.tolist() == gdf["latitude"].isna().tolist()


def test_gpkg_bytes_are_a_geopackage(records) -> None:
    data = export_bytes(records, "gpkg")
    assert data.startswith(b"SQLite format 3\x00")
    assert len(read_incidents(data).records) == len(records)


def test_kml_escapes_text_and_skips_unplaced_rows(records, tmp_path) -> None:
    path = tmp_path / "incidents.kml"
    summary = export(records, "kml", path)
    placed = int(records["latitude"].notna().sum())
    assert (summary.rows_written, summary.rows_skipped) == (placed, len(records) - placed)
    root = ET.parse(path).getroot()
    marks = root.findall(".//k:Placemark", KML_NS)
    assert len(marks) == placed
    assert marks[0].find("k:name", KML_NS).text == "Town A 2024-12-07"
    data = {d.get("name"): d.find("k:value", KML_NS).text
            for d in marks[0].findall(".//k:Data", KML_NS)}
    assert data["notes"] == "<b>bold</b> & \"quoted\" ; é"
    assert marks[0].find(".//k:coordinates", KML_NS).text == "-4.92,12.123457"


def test_unknown_format_is_an_export_error(records) -> None:
    with pytest.raises(ExportError, match="geojson"):
        export_bytes(records, "shp")


def test_plain_frame_missing_columns_still_exports() -> None:
    frame = pd.DataFrame({"event_date": pd.to_datetime(["2024-12-07"]), "event_type": ["Riots"],
                          "latitude": [np.nan], "longitude": [np.nan]})
    document = json.loads(export_bytes(frame, "geojson"))
    assert document["features"][0]["geometry"] is None
    assert document["features"][0]["properties"]["incident_id"] is None


@pytest.mark.parametrize("fmt", ["geojson", "csv", "gpkg"])
def test_a_filtered_subset_keeps_each_row_with_its_own_point(gdf, fmt) -> None:
    subset = gdf.iloc[[3, 0, 1]]
    back = read_incidents(export_bytes(subset, fmt), filename=f"x.{fmt}").records
    assert back["event_id_cnty"].tolist() == ["T10", "T1", "T4"]
    assert back["longitude"].tolist()[1:] == [-4.92, -4.9]
    assert pd.isna(back["longitude"].iloc[0])


def test_projected_geometry_is_written_in_wgs84(gdf) -> None:
    projected = gdf.to_crs("EPSG:3857")
    feature = json.loads(export_bytes(projected, "geojson"))["features"][0]
    assert feature["geometry"]["coordinates"] == pytest.approx([-4.92, 12.123457], abs=1e-6)


def test_kml_drops_control_characters_that_xml_forbids(records) -> None:
    frame = records.copy()
    frame.loc[0, "notes"] = "bell\x07 and tab\tkept"
    root = ET.fromstring(export_bytes(frame, "kml"))
    values = [d.find("k:value", KML_NS).text for d in root.iter(f"{{{KML_NS['k']}}}Data")
              if d.get("name") == "notes"]
    assert values[0] == "bell and tab\tkept"
