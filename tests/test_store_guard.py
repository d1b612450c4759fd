"""incidents.store.guard: the store refuses what the signed-in user's role does not allow.

Runs on both backends (the ``store`` fixture of ``test_store``), since the
audit log and the revert of a chosen edit are store queries.
"""

from __future__ import annotations

import pandas as pd
import pytest

from incidents.errors import StoreError
from incidents.store import EditConflictError, SignedInStore
from incidents.users import NotAllowedError, User
from test_store import make_records, records, store, stored  # noqa: F401 (fixtures)

VIEWER, EDITOR, ADMIN = User("vera", "viewer"), User("awa", "editor"), User("ali", "admin")


def test_a_viewer_reads_but_every_write_is_refused(store, records) -> None:
    store.import_records(records, source_name="test.csv")
    viewer = SignedInStore(store, VIEWER)
    assert viewer.count() == 3 and len(viewer.load_map_snapshot()) == 3
    with pytest.raises(NotAllowedError, match="vera \\(viewer\\) may not upload"):
        viewer.import_records(records, source_name="again.csv")
    with pytest.raises(NotAllowedError, match="may not correct"):
        viewer.update("MLI1", {"fatalities": 9})
    with pytest.raises(NotAllowedError, match="may not revert"):
        viewer.revert("MLI1", "fatalities")
    with pytest.raises(NotAllowedError, match="may not audit"):
        viewer.edit_log()
    assert stored(store).loc["MLI1", "fatalities"] == 3 and len(store.imports()) == 1


def test_an_editor_edits_under_their_own_name_only(store, records) -> None:
    store.import_records(records, source_name="test.csv")
    editor = SignedInStore(store, EDITOR)
    assert editor.update("MLI1", {"fatalities": 4}) == {"fatalities": (3, 4)}
    with pytest.raises(NotAllowedError, match="under the name 'binta'"):
        editor.update("MLI1", {"fatalities": 5}, user="binta")
    assert store.history("MLI1")["user"].tolist() == ["awa"]
    with pytest.raises(NotAllowedError, match="may not revert"):
        editor.revert("MLI1", "fatalities")


def test_a_disabled_user_may_do_nothing(store, records) -> None:
    store.import_records(records, source_name="test.csv")
    with pytest.raises(NotAllowedError):
        SignedInStore(store, User("ali", "admin", active=False)).count()


def test_the_audit_log_lists_edits_newest_first_and_which_a_revert_would_undo(
        store, records) -> None:
    store.import_records(records, source_name="test.csv")
    store.update("MLI1", {"fatalities": 4}, user="awa")
    store.update("MLI2", {"notes": "seen twice"}, user="binta")
    store.update("MLI1", {"fatalities": 6}, user="binta")
    log = SignedInStore(store, ADMIN).edit_log()
    assert log["user"].tolist() == ["binta", "binta", "awa"]
    assert log["field"].tolist() == ["fatalities", "notes", "fatalities"]
    assert log["latest"].tolist() == [True, True, False]
    assert log["new_value"].tolist() == [6, "seen twice", 4]
    assert log["edit_id"].is_monotonic_decreasing
    assert SignedInStore(store, ADMIN).edit_log(limit=1)["edit_id"].tolist() == [
        log["edit_id"].iloc[0]]


def test_an_admin_reverts_a_whole_save_and_not_past_a_later_edit(store, records) -> None:
    store.import_records(records, source_name="test.csv")
    store.update("MLI1", {"fatalities": 4, "notes": "checked"}, user="awa")
    admin = SignedInStore(store, ADMIN)
    chosen = int(admin.edit_log()["edit_id"].iloc[0])
    store.update("MLI1", {"fatalities": 6}, user="binta")
    with pytest.raises(EditConflictError, match="binta set fatalities from 4 to 6"):
        admin.revert_edit(chosen)
    with pytest.raises(NotAllowedError, match="may not revert"):
        SignedInStore(store, EDITOR).revert_edit(chosen)
    admin.revert_edit(int(admin.edit_log()["edit_id"].iloc[0]))
    assert admin.revert_edit(chosen) == {"fatalities": (4, 3), "notes": ("checked", None)}
    assert store.history("MLI1")["user"].tolist() == ["awa", "awa", "binta", "ali", "ali", "ali"]
    row = stored(store).loc["MLI1"]
    assert row["fatalities"] == 3 and pd.isna(row["notes"])
    assert admin.verify().ok
    with pytest.raises(StoreError, match="no edit 999"):
        admin.revert_edit(999)


def test_the_guard_offers_every_method_of_the_store_contract_with_its_parameters() -> None:
    """A method added to the contract without its role check would be out of the
    dashboard's reach (or, worse, reached around the guard)."""
    import inspect

    from incidents.store.guard import SignedInStore
    from incidents.store.protocol import Store

    for name, member in vars(Store).items():
        if name.startswith("_") or not callable(member):
            continue
        guarded = getattr(SignedInStore, name, None)
        assert guarded is not None, f"SignedInStore has no {name}"
        assert (list(inspect.signature(guarded).parameters)
                == list(inspect.signature(member).parameters)), name


def test_an_import_in_parts_needs_the_upload_right_like_a_whole_one(store, records) -> None:
    """A large CSV reaches the store in parts (``import_parts``): the guard must offer
    that path too, refused to a viewer and recorded for an editor."""
    parts = [(records.iloc[:2], pd.DataFrame()), (records.iloc[2:], pd.DataFrame())]
    with pytest.raises(NotAllowedError, match="vera \\(viewer\\) may not upload"):
        SignedInStore(store, VIEWER).import_parts(iter(parts), source_name="big.csv")
    assert store.count() == 0
    summary = SignedInStore(store, EDITOR).import_parts(iter(parts), source_name="big.csv")
    assert summary.accepted == 3 and store.count() == 3
