"""Sign-in and roles in headless Chromium, on a dashboard with users configured:
a viewer sees no upload, correction or save and is refused the correction page's
address; two editors place the same incident (the first save is recorded under her
signed-in name, the second is refused and shows her change); an admin reverts it.

Screenshots go to tests/artifacts/signin_*.png.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import seed_home_with_users
from incidents.store import SignedInStore, open_store
from incidents.users import NotAllowedError, UsersFile

pytestmark = pytest.mark.browser

LOAD_TIMEOUT_MS = 90_000
PASSWORD = "a long password"
HEADLINE_INCIDENTS = '.incidents-headline [data-figure="incidents"] b'
ROLES = {"vera": "viewer", "awa": "editor", "binta": "editor", "ali": "admin"}


@pytest.fixture(scope="module")
def dashboard(new_home, start_dashboard) -> tuple[str, Path]:
    """A dashboard on the samples, with a viewer, two editors and an admin."""
    home = seed_home_with_users(new_home("signin-home"), ROLES, PASSWORD)
    return start_dashboard(home), home


@pytest.fixture
def browser_context(chromium):
    contexts = []

    def new_page():
        context = chromium.new_context(viewport={"width": 1400, "height": 1000})
        contexts.append(context)
        page = context.new_page()
        page.errors_seen = []
        page.on("pageerror", lambda error: page.errors_seen.append(str(error)))
        return page

    yield new_page
    for context in contexts:
        context.close()


def sign_in(page, url: str, name: str) -> None:
    page.goto(url, wait_until="domcontentloaded")
    page.get_by_label("Name", exact=True).wait_for(timeout=LOAD_TIMEOUT_MS)
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text(f"Signed in as {name} ({ROLES[name]})").wait_for(timeout=LOAD_TIMEOUT_MS)


def navigation_links(page) -> list[str]:
    return [text.strip() for text in
            page.locator('[data-testid="stTopNavLink"], [data-testid="stNavLink"]')
            .all_inner_texts()]


def open_map(page) -> None:
    page.wait_for_function(
        "() => [...document.querySelectorAll('iframe')].some("
        "f => f.title.includes('st_folium') && f.offsetHeight > 100)",
        timeout=LOAD_TIMEOUT_MS)
    page.wait_for_timeout(2000)


def test_nothing_shows_before_sign_in(dashboard, browser_context, artifacts_dir) -> None:
    base_url, _ = dashboard
    page = browser_context()
    page.goto(base_url, wait_until="domcontentloaded")
    page.get_by_role("heading", name="Sign in").wait_for(timeout=LOAD_TIMEOUT_MS)
    page.wait_for_timeout(1500)
    page.screenshot(path=str(artifacts_dir / "signin_form.png"), full_page=True)
    assert page.locator(HEADLINE_INCIDENTS).count() == 0
    assert navigation_links(page) == []


def test_a_viewer_explores_but_has_no_upload_correction_or_save(
        dashboard, browser_context, artifacts_dir) -> None:
    base_url, home = dashboard
    page = browser_context()
    # Asking for the correction page's address directly: a viewer gets the map instead.
    sign_in(page, f"{base_url}/correct", "vera")
    page.wait_for_selector(HEADLINE_INCIDENTS, timeout=LOAD_TIMEOUT_MS)
    open_map(page)
    page.screenshot(path=str(artifacts_dir / "signin_viewer.png"), full_page=True)
    links = navigation_links(page)
    assert "Map and figures" in links
    assert not {"Upload a file", "Correct a location", "Add from article",
                "Users and audit"} & set(links)
    assert page.get_by_role("heading", name="Correct a location").count() == 0
    sources = page.locator('[data-testid="stSidebar"]').inner_text()
    assert "Incident store" in sources and "Upload a file" not in sources
    assert page.get_by_role("button", name="Save the location").count() == 0
    assert page.get_by_role("button", name="Geocode and save into the store").count() == 0
    assert page.errors_seen == []
    # Whatever reaches the store on her behalf is refused there, not only hidden.
    store = SignedInStore(open_store(home / "incidents.sqlite"), UsersFile(
        home / "users.json").get("vera"))
    with pytest.raises(NotAllowedError, match="vera \\(viewer\\) may not correct"):
        store.update(str(store.load_map_snapshot()["incident_id"].iloc[0]), {"notes": "x"})


def place_on_map(page, x: float, y: float) -> str:
    """Click the correction map at a fraction of its size; the incident id being placed."""
    open_map(page)
    picked = page.locator('input[aria-label="Incident to place"]').input_value()
    box = page.query_selector("iframe[title*='st_folium']").bounding_box()
    page.mouse.click(box["x"] + box["width"] * x, box["y"] + box["height"] * y)
    page.get_by_text("New point:").wait_for(timeout=LOAD_TIMEOUT_MS)
    return picked.rsplit(" · ", 1)[-1]


def test_two_editors_the_first_save_is_hers_and_the_second_is_refused(
        dashboard, browser_context, artifacts_dir) -> None:
    base_url, home = dashboard
    store = open_store(home / "incidents.sqlite")
    awa, binta = browser_context(), browser_context()
    sign_in(awa, f"{base_url}/correct", "awa")
    sign_in(binta, f"{base_url}/correct", "binta")
    awa.get_by_text("The change is recorded as awa.").wait_for(timeout=LOAD_TIMEOUT_MS)
    assert "Upload a file" in navigation_links(awa)
    assert "Users and audit" not in navigation_links(awa)
    incident_id = place_on_map(awa, 0.7, 0.3)
    assert place_on_map(binta, 0.3, 0.7) == incident_id
    awa.get_by_role("button", name="Save the location").click()
    awa.get_by_text("Location saved").wait_for(timeout=LOAD_TIMEOUT_MS)
    awa.get_by_text("Location saved").scroll_into_view_if_needed()
    awa.wait_for_timeout(1000)
    awa.screenshot(path=str(artifacts_dir / "signin_editor_saved.png"), full_page=True)
    assert set(store.history(incident_id)["user"]) == {"awa"}

    binta.get_by_role("button", name="Save the location").click()
    binta.get_by_text("was changed by someone else").wait_for(timeout=LOAD_TIMEOUT_MS)
    refused = binta.locator('[data-testid="stAlertContentError"]').inner_text()
    assert "awa (" in refused and "latitude None →" in refused and incident_id in refused
    binta.locator('[data-testid="stAlertContentError"]').scroll_into_view_if_needed()
    binta.wait_for_timeout(1000)
    binta.screenshot(path=str(artifacts_dir / "signin_second_save_refused.png"),
                     full_page=True)
    assert set(store.history(incident_id)["user"]) == {"awa"}
    assert awa.errors_seen == [] and binta.errors_seen == []


def test_an_admin_sees_the_audit_log_and_reverts_the_edit(
        dashboard, browser_context, artifacts_dir) -> None:
    base_url, home = dashboard
    store = open_store(home / "incidents.sqlite")
    edited = store.edit_log()
    assert set(edited["user"]) == {"awa"}, "runs after the editors' test"
    incident_id = str(edited["incident_id"].iloc[0])
    page = browser_context()
    sign_in(page, f"{base_url}/admin", "ali")
    page.get_by_role("heading", name="Audit log of edits").wait_for(timeout=LOAD_TIMEOUT_MS)
    page.get_by_text("Edit history intact").wait_for(timeout=LOAD_TIMEOUT_MS)
    page.get_by_text("Edit history intact").scroll_into_view_if_needed()
    page.wait_for_timeout(1500)
    page.screenshot(path=str(artifacts_dir / "signin_admin_audit.png"), full_page=True)
    page.get_by_role("button", name="Revert this edit").click()
    page.get_by_text("Reverted edit").wait_for(timeout=LOAD_TIMEOUT_MS)
    page.get_by_text("Reverted edit").scroll_into_view_if_needed()
    page.wait_for_timeout(1500)
    page.screenshot(path=str(artifacts_dir / "signin_admin_reverted.png"), full_page=True)
    history = store.history(incident_id)
    assert history["user"].iloc[-1] == "ali" and set(history["user"]) == {"awa", "ali"}
    assert store.verify().ok
    assert page.errors_seen == []
