"""incidents.snapshot through IncidentStore: the Arrow copy is used only when it is current."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from incidents.frame import to_geodataframe
from incidents.snapshot import MAP_COLUMNS, snapshot_generation, snapshot_path
from incidents.spatial_index import map_snapshot
from incidents.store import IncidentStore, open_store
from incidents.synthetic import synthetic_incidents


@pytest.fixture
def store(tmp_path: Path) -> IncidentStore:
    store = open_store(tmp_path / "incidents.sqlite")
    records = synthetic_incidents(300, seed=3)
    # A few unplaced rows: they must survive the snapshot with no geometry and no cell.
    records.loc[records.index[:5], ["latitude", "longitude"]] = float("nan")
    store.import_records(records, source_name="synthetic.csv")
    return store


def from_sqlite(store: IncidentStore) -> pd.DataFrame:
    return to_geodataframe(store._read_incidents()[1])


def test_an_import_writes_a_snapshot_at_the_store_generation(store) -> None:
    path = snapshot_path(store.path)
    assert path.exists()
    assert snapshot_generation(path) == store.generation() > 0


def test_load_from_the_snapshot_equals_load_from_sqlite(store) -> None:
    pd.testing.assert_frame_equal(store.load(), from_sqlite(store))


def test_map_snapshot_comes_with_cells_and_categories_and_no_points(store) -> None:
    loaded = store.load_map_snapshot()
    expected = pd.DataFrame(map_snapshot(from_sqlite(store))).drop(columns="geometry")
    assert "geometry" not in loaded.columns
    pd.testing.assert_frame_equal(loaded[list(expected.columns)], expected, check_like=True)
    assert isinstance(loaded["admin1"].dtype, pd.CategoricalDtype)
    assert (loaded.loc[loaded["latitude"].isna(), list(MAP_COLUMNS)] == 0).all().all()


def test_an_edit_is_patched_into_the_snapshot(store) -> None:
    target = store.load().iloc[10]
    store.update(target["incident_id"], {"location": "Renamed Village", "latitude": 14.5,
                                         "longitude": -3.25}, user="analyst")
    # Patched by the edit itself, not left for the next load to rebuild.
    assert snapshot_generation(snapshot_path(store.path)) == store.generation()
    loaded = store.load_map_snapshot().set_index("incident_id").loc[target["incident_id"]]
    assert loaded["location"] == "Renamed Village"
    assert loaded["h3_r9"] == map_snapshot(
        pd.DataFrame({"latitude": [14.5], "longitude": [-3.25]}))["h3_r9"].iloc[0]


def test_a_patched_snapshot_equals_a_rebuilt_one(store) -> None:
    first, last = store.load().iloc[[0, -1]]["incident_id"]
    # A new date moves the row; a new region name is a category the snapshot lacked.
    store.update(first, {"event_date": "2031-01-01", "admin1": "Région Nouvelle"}, user="a")
    store.update(last, {"event_date": None, "status": "verified", "fatalities": None}, user="a")
    assert snapshot_generation(snapshot_path(store.path)) == store.generation()
    pd.testing.assert_frame_equal(store.load(), from_sqlite(store))
    loaded = store.load_map_snapshot()
    assert loaded["incident_id"].iloc[-1] == first
    assert loaded["incident_id"].iloc[0] == last
    rebuilt = pd.DataFrame(map_snapshot(from_sqlite(store))).drop(columns="geometry")
    pd.testing.assert_frame_equal(loaded[list(rebuilt.columns)], rebuilt, check_categorical=False)


def test_a_write_behind_the_snapshot_makes_it_stale(store) -> None:
    before = store.load()
    with store._transaction() as conn:
        conn.execute("DELETE FROM incidents WHERE incident_id = ?", (before["incident_id"][0],))
    assert len(store.load()) == len(before) - 1


@pytest.mark.parametrize("damage", [b"", b"PAR1 not parquet at all PAR1"])
def test_a_damaged_snapshot_is_rebuilt(store, damage: bytes) -> None:
    expected = from_sqlite(store)
    path = snapshot_path(store.path)
    path.write_bytes(damage)
    pd.testing.assert_frame_equal(store.load(), expected)
    assert snapshot_generation(path) == store.generation()


def test_a_truncated_snapshot_is_rebuilt(store) -> None:
    expected = from_sqlite(store)
    path = snapshot_path(store.path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2] + data[-(len(data) // 4):])
    pd.testing.assert_frame_equal(store.load(), expected)


def test_an_empty_store_loads_an_empty_frame(tmp_path: Path) -> None:
    store = open_store(tmp_path / "empty.sqlite")
    loaded = store.load()
    assert loaded.empty
    pd.testing.assert_frame_equal(loaded, from_sqlite(store))


def test_a_first_import_snapshots_what_it_wrote_exactly_as_a_rebuild_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = synthetic_incidents(400, seed=11)
    records.loc[records.index[:6], ["latitude", "longitude"]] = float("nan")
    records.loc[records.index[6:10], "event_date"] = pd.NaT
    records.loc[records.index[10:14], "fatalities"] = pd.NA
    records.loc[records.index[14:18], "location"] = ["Ségou", "Tombouctou", "Niamey 2", "Ouahigouya"]
    records.loc[records.index[18:22], "incident_id"] = ["é-1", "Z-2", "a-3", "ü-4"]
    # SQLite keeps the day only; the snapshot taken from the written rows must too.
    records.loc[records.index[22:24], "event_date"] = pd.Timestamp("2023-05-02 17:30")
    store = open_store(tmp_path / "incidents.sqlite")

    def no_read_back(self: IncidentStore) -> None:
        raise AssertionError("the first import read every row back out of SQLite")

    with monkeypatch.context() as patch:
        patch.setattr(IncidentStore, "_read_incidents", no_read_back)
        store.import_records(records, source_name="first.csv")
    path = snapshot_path(store.path)
    assert snapshot_generation(path) == store.generation()
    from_written = store.load_map_snapshot()
    path.unlink()
    rebuilt = store.load_map_snapshot()
    pd.testing.assert_frame_equal(from_written, rebuilt)
    pd.testing.assert_frame_equal(store.load(), from_sqlite(store))


def no_read_back(self: IncidentStore) -> None:
    raise AssertionError("the import read every stored row back")


def test_a_second_import_adds_its_rows_to_the_snapshot(
    store: IncidentStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    more = synthetic_incidents(50, seed=12)
    more.loc[more.index[0], "admin1"] = "Région Nouvelle"  # a category the snapshot lacks
    with monkeypatch.context() as patch:
        patch.setattr(IncidentStore, "_read_incidents", no_read_back)
        store.import_records(more, source_name="second.csv")
    assert snapshot_generation(snapshot_path(store.path)) == store.generation()
    pd.testing.assert_frame_equal(store.load(), from_sqlite(store))
    assert len(store.load()) == 350
    assert "Région Nouvelle" in store.load_map_snapshot()["admin1"].cat.categories


def test_an_import_changing_many_rows_rebuilds_the_snapshot(
    store: IncidentStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("incidents.store.base.SNAPSHOT_PATCH_MAX_ROWS", 10)
    store.import_records(synthetic_incidents(50, seed=12), source_name="second.csv")
    assert snapshot_generation(snapshot_path(store.path)) == store.generation()
    pd.testing.assert_frame_equal(store.load(), from_sqlite(store))
    assert len(store.load()) == 350


def test_reimporting_a_stored_file_keeps_the_snapshot_without_reading_the_store(
    store: IncidentStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = synthetic_incidents(300, seed=3)
    records.loc[records.index[:5], ["latitude", "longitude"]] = float("nan")
    before = store.generation()

    def no_read_back(self: IncidentStore) -> None:
        raise AssertionError("an import that changed nothing read every row back")

    with monkeypatch.context() as patch:
        patch.setattr(IncidentStore, "_read_incidents", no_read_back)
        summary = store.import_records(records, source_name="again.csv")
    assert (summary.inserted, summary.updated, summary.unchanged) == (0, 0, 300)
    assert snapshot_generation(snapshot_path(store.path)) == store.generation() == before + 1
    pd.testing.assert_frame_equal(store.load(), from_sqlite(store))


def test_a_reimport_that_changes_a_row_shows_the_change(
    store: IncidentStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = synthetic_incidents(300, seed=3)
    records.loc[records.index[:5], ["latitude", "longitude"]] = float("nan")
    records.loc[records.index[7], "notes"] = "corrected by the source"
    with monkeypatch.context() as patch:
        patch.setattr(IncidentStore, "_read_incidents", no_read_back)
        summary = store.import_records(records, source_name="corrected.csv")
    assert summary.updated == 1
    loaded = store.load()
    assert (loaded["notes"] == "corrected by the source").sum() == 1
    pd.testing.assert_frame_equal(loaded, from_sqlite(store))


def test_the_snapshot_is_mapped_so_its_text_is_not_copied_into_memory(tmp_path: Path) -> None:
    records = synthetic_incidents(200, seed=5)
    records["notes"] = [f"{i} " + "long report text " * 1200 for i in range(len(records))]
    store = open_store(tmp_path / "incidents.sqlite")
    store.import_records(records, source_name="long.csv")
    text_bytes = sum(len(note) for note in records["notes"])
    assert text_bytes > 4_000_000
    before = pa.total_allocated_bytes()
    loaded = store.load_map_snapshot()
    assert pa.total_allocated_bytes() - before < text_bytes / 20
    assert sorted(loaded["notes"]) == sorted(records["notes"])


def test_a_snapshot_left_in_the_old_parquet_format_is_removed(tmp_path: Path) -> None:
    old = tmp_path / "incidents.sqlite.snapshot.parquet"
    old.write_bytes(b"PAR1 an old snapshot PAR1")
    store = open_store(tmp_path / "incidents.sqlite")
    store.import_records(synthetic_incidents(20, seed=6), source_name="new.csv")
    assert not old.exists()
    assert snapshot_generation(snapshot_path(store.path)) == store.generation()


def test_a_killed_writers_temporary_file_is_removed_by_the_next_write(tmp_path) -> None:
    import os
    import time

    from incidents.snapshot import STALE_TEMPORARY_SECONDS, snapshot_path, write_snapshot
    from incidents.spatial_index import map_snapshot
    from incidents import model

    path = snapshot_path(tmp_path / "incidents.sqlite")
    hidden = "." + path.name  # as incidents.atomic.atomic_path names its temporaries
    stale = path.with_name(hidden + ".abc123.tmp")
    fresh = path.with_name(hidden + ".def456.tmp")
    killed = path.with_name(f"{hidden}.{2**22 + 12345}.xyz.tmp")  # above pid_max: gone
    mine = path.with_name(f"{hidden}.{os.getpid()}.xyz.tmp")
    killed.write_bytes(b"left by a killed writer")
    mine.write_bytes(b"this process, still running")
    stale.write_bytes(b"half a snapshot")
    fresh.write_bytes(b"being written by another process")
    old = time.time() - STALE_TEMPORARY_SECONDS - 60
    os.utime(stale, (old, old))
    write_snapshot(map_snapshot(model.empty_frame()), path, 1)
    assert not stale.exists() and fresh.exists() and path.exists()
    assert not killed.exists() and mine.exists()
