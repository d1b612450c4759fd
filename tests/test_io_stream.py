"""A large CSV read, placed and stored in parts (incidents.io.stream and
pipeline.ingest_file): cut at record boundaries, and the store ends up exactly as
when the file is read whole, on both backends; a part that fails leaves nothing."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from incidents.io import stream
from incidents.pipeline import ingest_file
from incidents.store import open_store

HEADER = "event_id_cnty,event_date,event_type,sub_event_type,actor1,country,location,notes\n"


def row(number: int, *, event_id: str | None = None, notes: str = "plain") -> str:
    event_id = f"TST{number}" if event_id is None else event_id
    return (f"{event_id},2024-03-{number % 28 + 1:02d},Battles,Armed clash,Armed group,Mali,"
            f"Place {number % 7},{notes}\n")


@pytest.fixture
def small_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stream even a small file, four records a part."""
    monkeypatch.setattr(stream, "MIN_STREAM_BYTES", 0)
    monkeypatch.setattr(stream, "PART_ROWS", 4)


def test_parts_are_cut_between_records_never_inside_a_quoted_value(tmp_path: Path) -> None:
    path = tmp_path / "file.csv"
    path.write_text(HEADER + row(1) + row(2, notes='"two\nlines, quoted"') + "\n" + row(3)
                    + row(4) + row(5), encoding="utf-8")
    parts = list(stream.csv_parts(path, rows=2))
    assert [before for _, before in parts] == [0, 2, 4]
    assert all(data.startswith(HEADER.encode()) for data, _ in parts)
    assert b'"two\nlines, quoted"' in parts[0][0]
    assert sum(data.count(b"TST") for data, _ in parts) == 5


def test_a_file_that_is_not_utf8_says_so(tmp_path: Path) -> None:
    path = tmp_path / "file.csv"
    path.write_bytes((HEADER + row(1)).encode() + "Ségou\n".encode("cp1252"))
    with pytest.raises(UnicodeDecodeError):
        list(stream.csv_parts(path, rows=2))


def _file(tmp_path: Path) -> Path:
    """Eleven rows: a bad date (quarantined), a repeated id (suffixed across parts),
    rows without an id (content ids), two of them identical."""
    rows = [row(n) for n in range(1, 8)]
    rows[2] = rows[2].replace("2024-03-04", "not a date")
    rows.append(row(1))  # TST1 again, in a later part: TST1-2
    rows.append(row(20, event_id=""))
    rows.append(row(20, event_id=""))
    rows.append(row(21, event_id=""))
    path = tmp_path / "incidents.csv"
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


@pytest.fixture(params=["sqlite", "postgis"])
def two_stores(request: pytest.FixtureRequest, tmp_path: Path,
               monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("INCIDENTS_HOME", str(tmp_path / "home"))
    if request.param == "sqlite":
        return open_store(tmp_path / "whole.sqlite"), open_store(tmp_path / "parts.sqlite")
    import pgserver

    server = request.getfixturevalue("postgis_server")
    return (open_store(request.getfixturevalue("postgis_url")),
            open_store(pgserver.fresh_database(server, f"parts_{tmp_path.name[-12:]}")))


def _contents(store) -> tuple[pd.DataFrame, pd.DataFrame]:
    frame = store.load().drop(columns=["geometry", "created_at", "updated_at"])
    frame = frame.sort_values("incident_id", ignore_index=True)
    quarantine = store.load_quarantine()[["row_number", "reason"]]
    return pd.DataFrame(frame), quarantine


def test_read_in_parts_stores_what_a_whole_read_stores(
        tmp_path: Path, two_stores, small_parts, monkeypatch: pytest.MonkeyPatch) -> None:
    whole, in_parts = two_stores
    path = _file(tmp_path)
    monkeypatch.setattr(stream, "MIN_STREAM_BYTES", 10**12)
    expected = ingest_file(path, store=whole, geocode=False, assign_regions=False)
    monkeypatch.setattr(stream, "MIN_STREAM_BYTES", 0)
    read = []
    real = stream.read_incidents
    monkeypatch.setattr(stream, "read_incidents",
                        lambda *a, **k: read.append(1) or real(*a, **k))
    summary = ingest_file(path, store=in_parts, geocode=False, assign_regions=False)
    assert len(read) == 3, "the file was not read in parts"
    for key in ("rows", "accepted", "quarantined", "inserted", "possible_duplicates"):
        assert summary[key] == expected[key], key
    assert in_parts.count() == whole.count() == 10
    ours, theirs = _contents(in_parts), _contents(whole)
    pd.testing.assert_frame_equal(ours[0], theirs[0])
    pd.testing.assert_frame_equal(ours[1], theirs[1])
    assert "TST1-2" in set(ours[0]["incident_id"])
    assert ours[1]["row_number"].tolist() == [3]
    again = ingest_file(path, store=in_parts, geocode=False, assign_regions=False)
    assert again["inserted"] == 0 and again["accepted"] == 10


def test_a_part_that_fails_leaves_nothing(tmp_path: Path, two_stores, small_parts,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    _, store = two_stores
    path = _file(tmp_path)
    real = stream.read_incidents
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("killed")
        return real(*args, **kwargs)

    monkeypatch.setattr(stream, "read_incidents", failing)
    with pytest.raises(RuntimeError):
        ingest_file(path, store=store, geocode=False, assign_regions=False)
    assert store.count() == 0 and store.imports().empty


def test_each_place_is_geocoded_once_across_parts(tmp_path: Path, small_parts,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from incidents.pipeline import OncePerPlace

    class Counting:
        def __init__(self) -> None:
            self.asked: list[str] = []

        def geocode(self, query, *, exactly_one=True, timeout=None, country=None, admin1=None,
                    admin2=None, admin3=None):
            self.asked.append(query)
            return None

    counting = Counting()
    assert "admin3" in __import__("inspect").signature(OncePerPlace(counting).geocode).parameters
    path = tmp_path / "unplaced.csv"
    path.write_text("event_date,event_type,country,location\n" + "".join(
        f"2024-03-{n % 28 + 1:02d},Battles,Mali,Village {n % 3}\n" for n in range(12)),
        encoding="utf-8")
    monkeypatch.setenv("INCIDENTS_HOME", str(tmp_path / "home"))
    ingest_file(path, store=open_store(tmp_path / "s.sqlite"), geocoder=counting,
                assign_regions=False)
    assert sorted(counting.asked) == ["Village 0", "Village 1", "Village 2"]


def test_an_id_an_earlier_part_gave_a_suffixed_row_updates_that_row(
        tmp_path: Path, two_stores, small_parts, monkeypatch: pytest.MonkeyPatch) -> None:
    """Into an empty store: the explicit id TST1-2 of part two is the id part one gave
    its repeated TST1, so the later row updates that one (nothing fails, nothing lost)."""
    monkeypatch.setattr(stream, "PART_ROWS", 2)
    _, store = two_stores
    path = tmp_path / "clash.csv"
    path.write_text(HEADER + row(1, notes="first") + row(1, notes="second")
                    + row(3, event_id="TST1-2", notes="third") + row(5), encoding="utf-8")
    summary = ingest_file(path, store=store, geocode=False, assign_regions=False)
    assert (summary["accepted"], summary["inserted"], summary["updated"]) == (4, 3, 1)
    stored = store.load().set_index("incident_id")["notes"]
    assert stored.to_dict() == {"TST1": "first", "TST1-2": "third", "TST5": "plain"}


def require_fork() -> None:
    """The tests marked ``one_thread`` run where this process may fork a reader
    (conftest gives them a process of their own when other threads run)."""
    if not (hasattr(os, "fork") and hasattr(os, "memfd_create")):
        pytest.skip("no fork or memfd on this system: files are read in one process")
    assert stream.can_read_ahead(), "several threads run in this test's process"


@pytest.fixture
def read_ahead(monkeypatch: pytest.MonkeyPatch) -> None:
    """Read even a small file ahead in a child process."""
    monkeypatch.setattr(stream, "READ_AHEAD_MIN_BYTES", 0)


@pytest.mark.one_thread
def test_read_ahead_stores_what_reading_in_this_process_stores(
        tmp_path: Path, two_stores, small_parts, monkeypatch: pytest.MonkeyPatch) -> None:
    here, ahead = two_stores
    path = _file(tmp_path)
    expected = ingest_file(path, store=here, geocode=False, assign_regions=False)
    monkeypatch.setattr(stream, "READ_AHEAD_MIN_BYTES", 0)
    require_fork()
    forked = []
    real = stream.read_ahead
    monkeypatch.setattr(stream, "read_ahead", lambda produce: forked.append(1) or real(produce))
    summary = ingest_file(path, store=ahead, geocode=False, assign_regions=False)
    assert forked, "the file was not read ahead"
    assert {k: v for k, v in summary.items() if k != "import_id"} == \
        {k: v for k, v in expected.items() if k != "import_id"}
    ours, theirs = _contents(ahead), _contents(here)
    pd.testing.assert_frame_equal(ours[0], theirs[0])
    pd.testing.assert_frame_equal(ours[1], theirs[1])


@pytest.mark.one_thread
def test_an_error_in_the_reading_process_is_raised_as_itself(
        tmp_path: Path, small_parts, read_ahead, monkeypatch: pytest.MonkeyPatch) -> None:
    from incidents.errors import FileTooLargeError

    require_fork()

    def failing(*args, **kwargs):
        # Its constructor takes other arguments than the message it keeps.
        raise FileTooLargeError(10**9, 10**6)

    monkeypatch.setattr(stream, "read_incidents", failing)
    store = open_store(tmp_path / "s.sqlite")
    with pytest.raises(FileTooLargeError, match="over the 1 MB limit") as raised:
        ingest_file(_file(tmp_path), store=store, geocode=False, assign_regions=False)
    assert raised.value.size == 10**9
    assert store.count() == 0 and store.imports().empty


@pytest.mark.one_thread
def test_a_file_the_reading_process_finds_unstreamable_is_read_whole(
        tmp_path: Path, small_parts, read_ahead) -> None:
    """Rows of one event in an actor-based export fold across parts: the child says so,
    the transaction rolls back and the file is read whole, as in one process."""
    require_fork()
    path = tmp_path / "actors.csv"
    header = "event_id_cnty,event_date,event_type,actor1,country,location,latitude,longitude\n"
    path.write_text(header + "".join(
        f"ACT{n // 2},2024-03-0{n % 2 + 1},Battles,Group {n},Mali,Gao,16.27,-0.04\n"
        for n in range(10)), encoding="utf-8")
    store = open_store(tmp_path / "s.sqlite")
    summary = ingest_file(path, store=store, geocode=False, assign_regions=False)
    assert (summary["rows"], summary["merged"], len(store.imports())) == (10, 5, 1)


@pytest.mark.one_thread
def test_read_ahead_gives_the_items_in_order_and_stops_its_process() -> None:
    require_fork()
    assert list(stream.read_ahead(lambda: iter(range(5)))) == [0, 1, 2, 3, 4]
    items = stream.read_ahead(lambda: iter(range(1000)))
    assert next(items) == 0
    items.close()
    import multiprocessing

    assert not [p for p in multiprocessing.active_children() if p.name == "incidents-read-ahead"]


def test_the_reading_process_ends_when_its_parent_is_killed(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys
    import time

    script = (
        "import itertools, multiprocessing, os, signal\n"
        "from incidents.io import stream\n"
        "assert stream.can_read_ahead()\n"
        "items = stream.read_ahead(lambda: iter(itertools.count()))\n"
        "next(items)\n"
        "print(multiprocessing.active_children()[0].pid, flush=True)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n")
    project = Path(__file__).resolve().parent.parent
    killed = subprocess.run([sys.executable, "-c", script], cwd=project, capture_output=True,
                            text=True, env={**os.environ, "PYTHONPATH": str(project)},
                            timeout=60)
    child = int(killed.stdout.strip())

    def running() -> bool:
        try:
            state = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return False
        return state != "Z"

    deadline = time.monotonic() + 20
    while running() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not running(), "the reading process outlived its killed parent"
