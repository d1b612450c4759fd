"""incidents.store.sqlite_read: a store's rows read through ADBC in a child process
are what the sqlite3 driver reads, or the driver reads them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from incidents import model
from incidents.store import open_store, sqlite_read
from incidents.store.sqlite import SQLiteStore

ROWS = [
    {"event_id_cnty": "MLI2", "event_date": "2024-12-07", "location": "Kimparana",
     "latitude": 12.84217, "longitude": -4.9245, "fatalities": 3, "geo_precision": 1,
     "notes": 'tab\there, "quotes", a\nnew line', "tags": "été, ça"},
    {"event_id_cnty": "MLI1", "event_date": "2024-12-07", "location": "Ségou",
     "fatalities": 0, "notes": ""},
    {"event_id_cnty": "BFA9", "event_date": "2023-01-31", "location": "Djibo",
     "latitude": 14.1, "longitude": -1.6, "source_url": "https://example.org/a",
     "unknown_column": "kept in source_extra"},
]


@pytest.fixture(autouse=True)
def child_for_any_size(monkeypatch) -> None:
    """The child reads stores from ``MIN_ROWS`` up; these have a few rows."""
    monkeypatch.setattr(sqlite_read, "MIN_ROWS", 0)


@pytest.fixture
def store(tmp_path: Path) -> SQLiteStore:
    store = open_store(tmp_path / "incidents.sqlite")
    base = {"event_type": "Battles", "sub_event_type": "Armed clash", "country": "Mali"}
    store.import_records(model.conform(pd.DataFrame([{**base, **row} for row in ROWS])),
                         source_name="file.csv")
    return store


def driver_read(store: SQLiteStore, monkeypatch) -> tuple[int, pd.DataFrame]:
    with monkeypatch.context() as patch:
        patch.setattr(sqlite_read, "read_rows", lambda *args, **kwargs: None)
        return store._read_incidents()


def test_the_child_reads_what_the_driver_reads_in_the_stores_order(store, monkeypatch) -> None:
    used = []
    real = sqlite_read.read_rows
    monkeypatch.setattr(sqlite_read, "read_rows",
                        lambda *args: used.append(args[0]) or real(*args))
    generation, fast = store._read_incidents()
    assert used, "the store did not try the child process"
    assert fast is not None and list(fast["incident_id"]) == ["BFA9", "MLI1", "MLI2"]
    driver_generation, slow = driver_read(store, monkeypatch)
    assert generation == driver_generation == store.generation()
    pd.testing.assert_frame_equal(model.conform(fast), model.conform(slow))
    assert fast.loc[2, "notes"] == 'tab\there, "quotes", a\nnew line'
    assert fast.loc[1, "notes"] == "" and pd.isna(fast.loc[1, "latitude"])


def test_an_empty_store_reads_as_the_driver_reads_it(tmp_path: Path, monkeypatch) -> None:
    store = open_store(tmp_path / "empty.sqlite")
    generation, fast = store._read_incidents()
    assert len(fast) == 0 and generation == driver_read(store, monkeypatch)[0]
    assert list(fast.columns) == list(model.CANONICAL_COLUMNS)


def test_text_written_by_hand_in_a_number_column_is_read_by_the_driver(store,
                                                                      monkeypatch) -> None:
    with sqlite3.connect(store.path) as conn:
        conn.execute("UPDATE incidents SET fatalities = 'several' WHERE incident_id = 'MLI1'")
    uri = f"file:{store.path}?mode=ro"
    assert sqlite_read.read_rows(uri, "SELECT 1", "SELECT fatalities FROM incidents",
                                 {"fatalities": "INTEGER"}, ["fatalities"]) is None
    _, rows = store._read_incidents()
    assert rows.set_index("incident_id").loc["MLI1", "fatalities"] == "several"


def test_a_failed_child_leaves_the_read_to_the_driver(store, monkeypatch, tmp_path: Path) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text("raise SystemExit('no ADBC here')\n")
    monkeypatch.setattr(sqlite_read, "EXPORT_SCRIPT", broken)
    generation, rows = store._read_incidents()
    assert generation == store.generation() and sorted(rows["incident_id"]) == [
        "BFA9", "MLI1", "MLI2"]


def test_the_child_reads_one_state_of_the_file(store) -> None:
    """The first query's row and the rows come from one read transaction: a count of
    the rows asked first matches the rows read."""
    read = sqlite_read.read_rows(f"file:{store.path}?mode=ro", "SELECT COUNT(*) FROM incidents",
                                 "SELECT incident_id FROM incidents", {"incident_id": "TEXT"},
                                 ["incident_id"])
    assert read is not None
    first, rows = read
    assert first == ["3"] and list(rows["incident_id"]) == ["BFA9", "MLI1", "MLI2"]


def test_a_read_only_store_reads_through_the_child(store, monkeypatch) -> None:
    used = []
    real = sqlite_read.read_rows
    monkeypatch.setattr(sqlite_read, "read_rows",
                        lambda *args: used.append(args[0]) or real(*args))
    reader = SQLiteStore(store.path, read_only=True)
    _, rows = reader._read_incidents()
    assert used and "mode=ro" in used[0]
    assert len(rows) == len(ROWS)


def test_a_small_store_is_read_by_the_driver(store, monkeypatch) -> None:
    monkeypatch.setattr(sqlite_read, "MIN_ROWS", len(ROWS) + 1)
    used = []
    monkeypatch.setattr(sqlite_read, "read_rows", lambda *args: used.append(args))
    _, rows = store._read_incidents()
    assert not used and len(rows) == len(ROWS)


def test_no_room_for_the_childs_file_leaves_the_read_to_the_driver(store, monkeypatch,
                                                                   tmp_path: Path) -> None:
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "no such folder"))
    assert sqlite_read.read_rows(f"file:{store.path}?mode=ro", "SELECT 1",
                                 "SELECT incident_id FROM incidents",
                                 {"incident_id": "TEXT"}, ["incident_id"]) is None
    _, rows = store._read_incidents()
    assert len(rows) == len(ROWS)
