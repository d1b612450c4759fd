"""Several analysts on one store, through the pages (AppTest): who may do what, a second
save refused with the other's change shown, the admin's users, audit log and revert."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from incidents import model
from incidents.store import open_store
from incidents.users import UsersFile

APP = str(Path(__file__).parent / "apps" / "team_app.py")
PASSWORD = "a long password"


@pytest.fixture
def team(incidents_home: Path) -> Path:
    """A store with one roughly placed incident, and four users."""
    users = UsersFile()
    for name, role in (("awa", "editor"), ("binta", "editor"), ("ali", "admin"),
                       ("vera", "viewer")):
        users.add(name, role, PASSWORD)
    open_store(incidents_home / "incidents.sqlite").import_records(one_incident("MLI1"),
                                                                   source_name="t.csv")
    return incidents_home / "incidents.sqlite"


def one_incident(event_id: str) -> pd.DataFrame:
    """A battle at Kimparana placed roughly (precision 2), so it is offered for placing."""
    return model.conform(pd.DataFrame([{
        "event_id_cnty": event_id, "event_date": "2024-12-07", "event_type": "Battles",
        "sub_event_type": "Armed clash", "country": "Mali", "admin1": "Segou",
        "location": "Kimparana", "latitude": 12.9, "longitude": -4.8, "geo_precision": 2,
        "actor1": "Unidentified Armed Group (Mali)", "source": "Test wire"}]))


def signed_in(name: str, page: str = "correct") -> AppTest:
    app = AppTest.from_file(APP, default_timeout=60)
    app.query_params["page"] = page
    app.run()
    app.text_input(key="sign_in_name").input(name)
    app.text_input(key="sign_in_password").input(PASSWORD)
    app.button[0].click().run()
    assert not app.exception, app.exception
    return app


def place(app: AppTest, precision: int) -> AppTest:
    app.text_input(key="correct_query").set_value("Kimparana").run()
    app.selectbox(key="correct_pick_place").select_index(1).run()
    app.radio(key="correct_precision").set_value(precision)
    return app.button(key="correct_save").click().run()


def test_the_second_save_is_refused_and_shows_the_first_analysts_change(team: Path) -> None:
    first, second = signed_in("awa"), signed_in("binta")
    assert "recorded as awa" in first.caption[1].value
    place(first, 1)
    assert first.success, [e.value for e in first.error]
    place(second, 2)
    refused = " ".join(e.value for e in second.error)
    assert "changed by someone else" in refused and "awa" in refused
    assert "geo\\_precision 2 → 1" in refused
    store = open_store(team)
    assert store.history("MLI1")["user"].unique().tolist() == ["awa"]
    # The page now holds the current values: saving again is a deliberate edit.
    place(second, 2)
    assert second.success, [e.value for e in second.error]
    assert store.history("MLI1")["user"].unique().tolist() == ["awa", "binta"]


def test_a_viewer_gets_neither_the_correction_nor_the_admin_page(team: Path) -> None:
    viewer = signed_in("vera")
    place(viewer, 1)
    assert "does not allow" in viewer.error[0].value
    assert open_store(team).history("MLI1").empty
    admin_page = signed_in("vera", page="admin")
    assert "does not allow" in admin_page.error[0].value
    assert not admin_page.dataframe


def test_an_admin_manages_users_and_reverts_an_edit_as_themself(team: Path) -> None:
    place(signed_in("awa"), 1)
    admin = signed_in("ali", page="admin")
    assert any("Edit history intact" in s.value for s in admin.success)
    log = admin.dataframe[1].value  # [0]: the users
    assert set(log["user"]) == {"awa"}
    admin.button(key="admin_revert").click().run()
    assert "Reverted edit \\#1" in admin.success[0].value
    store = open_store(team)
    history = store.history("MLI1")
    assert (history["user"] == "ali").sum() == (history["user"] == "awa").sum() > 3
    row = store.load().set_index("incident_id").loc["MLI1"]
    assert (row["geo_precision"], row["latitude"], row["longitude"]) == (2, 12.9, -4.8)
    assert store.verify().ok

    admin.selectbox(key="admin_pick_user").set_value("vera")
    admin.selectbox(key="admin_pick_role").set_value("editor")
    admin.button(key="admin_set_role").click().run()
    assert UsersFile().get("vera").role == "editor"
    admin.button(key="admin_toggle_active").click().run()
    assert not UsersFile().get("vera").active
    admin.text_input(key="admin_email_vera").input("vera@example.org")
    admin.button(key="admin_set_email").click().run()
    assert UsersFile().by_email("vera@example.org").name == "vera"
    assert "vera@example.org" in admin.dataframe[0].value.iloc[:, -1].tolist()
    admin.selectbox(key="admin_pick_user").set_value("ali")
    admin.selectbox(key="admin_pick_role").set_value("viewer")
    admin.button(key="admin_set_role").click().run()
    assert "only active admin" in admin.error[0].value


def test_a_user_disabled_while_signed_in_is_signed_out_at_the_next_page(team: Path) -> None:
    editor = signed_in("awa")
    UsersFile().set_active("awa", False)
    editor.run()
    assert editor.text_input(key="sign_in_name") is not None
    assert not editor.selectbox


@pytest.mark.parametrize("backend", ["sqlite", "postgis"])
def test_an_import_by_another_analyst_reaches_the_next_rerun(
        backend, incidents_home: Path, request: pytest.FixtureRequest,
        monkeypatch: pytest.MonkeyPatch) -> None:
    location = (str(incidents_home / "incidents.sqlite") if backend == "sqlite"
                else request.getfixturevalue("postgis_url"))
    monkeypatch.setenv("INCIDENTS_STORE", location)
    other = open_store(location)
    other.import_records(one_incident("MLI1"), source_name="first.csv")
    app = AppTest.from_file(APP, default_timeout=60)
    app.query_params["page"] = "count"
    app.run()
    assert app.text[0].value == "1 incidents"
    other.import_records(one_incident("MLI2"), source_name="second.csv")
    app.run()
    assert app.text[0].value == "2 incidents"
