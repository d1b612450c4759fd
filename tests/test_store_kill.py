"""kill -9 during an import: the store holds what it held before or the whole import, and
no temporary file outlives the next opening of the store."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from incidents import model
from incidents.snapshot import snapshot_path
from incidents.store import open_store

PROJECT = Path(__file__).resolve().parent.parent
HEADER = "event_id_cnty,event_date,event_type,fatalities,latitude,longitude,notes\n"
ROWS = 8_000
KILL_POINTS = 10


def _ingest(home: Path, source: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "incidents", "ingest", "--no-geocode", str(source)],
        cwd=PROJECT, env={**os.environ, "INCIDENTS_HOME": str(home), "PYTHONPATH": str(PROJECT)},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _leftovers(home: Path) -> list[str]:
    """Temporary files of ours (``atomic_path`` names them ``.<name>.<pid>.*.tmp``) and
    SQLite's rollback journal (a killed first import's, rolled back at the next open)."""
    return sorted(p.name for p in home.iterdir()
                  if p.name.endswith((".tmp", ".part", "-journal")))


def _journal_mode(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        return conn.execute("PRAGMA journal_mode").fetchone()[0]


def _home(root: Path, name: str, first: Path | None) -> tuple[Path, int]:
    """A home whose store holds ``first``'s rows, or an empty store."""
    home = root / name
    home.mkdir()
    if first is None:
        open_store(home / "incidents.sqlite")
    else:
        assert _ingest(home, first).wait() == 0
    return home, open_store(home / "incidents.sqlite").count()


@pytest.mark.slow
@pytest.mark.parametrize("into", ["a store holding a row", "an empty store"])
def test_ten_kills_leave_the_store_unchanged_or_complete(tmp_path: Path, into: str) -> None:
    """Into an empty store the import is a first import: a scratch file, and SQLite's
    rollback journal instead of the WAL (``SQLiteStore._import_transaction``)."""
    source = tmp_path / "import.csv"
    source.write_text(HEADER + "".join(
        f"k{n},2024-01-{n % 28 + 1:02d},Battles,{n % 5},14.{n % 97},-4.{n % 89},n\n"
        for n in range(ROWS)))
    first = None
    if into == "a store holding a row":
        first = tmp_path / "first.csv"
        first.write_text(HEADER + "first,2024-01-01,Battles,1,14,-4,x\n")
    timing, before = _home(tmp_path, "timing", first)
    started = time.monotonic()
    assert _ingest(timing, source).wait() == 0
    duration = time.monotonic() - started
    complete = open_store(timing / "incidents.sqlite").count()
    assert complete == before + ROWS
    outcomes = []
    for point in range(KILL_POINTS):
        home, before = _home(tmp_path, f"kill{point}", first)
        process = _ingest(home, source)
        time.sleep(duration * (0.05 + 0.9 * point / (KILL_POINTS - 1)))
        process.send_signal(signal.SIGKILL)
        process.wait()
        after = open_store(home / "incidents.sqlite").count()
        outcomes.append(after)
        assert after in (before, complete), f"kill {point}: {after} incidents"
        assert not _leftovers(home), f"kill {point}: {_leftovers(home)}"
        assert _journal_mode(home / "incidents.sqlite") == "wal", f"kill {point}"
    assert set(outcomes) <= {before, complete}


def test_a_killed_writers_snapshot_temporary_goes_when_the_store_is_opened(
    tmp_path: Path,
) -> None:
    path = tmp_path / "incidents.sqlite"
    open_store(path).import_records(model.empty_frame(), source_name="none.csv")
    snapshot = snapshot_path(path)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    killed = snapshot.with_name(f".{snapshot.name}.{dead.pid}.abc123.tmp")
    killed.write_bytes(b"half a snapshot")
    alive = snapshot.with_name(f".{snapshot.name}.{os.getpid()}.def456.tmp")
    alive.write_bytes(b"being written")
    open_store(path, read_only=True)
    assert killed.exists()  # a read-only opening removes nothing
    open_store(path)
    assert not killed.exists()
    assert alive.exists()  # a live writer's file is left alone
