"""incidents.store.sqlite_read: a store's rows read through ADBC in a child process
are what the sqlite3 driver reads, or the driver reads them."""

from __future__ import annotations

import sqlite3
import threading
import time
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


def spy_on_the_child(monkeypatch) -> list[str]:
    """The URIs the child read, each read asserted to have come back from it."""
    used: list[str] = []
    real = sqlite_read.read_rows

    def read_rows(*args):
        result = real(*args)
        assert result is not None, "the child's read fell back to the driver"
        used.append(args[0])
        return result
    monkeypatch.setattr(sqlite_read, "read_rows", read_rows)
    return used


def test_the_child_reads_what_the_driver_reads_in_the_stores_order(store, monkeypatch) -> None:
    used = spy_on_the_child(monkeypatch)
    generation, fast = store._read_incidents()
    assert used, "the store did not read through the child"
    assert list(fast["incident_id"]) == ["BFA9", "MLI1", "MLI2"]
    driver_generation, slow = driver_read(store, monkeypatch)
    assert generation == driver_generation == store.generation()
    pd.testing.assert_frame_equal(model.conform(fast), model.conform(slow))
    assert fast.loc[2, "notes"] == 'tab\there, "quotes", a\nnew line'
    assert fast.loc[1, "notes"] == "" and pd.isna(fast.loc[1, "latitude"])


def test_the_order_is_sqlites_missing_first_and_text_by_its_bytes(tmp_path: Path) -> None:
    path = tmp_path / "order.sqlite"
    rows = [("2024-01-02", "b"), (None, "z"), ("2024-01-02", "É1"), ("2024-01-02", "Z"),
            ("2024-01-01", "é"), ("2024-01-02", "a"), ("", "x")]
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE incidents (event_date TEXT, incident_id TEXT)")
        conn.executemany("INSERT INTO incidents VALUES (?, ?)", rows)
        expected = conn.execute(
            "SELECT incident_id FROM incidents ORDER BY event_date, incident_id").fetchall()
    read = sqlite_read.read_rows(f"file:{path}?mode=ro", "SELECT 1",
                                 "SELECT event_date, incident_id FROM incidents",
                                 {"event_date": "TEXT", "incident_id": "TEXT"},
                                 ["event_date", "incident_id"])
    assert read is not None
    assert list(read[1]["incident_id"]) == [row[0] for row in expected]


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


def test_bytes_that_are_not_text_fail_as_the_drivers_store_error(store) -> None:
    from incidents.errors import StoreError

    with sqlite3.connect(store.path) as conn:
        conn.execute("UPDATE incidents SET notes = CAST(x'ff41' AS TEXT)"
                     " WHERE incident_id = 'MLI1'")
    assert sqlite_read.read_rows(f"file:{store.path}?mode=ro", "SELECT 1",
                                 "SELECT notes FROM incidents", {"notes": "TEXT"},
                                 ["notes"]) is None
    with pytest.raises(StoreError):
        store._read_incidents()


def test_a_failed_child_leaves_the_read_to_the_driver(store, monkeypatch, tmp_path: Path) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text("import sys\nsys.stdout.buffer.write(b'half a stream')\n"
                      "raise SystemExit('no ADBC here')\n")
    monkeypatch.setattr(sqlite_read, "EXPORT_SCRIPT", broken)
    generation, rows = store._read_incidents()
    assert generation == store.generation() and sorted(rows["incident_id"]) == [
        "BFA9", "MLI1", "MLI2"]


def test_the_child_reads_one_state_of_the_file(store) -> None:
    """A row written while the child's first query runs is in neither of its answers:
    both come from one read transaction."""
    slow_count = ("SELECT (SELECT COUNT(*) FROM incidents), (WITH RECURSIVE n(i) AS"
                  " (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4000000)"
                  " SELECT COUNT(*) FROM n)")
    answers = []
    reading = threading.Thread(target=lambda: answers.append(sqlite_read.read_rows(
        f"file:{store.path}?mode=ro", slow_count, "SELECT incident_id FROM incidents",
        {"incident_id": "TEXT"}, ["incident_id"])))
    reading.start()
    time.sleep(1.0)
    with sqlite3.connect(store.path) as conn:
        conn.execute("INSERT INTO incidents (incident_id, event_date) VALUES ('NEW', '2025-01-01')")
    reading.join(60)
    assert answers and answers[0] is not None
    first, rows = answers[0]
    assert int(first[0]) == len(rows)


def test_a_read_only_store_reads_through_the_child(store, monkeypatch) -> None:
    used = spy_on_the_child(monkeypatch)
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


def test_no_room_for_the_childs_error_file_leaves_the_read_to_the_driver(
        store, monkeypatch, tmp_path: Path) -> None:
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "no such folder"))
    assert sqlite_read.read_rows(f"file:{store.path}?mode=ro", "SELECT 1",
                                 "SELECT incident_id FROM incidents",
                                 {"incident_id": "TEXT"}, ["incident_id"]) is None
    _, rows = store._read_incidents()
    assert len(rows) == len(ROWS)
