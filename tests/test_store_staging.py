"""incidents.store.staging: a first import into an empty SQLite store goes through a
scratch file written by ADBC, and stores exactly what the sqlite3 driver stores."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pandas as pd
import pytest

from incidents import model
from incidents.store import open_store, staging

ROWS = [
    {"event_id_cnty": "MLI1", "event_date": "2024-12-07", "admin1": "Segou",
     "location": "Kimparana", "latitude": 12.84217, "longitude": -4.9245, "fatalities": 3,
     "geo_precision": 1, "notes": 'quoted "words", a comma'},
    {"event_id_cnty": "MLI2", "event_date": "2024-11-01", "location": "Gao",
     "latitude": 16.0, "longitude": -0.04, "fatalities": 0, "civilian_targeting": "yes"},
    {"event_date": "2024-10-01", "location": "Nowhere Village", "event_type": "Protests",
     "sub_event_type": "Peaceful protest", "tags": "été, ça"},
    {"event_id_cnty": "MLI4", "event_date": "2024-10-01", "location": "Nowhere Village",
     "event_type": "Protests", "sub_event_type": "Peaceful protest", "unknown_column": "kept"},
]


def records() -> pd.DataFrame:
    base = {"event_type": "Battles", "sub_event_type": "Armed clash", "country": "Mali",
            "actor1": "Unidentified Armed Group (Mali)", "source": "Test wire"}
    return model.conform(pd.DataFrame([{**base, **row} for row in ROWS]))


def stored_with_types(path: Path) -> dict[str, tuple]:
    """{incident_id: every canonical column's value and SQLite storage class} (the
    import's own times left out)."""
    columns = [c for c in model.CANONICAL_COLUMNS if c not in ("created_at", "updated_at")]
    listed = ", ".join(f"{c}, typeof({c})" for c in columns)
    with sqlite3.connect(path) as conn:
        rows = conn.execute(f"SELECT incident_id, {listed} FROM incidents").fetchall()
    return {row[0]: row[1:] for row in rows}


def test_a_first_import_stores_the_values_and_types_the_row_path_stores(tmp_path: Path,
                                                                      monkeypatch) -> None:
    used = []
    real = staging.Staging.append
    monkeypatch.setattr(staging.Staging, "append",
                        lambda self, frame: used.append(len(frame)) or real(self, frame))
    first = open_store(tmp_path / "first.sqlite")
    first.import_records(records(), source_name="file.csv")
    assert used == [len(ROWS)], "the first import did not go through the scratch file"
    # Into a store that holds a row already (its own first import), the same rows are
    # written by the sqlite3 driver.
    later = open_store(tmp_path / "later.sqlite")
    later.import_records(model.conform(pd.DataFrame([{"event_id_cnty": "OTHER",
                                                       "event_date": "2020-01-01"}])),
                         source_name="other.csv")
    later.import_records(records(), source_name="file.csv")
    assert used == [len(ROWS), 1], "only first imports go through a scratch file"
    ours = stored_with_types(first.path)
    assert len(ours) == len(ROWS)
    theirs = stored_with_types(later.path)
    assert ours == {incident_id: theirs[incident_id] for incident_id in ours}
    assert not list(tmp_path.glob(f"*{staging.SUFFIX}")), "a scratch file was left"


def test_a_first_import_in_parts_with_a_repeated_id_updates_the_staged_row(
        tmp_path: Path) -> None:
    store = open_store(tmp_path / "incidents.sqlite")
    frame = records()
    again = frame.iloc[[0]].assign(notes="the later row")
    summary = store.import_parts([(frame, pd.DataFrame()), (again, pd.DataFrame())],
                                 source_name="file.csv")
    assert (summary.accepted, summary.inserted) == (len(ROWS) + 1, len(ROWS) + 1)
    notes = dict(sqlite3.connect(store.path).execute("SELECT incident_id, notes FROM incidents"))
    assert notes["MLI1"] == 'quoted "words", a comma' and notes["MLI1-2"] == "the later row"
    assert store.count() == len(ROWS) + 1


def test_a_first_import_from_a_thread_like_the_dashboards_upload(tmp_path: Path) -> None:
    """Streamlit runs the upload page in a script thread, not the main one."""
    store = open_store(tmp_path / "incidents.sqlite")
    outcome = []
    worker = threading.Thread(target=lambda: outcome.append(
        store.import_records(records(), source_name="upload.csv")))
    worker.start()
    worker.join(60)
    assert outcome and outcome[0].inserted == len(ROWS)
    assert store.count() == len(ROWS)


def test_the_store_keeps_counting_direct_writes_after_a_first_import(tmp_path: Path) -> None:
    store = open_store(tmp_path / "incidents.sqlite")
    store.import_records(records(), source_name="file.csv")
    assert store.verify().direct_writes == 0
    with sqlite3.connect(store.path) as conn:
        conn.execute("UPDATE incidents SET notes = 'changed by hand' WHERE incident_id = 'MLI1'")
    assert store.verify().direct_writes == 1


def _journal_modes_of_copies(monkeypatch) -> list[str]:
    """The journal mode each first import's copy out of the scratch file ran under."""
    modes: list[str] = []
    real = staging.Staging.copy_into

    def recording(self, conn):
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        synchronous = conn.execute("PRAGMA synchronous").fetchone()[0]
        # Under a rollback journal only FULL (2) survives a power cut mid-commit.
        assert mode == "wal" or synchronous == 2, (mode, synchronous)
        modes.append(mode)
        return real(self, conn)

    monkeypatch.setattr(staging.Staging, "copy_into", recording)
    return modes


def _journal_mode(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        return conn.execute("PRAGMA journal_mode").fetchone()[0]


def test_a_first_import_is_written_once_under_a_rollback_journal_then_back_to_wal(
        tmp_path: Path, monkeypatch) -> None:
    store = open_store(tmp_path / "incidents.sqlite")
    modes = _journal_modes_of_copies(monkeypatch)
    store.import_records(records(), source_name="file.csv")
    assert modes == ["delete"]
    assert _journal_mode(store.path) == "wal"
    assert not list(tmp_path.glob("*-journal")) and store.count() == len(ROWS)


def test_a_first_import_keeps_the_wal_while_another_connection_has_the_store_open(
        tmp_path: Path, monkeypatch) -> None:
    """A reader (a dashboard) holds the WAL: the import neither waits for it nor
    takes the mode from under it, and the reader sees the rows once committed."""
    store = open_store(tmp_path / "incidents.sqlite")
    modes = _journal_modes_of_copies(monkeypatch)
    reader = sqlite3.connect(store.path)
    try:
        assert reader.execute("SELECT count(*) FROM incidents").fetchone() == (0,)
        store.import_records(records(), source_name="file.csv")
        assert reader.execute("SELECT count(*) FROM incidents").fetchone() == (len(ROWS),)
    finally:
        reader.close()
    assert modes == ["wal"] and _journal_mode(store.path) == "wal"


def test_a_failed_first_import_leaves_no_rows_and_no_scratch_file(tmp_path: Path,
                                                                  monkeypatch) -> None:
    store = open_store(tmp_path / "incidents.sqlite")

    def failing(self, conn):
        raise sqlite3.OperationalError("disk full")

    monkeypatch.setattr(staging.Staging, "copy_into", failing)
    with pytest.raises(Exception, match="disk full"):
        store.import_records(records(), source_name="file.csv")
    assert store.count() == 0 and store.imports().empty
    assert not list(tmp_path.glob(f"*{staging.SUFFIX}"))
    assert _journal_mode(store.path) == "wal" and not list(tmp_path.glob("*-journal"))


def test_an_error_writing_the_scratch_file_fails_the_import_and_ends_its_thread(
        tmp_path: Path, monkeypatch) -> None:
    store = open_store(tmp_path / "incidents.sqlite")

    def failing(self, table):
        raise OSError("no space left on device")

    monkeypatch.setattr(staging.Staging, "_write", failing)
    with pytest.raises(Exception, match="no space left"):
        store.import_parts([(records(), pd.DataFrame()), (records(), pd.DataFrame())],
                           source_name="file.csv")
    assert store.count() == 0 and store.imports().empty
    assert not [t for t in threading.enumerate() if t.name.startswith("incidents-staging")]
    assert not list(tmp_path.glob(f"*{staging.SUFFIX}"))


def test_a_killed_imports_scratch_file_goes_when_the_store_is_opened(tmp_path: Path) -> None:
    path = tmp_path / "incidents.sqlite"
    open_store(path)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    killed = tmp_path / f".{path.name}.{dead.pid}.abcd1234{staging.SUFFIX}"
    alive = tmp_path / f".{path.name}.{os.getpid()}.ef567890{staging.SUFFIX}"
    killed.write_bytes(b"half an import")
    alive.write_bytes(b"being written")
    open_store(path, read_only=True)
    assert killed.exists()  # a read-only opening removes nothing
    open_store(path)
    assert not killed.exists()
    assert alive.exists()


def page_size(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("PRAGMA page_size").fetchone()[0]


@pytest.mark.parametrize("made_with", [None, 4096])
def test_the_scratch_file_has_the_stores_page_size(tmp_path: Path, monkeypatch,
                                                   made_with: int | None) -> None:
    """A new store has ``PAGE_SIZE`` pages; one made before (SQLite's 4 KiB) keeps its
    own, and its first import's scratch file takes them (the copy then moves records
    between pages of one size)."""
    from incidents.store.sqlite import PAGE_SIZE

    path = tmp_path / "incidents.sqlite"
    if made_with:
        with sqlite3.connect(path) as conn:
            conn.execute(f"PRAGMA page_size = {made_with}")
            conn.execute("CREATE TABLE early (x)")
    store = open_store(path)
    expected = made_with or PAGE_SIZE
    assert page_size(path) == expected
    staged = []
    real = staging.Staging.copy_into
    monkeypatch.setattr(staging.Staging, "copy_into", lambda self, conn: (
        real(self, conn), staged.append(page_size(self.path))))
    store.import_records(records(), source_name="file.csv")
    assert staged == [expected]
    assert page_size(path) == expected
    assert store.count() == len(ROWS)
