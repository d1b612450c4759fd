"""export_frame: the dashboard's map snapshot exports exactly like the store's plain frame."""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from incidents.filters import FilterSpec, filter_mask
from incidents.io.exportframe import INTERNAL_COLUMNS, export_frame
from incidents.io.writers import export, export_bytes
from incidents.snapshot import MAP_COLUMNS
from incidents.spatial_index import CATEGORICAL_COLUMNS
from incidents.store import Store, open_store
from incidents.synthetic import synthetic_incidents


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    store = open_store(tmp_path_factory.mktemp("export-store") / "incidents.sqlite")
    records = synthetic_incidents(120, seed=5)
    records.loc[records.index[:4], ["latitude", "longitude"]] = float("nan")
    records.loc[records.index[2:9], "admin2"] = pd.NA
    records.loc[records.index[10], "notes"] = 'a "quoted", comma\nand / slash'
    store.import_records(records, source_name="synthetic.csv")
    return store


@pytest.fixture(scope="module")
def both(store) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(snapshot[mask], load()[mask]) for a filter that keeps some rows and drops others."""
    snapshot, plain = store.load_map_snapshot(), store.load()
    assert isinstance(snapshot["event_type"].dtype, pd.CategoricalDtype)
    assert set(MAP_COLUMNS) <= set(snapshot.columns)
    spec = FilterSpec(event_types=("Battles", "Violence against civilians", "Riots"))
    mask = filter_mask(plain, spec)
    assert 0 < mask.sum() < len(plain)
    return snapshot[mask.to_numpy()], plain[mask.to_numpy()]


@pytest.mark.parametrize("fmt", ["geojson", "csv", "kml"])
def test_snapshot_and_plain_frame_export_the_same_bytes(both, fmt) -> None:
    snapshot, plain = both
    data = export_bytes(snapshot, fmt)
    assert data == export_bytes(plain, fmt)
    assert not re.search(rb"h3_r\d", data)


def test_snapshot_geojson_has_plain_strings_and_nulls(both) -> None:
    snapshot, plain = both
    features = json.loads(export_bytes(snapshot, "geojson"))["features"]
    admin2 = [f["properties"]["admin2"] for f in features]
    assert admin2 == [None if pd.isna(v) else v for v in plain["admin2"]]
    assert None in admin2
    assert not any(name in features[0]["properties"] for name in MAP_COLUMNS)


def test_snapshot_gpkg_reads_back_like_the_plain_frame(both, tmp_path: Path) -> None:
    snapshot, plain = both
    export(snapshot, "gpkg", tmp_path / "snapshot.gpkg")
    export(plain, "gpkg", tmp_path / "plain.gpkg")
    from_snapshot = gpd.read_file(tmp_path / "snapshot.gpkg", layer="incidents")
    from_plain = gpd.read_file(tmp_path / "plain.gpkg", layer="incidents")
    assert not set(MAP_COLUMNS) & set(from_snapshot.columns)
    pd.testing.assert_frame_equal(from_snapshot, from_plain)


def test_export_frame_turns_categoricals_into_strings_and_drops_every_h3_column(both) -> None:
    snapshot, _ = both
    extra = snapshot.assign(h3_r15=0, h3_r0=0, h3_note="kept")
    frame, _, _ = export_frame(extra)
    assert not set(frame.columns) & INTERNAL_COLUMNS
    assert "h3_note" in frame.columns
    for column in CATEGORICAL_COLUMNS:
        assert isinstance(frame[column].dtype, pd.StringDtype), column


def test_a_categorical_of_numbers_exports_its_numbers() -> None:
    frame = pd.DataFrame({"event_date": pd.to_datetime(["2024-12-07", "2024-12-08"]),
                          "event_type": ["Riots", "Riots"], "latitude": [12.5, 13.0],
                          "longitude": [-4.0, -3.5],
                          "fatalities": pd.Categorical([3, None])})
    features = json.loads(export_bytes(frame, "geojson"))["features"]
    assert [f["properties"]["fatalities"] for f in features] == [3, None]
