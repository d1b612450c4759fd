"""The upload page's online-geocoding opt-in in headless Chromium.

The dashboard runs with ``$INCIDENTS_GEOCODER_URL`` pointing at a fake provider on
127.0.0.1 that counts what it is asked. The toggle is there and off; a file whose
rows lack coordinates is saved with it off and the provider hears nothing; turned
on, the page names the provider and its address, and the save asks it. Chromium
itself requests nothing outside localhost. Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import PROJECT_DIR, streamlit_server

pytestmark = pytest.mark.browser

TIMEOUT_MS = 120_000
OPT_IN = "Also ask an online geocoder for rows without coordinates"
FILE = (
    "event_date,event_type,location,country\n"
    "2024-12-07,Battles,Qwertyville,Mali\n"
    "2024-12-08,Riots,Asdfgtown,Mali\n"
)


class Provider(BaseHTTPRequestHandler):
    """A Nominatim lookalike: every query finds one village in Mali."""

    asked: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server's naming)
        type(self).asked.append(self.path)
        body = json.dumps([{"place_id": 1, "osm_type": "node", "osm_id": 7, "lat": "12.84",
                            "lon": "-4.92", "addresstype": "village", "name": "Somewhere",
                            "display_name": "Somewhere, Mali",
                            "address": {"country": "Mali", "country_code": "ml"}}]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def provider():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Provider)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def dashboard(new_home, provider, tmp_path_factory) -> str:
    home = new_home("online-home")
    logs = tmp_path_factory.mktemp("online-logs")
    with streamlit_server("serve.py", cwd=PROJECT_DIR, log_path=logs / "streamlit.log",
                          env={"INCIDENTS_HOME": str(home),
                               "INCIDENTS_GEOCODER_URL": provider}) as url:
        yield url


def _upload(page, dashboard: str, path: Path) -> None:
    page.goto(f"{dashboard}/upload", wait_until="domcontentloaded")
    page.wait_for_selector('[data-testid="stFileUploaderDropzoneInput"]', state="attached",
                           timeout=TIMEOUT_MS)
    page.set_input_files('[data-testid="stFileUploaderDropzoneInput"]', str(path))
    page.get_by_text("Validation report").wait_for(timeout=TIMEOUT_MS)


def test_online_geocoding_is_opt_in_and_off_sends_nothing(dashboard, provider, chromium,
                                                          tmp_path: Path,
                                                          artifacts_dir: Path) -> None:
    path = tmp_path / "places.csv"
    path.write_text(FILE, encoding="utf-8")
    outside: list[str] = []
    context = chromium.new_context(viewport={"width": 1400, "height": 1600})
    page = context.new_page()
    page.on("request", lambda request: outside.append(request.url) if urlsplit(
        request.url).hostname not in (None, "", "127.0.0.1", "localhost") else None)
    try:
        Provider.asked.clear()
        _upload(page, dashboard, path)
        toggle = page.get_by_label(OPT_IN, exact=False)
        toggle.wait_for(state="attached", timeout=TIMEOUT_MS)
        assert not toggle.is_checked()
        page.screenshot(path=str(artifacts_dir / "upload_online_off.png"), full_page=True)
        page.get_by_role("button", name="Geocode and save into the store").click()
        page.locator('[data-testid="stAlertContentSuccess"]').wait_for(timeout=TIMEOUT_MS)
        assert Provider.asked == []

        _upload(page, dashboard, path)
        page.get_by_text(OPT_IN, exact=False).click()
        warning = page.get_by_text("will be sent to nominatim at", exact=False)
        warning.wait_for(timeout=TIMEOUT_MS)
        assert provider in warning.inner_text().replace("\u2060", "")  # plain() breaks links
        page.screenshot(path=str(artifacts_dir / "upload_online_on.png"), full_page=True)
        page.get_by_role("button", name="Geocode and save into the store").click()
        page.locator('[data-testid="stAlertContentSuccess"]').wait_for(timeout=TIMEOUT_MS)
        assert any("Qwertyville" in asked for asked in Provider.asked), Provider.asked
        assert outside == []
    finally:
        context.close()
