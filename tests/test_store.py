"""incidents.store: atomic imports, stable ids, duplicate flags, edit history.

The ``store`` fixture is parametrised: every test that takes it runs against the
SQLite file and against a real PostGIS server (``tests/pgserver.py``), so both
backends are held to one behaviour. Tests that take ``sqlite_store`` are about
the file itself.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from incidents import model
from incidents.errors import StoreError
from incidents.store import (
    EditConflictError,
    IncidentStore,
    Store,
    assign_incident_ids,
    open_store,
    rules,
)


def make_records(*rows: dict) -> pd.DataFrame:
    base = {"event_type": "Battles", "sub_event_type": "Armed clash", "country": "Mali",
            "actor1": "Unidentified Armed Group (Mali)", "source": "Test wire"}
    return model.conform(pd.DataFrame([{**base, **row} for row in rows]))


@pytest.fixture(params=["sqlite", "postgis"])
def store(request: pytest.FixtureRequest, tmp_path: Path,
          monkeypatch: pytest.MonkeyPatch) -> Store:
    """The same empty store, on each backend."""
    if request.param == "sqlite":
        return open_store(tmp_path / "incidents.sqlite")
    # The PostGIS backend keeps its map snapshot in the state directory.
    monkeypatch.setenv("INCIDENTS_HOME", str(tmp_path / "home"))
    return open_store(request.getfixturevalue("postgis_url"))


@pytest.fixture
def sqlite_store(tmp_path: Path) -> IncidentStore:
    return open_store(tmp_path / "incidents.sqlite")


@pytest.fixture
def records() -> pd.DataFrame:
    return make_records(
        {"event_id_cnty": "MLI1", "event_date": "2024-12-07", "admin1": "Segou",
         "location": "Kimparana", "latitude": 12.84217, "longitude": -4.9245, "fatalities": 3,
         "geo_precision": 1},
        {"event_id_cnty": "MLI2", "event_date": "2024-11-01", "admin1": "Gao",
         "location": "Gao", "latitude": 16.27, "longitude": -0.04, "fatalities": 0,
         "geo_precision": 2},
        {"event_date": "2024-10-01", "admin1": "Mopti", "location": "Nowhere Village",
         "event_type": "Protests", "sub_event_type": "Peaceful protest"},
    )


def stored(store: Store) -> pd.DataFrame:
    return store.load().set_index("incident_id")


def test_import_then_load_round_trips_values_and_geometry(store, records) -> None:
    summary = store.import_records(records, source_name="test.csv")
    assert (summary.accepted, summary.inserted, summary.quarantined) == (3, 3, 0)
    gdf = stored(store)
    assert gdf.crs.to_epsg() == 4326
    assert gdf.loc["MLI1", "fatalities"] == 3
    assert gdf.loc["MLI1", "event_date"] == pd.Timestamp("2024-12-07")
    assert gdf.loc["MLI1", "geometry"].x == pytest.approx(-4.9245)
    assert str(gdf["geo_precision"].dtype) == "Int64"
    assert gdf["created_at"].notna().all() and gdf["updated_at"].notna().all()


def test_unplaced_rows_are_kept_with_no_geometry_and_a_review_status(store, records) -> None:
    store.import_records(records, source_name="test.csv")
    unplaced = store.load().query("location == 'Nowhere Village'").iloc[0]
    assert unplaced["geometry"] is None
    assert unplaced["status"] == model.Status.NEEDS_REVIEW


def test_reimport_of_the_same_file_adds_nothing(store, records) -> None:
    store.import_records(records, source_name="test.csv")
    ids_before = sorted(store.load()["incident_id"])
    again = store.import_records(records, source_name="test.csv")
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3)
    assert sorted(store.load()["incident_id"]) == ids_before
    assert store.count() == 3


def test_reimport_with_a_changed_value_updates_in_place(store, records, monkeypatch) -> None:
    monkeypatch.setattr(rules, "now", lambda: "2025-01-01T00:00:00Z")
    store.import_records(records, source_name="v1.csv")
    changed = records.copy()
    changed.loc[0, "fatalities"] = 4
    monkeypatch.setattr(rules, "now", lambda: "2025-02-01T00:00:00Z")
    summary = store.import_records(changed, source_name="v2.csv")
    assert (summary.inserted, summary.updated, summary.unchanged) == (0, 1, 2)
    gdf = stored(store)
    assert gdf.loc["MLI1", "fatalities"] == 4
    assert gdf.loc["MLI1", "created_at"] == "2025-01-01T00:00:00Z"
    assert gdf.loc["MLI1", "updated_at"] == "2025-02-01T00:00:00Z"
    assert gdf.loc["MLI2", "updated_at"] == "2025-01-01T00:00:00Z"


def test_ids_given_then_acled_then_a_stable_hash() -> None:
    frame = make_records(
        {"incident_id": "mine-1", "event_id_cnty": "MLI9", "event_date": "2024-01-01"},
        {"event_id_cnty": "MLI9", "event_date": "2024-01-01"},
        {"event_date": "2024-01-01", "location": "Gao"},
        {"event_date": "2024-01-01", "location": "Gao"},
        {"event_date": "2024-01-01", "location": "GAO "},
    )
    ids = assign_incident_ids(frame).tolist()
    assert ids[:2] == ["mine-1", "MLI9"]
    assert ids[2].startswith("h") and ids[3] == ids[2] + "-2" and ids[4] == ids[2] + "-3"
    assert assign_incident_ids(frame).tolist() == ids
    other_day = make_records({"event_date": "2024-01-02", "location": "Gao"})
    assert assign_incident_ids(other_day).iloc[0] != ids[2]


def test_hash_ids_ignore_what_the_geocoder_fills() -> None:
    raw = make_records({"event_date": "2024-01-01", "location": "Djenné"})
    geocoded = raw.assign(latitude=13.9, longitude=-4.55, admin1="Mopti", country="Mali")
    assert assign_incident_ids(raw).iloc[0] == assign_incident_ids(geocoded).iloc[0]


def test_near_simultaneous_events_at_one_place_are_flagged_not_deleted(store) -> None:
    store.import_records(make_records(
        {"event_id_cnty": "A", "event_date": "2024-03-01", "location": "Ménaka",
         "latitude": 15.9182, "longitude": 2.4022}), source_name="one.csv")
    summary = store.import_records(make_records(
        {"event_id_cnty": "B", "event_date": "2024-03-02", "location": "Menaka town",
         "latitude": 15.9201, "longitude": 2.4011},
        {"event_id_cnty": "C", "event_date": "2024-03-04", "location": "Ménaka",
         "latitude": 15.9182, "longitude": 2.4022},
        {"event_id_cnty": "D", "event_date": "2024-03-01", "location": "Ménaka",
         "latitude": 15.9182, "longitude": 2.4022, "event_type": "Protests",
         "sub_event_type": "Peaceful protest"},
    ), source_name="two.csv")
    gdf = stored(store)
    assert summary.possible_duplicates == 1 and len(gdf) == 4
    assert gdf.loc["B", "possible_duplicate_of"] == "A"
    assert gdf.loc["B", "status"] == model.Status.NEEDS_REVIEW
    assert gdf.loc[["A", "C", "D"], "possible_duplicate_of"].isna().all()


def test_same_named_place_without_coordinates_matches_ignoring_accents(store) -> None:
    summary = store.import_records(make_records(
        {"event_id_cnty": "A", "event_date": "2024-03-01", "admin1": "Ségou", "location": "Kimparana"},
        {"event_id_cnty": "B", "event_date": "2024-02-29", "admin1": "SEGOU", "location": "kimparana"},
    ), source_name="names.csv")
    assert summary.possible_duplicates == 1
    assert stored(store).loc["B", "possible_duplicate_of"] == "A"


def test_failure_mid_import_leaves_the_store_unchanged(store, records, monkeypatch) -> None:
    store.import_records(records.iloc[:1], source_name="first.csv")
    before = store.load()
    imports_before = store.imports()

    def broken(*args, **kwargs):
        raise type(store)._errors[0]("disk I/O error (injected)")

    monkeypatch.setattr(type(store), "_write_quarantine", broken)
    quarantine = pd.DataFrame({"row_number": [4], "reason": ["bad date"], "event_date": ["x"]})
    changed = records.copy()
    changed.loc[0, "fatalities"] = 99
    with pytest.raises(StoreError, match="nothing stored"):
        store.import_records(changed, quarantine, source_name="second.csv")
    pd.testing.assert_frame_equal(store.load(), before)
    pd.testing.assert_frame_equal(store.imports(), imports_before)
    assert store.load_quarantine().empty


def test_unexpected_error_mid_import_also_rolls_back(store, records, monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(type(store), "_write_quarantine", broken)
    with pytest.raises(RuntimeError):
        store.import_records(records, source_name="x.csv")
    assert store.count() == 0 and store.imports().empty


def test_quarantine_keeps_source_row_reason_and_original(store) -> None:
    quarantine = pd.DataFrame({"row_number": [2, 5], "reason": ["no date", "bad type"],
                               "event_date": ["", "2024-01-01"], "event_type": ["Battles", "Skirmish"]})
    summary = store.import_records(model.empty_frame(), quarantine, source_name="bad.csv")
    assert (summary.accepted, summary.quarantined, summary.rows) == (0, 2, 2)
    loaded = store.load_quarantine()
    assert loaded["row_number"].tolist() == [2, 5]
    assert loaded["source_name"].eq("bad.csv").all()
    assert loaded["import_id"].eq(summary.import_id).all()
    assert json.loads(loaded.loc[1, "original_json"]) == {"event_date": "2024-01-01", "event_type": "Skirmish"}


def test_update_records_old_and_new_values(store, records) -> None:
    store.import_records(records, source_name="test.csv")
    changed = store.update("MLI1", {"fatalities": 5, "notes": "recounted", "admin1": "Segou"},
                           user="analyst")
    assert changed == {"fatalities": (3, 5), "notes": (None, "recounted")}
    history = store.history("MLI1")
    assert history["field"].tolist() == ["fatalities", "notes"]
    assert history["old_value"].tolist() == [3, None]
    assert history["new_value"].tolist() == [5, "recounted"]
    assert history["user"].eq("analyst").all()
    gdf = stored(store)
    assert gdf.loc["MLI1", "fatalities"] == 5
    assert gdf.loc["MLI1", "updated_at"] >= gdf.loc["MLI1", "created_at"]


def test_update_refuses_unknown_ids_fields_and_store_owned_fields(store, records) -> None:
    store.import_records(records, source_name="test.csv")
    with pytest.raises(StoreError, match="no incident"):
        store.update("nope", {"fatalities": 1}, user="a")
    with pytest.raises(StoreError, match="unknown field"):
        store.update("MLI1", {"colour": "red"}, user="a")
    with pytest.raises(StoreError, match="set by the store"):
        store.update("MLI1", {"created_at": "x"}, user="a")
    with pytest.raises(StoreError, match="not a valid value"):
        store.update("MLI1", {"fatalities": "many"}, user="a")
    assert store.history("MLI1").empty


@pytest.mark.parametrize("chunk_rows", [50_000, 1])
def test_analyst_edits_survive_a_reimport(store, records, monkeypatch, chunk_rows) -> None:
    """Also with rows converted one at a time, so the edited row is in a later chunk."""
    monkeypatch.setattr("incidents.store.rules.STORAGE_CHUNK_ROWS", chunk_rows)
    store.import_records(records, source_name="test.csv")
    store.update("MLI1", {"status": "ok", "latitude": 12.85}, user="analyst")
    store.update("MLI2", {"notes": "checked by phone"}, user="analyst")  # the file's 2nd row
    store.import_records(records, source_name="test.csv")
    gdf = stored(store)
    assert gdf.loc["MLI1", "latitude"] == 12.85
    assert gdf.loc["MLI1", "geometry"].y == pytest.approx(12.85)
    assert gdf.loc["MLI2", "notes"] == "checked by phone"


def test_an_unreadable_file_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "not-a-db.sqlite"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError):
        open_store(path)


def test_a_store_damaged_after_opening_raises_store_error(sqlite_store, records) -> None:
    store = sqlite_store
    store.import_records(records, source_name="test.csv")
    with sqlite3.connect(store.path) as conn:
        conn.execute("DROP TABLE incidents")
    with pytest.raises(StoreError, match="cannot read store"):
        store.load()


def test_source_fields_without_a_canonical_column_are_kept_as_json(store) -> None:
    frame = make_records(
        {"event_id_cnty": "U1", "event_date": "2024-01-02", "event_type": "Battles",
         "type_of_violence": 1, "where_prec": 4},
        {"event_id_cnty": "U2", "event_date": "2024-01-03", "event_type": "Battles"},
    )
    store.import_records(frame, source_name="ucdp.csv")
    kept = store.load().set_index("event_id_cnty")["source_extra"]
    assert json.loads(kept["U1"]) == {"type_of_violence": 1, "where_prec": 4}
    assert pd.isna(kept["U2"])


def test_a_store_from_before_a_new_column_gains_it_on_open(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as conn:
        older = [c for c in model.CANONICAL_COLUMNS if c != "source_extra"]
        conn.execute(f"CREATE TABLE incidents ({', '.join(older)})")
    open_store(path)
    with sqlite3.connect(path) as conn:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(incidents)")}
    assert set(model.CANONICAL_COLUMNS) <= columns


def incident_indexes(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {row[1] for row in conn.execute("PRAGMA index_list(incidents)")
                if not row[1].startswith("sqlite_autoindex")}


def test_a_first_import_builds_only_the_index_the_duplicate_lookup_uses(
        sqlite_store, records) -> None:
    sqlite_store.import_records(records, source_name="file.csv")
    assert incident_indexes(sqlite_store.path) == {"incidents_date"}
    with sqlite3.connect(sqlite_store.path) as conn:
        plan = " ".join(row[3] for row in conn.execute(
            "EXPLAIN QUERY PLAN SELECT * FROM incidents WHERE event_date BETWEEN ? AND ?",
            ("2024-01-01", "2024-12-31")))
    assert "incidents_date" in plan


def test_a_store_from_before_loses_the_indexes_no_query_uses(tmp_path: Path, records) -> None:
    path = tmp_path / "old.sqlite"
    open_store(path).import_records(records, source_name="file.csv")
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE INDEX incidents_type_date ON incidents (event_type, event_date)")
        conn.execute("CREATE INDEX incidents_country ON incidents (country)")
    reopened = open_store(path)
    assert incident_indexes(path) == {"incidents_date"}
    assert len(reopened.load()) == len(records)


def test_the_second_save_of_the_same_incident_is_refused(store, records) -> None:
    """Two analysts opened MLI1; the first save wins, the second is refused and told why."""
    store.import_records(records, source_name="test.csv")
    seen = {"fatalities": stored(store).loc["MLI1", "fatalities"]}
    store.update("MLI1", {"fatalities": 5}, user="awa", seen=seen)
    with pytest.raises(EditConflictError, match="awa set fatalities from 3 to 5") as refused:
        store.update("MLI1", {"fatalities": 7}, user="binta", seen=seen)
    assert refused.value.changes[0]["user"] == "awa"
    assert stored(store).loc["MLI1", "fatalities"] == 5
    assert store.history("MLI1")["user"].tolist() == ["awa"]
    # A field nobody else touched saves as usual.
    store.update("MLI1", {"notes": "checked"}, user="binta", seen={"notes": None})


def test_another_analysts_import_moves_the_generation_every_reader_sees(store, records) -> None:
    other = open_store(store.url if hasattr(store, "url") else store.path)
    seen = other.generation()
    store.import_records(records, source_name="test.csv")
    assert other.generation() > seen
    assert len(other.load()) == 3


def test_a_reimport_over_an_edit_leaves_the_edit_and_its_history(store, records) -> None:
    store.import_records(records, source_name="test.csv")
    store.update("MLI1", {"fatalities": 5}, user="analyst")
    summary = store.import_records(records, source_name="test.csv")
    assert summary.unchanged == 3
    assert stored(store).loc["MLI1", "fatalities"] == 5
    assert len(store.history("MLI1")) == 1


def test_one_source_rows_are_not_flagged_but_another_sources_report_is(store) -> None:
    store.import_records(make_records(
        {"event_id_cnty": "MLI100", "event_date": "2024-03-01", "location": "Menaka",
         "latitude": 15.9182, "longitude": 2.4022, "fatalities": 9},
        {"event_id_cnty": "MLI101", "event_date": "2024-03-02", "location": "Menaka",
         "latitude": 15.9182, "longitude": 2.4022, "fatalities": 4},
    ), source_name="acled.csv")
    summary = store.import_records(make_records(
        {"incident_id": "article-7", "event_date": "2024-03-01", "location": "Ménaka",
         "latitude": 15.92, "longitude": 2.40, "fatalities": 9},
    ), source_name="article")
    gdf = stored(store)
    assert gdf.loc[["MLI100", "MLI101"], "possible_duplicate_of"].isna().all()
    assert summary.possible_duplicates == 1
    assert gdf.loc["article-7", "possible_duplicate_of"] == "MLI100"


def _raw_connection(store: Store):
    """A connection that bypasses the program, as someone editing the database would."""
    if hasattr(store, "url"):
        import psycopg

        return psycopg.connect(store.url, autocommit=True)
    return sqlite3.connect(store.path, isolation_level=None)


def _sql(store: Store, statement: str) -> str:
    return statement if hasattr(store, "url") else statement.replace("%s", "?")


def test_the_edit_history_is_chained_and_verify_finds_a_rewrite(store, records) -> None:
    store.import_records(records, source_name="test.csv")
    store.update("MLI1", {"fatalities": 5}, user="awa")
    store.update("MLI2", {"notes": "checked"}, user="binta")
    report = store.verify()
    assert report.ok and report.edits == 2
    conn = _raw_connection(store)
    try:
        conn.execute(_sql(store, "UPDATE edits SET new_value = %s WHERE field = 'fatalities'"),
                     ("50",))
    finally:
        conn.close()
    report = store.verify()
    assert not report.ok and report.first_broken_edit is not None
    assert report.direct_writes >= 1
    assert "broken at edit" in " ".join(report.messages())


def test_a_direct_write_to_an_incident_is_noticed_on_load(store, records) -> None:
    store.import_records(records, source_name="test.csv")
    assert stored(store).loc["MLI1", "fatalities"] == 3
    before = store.generation()
    conn = _raw_connection(store)
    try:
        conn.execute(_sql(store, "UPDATE incidents SET fatalities = %s WHERE incident_id = 'MLI1'"),
                     (40,))
    finally:
        conn.close()
    assert store.generation() != before
    assert stored(store).loc["MLI1", "fatalities"] == 40
    assert store.verify().direct_writes >= 1
    # The program's own writes are not counted as outside ones.
    count = store.verify().direct_writes
    store.update("MLI2", {"notes": "ok"}, user="awa")
    store.import_records(records, source_name="again.csv")
    assert store.verify().direct_writes == count


def test_an_admin_reverts_an_edit_and_the_history_keeps_both(store, records) -> None:
    store.import_records(records, source_name="test.csv")
    store.update("MLI1", {"fatalities": 50}, user="awa")
    assert store.revert("MLI1", "fatalities", user="admin") == {"fatalities": (50, 3)}
    assert stored(store).loc["MLI1", "fatalities"] == 3
    history = store.history("MLI1")
    assert history["user"].tolist() == ["awa", "admin"]
    assert store.verify().ok
    with pytest.raises(StoreError, match="no edit of notes"):
        store.revert("MLI1", "notes", user="admin")


def test_extra_text_columns_pack_as_json_dumps_writes_them() -> None:
    """The column-wise packing gives what json.dumps gives row by row, for text in
    several Arrow chunks, values needing escapes, empty text and missing values."""
    from incidents.store.rules import pack_source_extras

    halves = [pd.DataFrame({"incident_id": ["a", "b"], "data_id": ["1", None],
                            'say "x"': ['q"uote\nline', ""]}),
              pd.DataFrame({"incident_id": ["c"], "data_id": ["é"], 'say "x"': [None]})]
    frame = model.conform(pd.concat([h.astype("str") for h in halves], ignore_index=True))
    frame.loc[2, "say \"x\""] = None
    expected = [json.dumps({k: v for k, v in row.items() if isinstance(v, str)},
                           ensure_ascii=False) or None
                for row in frame[["data_id", 'say "x"']].to_dict(orient="records")]
    assert pack_source_extras(frame).tolist() == expected
    nothing = frame.iloc[[1, 2]].assign(data_id=None, **{'say "x"': None})
    assert pack_source_extras(nothing.astype({"data_id": "str", 'say "x"': "str"})).isna().all()
