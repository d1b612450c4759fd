"""Messages carrying URL or file text are shown as text in Chromium: no image fetched
from another host, no live link, whatever Markdown the text holds.

Paths covered: the sidebar warning for a malformed filter in a shared link (start,
near, polygon), and the upload page's error, which names the file and lists its
columns. Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

pytestmark = pytest.mark.browser

OUTSIDE = "203.0.113.9"
PAYLOADS = (
    f"![p](http://{OUTSIDE}/s.png)[login](http://{OUTSIDE}/phish)",
    f"<img src=http://{OUTSIDE}/i.png> http://{OUTSIDE}/bare www.{OUTSIDE}.example",
    f":red[![x](http://{OUTSIDE}/c.png)] $\\href{{http://{OUTSIDE}/m}}{{m}}$",
)
LOAD_TIMEOUT_MS = 90_000
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


@pytest.fixture(scope="module")
def dashboard(new_home, start_dashboard) -> str:
    return start_dashboard(new_home("messages-home"))


@pytest.fixture
def page(chromium):
    """A fresh page that records every request; none may leave localhost."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.requests_seen = []
    page.on("request", lambda request: page.requests_seen.append(request.url))
    yield page
    foreign = [u for u in page.requests_seen if urlsplit(u).hostname not in LOCAL_HOSTS
               and urlsplit(u).scheme in ("http", "https", "ws", "wss")]
    context.close()
    assert foreign == [], f"requests left localhost: {foreign}"
    assert page.requests_seen, "no request was recorded at all"


def assert_shown_as_text(page, alert, payload: str) -> None:
    """The alert shows the payload's Markdown characters as they are (the polygon
    message quotes only its first word), and nothing in the page links or points at
    the outside host."""
    text = alert.inner_text()
    assert payload[:4].lower() in text.lower(), text
    assert page.locator(f'a[href*="{OUTSIDE}"]').count() == 0
    assert page.locator(f'img[src*="{OUTSIDE}"]').count() == 0
    assert alert.locator("a, img").count() == 0


@pytest.mark.parametrize("parameter", ["start", "near", "polygon"])
@pytest.mark.parametrize("payload", PAYLOADS)
def test_url_filter_error_is_plain_text(dashboard, page, parameter: str, payload: str,
                                        artifacts_dir: Path) -> None:
    page.goto(f"{dashboard}/?{parameter}={quote(payload)}", wait_until="domcontentloaded")
    alert = page.locator('[data-testid="stSidebar"] [data-testid="stAlert"]').first
    alert.wait_for(timeout=LOAD_TIMEOUT_MS)
    page.wait_for_timeout(1500)
    assert_shown_as_text(page, alert, payload)
    if payload == PAYLOADS[0]:
        page.screenshot(path=str(artifacts_dir / f"message_url_{parameter}.png"))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_upload_naming_columns_is_plain_text(dashboard, page, payload: str,
                                            tmp_path: Path, artifacts_dir: Path) -> None:
    """A file lacking required columns opens the mapping step, which lists the file's
    own column names: as text, never as Markdown or links."""
    upload = tmp_path / "incidents.csv"
    header = '"' + payload.replace('"', '""') + '",country,latitude'
    upload.write_text(header + "\nx,Mali,14\n", encoding="utf-8")
    page.goto(f"{dashboard}/upload", wait_until="domcontentloaded")
    page.get_by_role("heading", name="Upload a file").wait_for(timeout=LOAD_TIMEOUT_MS)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(upload))
    listed = page.get_by_text("Columns in the file:", exact=False).first
    listed.wait_for(timeout=LOAD_TIMEOUT_MS)
    page.wait_for_timeout(1500)
    assert_shown_as_text(page, listed, payload)
    assert page.get_by_role("heading", name="Map the file's columns").count() == 1
    if payload == PAYLOADS[0]:
        page.screenshot(path=str(artifacts_dir / "message_upload.png"))
