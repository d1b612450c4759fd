"""A store opened read-only (a shared archive): reads, the map and exports work, nothing is
written to the file or beside it, and a write attempt says why in one sentence.

Tests may run as root, for whom a chmod stops nothing, so they take the paths that
do not depend on permissions: the explicit flag (``read_only=True``, ``--read-only``,
``$INCIDENTS_STORE_READ_ONLY``) and the folder check with ``os.access`` answering no.
"""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from streamlit.testing.v1 import AppTest

from incidents import model
from incidents.cli import cli
from incidents.errors import StoreError
from incidents.filters import FilterSpec
from incidents.selection import Selection
from incidents.snapshot import snapshot_path
from incidents.store import open_store
from ui.exports import export_payload

ROWS = pd.DataFrame({
    "event_id_cnty": ["RO1", "RO2", "RO3"],
    "event_date": pd.to_datetime(["2024-03-01", "2024-03-02", "2024-03-03"]),
    "event_type": ["Battles", "Riots", "Battles"],
    "country": ["Mali", "Mali", "Niger"],
    "admin1": ["Mopti", "Gao", "Tillaberi"],
    "latitude": [14.5, 16.3, 14.2],
    "longitude": [-4.2, -0.04, 1.45],
    "fatalities": [2, 0, 5],
})


def _archive(folder: Path) -> Path:
    """A store with three incidents, closed, and its snapshot removed (so a reader has to
    go to SQLite and would normally write a new snapshot beside it)."""
    path = folder / "archive.sqlite"
    open_store(path).import_records(model.conform(ROWS), source_name="archive.csv")
    snapshot_path(path).unlink(missing_ok=True)
    return path


def _state(folder: Path) -> dict[str, str]:
    """Every file in the folder with a digest of its bytes."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()
            if p.is_file() and not p.name.endswith(("-wal", "-shm"))}


def test_reads_work_and_nothing_is_written(tmp_path: Path) -> None:
    path = _archive(tmp_path)
    before = _state(tmp_path)
    store = open_store(path, read_only=True)
    assert store.read_only and store.count() == 3
    assert sorted(store.load()["event_id_cnty"]) == ["RO1", "RO2", "RO3"]
    frame = store.load_map_snapshot()
    assert store.count_matching(FilterSpec(countries=("Mali",))) == 2
    csv = export_payload(Selection.of(frame, FilterSpec()).incidents(), "csv", "en")
    assert csv.count(b"\n") == 4
    assert len(store.imports()) == 1 and store.load_quarantine().empty
    assert store.verify().direct_writes == 0
    assert _state(tmp_path) == before  # no snapshot written, the store file untouched


def test_writes_are_refused_with_a_clear_message(tmp_path: Path) -> None:
    path = _archive(tmp_path)
    before = _state(tmp_path)
    store = open_store(path, read_only=True)
    with pytest.raises(StoreError, match="read-only.*imports and edits need write access"):
        store.import_records(model.conform(ROWS.assign(event_id_cnty=["N1", "N2", "N3"])),
                             source_name="more.csv")
    incident = store.load()["incident_id"].iloc[0]
    with pytest.raises(StoreError, match="read-only"):
        store.update(incident, {"notes": "changed"}, user="analyst")
    assert _state(tmp_path) == before
    assert open_store(path).count() == 3


def test_environment_variable_opens_read_only(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    path = _archive(tmp_path)
    monkeypatch.setenv("INCIDENTS_STORE_READ_ONLY", "1")
    assert open_store(path).read_only
    monkeypatch.setenv("INCIDENTS_STORE_READ_ONLY", "0")
    assert not open_store(path).read_only


def test_an_unwritable_folder_is_noticed_and_read_without_the_wal_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a folder nobody may write, SQLite cannot make the WAL's shared-memory file, so
    only an immutable read opens the store ("attempt to write a readonly database")."""
    path = _archive(tmp_path)
    monkeypatch.setattr("incidents.store.sqlite.os.access", lambda *_: False)
    store = open_store(path)
    assert store.read_only and "immutable=1" in store._uri
    assert store.count() == 3 and len(store.load()) == 3
    assert not list(tmp_path.glob("*-wal")) and not list(tmp_path.glob("*-shm"))


_HALF_WRITTEN = """
import os, sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
assert conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0] == "delete"
conn.execute("PRAGMA cache_size = 5")  # pages reach the file before the commit
conn.execute("BEGIN IMMEDIATE")
conn.execute("UPDATE incidents SET notes = ?", ("half written " + "x" * 300_000,))
os._exit(9)  # killed: the rollback journal stays beside the store
"""


def test_a_store_left_mid_import_under_its_journal_is_never_read_past_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A killed first import (``SQLiteStore._import_transaction``) leaves a rollback
    journal: read-only, even in a folder nobody may write, the store is refused with
    the way out rather than read without the rollback; a writable opening rolls back."""
    path = _archive(tmp_path)
    subprocess.run([sys.executable, "-c", _HALF_WRITTEN, str(path)], check=False)
    assert (tmp_path / f"{path.name}-journal").exists()
    with monkeypatch.context() as patched:
        patched.setattr("incidents.store.sqlite.os.access", lambda *_: False)
        with pytest.raises(StoreError, match="did not finish.*write access"):
            open_store(path)
    store = open_store(path)
    assert store.count() == 3
    assert not store.load()["notes"].astype("string").str.startswith("half").any()
    assert not (tmp_path / f"{path.name}-journal").exists()


def test_a_missing_or_foreign_file_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no store at"):
        open_store(tmp_path / "none.sqlite", read_only=True)
    assert not (tmp_path / "none.sqlite").exists()
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    with pytest.raises(StoreError, match="not an incident store"):
        open_store(other, read_only=True)


def test_cli_export_reads_and_ingest_says_why_it_cannot(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    path = _archive(tmp_path)
    before = _state(tmp_path)
    out = tmp_path.parent / f"{tmp_path.name}-export.csv"
    result = CliRunner().invoke(cli, ["export", "--store", str(path), "--read-only",
                                      "--format", "csv", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "wrote 3 incidents" in result.output and len(pd.read_csv(out)) == 3
    new = tmp_path.parent / f"{tmp_path.name}-new.csv"
    new.write_text("event_date,event_type\n2024-04-01,Battles\n")
    monkeypatch.setenv("INCIDENTS_STORE_READ_ONLY", "1")
    result = CliRunner().invoke(cli, ["ingest", "--store", str(path), "--no-geocode", str(new)])
    assert result.exit_code != 0
    assert "read-only" in result.output and "Traceback" not in result.output
    assert _state(tmp_path) == before


def test_dashboard_shows_a_read_only_store_and_refuses_its_upload(
    tmp_path: Path, incidents_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _archive(tmp_path)
    before = _state(tmp_path)
    monkeypatch.setenv("INCIDENTS_STORE", str(path))
    monkeypatch.setenv("INCIDENTS_STORE_READ_ONLY", "1")
    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "dashboard.py"),
                           default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    assert any("incidents-headline" in block.value and "<b>3</b>" in block.value
               for block in at.markdown)

    def upload_page() -> None:
        from ui.upload import save_upload

        save_upload(b"event_date,event_type\n2024-04-01,Battles\n", "new.csv", 1, "en")

    page = AppTest.from_function(upload_page, default_timeout=60)
    page.run()
    assert not page.exception, page.exception
    message = page.error[0].value.replace("\\", "")  # shown as plain text, so escaped
    assert message.startswith("Nothing was saved") and "read-only" in message
    assert _state(tmp_path) == before
