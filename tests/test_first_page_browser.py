"""The first page as `make run` serves it: the widget scripts it needs asked for with
the page, every file answered, and a reopened page drawn from the browser's cache."""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from incidents.store import open_store
from ui.data import seed_store_if_empty

pytestmark = pytest.mark.browser

LOAD_TIMEOUT_MS = 90_000
HEADLINE_INCIDENTS = '.incidents-headline [data-figure="incidents"] b'
DRAWN_MAP_JS = """() => [...document.querySelectorAll('iframe')].some(f => {
    const d = f.contentDocument;
    return f.title.includes('st_folium') && d
        && d.querySelector('.leaflet-incidentMarkers-pane path, path.incidents-cell')
        && [...d.querySelectorAll('img.leaflet-tile')].some(t => t.complete);
})"""
# Each Streamlit script the page loaded, with the bytes it took from the network.
TRANSFERRED_JS = """() => performance.getEntriesByType('resource')
    .filter(e => new URL(e.name).pathname.startsWith('/static/js/'))
    .map(e => [e.name, e.transferSize])"""
# The map controls' pictures (the layer control's answered by serve.py, the others by Streamlit).
CONTROL_ICONS = ("layers.png", "spritesheet.svg", "icon-fullscreen.svg")
WIDGET_SCRIPTS = ("Selectbox", "Multiselect", "DateInput", "ComponentInstance")


@pytest.fixture(scope="module")
def dashboard(new_home, start_dashboard) -> str:
    home = new_home("first-page-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("INCIDENTS_HOME", str(home))
        seed_store_if_empty(open_store(home / "incidents.sqlite"))
    return start_dashboard(home)


def scripts_named(page_html: str) -> set[str]:
    """The Streamlit scripts the HTML page loads or preloads."""
    return set(re.findall(r'(?:src|href)="\./static/js/([^"]+\.js)"', page_html))


def open_until_drawn(page, url: str) -> None:
    page.goto(url, wait_until="load", timeout=LOAD_TIMEOUT_MS)
    page.wait_for_selector(HEADLINE_INCIDENTS, timeout=LOAD_TIMEOUT_MS)
    page.wait_for_function(DRAWN_MAP_JS, timeout=LOAD_TIMEOUT_MS)


def test_the_first_page_asks_for_its_widget_scripts_with_the_page(
        dashboard: str, chromium, artifacts_dir: Path) -> None:
    with urllib.request.urlopen(dashboard) as answer:
        page_html = answer.read().decode()
    named = scripts_named(page_html)
    for widget in WIDGET_SCRIPTS:
        assert any(name.startswith(widget + ".") for name in named), widget
    context = chromium.new_context(viewport={"width": 1500, "height": 1100})
    page = context.new_page()
    answers: list[tuple[str, int]] = []
    page.on("response", lambda response: answers.append((response.url, response.status)))
    try:
        open_until_drawn(page, dashboard)
        for _ in range(240):
            served = {url.rsplit("/", 1)[-1] for url, status in answers if status == 200}
            if served.issuperset(CONTROL_ICONS):
                break
            page.wait_for_timeout(250)
        assert served.issuperset(CONTROL_ICONS), sorted(served)
        page.wait_for_timeout(500)  # the icons painted
        page.screenshot(path=str(artifacts_dir / "first_page.png"), full_page=True)
        asked = {urlsplit(url).path.rsplit("/", 1)[-1] for url, _ in answers
                 if urlsplit(url).path.startswith("/static/js/")}
        assert asked, "no Streamlit script was loaded"
        assert asked <= named, f"scripts asked for only later: {sorted(asked - named)}"
        failed = [(url, status) for url, status in answers if status >= 400]
        assert failed == []
        # Reopened: Streamlit's scripts come from the browser's cache (nothing transferred).
        open_until_drawn(page, dashboard)
        transferred = page.evaluate(TRANSFERRED_JS)
        assert transferred, "the reopened page loaded no Streamlit script"
        assert [name for name, size in transferred if size] == []
    finally:
        context.close()
