"""Queries with a FilterSpec, on both backends: on a real PostGIS server (FilterSpec as
SQL, incidents.store.sqlfilter) they select exactly what filter_mask selects, and cells and
region counts match the in-memory ones the SQLite store computes from its snapshot."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from incidents.filters import FilterSpec, filter_mask
from incidents.spatial_index import cell_column
from incidents.store import open_store
from incidents.store.postgis import PostgisStore
from incidents.synthetic import synthetic_incidents

SPECS = [
    FilterSpec(),
    FilterSpec(start="2023-01-01", end="2023-12-31"),
    FilterSpec(preset="last_365"),
    FilterSpec(countries=("mali", "NIGER")),
    FilterSpec(admin1s=("segou",), include_successor_regions=True),
    FilterSpec(admin1s=("Tillabéri",)),
    FilterSpec(event_types=("Battles", "Riots"), min_fatalities=3),
    FilterSpec(actor="military forces of MALI"),
    FilterSpec(text="protesters burkina"),
    FilterSpec(max_geo_precision=1, statuses=("ok",)),
    FilterSpec(near="14.5,-3.5,150"),
    FilterSpec(polygon="POLYGON((-6 12, 2 12, 2 16, -6 16, -6 12))", event_types=("Battles",)),
    FilterSpec(text="100% _"),
]


@pytest.fixture(scope="module", params=["postgis", "sqlite"])
def stores(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """The same incidents in each backend: PostGIS answers in SQL, SQLite in memory."""
    records = synthetic_incidents(600, seed=11)
    records.loc[records.index[:7], ["latitude", "longitude"]] = float("nan")
    if request.param == "postgis":
        import pgserver

        url = pgserver.fresh_database(request.getfixturevalue("postgis_server"), "sqlfilter")
        store = PostgisStore(url, snapshot_dir=tmp_path_factory.mktemp("snapshots"))
    else:
        store = open_store(tmp_path_factory.mktemp("sqlfilter") / "incidents.sqlite")
    store.import_records(records, source_name="synthetic.csv")
    return store, store.load_map_snapshot()


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.to_query_string() or "all")
def test_sql_selects_what_the_mask_selects(stores, spec) -> None:
    store, frame = stores
    expected = set(frame.loc[filter_mask(frame, spec).to_numpy(), "incident_id"])
    selected = store.select(spec, ["incident_id"])
    assert set(selected["incident_id"]) == expected
    assert store.count_matching(spec) == len(expected)


def test_select_is_newest_first_and_limited(stores) -> None:
    store, frame = stores
    rows = store.select(FilterSpec(countries=("Mali",)), limit=5)
    assert len(rows) == 5 and rows["event_date"].is_monotonic_decreasing
    mali = frame[frame["country"] == "Mali"]
    assert rows["event_date"].iloc[0] == mali["event_date"].max()


@pytest.mark.parametrize("resolution", [4, 7, 9])
def test_cells_counted_in_sql_match_the_snapshot_cells(stores, resolution) -> None:
    store, frame = stores
    spec = FilterSpec(event_types=("Battles",))
    chosen = frame[filter_mask(frame, spec).to_numpy()]
    column = cell_column(resolution)
    expected = chosen[chosen[column] != 0].groupby(column).size()
    counted = store.cell_counts(spec, resolution).set_index("cell")["incidents"]
    assert counted.to_dict() == {np.uint64(k): v for k, v in expected.to_dict().items()}


def test_region_counts_match_a_groupby(stores) -> None:
    store, frame = stores
    spec = FilterSpec(start="2022-01-01")
    chosen = pd.DataFrame(frame[filter_mask(frame, spec).to_numpy()])
    expected = chosen.astype({"country": "string", "admin1": "string"}).groupby(
        ["country", "admin1"]).size()
    counted = store.region_counts(spec).set_index(["country", "admin1"])["incidents"]
    assert counted.to_dict() == expected[expected > 0].to_dict()


def test_cells_follow_an_edited_point(stores, tmp_path: Path) -> None:
    store, _ = stores
    target = store.select(FilterSpec(), ["incident_id"], limit=1)["incident_id"].iloc[0]
    store.update(target, {"latitude": 10.0, "longitude": 10.0}, user="analyst")
    row = store.load_map_snapshot().set_index("incident_id").loc[target]
    cells = store.cell_counts(FilterSpec(), 9)
    assert row["h3_r9"] in set(cells["cell"])
