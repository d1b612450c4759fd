"""The dashboard's questions answered by a PostGIS server (incidents.store.queries) equal
the in-memory answers the embedded store's dashboard computes from its snapshot: the
headline, the timeline's periods, the map's cells and incidents in view, the choices."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from incidents.filters import FilterSpec, filter_mask
from incidents.maps.cells import aggregate_cells
from incidents.store.postgis import PostgisStore
from incidents.store.queries import served_queries, week_spec
from incidents.summary import headline_figures
from incidents.synthetic import synthetic_incidents

pytest.importorskip("psycopg")

SPECS = [
    FilterSpec(),
    FilterSpec(start="2023-01-01", end="2023-12-31"),
    FilterSpec(countries=("mali",), event_types=("Battles", "Riots")),
    FilterSpec(text="protesters"),
]
SAHEL = (10.0, -6.0, 17.0, 4.0)


@pytest.fixture(scope="module")
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    import pgserver

    records = synthetic_incidents(500, seed=5)
    records.loc[records.index[:6], ["latitude", "longitude"]] = float("nan")
    records.loc[records.index[6:9], "event_type"] = None
    url = pgserver.fresh_database(request.getfixturevalue("postgis_server"), "queries")
    store = PostgisStore(url, snapshot_dir=tmp_path_factory.mktemp("snapshots"))
    store.import_records(records, source_name="synthetic.csv")
    return served_queries(store), store.load_map_snapshot()


def _rows(frame: pd.DataFrame, spec: FilterSpec) -> np.ndarray:
    return filter_mask(frame, spec).to_numpy()


def test_only_a_server_store_serves_queries(tmp_path) -> None:
    from incidents.store import open_store

    assert served_queries(open_store(tmp_path / "incidents.sqlite")) is None


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.to_query_string() or "all")
def test_headline_equals_the_in_memory_figures(served, spec) -> None:
    queries, frame = served
    assert queries.headline(spec) == headline_figures(frame, _rows(frame, spec))


def test_headline_of_nothing_is_empty(served) -> None:
    queries, _ = served
    assert queries.headline(FilterSpec(text="no such words anywhere")).incidents == 0


@pytest.mark.parametrize("interval", ["week", "month"])
def test_period_counts_equal_a_groupby_of_the_selected_rows(served, interval) -> None:
    queries, frame = served
    spec = SPECS[2]
    chosen = frame[_rows(frame, spec)].dropna(subset=["event_date"])
    dates = chosen["event_date"]
    period = (dates - pd.to_timedelta(dates.dt.day_of_week, unit="D") if interval == "week"
              else dates.dt.to_period("M").dt.start_time)
    expected = (pd.DataFrame({"period": period.to_numpy(),
                              "event_type": chosen["event_type"].astype("string").fillna("")})
                .groupby(["period", "event_type"]).size())
    counted = queries.period_counts(spec, interval).set_index(["period", "event_type"])["count"]
    assert counted.to_dict() == expected.to_dict()


@pytest.mark.parametrize("resolution", [3, 5, 7])
def test_cells_in_view_equal_the_in_memory_hexagons(served, resolution) -> None:
    queries, frame = served
    spec = FilterSpec(start="2022-01-01")
    lat, lon = frame["latitude"], frame["longitude"]
    south, west, north, east = SAHEL
    rows = (_rows(frame, spec) & lat.between(south, north).to_numpy()
            & lon.between(west, east).to_numpy() & (frame["geo_precision"] != 3).to_numpy())
    expected = aggregate_cells(frame, resolution, rows)
    _, cells = queries.cells_in_view(spec, SAHEL, resolution)
    merged = expected.merge(cells, on="cell", suffixes=("", "_sql"), how="outer")
    assert len(merged) == len(expected) == len(cells)
    assert (merged["count"] == merged["count_sql"]).all()
    assert (merged["fatalities"] == merged["fatalities_sql"]).all()


def test_cells_step_coarser_until_few_enough(served) -> None:
    queries, _ = served
    _, fine = queries.cells_in_view(FilterSpec(), None, 9)
    resolution, cells = queries.cells_in_view(FilterSpec(), None, 9, max_cells=60)
    assert resolution < 9 and len(cells) <= 60
    assert cells["count"].sum() == fine["count"].sum()


def test_incidents_in_view_and_the_extent(served) -> None:
    queries, frame = served
    spec = SPECS[1]
    chosen = frame[_rows(frame, spec)]
    placed = chosen.dropna(subset=["latitude", "longitude"])
    south, west, north, east = SAHEL
    inside = placed[placed["latitude"].between(south, north)
                    & placed["longitude"].between(west, east)]
    assert queries.count_in_view(spec, SAHEL) == len(inside)
    rows = queries.rows_in_view(spec, SAHEL, ["incident_id", "event_date"], limit=10)
    assert set(rows["incident_id"]) <= set(inside["incident_id"]) and len(rows) == 10
    assert rows["event_date"].is_monotonic_decreasing
    assert queries.extent(spec) == (placed["latitude"].min(), placed["longitude"].min(),
                                    placed["latitude"].max(), placed["longitude"].max())
    assert queries.unplaced(spec) == len(chosen) - len(placed)


def test_choices_hold_every_region_and_the_latest_date(served) -> None:
    queries, frame = served
    choices = queries.choices()
    assert set(choices["admin1"].dropna()) == set(frame["admin1"].dropna().astype(str))
    assert choices["event_date"].max() == frame["event_date"].max()


def test_by_ids_keeps_the_order_asked(served) -> None:
    queries, frame = served
    wanted = list(frame["incident_id"].iloc[[40, 3, 17]])
    assert queries.by_ids(wanted)["incident_id"].tolist() == wanted


def test_a_week_of_the_playback_is_a_narrower_spec(served) -> None:
    queries, frame = served
    week = week_spec(FilterSpec(start="2023-03-08"), pd.Timestamp("2023-03-06"),
                     frame["event_date"].max().date())
    assert (week.start.isoformat(), week.end.isoformat()) == ("2023-03-08", "2023-03-12")
    chosen = frame[_rows(frame, week)]
    assert queries.count(week) == len(chosen)


def test_one_pass_figures_and_view_groups_agree_with_the_single_questions(served) -> None:
    queries, _ = served
    spec = SPECS[1]
    headline, extent, unplaced = queries.figures(spec)
    assert (headline, extent, unplaced) == (queries.headline(spec), queries.extent(spec),
                                            queries.unplaced(spec))
    groups = queries.view_groups(spec, SAHEL, 7)
    assert groups["count"].sum() == queries.count_in_view(spec, SAHEL)
    assert sorted(set(groups["event_type"]) - {""}) == queries.event_types_in_view(spec, SAHEL)
    from incidents.store.queries import cells_of_groups

    for max_cells in (None, 30):
        resolution, cells = cells_of_groups(groups, 7, max_cells)
        expected = queries.cells_in_view(spec, SAHEL, 7, max_cells)
        assert resolution == expected[0]
        pd.testing.assert_frame_equal(cells, expected[1])
