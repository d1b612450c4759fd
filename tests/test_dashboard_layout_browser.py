"""The map-first layout in headless Chromium: at 1280 x 720 the map spans the main
column and most of the first screen, at 390 px it comes before everything but the
headline, a clicked incident's record opens over the map without moving it, and a
shared link reopens the same view (centre, zoom, incident, tab, week, choropleth).

Screenshots go to tests/artifacts/ (prefix ``layout_``).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from incidents.store import IncidentStore
from test_dashboard_browser import (LOAD_TIMEOUT_MS, click_incident, map_frame, markers,
                                    wait_for_record)
from ui.data import seed_store_if_empty

pytestmark = pytest.mark.browser

MAP_VIEW_JS = """() => { const m = Object.values(window).find(v => v instanceof L.Map);
  const c = m.getCenter(); return {lat: c.lat, lng: c.lng, zoom: m.getZoom()}; }"""

# Whether the link holds a map view at this latitude and zoom (the centre it writes is
# that of the map's reported bounds, within a few hundredths of a degree of setView's).
VIEW_IN_LINK_JS = """([latitude, zoom]) => {
  const view = new URLSearchParams(location.search).get('view');
  if (!view) return false;
  const [lat, , z] = view.split(',').map(Number);
  return z === zoom && Math.abs(lat - latitude) < 0.05; }"""
# The map frame's top within the main column, whatever the scroll.
MAP_TOP_JS = """(e) => Math.round(e.getBoundingClientRect().top - document.querySelector(
  '[data-testid="stMainBlockContainer"]').getBoundingClientRect().top)"""


@pytest.fixture(scope="module")
def dashboard(new_home, start_dashboard) -> str:
    home = new_home("layout-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("INCIDENTS_HOME", str(home))
        seed_store_if_empty(IncidentStore(home / "incidents.sqlite"))
    return start_dashboard(home)


def _page(chromium, width: int, height: int, **options):
    context = chromium.new_context(viewport={"width": width, "height": height}, **options)
    page = context.new_page()
    page.errors_seen = []
    page.on("pageerror", lambda error: page.errors_seen.append(str(error)))
    return context, page


def test_at_1280_by_720_the_map_fills_the_first_screen(dashboard, chromium,
                                                       artifacts_dir: Path) -> None:
    context, page = _page(chromium, 1280, 720)
    try:
        page.goto(dashboard, wait_until="domcontentloaded")
        element, frame = map_frame(page)
        page.evaluate("() => window.scrollTo(0, 0)")
        page.wait_for_timeout(500)
        box = element.bounding_box()
        main = page.locator('[data-testid="stMainBlockContainer"]').bounding_box()
        page.screenshot(path=str(artifacts_dir / "layout_1280x720.png"))
        assert box["y"] < 720 * 0.3, box
        assert box["width"] >= main["width"] - 2 * 24, (box, main)
        visible = min(box["y"] + box["height"], 720) - box["y"]
        assert visible * box["width"] > 0.5 * 720 * main["width"], box
        headline = page.locator(".incidents-headline").bounding_box()
        assert headline["height"] < 30  # one line
        legend = frame.evaluate("() => document.querySelector('.incidents-legend details').open")
        assert legend, "the legend is open where it fits"
        legend_text = frame.inner_text(".incidents-legend")
        assert "exact place" in legend_text and "region only" in legend_text

        before = frame.evaluate(MAP_VIEW_JS)
        top = element.evaluate(MAP_TOP_JS)
        click_incident(page, "seed-kimparana")
        wait_for_record(page, "seed-kimparana-2024-12-07")
        page.wait_for_timeout(1000)
        page.screenshot(path=str(artifacts_dir / "layout_1280x720_record.png"))
        after = page.query_selector("iframe[title*='st_folium']")
        after_box = after.bounding_box()
        assert after.evaluate(MAP_TOP_JS) == top  # not pushed down
        assert after_box["height"] == box["height"] and after_box["width"] == box["width"]
        dialog = page.get_by_role("dialog")
        assert "Kimparana" in dialog.inner_text()
        assert "1 · exact place" in dialog.inner_text()
        notes = dialog.locator("dd").all_inner_texts()
        assert any(len(text) > 200 for text in notes), "a long field is shown whole"
        assert frame.evaluate(MAP_VIEW_JS)["zoom"] == before["zoom"]
        assert page.errors_seen == []
    finally:
        context.close()


def test_at_390_px_the_map_comes_first(dashboard, chromium, artifacts_dir: Path) -> None:
    context, page = _page(chromium, 390, 844, is_mobile=True, has_touch=True)
    try:
        page.goto(dashboard, wait_until="domcontentloaded")
        element, _ = map_frame(page)
        page.evaluate("() => window.scrollTo(0, 0)")
        page.wait_for_timeout(500)
        page.screenshot(path=str(artifacts_dir / "layout_390.png"))
        box = element.bounding_box()
        assert box["y"] < 844 * 0.4 and box["width"] >= 390 - 48, box
        toggle = page.get_by_text("Colour regions by number of incidents").bounding_box()
        assert toggle["y"] > box["y"] + box["height"]  # controls come after the map
        assert page.errors_seen == []
    finally:
        context.close()


def test_a_shared_link_reopens_the_view(dashboard, chromium, artifacts_dir: Path) -> None:
    context, page = _page(chromium, 1280, 720)
    try:
        page.goto(f"{dashboard}/?countries=Mali", wait_until="domcontentloaded")
        _, frame = map_frame(page)
        frame.evaluate("""() => { const m = Object.values(window).find(v => v instanceof L.Map);
            m.setView([13.2, -5.1], 8, {animate: false}); }""")
        page.wait_for_function(VIEW_IN_LINK_JS, arg=[13.2, 8], timeout=LOAD_TIMEOUT_MS)
        click_incident(page, "seed-kimparana")
        wait_for_record(page, "seed-kimparana-2024-12-07")
        page.keyboard.press("Escape")
        page.get_by_text("Colour regions by number of incidents").click()
        page.wait_for_function("() => location.search.includes('choropleth=1')",
                               timeout=LOAD_TIMEOUT_MS)
        page.wait_for_timeout(1500)
        link = page.url
        query = parse_qs(urlsplit(link).query)
        assert query["incident"] == ["seed-kimparana-2024-12-07"]
        latitude, longitude, zoom = (float(v) for v in query["view"][0].split(","))
        assert query["countries"] == ["Mali"] and query["choropleth"] == ["1"]
    finally:
        context.close()

    context, page = _page(chromium, 1280, 720)
    try:
        page.goto(link, wait_until="domcontentloaded")
        wait_for_record(page, "seed-kimparana-2024-12-07")
        _, frame = map_frame(page)
        shown = frame.evaluate(MAP_VIEW_JS)
        assert shown["zoom"] == zoom
        assert abs(shown["lat"] - latitude) < 0.05 and abs(shown["lng"] - longitude) < 0.05
        assert page.get_by_role("switch", name="Colour regions by number of incidents") \
            .is_checked()
        page.screenshot(path=str(artifacts_dir / "layout_shared_link.png"))
        page.keyboard.press("Escape")
        page.get_by_role("tab", name="Table").click()
        page.wait_for_function("() => location.search.includes('tab=table')",
                               timeout=LOAD_TIMEOUT_MS)
        table_link = page.url
    finally:
        context.close()

    context, page = _page(chromium, 1280, 720)
    try:
        page.goto(table_link, wait_until="domcontentloaded")
        page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=LOAD_TIMEOUT_MS)
        assert page.get_by_role("tab", name="Table").get_attribute("aria-selected") == "true"
    finally:
        context.close()


def test_playback_keeps_the_map_where_the_analyst_put_it(dashboard, chromium,
                                                         artifacts_dir: Path) -> None:
    context, page = _page(chromium, 1280, 720)
    try:
        page.goto(f"{dashboard}/?countries=Mali", wait_until="domcontentloaded")
        _, frame = map_frame(page)
        frame.evaluate("""() => { const m = Object.values(window).find(v => v instanceof L.Map);
            m.setView([14.0, -4.5], 7, {animate: false}); }""")
        page.wait_for_function(VIEW_IN_LINK_JS, arg=[14.0, 7], timeout=LOAD_TIMEOUT_MS)
        page.get_by_text("Step through the period").click()
        page.get_by_text("Week of").wait_for(timeout=LOAD_TIMEOUT_MS)
        page.wait_for_timeout(2000)
        _, frame = map_frame(page)
        shown = frame.evaluate(MAP_VIEW_JS)
        assert shown["zoom"] == 7 and abs(shown["lat"] - 14.0) < 0.05, shown
        assert "week=" in page.url
        page.screenshot(path=str(artifacts_dir / "layout_playback.png"))
        assert len(markers(frame)) < 10
    finally:
        context.close()


def test_place_search_flies_there_and_near_takes_a_place(dashboard, chromium,
                                                         artifacts_dir: Path) -> None:
    context, page = _page(chromium, 1280, 720)
    try:
        page.goto(dashboard, wait_until="domcontentloaded")
        _, frame = map_frame(page)
        search = page.get_by_role("textbox", name="Find a place")
        search.fill("mopti")
        search.press("Enter")
        frame.wait_for_function(
            """() => { const m = Object.values(window).find(v => v instanceof L.Map);
                const c = m.getCenter(); return m.getZoom() >= 9
                && Math.abs(c.lat - 14.49) < 0.3 && Math.abs(c.lng + 4.19) < 0.3; }""",
            timeout=LOAD_TIMEOUT_MS)
        page.screenshot(path=str(artifacts_dir / "layout_place_search.png"))

        near = page.locator('[data-testid="stSidebar"]').get_by_role(
            "textbox", name="Near a place or point (place, km)")
        near.fill("Mopti, 50 km")
        near.press("Enter")
        page.wait_for_function("() => decodeURIComponent(location.search).includes(',50')"
                               " && location.search.includes('near=14.')",
                               timeout=LOAD_TIMEOUT_MS)
        _, frame = map_frame(page)
        frame.wait_for_function(
            """() => { const m = Object.values(window).find(v => v instanceof L.Map);
                let found = false; m.eachLayer(l => { if (l instanceof L.Circle
                && Math.abs(l.getRadius() - 50000) < 1)
                found = true; }); return found; }""", timeout=LOAD_TIMEOUT_MS)
        page.screenshot(path=str(artifacts_dir / "layout_near_mopti.png"))
        assert page.errors_seen == []
    finally:
        context.close()
