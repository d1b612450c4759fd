"""ui.signin through AppTest: no users → as before; users → sign in, roles enforced;
failed sign-ins cooled off; an OpenID Connect provider offered when [auth] is set."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from incidents.signin import SignInLog
from incidents.users import UsersFile
from ui import signin

APP = str(Path(__file__).parent / "apps" / "signin_app.py")


@pytest.fixture
def users(tmp_path, monkeypatch) -> UsersFile:
    monkeypatch.setenv("INCIDENTS_HOME", str(tmp_path))
    monkeypatch.setenv("INCIDENTS_USERS", str(tmp_path / "users.json"))
    signin._limiter.clear()  # failed attempts are counted per server, here per test
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


def test_the_form_returns_to_the_page_instead_of_stopping_the_run(users) -> None:
    """A stopped run keeps the previous run's fragments registered in Streamlit, and
    the map's fragment, rerun after a sign-out, then drew over the form."""
    users.add("awa", "editor", "a long password")
    app = AppTest.from_file(APP).run()
    assert [caption.value for caption in app.caption] == ["the page returned after the form"]
    app = sign_in(app, "awa", "a long password")
    assert "the page returned after the form" not in [caption.value for caption in app.caption]


def test_a_viewer_is_refused_a_correction_and_an_editor_may(users) -> None:
    users.add("vera", "viewer", "a long password")
    users.add("awa", "editor", "a long password")
    viewer = sign_in(AppTest.from_file(APP).run(), "vera", "a long password")
    assert "page for vera" in texts(viewer) and "correction saved" not in texts(viewer)
    assert "does not allow" in viewer.error[0].value
    editor = sign_in(AppTest.from_file(APP).run(), "awa", "a long password")
    assert "correction saved" in texts(editor)


def test_five_wrong_passwords_cool_the_name_off_even_for_the_right_one(users) -> None:
    users.add("awa", "editor", "a long password")
    app = AppTest.from_file(APP).run()
    for _ in range(4):
        app = sign_in(app, "awa", "not her password")
        assert "Wrong name or password" in app.error[0].value
    app = sign_in(app, "awa", "not her password")
    assert "Too many failed sign-ins" in app.error[0].value and "15 min" in app.error[0].value
    app = sign_in(app, "awa", "a long password")
    assert texts(app) == [] and "Too many failed sign-ins" in app.error[0].value
    stranger = AppTest.from_file(APP).run()
    for _ in range(5):
        stranger = sign_in(stranger, "nobody", "whatever it is")
    assert app.error[0].value == stranger.error[0].value
    events = [event["event"] for event in SignInLog().recent()]
    assert events.count("cooling_off_started") == 2 and "refused_cooling_off" in events


def test_a_sign_in_hands_the_browser_a_one_time_code_not_the_token(users) -> None:
    users.add("awa", "editor", "a long password")
    app = sign_in(AppTest.from_file(APP).run(), "awa", "a long password")
    scripts = [element.proto.body for element in app.sidebar.get("html")]
    assert len(scripts) == 1 and "/session/start" in scripts[0]
    assert "incidents.session" not in scripts[0] and "." not in scripts[0].split("body: ")[1][:50]
    assert [event["event"] for event in SignInLog().recent()] == ["signed_in"]


FAKE_AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback",
             "cookie_secret": "a fake secret for a test only",
             "client_id": "dashboard", "client_secret": "not a secret",
             "server_metadata_url": "https://id.example.org/.well-known/openid-configuration"}


def test_an_auth_section_offers_the_providers_button(users) -> None:
    users.add("ali", "admin", "a long password")
    app = AppTest.from_file(APP)
    app.secrets["auth"] = FAKE_AUTH
    app.run()
    assert [button.label for button in app.button][-1] == "Sign in with OpenID Connect"
    plain_app = AppTest.from_file(APP).run()
    assert all("OpenID" not in button.label for button in plain_app.button)


def provider_app(email: str) -> AppTest:
    app = AppTest.from_file(APP)
    app.secrets["auth"] = FAKE_AUTH
    app.user = {"is_logged_in": True, "email": email, "email_verified": True}
    return app


def test_a_providers_identity_signs_in_as_the_user_with_that_address(users) -> None:
    users.add("ali", "admin", "a long password")
    users.add("vera", "viewer", "a long password")
    users.set_email("vera", "vera@example.org")
    app = provider_app("Vera@Example.org").run()
    assert "page for vera" in texts(app) and "correction saved" not in texts(app)
    assert "Signed in as vera (viewer)" in texts(app.sidebar)
    app.run()
    assert [event["event"] for event in SignInLog().recent()] == ["identity_signed_in"]


def test_an_unknown_identity_is_refused_unless_viewers_are_let_in(users, monkeypatch) -> None:
    users.add("ali", "admin", "a long password")
    app = provider_app("stranger@example.org").run()
    assert texts(app) == [] and "not a user of this dashboard" in app.error[0].value
    assert SignInLog().recent()[0]["event"] == "identity_refused"
    monkeypatch.setenv("INCIDENTS_OIDC_UNKNOWN_ROLE", "viewer")
    app = provider_app("stranger@example.org").run()
    assert "page for stranger@example.org" in texts(app)
    assert "correction saved" not in texts(app)


def test_a_tab_left_open_is_signed_out_when_its_sign_in_expires(users) -> None:
    users.add("awa", "editor", "a long password")
    app = sign_in(AppTest.from_file(APP).run(), "awa", "a long password")
    assert "page for awa" in texts(app)
    app.session_state["signin_expires_at"] = 0.0  # as when the lifetime has passed
    app.run()
    assert texts(app) == [] and app.text_input(key="sign_in_password")
