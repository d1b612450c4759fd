"""Reviewing duplicates (keep both, merge) and discarding quarantined rows, on both backends.

Every test takes the parametrised ``store`` fixture of ``tests/test_store.py``:
it runs against the SQLite file and against a throwaway PostGIS server.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from incidents import model
from incidents.errors import StoreError
from incidents.store import EditConflictError, review
from test_store import make_records, store  # noqa: F401  (the parametrised fixture)


def first_source() -> pd.DataFrame:
    """Two events of an ACLED-like export."""
    return make_records(
        {"event_id_cnty": "MLI10", "event_date": "2024-05-01", "location": "Boni",
         "latitude": 15.05, "longitude": -1.98, "fatalities": 5, "source": "Wire A",
         "notes": "Gunmen attacked the market of Boni."},
        {"event_id_cnty": "MLI11", "event_date": "2024-06-01", "location": "Douentza",
         "latitude": 15.00, "longitude": -2.95, "fatalities": 1, "source": "Wire A",
         "notes": "Clash near Douentza."},
    )


def second_source() -> pd.DataFrame:
    """The same two events reported by another organisation's log."""
    return make_records(
        {"incident_id": "LOG-1", "event_date": "2024-05-01", "location": "Boni",
         "latitude": 15.05, "longitude": -1.98, "fatalities": 7, "source": "Radio B",
         "source_url": "https://radio.example/boni", "notes": "Attack on Boni market."},
        {"incident_id": "LOG-2", "event_date": "2024-06-01", "location": "Douentza",
         "latitude": 15.00, "longitude": -2.95, "fatalities": 1, "source": "Radio B",
         "notes": "Fighting near Douentza."},
    )


@pytest.fixture
def flagged(store):  # noqa: F811
    store.import_records(first_source(), source_name="acled.csv")
    summary = store.import_records(second_source(), source_name="log.csv")
    assert summary.possible_duplicates == 2
    return store


def by_id(store) -> pd.DataFrame:
    return store.load().set_index("incident_id")


def test_a_blank_merged_into_from_a_file_is_still_compared(store) -> None:  # noqa: F811
    store.import_records(first_source().assign(merged_into=""), source_name="acled.csv")
    summary = store.import_records(second_source(), source_name="log.csv")
    assert summary.possible_duplicates == 2


def test_flags_make_one_group_per_event(flagged) -> None:
    frame = flagged.load_map_snapshot()
    groups = review.duplicate_groups(frame)
    ids = [sorted(frame["incident_id"].iloc[g]) for g in groups]
    assert ids == [["LOG-2", "MLI11"], ["LOG-1", "MLI10"]]  # newest group first


def test_keep_both_clears_the_flag_as_an_edit(flagged) -> None:
    changed = flagged.keep_apart(["MLI11", "LOG-2"], user="awa",
                                 seen={"LOG-2": {"possible_duplicate_of": "MLI11"}})
    assert set(changed) == {"LOG-2"}
    row = by_id(flagged).loc["LOG-2"]
    assert pd.isna(row["possible_duplicate_of"]) and row["status"] == "ok"
    history = flagged.history("LOG-2")
    assert set(history["user"]) == {"awa"}
    assert history.set_index("field").loc["possible_duplicate_of", "old_value"] == "MLI11"
    assert flagged.verify().ok


def test_a_pair_kept_apart_is_not_flagged_again_from_either_side(flagged) -> None:
    flagged.keep_apart(["MLI11", "LOG-2"], user="awa")
    again = flagged.import_records(first_source(), source_name="acled.csv")
    assert again.possible_duplicates == 0
    again = flagged.import_records(second_source(), source_name="log.csv")
    assert again.possible_duplicates == 1  # only LOG-1, still unreviewed
    assert pd.isna(by_id(flagged).loc["LOG-2", "possible_duplicate_of"])


def test_merge_keeps_every_source_and_marks_the_absorbed(flagged) -> None:
    flagged.merge("MLI10", ["LOG-1"], user="awa")
    rows = by_id(flagged)
    survivor, absorbed = rows.loc["MLI10"], rows.loc["LOG-1"]
    assert survivor["source"] == "Wire A; Radio B"
    assert "Gunmen attacked the market of Boni." in survivor["notes"]
    assert "[LOG-1] Attack on Boni market." in survivor["notes"]
    assert survivor["source_url"] == "https://radio.example/boni"
    kept = json.loads(survivor["source_extra"])["merged_sources"]
    assert kept == [{"incident_id": "LOG-1", "event_id_cnty": None, "source": "Radio B",
                     "source_url": "https://radio.example/boni", "event_date": "2024-05-01",
                     "fatalities": "7"}]
    assert survivor["fatalities"] == 5  # the survivor's own facts stay
    assert absorbed["status"] == "merged" and absorbed["merged_into"] == "MLI10"
    assert len(rows) == 4  # nothing deleted
    fields = set(flagged.history("LOG-1")["field"])
    assert {"merged_into", "status", "status_reason"} <= fields
    assert set(flagged.history("MLI10")["user"]) == {"awa"}
    assert flagged.verify().ok


def test_a_merge_survives_reimports_of_both_files(flagged) -> None:
    flagged.merge("LOG-1", ["MLI10"], user="awa")
    again = flagged.import_records(first_source(), source_name="acled.csv")
    assert again.possible_duplicates == 0  # MLI10 was decided: merged
    again = flagged.import_records(second_source(), source_name="log.csv")
    assert (again.possible_duplicates, again.unchanged) == (1, 2)  # LOG-2 is still open
    rows = by_id(flagged)
    assert rows.loc["MLI10", "merged_into"] == "LOG-1"
    assert rows.loc["MLI10", "status"] == "merged"
    assert rows.loc["LOG-1", "source"] == "Radio B; Wire A"
    assert pd.isna(rows.loc["LOG-1", "possible_duplicate_of"])
    groups = review.duplicate_groups(flagged.load_map_snapshot())
    assert len(groups) == 1  # only the Douentza pair is left to review


def test_a_merged_incident_cannot_be_merged_or_kept_again(flagged) -> None:
    flagged.merge("MLI10", ["LOG-1"], user="awa")
    with pytest.raises(StoreError, match="already merged"):
        flagged.merge("MLI11", ["LOG-1"], user="awa")
    with pytest.raises(StoreError, match="besides the survivor"):
        flagged.merge("MLI11", ["MLI11"], user="awa")


def test_a_merge_over_a_change_made_since_is_refused_whole(flagged) -> None:
    flagged.update("LOG-1", {"source": "Radio B (corrected)"}, user="binta")
    with pytest.raises(EditConflictError, match="binta"):
        flagged.merge("MLI10", ["LOG-1"], user="awa",
                      seen={"MLI10": {"source": "Wire A"}, "LOG-1": {"source": "Radio B"}})
    rows = by_id(flagged)
    assert rows.loc["MLI10", "source"] == "Wire A"  # nothing written
    assert pd.isna(rows.loc["LOG-1", "merged_into"])


def test_review_needs_a_user(flagged) -> None:
    with pytest.raises(StoreError, match="user"):
        flagged.keep_apart(["MLI11", "LOG-2"], user=" ")


def test_without_merged_drops_only_absorbed_rows(flagged) -> None:
    frame = flagged.load_map_snapshot()
    assert review.without_merged(frame) is frame
    flagged.merge("MLI10", ["LOG-1"], user="awa")
    shown = review.without_merged(flagged.load_map_snapshot())
    assert sorted(shown["incident_id"]) == ["LOG-2", "MLI10", "MLI11"]


def quarantined_rows() -> pd.DataFrame:
    return pd.DataFrame({
        "row_number": [3, 4, 7],
        "reason": ["event_date: '31/02/2024' is not a date", "event_type is empty",
                   "event_type is empty"],
        "event_date": ["31/02/2024", "2024-01-02", "2024-01-03"],
    })


def test_discarding_is_recorded_and_leaves_the_rows_accounted_for(store) -> None:  # noqa: F811
    summary = store.import_records(first_source(), quarantined_rows(), source_name="f.csv")
    pending = store.load_quarantine()
    assert len(pending) == 3 and "quarantine_id" in pending
    empty_type = pending[pending["reason"] == "event_type is empty"]["quarantine_id"]
    discard = store.discard_quarantined(list(empty_type), user="awa", note="not incidents")
    assert (discard.rows, discard.user, discard.note) == (2, "awa", "not incidents")
    assert discard.reasons == {"event_type is empty": 2}
    assert list(store.load_quarantine()["row_number"]) == [3]
    history = store.discards()
    assert history.iloc[0]["rows"] == 2
    assert json.loads(history.iloc[0]["reasons"]) == {"event_type is empty": 2}
    imported = store.imports().set_index("id").loc[summary.import_id]
    assert (imported["quarantined"], imported["discarded"]) == (3, 2)
    with pytest.raises(StoreError, match="pending"):
        store.discard_quarantined(list(empty_type), user="awa")
    assert store.count() == 2


def test_the_import_summary_accounts_for_every_row(store) -> None:  # noqa: F811
    records = pd.concat([first_source(), make_records(
        {"incident_id": "X", "event_date": "2024-01-01"},
        {"incident_id": "X", "event_date": "2024-01-02"},
        {"incident_id": "X-2", "event_date": "2024-01-03"},
    )], ignore_index=True)
    summary = store.import_records(records, quarantined_rows(), source_name="f.csv",
                                   folded_rows=4)
    # X, X (→ X-2) and X-2: the explicit X-2 replaces the suffixed one, one row merged.
    assert summary.merged == 5
    assert summary.rows == len(records) + 3 + 4
    assert summary.rows == summary.accepted + summary.quarantined + summary.merged
    assert summary.accepted == summary.inserted + summary.updated + summary.unchanged
    again = store.import_records(first_source(), source_name="acled.csv")
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)
    assert store.imports().iloc[-1]["merged"] == 5


def test_status_merged_is_a_status() -> None:
    assert model.Status("merged") is model.Status.MERGED


def test_the_export_command_leaves_merged_incidents_out(tmp_path) -> None:
    from click.testing import CliRunner

    from incidents.cli import cli
    from incidents.store import open_store

    path = tmp_path / "incidents.sqlite"
    store = open_store(path)
    store.import_records(first_source(), source_name="acled.csv")
    store.import_records(second_source(), source_name="log.csv")
    store.merge("MLI10", ["LOG-1"], user="awa")
    output = tmp_path / "out.csv"
    result = CliRunner().invoke(cli, ["export", "--store", str(path), "--format", "csv",
                                      "-o", str(output)])
    assert result.exit_code == 0, result.output
    exported = pd.read_csv(output)
    assert sorted(exported["incident_id"]) == ["LOG-2", "MLI10", "MLI11"]


def test_a_merge_can_be_undone_as_new_edits(flagged) -> None:
    before = by_id(flagged)
    flagged.merge("MLI10", ["LOG-1"], user="awa")
    undone = flagged.unmerge("MLI10", user="binta")
    assert set(undone) == {"MLI10", "LOG-1"}
    after = by_id(flagged)
    for incident_id in ("MLI10", "LOG-1"):
        for field in ("source", "notes", "source_url", "source_extra", "status",
                      "status_reason", "possible_duplicate_of", "merged_into"):
            old, new = before.loc[incident_id, field], after.loc[incident_id, field]
            assert (pd.isna(old) and pd.isna(new)) or old == new, (incident_id, field)
    assert list(flagged.history("LOG-1")["user"]).count("binta") >= 3
    assert len(review.duplicate_groups(flagged.load_map_snapshot())) == 2  # to review again
    with pytest.raises(StoreError, match="no merge"):
        flagged.unmerge("MLI10", user="binta")
    assert flagged.verify().ok


def test_undoing_a_merge_over_a_later_change_is_refused(flagged) -> None:
    flagged.merge("MLI10", ["LOG-1"], user="awa")
    flagged.update("MLI10", {"source": "Wire A; Radio B; Radio C"}, user="binta")
    with pytest.raises(EditConflictError, match="binta"):
        flagged.unmerge("MLI10", user="awa")
    assert by_id(flagged).loc["LOG-1", "merged_into"] == "MLI10"
