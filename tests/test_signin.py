"""ui.signin through AppTest: no users → as before; users → sign in, roles enforced."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from incidents.users import UsersFile

APP = str(Path(__file__).parent / "apps" / "signin_app.py")


@pytest.fixture
def users(tmp_path, monkeypatch) -> UsersFile:
    monkeypatch.setenv("INCIDENTS_USERS", str(tmp_path / "users.json"))
    return UsersFile(tmp_path / "users.json")


def texts(app: AppTest) -> list[str]:
    return [element.value for element in app.text]


def sign_in(app: AppTest, name: str, password: str) -> AppTest:
    app.text_input(key="sign_in_name").input(name)
    app.text_input(key="sign_in_password").input(password)
    return app.button[0].click().run()


def test_without_users_the_page_is_single_user(users) -> None:
    app = AppTest.from_file(APP).run()
    assert "page for the single user" in texts(app) and "correction saved" in texts(app)
    assert "single user" in app.sidebar.caption[0].value


def test_with_users_nothing_shows_before_sign_in_and_a_wrong_password_is_refused(users) -> None:
    users.add("awa", "editor", "a long password")
    app = AppTest.from_file(APP).run()
    assert texts(app) == []
    app = sign_in(app, "awa", "not her password")
    assert texts(app) == [] and "Wrong name or password" in app.error[0].value


def test_a_viewer_is_refused_a_correction_and_an_editor_may(users) -> None:
    users.add("vera", "viewer", "a long password")
    users.add("awa", "editor", "a long password")
    viewer = sign_in(AppTest.from_file(APP).run(), "vera", "a long password")
    assert "page for vera" in texts(viewer) and "correction saved" not in texts(viewer)
    assert "does not allow" in viewer.error[0].value
    editor = sign_in(AppTest.from_file(APP).run(), "awa", "a long password")
    assert "correction saved" in texts(editor)
