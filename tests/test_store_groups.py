"""incidents.store.postgis_groups: the incidents counted per group answer every figure of
a filter change exactly as the incidents themselves do, and the server keeps the groups
equal to a fresh grouping through imports, edits, merges, unmerges, re-imports and
writes from outside the program."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import psycopg
import pytest

from incidents.filters import FilterSpec
from incidents.store.postgis import _CELL, PostgisStore
from incidents.store.postgis_groups import (TABLE, answerable, day_level, month_level,
                                             regrouped)
from incidents.store.queries import (ServedQueries, ServedSelection, cells_of_groups,
                                      extent_groups, figures_of_places)
from incidents.synthetic import synthetic_incidents

pytest.importorskip("psycopg")

SAHEL_WEST = (11.0, -9.0, 17.0, -2.0)
# Filters the groups answer: the dashboard's period, places, types, status, precision,
# drawn area and radius, alone and together.
GROUPED_SPECS = [
    FilterSpec(),
    FilterSpec(start="2023-01-01", end="2023-12-31"),
    FilterSpec(start="2023-03-15"),
    FilterSpec(preset="last_90"),
    FilterSpec(countries=("mali", "Burkina Faso")),
    FilterSpec(admin1s=("Segou",), include_successor_regions=True),
    FilterSpec(admin2s=("djenne", "Soum")),
    FilterSpec(event_types=("Battles", "Violence against civilians"), start="2023-01-01"),
    FilterSpec(sub_event_types=("Armed clash",), statuses=("needs_review",)),
    FilterSpec(max_geo_precision=2, countries=("Niger",)),
    FilterSpec(polygon="POLYGON((-6 12, 2 12, 2 16, -6 16, -6 12))"),
    FilterSpec(near="14.5,-4.2,150", event_types=("Battles",)),
]
# Filters that read columns the groups lack: answered from the incidents.
UNGROUPED_SPECS = [
    FilterSpec(actor="jnim"),
    FilterSpec(text="protest"),
    FilterSpec(min_fatalities=3, countries=("Mali",)),
]


def sample(n: int = 600, seed: int = 11) -> pd.DataFrame:
    records = synthetic_incidents(n, seed=seed)
    records.loc[records.index[:5], ["latitude", "longitude"]] = float("nan")
    records.loc[records.index[5:8], "event_type"] = None
    records.loc[records.index[8:12], "fatalities"] = None
    records.loc[records.index[12:16], "event_date_end"] = (
        records.loc[records.index[12:16], "event_date"] + pd.Timedelta(days=20))
    records.loc[records.index[16:30], "status"] = "needs_review"
    return records


@pytest.fixture
def store(postgis_url: str, tmp_path: Path) -> PostgisStore:
    store = PostgisStore(postgis_url, snapshot_dir=tmp_path)
    store.import_records(sample(), source_name="synthetic.csv")
    return store


def _signless(row: tuple) -> tuple:
    """A group's row with a zero point as 0.0: the server keeps either sign of zero of
    the incidents it groups (they compare equal), the program 0.0."""
    return tuple(v + 0.0 if isinstance(v, float) else v for v in row)


def stored_groups(url: str) -> list[tuple]:
    """The day groups, after checking every level equals a fresh grouping."""
    for level in (month_level(_CELL), day_level(_CELL)):
        columns = ", ".join([*(f'"{c}"' for c, _ in level.keys), "merged", "n", "fatalities",
                             "synthetic_n"])
        with psycopg.connect(url) as conn:
            kept = conn.execute(f"SELECT {columns} FROM {level.table}").fetchall()
            fresh = conn.execute(f"SELECT {columns} FROM ({regrouped(level)}) AS g").fetchall()
        assert sorted(map(_signless, kept), key=repr) == sorted(map(_signless, fresh), key=repr)
    return kept


def assert_same_answers(store: PostgisStore, spec: FilterSpec) -> None:
    """Every figure of a filter change, from the groups and from the incidents."""
    grouped, each = ServedQueries(store), ServedQueries(store, use_groups=False)
    assert grouped.figures(spec) == each.figures(spec)
    assert figures_of_places(grouped.place_groups(spec)) == each.figures(spec)
    assert grouped.count(spec) == each.count(spec) == store.count_matching(spec) - len(
        store.select(spec, ["merged_into"]).query("merged_into.notna() and merged_into != ''"))
    for interval in ("week", "month"):
        pd.testing.assert_frame_equal(grouped.period_counts(spec, interval),
                                      each.period_counts(spec, interval))
    for bounds, resolution in ((None, 3), (SAHEL_WEST, 5), (SAHEL_WEST, 9)):
        mine, theirs = (q.view_groups(spec, bounds, resolution).sort_values(
            ["cell", "event_type", "region_level"], ignore_index=True) for q in (grouped, each))
        pd.testing.assert_frame_equal(mine, theirs)
        assert cells_of_groups(mine, resolution, 40)[1].equals(
            cells_of_groups(theirs, resolution, 40)[1])
        assert grouped.count_in_view(spec, bounds) == each.count_in_view(spec, bounds)
        assert grouped.event_types_in_view(spec, bounds) == each.event_types_in_view(spec, bounds)
        assert grouped.cells_in_view(spec, bounds, resolution, 30)[1].equals(
            each.cells_in_view(spec, bounds, resolution, 30)[1])
    assert grouped.unplaced(spec) == each.unplaced(spec)
    for column in ("admin1", "admin2"):
        where, params = store._where(spec)
        with psycopg.connect(store.url) as conn:
            expected = sorted(conn.execute(
                f"SELECT country, {column}, COUNT(*) FROM incidents WHERE {where}"
                f" AND {column} IS NOT NULL GROUP BY 1, 2", params).fetchall())
        counted = store.region_counts(spec, column)
        assert sorted(map(tuple, counted.itertuples(index=False))) == expected


@pytest.mark.parametrize("spec", GROUPED_SPECS, ids=lambda s: s.to_query_string() or "all")
def test_the_groups_answer_each_filter_as_the_incidents_do(store, spec) -> None:
    assert answerable(spec, _CELL)
    assert ServedQueries(store)._where(spec)[0].table == TABLE
    assert ServedQueries(store).headline(spec).incidents > 0 or spec.near
    assert_same_answers(store, spec)


@pytest.mark.parametrize("spec", UNGROUPED_SPECS, ids=lambda s: s.to_query_string())
def test_a_filter_on_columns_the_groups_lack_reads_the_incidents(store, spec) -> None:
    assert not answerable(spec, _CELL)
    assert ServedQueries(store)._where(spec)[0].table == "incidents"
    assert_same_answers(store, spec)


def test_the_import_fills_the_groups_and_they_are_much_fewer_than_a_copy(store) -> None:
    kept = stored_groups(store.url)
    assert sum(row[-3] for row in kept) == store.count()


def test_edits_merges_unmerges_and_reimports_keep_the_groups(store) -> None:
    ids = store.select(FilterSpec(countries=("Mali",)), ["incident_id"], limit=6)[
        "incident_id"].tolist()
    store.update(ids[0], {"event_type": "Riots", "fatalities": 40, "latitude": 13.0,
                          "longitude": -5.0}, user="awa")
    store.update(ids[1], {"event_date": "2019-05-01", "status": "needs_review"}, user="awa")
    stored_groups(store.url)
    store.merge(ids[2], [ids[3], ids[4]], user="awa")
    stored_groups(store.url)
    for spec in (FilterSpec(), FilterSpec(countries=("mali",), start="2022-01-01")):
        assert_same_answers(store, spec)
    store.unmerge(ids[2], user="awa")
    stored_groups(store.url)
    # A re-import: the same rows with other values (the edits above still win),
    # and new ones.
    again = sample()
    again["fatalities"] = again["fatalities"].fillna(0) + 1
    again.loc[again.index[40:60], "country"] = "Niger"
    store.import_records(pd.concat([again, sample(50, seed=12)], ignore_index=True),
                         source_name="synthetic.csv")
    stored_groups(store.url)
    for spec in GROUPED_SPECS[:6]:
        assert_same_answers(store, spec)


def test_writes_from_outside_and_a_failed_import_keep_the_groups(store) -> None:
    with psycopg.connect(store.url) as conn:
        conn.execute("UPDATE incidents SET admin1 = 'Elsewhere'"
                     " WHERE incident_id IN (SELECT incident_id FROM incidents LIMIT 7)")
        conn.execute("DELETE FROM incidents WHERE incident_id IN"
                     " (SELECT incident_id FROM incidents WHERE country = 'Chad')")
    stored_groups(store.url)
    before = stored_groups(store.url)
    with psycopg.connect(store.url) as conn:
        conn.execute("INSERT INTO incidents (incident_id, event_date, country)"
                     " VALUES ('X1', '2024-01-01', 'Mali')")
        conn.rollback()
    assert sorted(stored_groups(store.url), key=repr) == sorted(before, key=repr)
    with psycopg.connect(store.url) as conn:
        conn.execute("TRUNCATE incidents CASCADE")
    assert stored_groups(store.url) == []


# Periods cut anywhere in a month, on its first or last day, or holding no whole month.
PERIOD_SPECS = [
    FilterSpec(start="2023-03-15", end="2024-02-10"),
    FilterSpec(start="2023-03-01", end="2023-05-31", event_types=("Battles",)),
    FilterSpec(start="2023-03-05", end="2023-03-20"),
    FilterSpec(end="2022-12-31", countries=("Niger",)),
    FilterSpec(start="2024-07-31"),
    FilterSpec(preset="last_365", polygon="POLYGON((-6 12, 2 12, 2 16, -6 16, -6 12))"),
]


@pytest.mark.parametrize("spec", [*GROUPED_SPECS, *PERIOD_SPECS, *UNGROUPED_SPECS],
                         ids=lambda s: s.to_query_string() or "all")
def test_one_pass_over_places_gives_the_headline_extent_and_map_of_the_extent(store,
                                                                             spec) -> None:
    queries = ServedQueries(store)
    places = queries.place_groups(spec)
    assert figures_of_places(places) == queries.figures(spec)
    assert figures_of_places(places) == ServedQueries(store, use_groups=False).figures(spec)
    extent = queries.figures(spec)[1]
    for resolution in (2, 4, 6, 9):
        expected = queries.view_groups(spec, extent, resolution).sort_values(
            ["cell", "event_type", "region_level"], ignore_index=True)
        pd.testing.assert_frame_equal(extent_groups(places, resolution), expected,
                                      check_dtype=False)
    selection = ServedSelection(queries, spec)
    assert selection.headline() == queries.headline(spec)
    assert len(selection) == queries.count(spec)


def test_whole_months_are_read_from_the_month_level_and_the_days_around_them_not(store) -> None:
    queries = ServedQueries(store)
    assert queries._whole_months(PERIOD_SPECS[0])[0] == (
        date(2023, 3, 15), date(2023, 4, 1), date(2024, 2, 1), date(2024, 2, 10))
    assert queries._whole_months(PERIOD_SPECS[1])[0] == (
        date(2023, 3, 1), date(2023, 3, 1), date(2023, 6, 1), date(2023, 5, 31))
    assert queries._whole_months(FilterSpec())[0] == (None, None, None, None)
    assert queries._whole_months(PERIOD_SPECS[2]) is None
    assert queries._whole_months(FilterSpec(statuses=("ok",))) is None


def test_a_store_made_before_the_groups_gets_them_filled_when_opened(store,
                                                                     tmp_path) -> None:
    with psycopg.connect(store.url) as conn:
        conn.execute("DROP FUNCTION incident_groups_follow() CASCADE")
        conn.execute("DROP TABLE incident_groups, incident_months")
        conn.execute("DROP INDEX incidents_newest")
        conn.execute("DELETE FROM schema_version WHERE version > 5")
    reopened = PostgisStore(store.url, snapshot_dir=tmp_path)
    assert sum(row[-3] for row in stored_groups(reopened.url)) == reopened.count()
    assert_same_answers(reopened, GROUPED_SPECS[1])


def test_a_first_import_in_parts_counts_the_groups_once_and_leaves_them_kept(
        postgis_url: str, tmp_path: Path) -> None:
    store = PostgisStore(postgis_url, snapshot_dir=tmp_path)
    rows = sample(300, seed=21)
    empty = rows.iloc[:0]
    store.import_parts(((rows.iloc[:150], empty), (rows.iloc[150:], empty)),
                       source_name="parts.csv")
    kept = stored_groups(store.url)
    assert sum(row[-3] for row in kept) == store.count() == 300
    first = store.select(FilterSpec(), ["incident_id"], limit=1)["incident_id"].iloc[0]
    store.update(first, {"event_type": "Riots", "fatalities": 12}, user="awa")
    stored_groups(store.url)


def edge_rows() -> pd.DataFrame:
    """Rows whose groups the program and the server could tell apart differently: a
    negative zero, an empty name beside a missing one, many incidents in one group
    across parts, merged rows, no fatalities at all in a group."""
    rows = sample(200, seed=31)
    rows.loc[rows.index[:6], ["latitude", "longitude"]] = (-0.0, 0.0)
    rows.loc[rows.index[6:12], ["latitude", "longitude"]] = (0.0, -0.0)
    rows.loc[rows.index[:12], ["event_date", "location", "admin1", "admin2"]] = (
        pd.Timestamp("2023-05-04"), "Nowhere", "A", "")
    rows.loc[rows.index[:12], "fatalities"] = None
    rows.loc[rows.index[12:20], "admin2"] = ""
    rows.loc[rows.index[20:28], "admin2"] = None
    rows.loc[rows.index[40:50], "merged_into"] = rows.loc[rows.index[100], "incident_id"]
    # The same group again in the second part.
    rows.loc[rows.index[150:160], ["event_date", "location", "admin1", "admin2", "latitude",
                                   "longitude", "fatalities"]] = (
        pd.Timestamp("2023-05-04"), "Nowhere", "A", "", 0.0, 0.0, None)
    for column in ("event_type", "sub_event_type", "status", "country", "geo_precision",
                   "event_date_end"):
        rows.loc[rows.index[150:160], column] = rows.loc[rows.index[0], column]
    return rows


@pytest.mark.parametrize("counted_max", [2_000_000, 10])
def test_a_first_import_counted_by_the_program_equals_the_servers_grouping(
        postgis_url: str, tmp_path: Path, monkeypatch, counted_max: int) -> None:
    from incidents.store import postgis_groups

    monkeypatch.setattr(postgis_groups, "COUNTED_MAX_ROWS", counted_max)
    store = PostgisStore(postgis_url, snapshot_dir=tmp_path)
    rows = edge_rows()
    empty = rows.iloc[:0]
    store.import_parts(((rows.iloc[:100], empty), (rows.iloc[100:], empty)),
                       source_name="edges.csv")
    kept = stored_groups(store.url)
    assert sum(row[-3] for row in kept) == store.count() == 200
    assert max(row[-3] for row in kept) >= 10
    assert_same_answers(store, FilterSpec())
