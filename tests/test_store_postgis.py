"""incidents.store.postgis: what only the server backend has (the shared behaviour is
tested on both backends in tests/test_store.py)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import psycopg
import pytest

from incidents import model
from incidents.errors import StoreError
from incidents.store import open_store
from incidents.store.postgis import SCHEMA_VERSION, PostgisStore, redacted


@pytest.fixture
def store(postgis_url: str, tmp_path: Path) -> PostgisStore:
    return PostgisStore(postgis_url, snapshot_dir=tmp_path)


def records() -> pd.DataFrame:
    return model.conform(pd.DataFrame([
        {"event_id_cnty": "MLI1", "event_date": "2024-12-07", "event_type": "Battles",
         "location": "Kimparana", "latitude": 12.84217, "longitude": -4.9245},
        {"event_id_cnty": "MLI2", "event_date": "2024-12-08", "event_type": "Battles",
         "location": "Nowhere"},
    ]))


def test_open_store_picks_the_backend_from_the_location(postgis_url, tmp_path) -> None:
    assert type(open_store(postgis_url)).__name__ == "PostgisStore"
    assert type(open_store(tmp_path / "x.sqlite")).__name__ == "SQLiteStore"


def test_points_are_epsg_4326_geometry_with_a_gist_index(store, postgis_url) -> None:
    store.import_records(records(), source_name="x.csv")
    with psycopg.connect(postgis_url) as conn:
        rows = dict(conn.execute(
            "SELECT incident_id, ST_AsText(geom) || ' ' || ST_SRID(geom) FROM incidents"
        ).fetchall())
        index = conn.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'incidents_geom'").fetchone()[0]
    assert rows == {"MLI1": "POINT(-4.9245 12.84217) 4326", "MLI2": None}
    assert "USING gist (geom)" in index


def test_the_schema_version_is_recorded_and_opening_again_migrates_nothing(
        store, postgis_url) -> None:
    PostgisStore(postgis_url)
    with psycopg.connect(postgis_url) as conn:
        versions = [r[0] for r in conn.execute("SELECT version FROM schema_version")]
    assert versions == list(range(1, SCHEMA_VERSION + 1))


def test_a_newer_schema_is_refused(store, postgis_url) -> None:
    with psycopg.connect(postgis_url) as conn:
        conn.execute("INSERT INTO schema_version (version) VALUES (%s)", (SCHEMA_VERSION + 1,))
    with pytest.raises(StoreError, match="newer than this program"):
        PostgisStore(postgis_url)


def test_a_killed_import_leaves_nothing(store, postgis_url, monkeypatch) -> None:
    """The server drops the connection mid-import (as a killed process would)."""

    def killed(self, conn, *args):
        conn.execute("SELECT pg_terminate_backend(pg_backend_pid())")

    monkeypatch.setattr(PostgisStore, "_write_quarantine", killed)
    with pytest.raises(StoreError, match="nothing stored"):
        store.import_records(records(), source_name="x.csv")
    monkeypatch.undo()
    assert store.count() == 0 and store.imports().empty and store.generation() == 0


def test_the_snapshot_is_named_after_the_database_not_only_its_address(
        postgis_url, tmp_path) -> None:
    first = PostgisStore(postgis_url, snapshot_dir=tmp_path)
    first.import_records(records(), source_name="x.csv")
    assert first.snapshot.path.exists()
    base, name = postgis_url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template_postgis')
    again = PostgisStore(postgis_url, snapshot_dir=tmp_path)
    assert again.snapshot.path != first.snapshot.path
    assert again.load().empty


def test_a_password_never_shows_in_the_location() -> None:
    assert redacted("postgresql://awa:secret@db:5432/incidents") == (
        "postgresql://awa:***@db:5432/incidents")


def test_another_analysts_writes_reach_this_dashboard_without_a_full_read(
        postgis_url, tmp_path, monkeypatch) -> None:
    from incidents.frame import to_geodataframe
    from incidents.synthetic import synthetic_incidents

    mine = PostgisStore(postgis_url, snapshot_dir=tmp_path / "mine")
    theirs = PostgisStore(postgis_url, snapshot_dir=tmp_path / "theirs")
    records = synthetic_incidents(200, seed=5)
    theirs.import_records(records.iloc[:150], source_name="first.csv")
    assert len(mine.load()) == 150
    theirs.import_records(records.iloc[100:], source_name="second.csv")
    target = records["event_id_cnty"].iloc[3]
    theirs.update(target, {"notes": "checked by phone"}, user="awa")

    def no_full_read(self):
        raise AssertionError("read every row again")

    with monkeypatch.context() as patch:
        patch.setattr(PostgisStore, "_read_incidents", no_full_read)
        caught_up = mine.load()
    assert mine.snapshot.generation() == mine.generation()
    full = to_geodataframe(mine._read_incidents()[1])
    pd.testing.assert_frame_equal(caught_up, full)
    assert caught_up.set_index("incident_id").loc[target, "notes"] == "checked by phone"


def test_a_direct_write_makes_the_next_load_read_everything(postgis_url, tmp_path) -> None:
    store = PostgisStore(postgis_url, snapshot_dir=tmp_path)
    store.import_records(records(), source_name="x.csv")
    store.load()
    with psycopg.connect(postgis_url) as conn:
        conn.execute("UPDATE incidents SET location = 'Elsewhere' WHERE incident_id = 'MLI2'")
    assert store.load().set_index("incident_id").loc["MLI2", "location"] == "Elsewhere"


def test_the_command_line_ingests_into_and_verifies_a_postgis_store(
        postgis_url, tmp_path, monkeypatch) -> None:
    from click.testing import CliRunner

    from incidents.cli import cli
    from incidents.store import Store

    monkeypatch.setenv("INCIDENTS_HOME", str(tmp_path / "home"))
    source = tmp_path / "events.csv"
    source.write_text(
        "event_id_cnty,event_date,event_type,sub_event_type,country,location,latitude,longitude\n"
        "MLI7,2024-05-02,Battles,Armed clash,Mali,Gao,16.27,-0.04\n", encoding="utf-8")
    runner = CliRunner()
    ingested = runner.invoke(cli, ["ingest", str(source), "--no-geocode", "--store", postgis_url])
    assert ingested.exit_code == 0, ingested.output
    store = open_store(postgis_url)
    assert isinstance(store, Store) and store.count() == 1
    verified = runner.invoke(cli, ["verify", "--store", postgis_url])
    assert verified.exit_code == 0 and "intact" in verified.output


def test_reading_every_row_keeps_empty_texts_nulls_quotes_and_newlines(store) -> None:
    tricky = model.conform(pd.DataFrame([
        {"event_id_cnty": "MLI1", "event_date": "2024-12-07", "event_type": "Battles",
         "notes": 'a "quoted", comma\nand a new line', "location": "", "fatalities": 0,
         "latitude": 12.5, "longitude": -4.25, "synthetic": True},
        {"event_id_cnty": "MLI2", "event_date": "2024-12-08", "event_type": "Battles",
         "notes": None, "actor1": "Ségou — ´ accents", "fatalities": None},
    ]))
    store.import_records(tricky, source_name="x.csv")
    generation, rows = store._read_incidents()
    rows = model.conform(rows).set_index("incident_id")
    assert generation == store.generation()
    assert rows.loc["MLI1", "notes"] == 'a "quoted", comma\nand a new line'
    assert rows.loc["MLI1", "location"] == "" and pd.isna(rows.loc["MLI2", "notes"])
    assert rows.loc["MLI2", "actor1"] == "Ségou — ´ accents"
    assert rows.loc["MLI1", "fatalities"] == 0 and pd.isna(rows.loc["MLI2", "fatalities"])
    assert bool(rows.loc["MLI1", "synthetic"]) and not bool(rows.loc["MLI2", "synthetic"])
    assert rows.loc["MLI1", "event_date"] == pd.Timestamp("2024-12-07")
    pd.testing.assert_frame_equal(store.load().drop(columns="geometry"),
                                  model.conform(store._read_incidents()[1]),
                                  check_dtype=False)


def test_a_database_made_before_a_new_canonical_column_gains_it_on_open(
        store, postgis_url) -> None:
    with psycopg.connect(postgis_url) as conn:
        conn.execute("ALTER TABLE incidents DROP COLUMN source_extra")
    reopened = PostgisStore(postgis_url)
    reopened.import_records(records(), source_name="x.csv")
    assert reopened.count() == 2


def test_a_region_named_by_an_edit_is_found_by_the_filter(store) -> None:
    from incidents.filters import FilterSpec

    store.import_records(records(), source_name="x.csv")
    assert store.count_matching(FilterSpec(admin1s=("Ménaka",))) == 0
    store.update("MLI2", {"admin1": "Ménaka"}, user="awa")
    assert store.count_matching(FilterSpec(admin1s=("menaka",))) == 1
