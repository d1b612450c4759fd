"""A sign-in that survives a reload, in headless Chromium: signed in, a reload and a new
tab stay signed in with the same role (through an HttpOnly, SameSite=Strict cookie
the page's scripts cannot read); signing out and reloading shows the form; a user
disabled by an admin is refused at their next reload; five wrong passwords bring
the cooling-off message. With an ``[auth]`` section in the secrets (a made-up provider:
nothing is fetched), the form offers the provider's button.

Screenshots go to tests/artifacts/session_*.png.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import PROJECT_DIR, seed_home_with_users, streamlit_server
from incidents.sessions import COOKIE_NAME
from incidents.users import UsersFile

pytestmark = pytest.mark.browser

LOAD_TIMEOUT_MS = 90_000
PASSWORD = "a long password"
ROLES = {"vera": "viewer", "awa": "editor", "ali": "admin", "dia": "editor",
         "amina": "admin"}


@pytest.fixture(scope="module")
def dashboard(new_home, start_dashboard) -> tuple[str, Path]:
    home = seed_home_with_users(new_home("session-home"), ROLES, PASSWORD)
    return start_dashboard(home), home


@pytest.fixture
def new_context(chromium):
    contexts = []

    def make():
        context = chromium.new_context(viewport={"width": 1400, "height": 900})
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def watched(page):
    page.errors_seen = []
    page.on("pageerror", lambda error: page.errors_seen.append(str(error)))
    return page


def fill_sign_in(page, name: str, password: str) -> None:
    page.get_by_label("Name", exact=True).wait_for(timeout=LOAD_TIMEOUT_MS)
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def signed_in_as(page, name: str) -> None:
    page.get_by_text(f"Signed in as {name} ({ROLES[name]})").wait_for(timeout=LOAD_TIMEOUT_MS)


def signed_in_page(context, base_url: str, name: str):
    """A new page of ``context`` on the dashboard, signed in as ``name``."""
    page = watched(context.new_page())
    page.goto(base_url, wait_until="domcontentloaded")
    fill_sign_in(page, name, PASSWORD)
    signed_in_as(page, name)
    return page


def session_cookie(context) -> dict | None:
    """The session cookie once the page has exchanged its one-time code for it."""
    for _ in range(100):
        found = [cookie for cookie in context.cookies() if cookie["name"] == COOKIE_NAME]
        if found:
            return found[0]
        context.pages[0].wait_for_timeout(100)
    return None


def sign_in_form_shown(page) -> None:
    page.get_by_role("heading", name="Sign in").wait_for(timeout=LOAD_TIMEOUT_MS)
    page.get_by_label("Password", exact=True).wait_for(timeout=LOAD_TIMEOUT_MS)


def test_a_reload_and_a_new_tab_stay_signed_in_with_the_same_role(
        dashboard, new_context, artifacts_dir) -> None:
    base_url, _ = dashboard
    context = new_context()
    page = signed_in_page(context, base_url, "awa")
    cookie = session_cookie(context)
    assert cookie is not None, "the page did not exchange its code for the session cookie"
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and not cookie["secure"]
    assert PASSWORD not in cookie["value"]
    assert page.evaluate("document.cookie").find(COOKIE_NAME) == -1
    page.reload(wait_until="domcontentloaded")
    signed_in_as(page, "awa")
    assert page.get_by_label("Password", exact=True).count() == 0
    page.wait_for_timeout(1500)
    page.screenshot(path=str(artifacts_dir / "session_after_reload.png"), full_page=True)
    tab = watched(context.new_page())
    tab.goto(f"{base_url}/upload", wait_until="domcontentloaded")
    signed_in_as(tab, "awa")
    tab.get_by_role("heading", name="Upload a file").wait_for(timeout=LOAD_TIMEOUT_MS)
    assert page.errors_seen == [] and tab.errors_seen == []


def test_signing_out_then_reloading_shows_the_form(dashboard, new_context,
                                                   artifacts_dir) -> None:
    base_url, _ = dashboard
    context = new_context()
    page = signed_in_page(context, base_url, "vera")
    old = session_cookie(context)
    assert old is not None
    page.get_by_role("button", name="Sign out").click()
    sign_in_form_shown(page)
    for _ in range(50):
        if session_cookie_gone(context):
            break
        page.wait_for_timeout(100)
    assert session_cookie_gone(context)
    page.reload(wait_until="domcontentloaded")
    sign_in_form_shown(page)
    page.wait_for_timeout(1500)
    page.screenshot(path=str(artifacts_dir / "session_signed_out_reload.png"), full_page=True)
    assert page.get_by_text("Signed in as").count() == 0
    # The old cookie put back by hand is refused too: signing out ended the token.
    replay = new_context()
    replay.add_cookies([old])
    again = watched(replay.new_page())
    again.goto(base_url, wait_until="domcontentloaded")
    sign_in_form_shown(again)
    assert again.get_by_text("Signed in as").count() == 0
    assert page.errors_seen == [] and again.errors_seen == []


def session_cookie_gone(context) -> bool:
    return all(cookie["name"] != COOKIE_NAME for cookie in context.cookies())


def test_a_disabled_users_old_session_is_refused_at_the_next_reload(
        dashboard, new_context, artifacts_dir) -> None:
    base_url, home = dashboard
    context = new_context()
    page = signed_in_page(context, base_url, "dia")
    assert session_cookie(context) is not None
    UsersFile(home / "users.json").set_active("dia", False)
    page.reload(wait_until="domcontentloaded")
    sign_in_form_shown(page)
    page.wait_for_timeout(1500)
    page.screenshot(path=str(artifacts_dir / "session_disabled_refused.png"), full_page=True)
    assert page.get_by_text("Signed in as").count() == 0
    assert session_cookie(context) is not None, "the browser still holds it; the server refuses it"
    assert page.errors_seen == []


def wait_for_failures(page, log: Path, count: int) -> None:
    """Until the server has logged ``count`` failed sign-ins (the previous error stays on
    the page while the next attempt runs)."""
    for _ in range(600):
        if log.exists() and log.read_text().count('"failed"') >= count:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"{count} failed sign-ins never reached the log")


def test_five_wrong_passwords_bring_the_cooling_off_message(dashboard, new_context,
                                                            artifacts_dir) -> None:
    base_url, home = dashboard
    page = watched(new_context().new_page())
    page.goto(base_url, wait_until="domcontentloaded")
    for attempt in range(1, 6):
        fill_sign_in(page, "ali", f"wrong guess {attempt}")
        wait_for_failures(page, home / "signin-log.jsonl", attempt)
        expected = "Too many failed sign-ins" if attempt == 5 else "Wrong name or password"
        page.get_by_text(expected).wait_for(timeout=LOAD_TIMEOUT_MS)
    fill_sign_in(page, "ali", PASSWORD)
    page.wait_for_timeout(1500)
    page.get_by_text("Too many failed sign-ins").wait_for(timeout=LOAD_TIMEOUT_MS)
    page.screenshot(path=str(artifacts_dir / "session_cooling_off.png"), full_page=True)
    assert page.get_by_text("Signed in as").count() == 0
    log = (home / "signin-log.jsonl").read_text()
    assert '"cooling_off_started"' in log and '"refused_cooling_off"' in log
    assert page.errors_seen == []



def test_the_admin_sees_the_sign_in_log(dashboard, new_context, artifacts_dir) -> None:
    base_url, _ = dashboard
    page = watched(new_context().new_page())
    page.goto(f"{base_url}/admin", wait_until="domcontentloaded")
    fill_sign_in(page, "amina", PASSWORD)
    signed_in_as(page, "amina")
    heading = page.get_by_role("heading", name="Sign-in log")
    heading.wait_for(timeout=LOAD_TIMEOUT_MS)
    table = page.locator('[data-testid="stDataFrame"]').last
    table.wait_for(timeout=LOAD_TIMEOUT_MS)
    table.scroll_into_view_if_needed()
    page.wait_for_timeout(1500)
    page.screenshot(path=str(artifacts_dir / "session_admin_signin_log.png"))
    assert page.errors_seen == []


FAKE_SECRETS = """
[auth]
redirect_uri = "http://localhost:8501/oauth2callback"
cookie_secret = "a made-up secret for this test only"

[auth.example]
client_id = "dashboard"
client_secret = "not a secret"
server_metadata_url = "https://id.example.org/.well-known/openid-configuration"
"""


def test_a_configured_provider_is_offered_beside_the_password(
        new_home, chromium, tmp_path, artifacts_dir) -> None:
    home = new_home("oidc-home")
    UsersFile(home / "users.json").add("ali", "admin", PASSWORD)
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(FAKE_SECRETS)
    with streamlit_server("serve.py", cwd=PROJECT_DIR, log_path=tmp_path / "server.log",
                          env={"INCIDENTS_HOME": str(home),
                               "STREAMLIT_SECRETS_FILES": str(secrets)}) as base_url:
        context = chromium.new_context(viewport={"width": 1400, "height": 900})
        try:
            page = watched(context.new_page())
            page.goto(base_url, wait_until="domcontentloaded")
            sign_in_form_shown(page)
            button = page.get_by_role("button", name="Sign in with example")
            button.wait_for(timeout=LOAD_TIMEOUT_MS)
            page.wait_for_timeout(1000)
            page.screenshot(path=str(artifacts_dir / "session_provider_button.png"),
                            full_page=True)
            assert page.errors_seen == []
        finally:
            context.close()
