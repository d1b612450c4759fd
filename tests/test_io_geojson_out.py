"""Streamed GeoJSON: the bytes of encoding every cell with pandas and repr, chunk after chunk."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest

from incidents import model
from incidents.io import geojson_out
from incidents.io.exportframe import export_frame, iso_dates
from incidents.io.geojson_out import coordinate_text, write_geojson


def tricky_frame() -> pd.DataFrame:
    raw = pd.DataFrame({
        "event_id_cnty": ["A/1", 'B"2', "C\\3", "D\n4", None, "F\x01", "G é 😀"],
        "event_date": pd.to_datetime(["2024-12-07", None, "2023-01-01", "2024-02-29",
                                      "2024-12-07", "2020-06-30", "2021-01-01"]),
        "event_type": ["Battles", "Riots", None, "Battles", "Protests", "Riots", "Battles"],
        "latitude": [12.123456789, np.nan, 0.00001, 12.0, -0.0, 89.999999, 14.5],
        "longitude": [-4.92, 3.0, 1e-6, 150.123456, -179.5, np.nan, -0.0],
        "fatalities": [2, None, 0, 5, 1, 3, 0],
        "geocode_score": [0.8333333333333334, None, 1.0, 0.1 + 0.2, 1e-7, 123456.7, 0.5],
        "synthetic": [True, False, True, False, False, True, False],
        "custom list": [[1, 2], None, {"k": "v/w"}, "text", 3, 4.5, None],
        "custom count": [1, 2, 3, 4, 5, 6, 7],
    })
    return model.conform(raw)


def legacy_geojson(frame: pd.DataFrame, latitude: np.ndarray, longitude: np.ndarray) -> bytes:
    """What the writer produced when pandas encoded every property and repr every coordinate."""
    start, end = '{"type":"FeatureCollection","features":[', "\n]}\n"
    if not len(frame):
        return (start + end).encode()
    properties = iso_dates(frame).to_json(
        orient="records", lines=True, force_ascii=False, double_precision=15
    ).rstrip("\n").split("\n")
    geometries = [
        f'{{"type":"Point","coordinates":[{x},{y}]}}' if not np.isnan(y) else "null"
        for x, y in zip(longitude.tolist(), latitude.tolist())
    ]
    features = ",\n".join(f'{{"type":"Feature","geometry":{g},"properties":{p}}}'
                          for g, p in zip(geometries, properties))
    return (start + "\n" + features + end).encode()


def written(frame: pd.DataFrame, latitude: np.ndarray, longitude: np.ndarray) -> bytes:
    stream = io.BytesIO()
    assert write_geojson(frame, latitude, longitude, stream) == len(frame)
    return stream.getvalue()


@pytest.mark.parametrize("chunk_rows", [1, 3, 20_000])
def test_bytes_match_the_per_cell_encoding_across_chunks(chunk_rows, monkeypatch) -> None:
    monkeypatch.setattr(geojson_out, "CHUNK_ROWS", chunk_rows)
    frame, latitude, longitude = export_frame(tricky_frame())
    document = written(frame, latitude, longitude)
    assert document == legacy_geojson(frame, latitude, longitude)
    features = json.loads(document)["features"]
    assert features[0]["properties"]["custom list"] == [1, 2]
    assert features[1]["geometry"] is None and features[5]["geometry"] is None


def test_an_empty_frame_is_an_empty_collection() -> None:
    frame, latitude, longitude = export_frame(tricky_frame().iloc[:0])
    document = written(frame, latitude, longitude)
    assert document == legacy_geojson(frame, latitude, longitude)
    assert json.loads(document) == {"type": "FeatureCollection", "features": []}


def test_coordinates_are_written_as_repr() -> None:
    rng = np.random.default_rng(7)
    values = np.round(rng.uniform(-180, 180, 5_000), 6)
    values = np.concatenate([values, [0.0, -0.0, 12.0, -180.0, 1e-6, -5e-5, 0.0001, 1e15,
                                      1e16, 123456789.5, 999999999.25, np.inf, -1e300]])
    assert coordinate_text(values).to_pylist() == [repr(v) for v in values.tolist()]
