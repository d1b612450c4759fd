"""The dashboard in headless Chromium: the map, filters via a shared link, the
GeoJSON download, escaping of hostile incident text, and no request leaving localhost.

Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd
import pytest
from playwright.sync_api import Error as PlaywrightError

from incidents import model
from incidents.filters import FilterSpec, apply_filters
from incidents.store import open_store
from incidents.users import local_user
from ui.data import seed_store_if_empty
from ui.map_view import extent_view

pytestmark = pytest.mark.browser

XSS_NOTES = 'Probe <img src=x onerror="window.__xss=1"> and <script>window.__xss=2</script>'
SEGOU_DECEMBER = FilterSpec(admin1s=("Segou",), start=date(2024, 12, 1), end=date(2024, 12, 31))
XSS_VIEW = FilterSpec(admin1s=("Mopti",), start=date(2024, 11, 20), end=date(2024, 11, 20))
LOAD_TIMEOUT_MS = 90_000
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
# The headline's incident count (ui.headline: one line of figures above the map).
HEADLINE_INCIDENTS = '.incidents-headline [data-figure="incidents"] b'

MARKERS_JS = """
() => {
  const map = Object.keys(window).map(k => window[k]).find(v => v instanceof L.Map);
  if (!map) return null;
  const found = [];
  map.eachLayer(layer => {
    if (layer instanceof L.CircleMarker) {
      const p = map.latLngToContainerPoint(layer.getLatLng());
      const tip = layer.getTooltip();
      found.push({lat: layer.getLatLng().lat, lng: layer.getLatLng().lng, x: p.x, y: p.y,
                  tooltip: tip ? String(tip.getContent()) : ""});
    }
  });
  return found;
}
"""


def hostile_records() -> pd.DataFrame:
    """One incident whose text fields try to run script, alone in Mopti on 2024-11-20."""
    return model.conform(pd.DataFrame([{
        "incident_id": "xss-probe",
        "event_date": "2024-11-20",
        "event_type": "Violence against civilians",
        "sub_event_type": "Attack",
        "actor1": '<img src=x onerror="window.__xss=3">',
        "country": "Mali",
        "admin1": "Mopti",
        "location": "Djenne <script>window.__xss=4</script>",
        "latitude": 13.91,
        "longitude": -4.55,
        "geo_precision": 1,
        "fatalities": 1,
        "notes": XSS_NOTES,
        "source": "<b onmouseover=\"window.__xss=5\">src</b>",
        "source_url": "javascript:window.__xss=6",
        "synthetic": True,
    }]))


@pytest.fixture(scope="module")
def dashboard(new_home, start_dashboard) -> tuple[str, Path]:
    """A running dashboard on a store holding the samples plus the hostile incident.

    The samples go in through the dashboard's own first-run loader.
    """
    home = new_home("browser-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("INCIDENTS_HOME", str(home))
        store = open_store(home / "incidents.sqlite")
        seed_store_if_empty(store)
        store.import_records(hostile_records(), source_name="hostile.csv")
    return start_dashboard(home), home


@pytest.fixture
def page(chromium):
    """A fresh page that records every request, dialog and uncaught script error."""
    context = chromium.new_context(viewport={"width": 1500, "height": 1100},
                                   accept_downloads=True)
    page = context.new_page()
    page.requests_seen = []
    page.dialogs_seen = []
    page.errors_seen = []
    page.on("request", lambda request: page.requests_seen.append(request.url))
    page.on("pageerror", lambda error: page.errors_seen.append(str(error)))
    page.on("dialog", lambda dialog: (page.dialogs_seen.append(dialog.message),
                                      dialog.dismiss()))
    yield page
    foreign = [u for u in page.requests_seen
               if urlsplit(u).scheme in ("http", "https", "ws", "wss")
               and urlsplit(u).hostname not in LOCAL_HOSTS]
    context.close()
    assert foreign == [], f"requests left localhost: {foreign[:10]}"
    assert page.requests_seen, "no request was recorded at all"
    assert page.errors_seen == [], f"uncaught script errors: {page.errors_seen}"


def map_frame(page):
    """The st_folium iframe, once Leaflet has drawn its markers."""
    page.wait_for_selector(HEADLINE_INCIDENTS, timeout=LOAD_TIMEOUT_MS)
    # A rerun (the warm-up finishing, a reported view) may replace the frame just found:
    # look it up again until one stays attached.
    for _attempt in range(20):
        frame_element = page.wait_for_selector("iframe[title*='st_folium']",
                                               timeout=LOAD_TIMEOUT_MS)
        frame = frame_element.content_frame()
        if frame is None or frame.is_detached():
            page.wait_for_timeout(250)
            continue
        try:
            frame.wait_for_selector(".leaflet-container", timeout=LOAD_TIMEOUT_MS)
            frame.wait_for_function(
                "() => Object.keys(window).some(k => window[k] instanceof L.Map)",
                timeout=LOAD_TIMEOUT_MS,
            )
            break
        except PlaywrightError as error:
            if "detached" not in str(error):
                raise
    # The component frame starts with zero height; wait until it has its size and
    # the page has settled (no script run in progress).
    page.wait_for_function(
        "() => [...document.querySelectorAll('iframe')].some("
        "f => f.title.includes('st_folium') && f.offsetHeight > 100)",
        timeout=LOAD_TIMEOUT_MS,
    )
    page.wait_for_timeout(2500)
    frame_element = page.query_selector("iframe[title*='st_folium']")
    return frame_element, frame_element.content_frame()


CENTRE_ON_JS = """
(prefix) => {
  const map = Object.keys(window).map(k => window[k]).find(v => v instanceof L.Map);
  let target = null;
  map.eachLayer(layer => {
    const tip = layer instanceof L.CircleMarker && layer.getTooltip();
    if (tip && String(tip.getContent()).startsWith(prefix)) target = layer;
  });
  map.setView(target.getLatLng(), map.getZoom(), {animate: false});
  const p = map.latLngToContainerPoint(target.getLatLng());
  return {x: p.x, y: p.y};
}
"""


def markers(frame) -> list[dict]:
    return frame.evaluate(MARKERS_JS) or []


def wait_for_record(page, incident_id: str) -> None:
    """Wait until the record panel beside the map shows ``incident_id``."""
    page.wait_for_function(
        "(id) => [...document.querySelectorAll('input[aria-label=\"Incident record\"]')]"
        ".some(i => i.value.includes(id))",
        arg=incident_id, timeout=LOAD_TIMEOUT_MS,
    )
    page.get_by_role("heading", name="Incident record").first.wait_for(timeout=LOAD_TIMEOUT_MS)


def click_incident(page, incident_id: str) -> None:
    """Pan the map so the incident is in the middle (clear of the legend), then click it.

    The map is scrolled to the middle of the window first: a click on a map whose
    frame runs past the bottom of the window did not reach Leaflet in headless Chromium.
    """
    element = page.query_selector("iframe[title*='st_folium']")
    element.evaluate("e => e.scrollIntoView({block: 'center'})")
    page.wait_for_timeout(300)
    frame = element.content_frame()
    point = frame.evaluate(CENTRE_ON_JS, incident_id)
    page.wait_for_timeout(1500)
    element = page.query_selector("iframe[title*='st_folium']")
    box = element.bounding_box()
    page.mouse.move(box["x"] + point["x"], box["y"] + point["y"])
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])


def open_view(page, base_url: str, spec: FilterSpec | None = None) -> None:
    query = f"?{spec.to_query_string()}" if spec else ""
    page.goto(f"{base_url}/{query}", wait_until="domcontentloaded")


OUTLINE_PATHS_JS = "stroke => document.querySelectorAll(`path[stroke='${stroke}']`).length"


def test_region_outlines_are_fetched_once_and_drawn(dashboard, page) -> None:
    """The country and admin-1 outlines come from serve.py as files a browser keeps
    (not in the map's script, sent with every run), and are drawn."""
    base_url, _ = dashboard
    answers = []
    page.on("response", lambda response: answers.append(response)
            if "/app/static/mapdata/" in response.url else None)
    open_view(page, base_url)
    _, frame = map_frame(page)
    for stroke in ("#4a4a4a", "#7a7a7a"):  # incidents.maps.base: country, admin-1
        frame.wait_for_function(f"({OUTLINE_PATHS_JS})({stroke!r}) > 5",
                                timeout=LOAD_TIMEOUT_MS)
    assert len(answers) == 2, [answer.url for answer in answers]
    for answer in answers:
        assert answer.status == 200
        assert answer.headers["cache-control"] == "public, immutable, max-age=31536000"


def test_map_shows_the_seed_incident_at_kimparana(dashboard, page, artifacts_dir: Path) -> None:
    base_url, _ = dashboard
    open_view(page, base_url)
    _, frame = map_frame(page)
    found = markers(frame)
    kimparana = [m for m in found if "seed-kimparana" in m["tooltip"]]
    assert kimparana, [m["tooltip"] for m in found][:5]
    assert abs(kimparana[0]["lat"] - 12.842) < 0.01 and abs(kimparana[0]["lng"] + 4.925) < 0.01
    page.screenshot(path=str(artifacts_dir / "dashboard_all.png"), full_page=True)

    click_incident(page, "seed-kimparana")
    wait_for_record(page, "seed-kimparana-2024-12-07")
    page.screenshot(path=str(artifacts_dir / "dashboard_clicked_kimparana.png"), full_page=True)


def test_segou_in_december_keeps_kimparana_and_drops_the_rest(dashboard, page,
                                                             artifacts_dir: Path) -> None:
    base_url, home = dashboard
    everything = open_store(home / "incidents.sqlite").load()
    expected = apply_filters(everything, SEGOU_DECEMBER)
    open_view(page, base_url, SEGOU_DECEMBER)
    _, frame = map_frame(page)
    found = markers(frame)
    ids = sorted(m["tooltip"].split(" · ")[0] for m in found)
    assert ids == sorted(expected.loc[expected["geo_precision"] < 3, "incident_id"])
    assert "seed-kimparana-2024-12-07" in ids
    assert len(ids) < everything["latitude"].notna().sum()
    page.screenshot(path=str(artifacts_dir / "dashboard_segou_december.png"), full_page=True)
    page.get_by_role("tab", name="Over time").click()
    page.locator('[data-testid="stVegaLiteChart"]').first.wait_for(timeout=LOAD_TIMEOUT_MS)
    page.wait_for_timeout(1500)
    page.screenshot(path=str(artifacts_dir / "dashboard_segou_december_time.png"), full_page=True)


def test_geojson_download_is_valid(dashboard, page, tmp_path: Path) -> None:
    base_url, home = dashboard
    expected = apply_filters(open_store(home / "incidents.sqlite").load(), SEGOU_DECEMBER)
    open_view(page, base_url, SEGOU_DECEMBER)
    map_frame(page)
    page.get_by_role("tab", name="Export").click()
    with page.expect_download(timeout=LOAD_TIMEOUT_MS) as download_info:
        page.get_by_role("button", name="GeoJSON").click()
    download = download_info.value
    assert download.suggested_filename == "incidents_Segou_2024-12-01_2024-12-31.geojson"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    document = json.loads(path.read_text("utf-8"))
    assert document["type"] == "FeatureCollection"
    assert sorted(f["properties"]["incident_id"] for f in document["features"]) == \
        sorted(expected["incident_id"])
    for feature in document["features"]:
        longitude, latitude = feature["geometry"]["coordinates"]
        assert -180 <= longitude <= 180 and -90 <= latitude <= 90


def test_hostile_incident_text_never_runs(dashboard, page, artifacts_dir: Path) -> None:
    base_url, _ = dashboard
    open_view(page, base_url, XSS_VIEW)
    _, frame = map_frame(page)
    found = markers(frame)
    assert len(found) == 1 and found[0]["tooltip"].startswith("xss-probe")
    click_incident(page, "xss-probe")
    frame = page.query_selector("iframe[title*='st_folium']").content_frame()
    frame.wait_for_selector(".leaflet-popup-content", timeout=LOAD_TIMEOUT_MS)
    wait_for_record(page, "xss-probe")
    page.wait_for_timeout(1000)
    page.screenshot(path=str(artifacts_dir / "dashboard_hostile_popup.png"), full_page=True)
    popup_text = frame.inner_text(".leaflet-popup-content")
    assert "<img" in popup_text  # shown as text, not parsed as markup
    assert frame.query_selector(".leaflet-popup-content img") is None
    for each in page.frames:
        assert each.evaluate("() => window.__xss === undefined"), each.url
    page.keyboard.press("Escape")  # close the record's dialog
    page.get_by_role("tab", name="Table").click()
    page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=LOAD_TIMEOUT_MS)
    page.wait_for_timeout(2000)
    page.screenshot(path=str(artifacts_dir / "dashboard_hostile_table.png"), full_page=True)
    for each in page.frames:
        assert each.evaluate("() => window.__xss === undefined"), each.url
    assert page.dialogs_seen == []


def test_french_view_from_a_link(dashboard, page, artifacts_dir: Path) -> None:
    base_url, _ = dashboard
    page.goto(f"{base_url}/?lang=fr&countries=Mali", wait_until="domcontentloaded")
    _, frame = map_frame(page)
    page.get_by_text("Lieux distincts").wait_for(timeout=LOAD_TIMEOUT_MS)
    page.get_by_text("Période couverte").wait_for(timeout=LOAD_TIMEOUT_MS)
    assert markers(frame)
    page.screenshot(path=str(artifacts_dir / "dashboard_french_mali.png"), full_page=True)
    page.get_by_text("Colorer les régions selon le nombre d'incidents").click()
    page.wait_for_timeout(1000)
    page.wait_for_function(
        "() => [...document.querySelectorAll('iframe')].some(f => f.offsetHeight > 100"
        " && f.contentDocument && f.contentDocument.querySelector('.leaflet-container'))",
        timeout=LOAD_TIMEOUT_MS,
    )
    page.wait_for_timeout(2000)
    page.screenshot(path=str(artifacts_dir / "dashboard_french_choropleth.png"), full_page=True)


CLICK_REGION_JS = """(name) => {
    // Fire the click the way Leaflet does for a real one: on the region's polygon,
    // propagating to its GeoJSON layer, where streamlit-folium reads the feature.
    const map = Object.values(window).find(v => v instanceof L.Map);
    let hit = null;
    map.eachLayer(layer => {
        const p = layer.feature && layer.feature.properties;
        if (p && p.region_level === "admin1" && p.region === name && layer.getBounds) hit = layer;
    });
    if (!hit) return false;
    hit.fire("click", {latlng: hit.getBounds().getCenter()}, true);
    return true;
}"""


def test_clicking_a_choropleth_region_sets_the_region_filter(dashboard, page,
                                                             artifacts_dir: Path) -> None:
    base_url, _ = dashboard
    page.goto(f"{base_url}/?countries=Mali", wait_until="domcontentloaded")
    map_frame(page)
    before = page.locator(HEADLINE_INCIDENTS).first.inner_text()
    page.get_by_text("Colour regions by number of incidents").click()
    page.wait_for_timeout(1000)
    _, frame = map_frame(page)
    frame.wait_for_function(
        "() => { const m = Object.values(window).find(v => v instanceof L.Map); let n = 0;"
        " m.eachLayer(l => { if (l.feature && l.feature.properties.region_level) n++; });"
        " return n > 0; }", timeout=LOAD_TIMEOUT_MS)
    assert frame.evaluate(CLICK_REGION_JS, "Ségou")
    page.wait_for_url(lambda url: "admin1s=S%C3%A9gou" in url, timeout=LOAD_TIMEOUT_MS)
    page.wait_for_function(
        "([selector, before]) => document.querySelector(selector).innerText !== before",
        arg=[HEADLINE_INCIDENTS, before], timeout=LOAD_TIMEOUT_MS)
    page.wait_for_timeout(1500)
    page.screenshot(path=str(artifacts_dir / "dashboard_region_clicked.png"), full_page=True)
    assert page.locator('[data-testid="stSidebar"]').get_by_text("Ségou", exact=True).count() >= 1


def test_a_drawn_area_in_the_link_filters_and_is_drawn(dashboard, page,
                                                       artifacts_dir: Path) -> None:
    base_url, home = dashboard
    spec = FilterSpec(polygon="POLYGON ((-5.2 12.6, -4.6 12.6, -4.6 13.1, -5.2 13.1, -5.2 12.6))")
    expected = apply_filters(open_store(home / "incidents.sqlite").load(), spec)
    open_view(page, base_url, spec)
    _, frame = map_frame(page)
    ids = sorted(m["tooltip"].split(" · ")[0] for m in markers(frame))
    assert ids == sorted(expected["incident_id"]) and "seed-kimparana-2024-12-07" in ids
    assert frame.query_selector("path.leaflet-interactive") is not None
    page.get_by_text("Only incidents inside the area drawn").wait_for(timeout=LOAD_TIMEOUT_MS)
    page.screenshot(path=str(artifacts_dir / "dashboard_drawn_area.png"), full_page=True)


def test_drawing_a_rectangle_filters_the_page(dashboard, page, artifacts_dir: Path) -> None:
    base_url, _ = dashboard
    open_view(page, base_url, FilterSpec(countries=("Mali",)))
    _, frame = map_frame(page)
    before = len(markers(frame))
    frame.click(".leaflet-draw-draw-rectangle")
    box = page.query_selector("iframe[title*='st_folium']").bounding_box()
    start = (box["x"] + box["width"] * 0.55, box["y"] + box["height"] * 0.15)
    end = (box["x"] + box["width"] * 0.95, box["y"] + box["height"] * 0.6)
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move((start[0] + end[0]) / 2, (start[1] + end[1]) / 2, steps=5)
    page.mouse.move(*end, steps=5)
    page.mouse.up()
    page.get_by_text("Only incidents inside the area drawn").wait_for(timeout=LOAD_TIMEOUT_MS)
    _, frame = map_frame(page)
    after = len(markers(frame))
    assert 0 < after < before
    assert "polygon=" in page.url
    page.screenshot(path=str(artifacts_dir / "dashboard_drawn_by_hand.png"), full_page=True)


def test_placing_an_incident_by_clicking_the_map(dashboard, page, artifacts_dir: Path) -> None:
    base_url, home = dashboard
    store = open_store(home / "incidents.sqlite")
    page.goto(f"{base_url}/correct", wait_until="domcontentloaded")
    page.wait_for_function(
        "() => [...document.querySelectorAll('iframe')].some("
        "f => f.title.includes('st_folium') && f.offsetHeight > 100)",
        timeout=LOAD_TIMEOUT_MS,
    )
    page.wait_for_timeout(2000)
    picked = page.locator('input[aria-label="Incident to place"]').input_value()
    incident_id = picked.rsplit(" · ", 1)[-1]
    box = page.query_selector("iframe[title*='st_folium']").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.8, box["y"] + box["height"] * 0.3)
    page.get_by_text("New point:").wait_for(timeout=LOAD_TIMEOUT_MS)
    page.get_by_role("button", name="Save the location").click()
    page.get_by_text("Location saved").wait_for(timeout=LOAD_TIMEOUT_MS)
    page.screenshot(path=str(artifacts_dir / "dashboard_manual_placement.png"), full_page=True)
    row = store.load().set_index("incident_id").loc[incident_id]
    assert row["geocode_method"] == "manual"
    # No users configured: recorded under this machine's login, never a typed name.
    assert set(store.history(incident_id)["user"]) == {local_user().name}


@pytest.mark.parametrize("path, heading", [
    ("upload", "Upload a file"),
    ("article", "Add from article"),
    ("correct", "Correct a location"),
    ("quarantine", "Quarantine"),
    ("admin", "Users and audit"),
    ("duplicates", "Duplicates"),
])
def test_every_page_opens(dashboard, page, path: str, heading: str) -> None:
    base_url, _ = dashboard
    page.goto(f"{base_url}/{path}", wait_until="domcontentloaded")
    page.get_by_role("heading", name=heading).wait_for(timeout=LOAD_TIMEOUT_MS)
    page.wait_for_timeout(1500)
    assert page.locator('[data-testid="stException"]').count() == 0


LEGEND_JS = """
() => {
  const legend = document.querySelector('.incidents-legend');
  const details = legend.querySelector('details');
  const box = legend.getBoundingClientRect();
  const map = document.querySelector('.leaflet-container').getBoundingClientRect();
  const attribution = document.querySelector('.leaflet-control-attribution').getBoundingClientRect();
  return {open: details.open, left: box.left - map.left, right: map.right - box.right,
          bottom: box.bottom, top: box.top, width: map.width, height: map.height,
          attribution_top: attribution.top, text: legend.innerText};
}
"""
ZOOM_JS = """
() => {
  const map = Object.keys(window).map(k => window[k]).find(v => v instanceof L.Map);
  return {zoom: map.getZoom(), max: map.getMaxZoom()};
}
"""


def test_legend_sits_bottom_right_and_folds(dashboard, page, artifacts_dir: Path) -> None:
    base_url, _ = dashboard
    open_view(page, base_url, FilterSpec(countries=("Mali",)))
    element, frame = map_frame(page)
    shown = frame.evaluate(LEGEND_JS)
    assert shown["open"] and "Event type" in shown["text"]
    assert shown["left"] > shown["width"] / 2 and shown["right"] < 20
    assert shown["bottom"] <= shown["attribution_top"] + 1
    page.screenshot(path=str(artifacts_dir / "dashboard_legend_open.png"), full_page=True)
    frame.click(".incidents-legend summary")
    page.wait_for_timeout(500)
    folded = frame.evaluate(LEGEND_JS)
    assert not folded["open"] and folded["top"] > shown["top"] + 100
    assert folded["text"].strip() == "Legend"
    element.screenshot(path=str(artifacts_dir / "dashboard_legend_folded.png"))
    assert "polygon=" not in page.url  # folding the legend clicked nothing on the map


def test_a_single_incident_opens_with_its_surroundings(dashboard, page,
                                                       artifacts_dir: Path) -> None:
    from incidents.maps.build import FIT_MAX_ZOOM

    base_url, _ = dashboard
    open_view(page, base_url, XSS_VIEW)
    element, frame = map_frame(page)
    assert len(markers(frame)) == 1
    zoom = frame.evaluate(ZOOM_JS)
    assert zoom["zoom"] <= FIT_MAX_ZOOM < zoom["max"]
    page.get_by_text("1 of these incidents is SYNTHETIC").first.wait_for(timeout=LOAD_TIMEOUT_MS)
    element.screenshot(path=str(artifacts_dir / "dashboard_single_incident.png"))


def test_add_from_article_in_french(dashboard, page, artifacts_dir: Path) -> None:
    base_url, _ = dashboard
    page.goto(f"{base_url}/article?lang=fr", wait_until="domcontentloaded")
    page.get_by_role("heading", name="Ajouter depuis un article").wait_for(
        timeout=LOAD_TIMEOUT_MS)
    page.get_by_role("button", name="Extraire les incidents").wait_for(timeout=LOAD_TIMEOUT_MS)
    page.wait_for_timeout(1000)
    assert page.locator('[data-testid="stException"]').count() == 0
    page.screenshot(path=str(artifacts_dir / "dashboard_article_french.png"), full_page=True)


def pick_event_type(page, event_type: str) -> None:
    """Add ``event_type`` to the sidebar's "Event type" filter."""
    sidebar = page.locator('[data-testid="stSidebar"]')
    box = sidebar.get_by_role("combobox", name="Event type", exact=True)
    box.click()
    box.fill(event_type)  # narrows the list, so the option is drawn even in a long list
    page.get_by_role("option", name=event_type, exact=True).click()
    page.keyboard.press("Escape")


MAP_STATE_JS = """
() => {
  const map = Object.values(window).find(v => v instanceof L.Map);
  const overlays = [...document.querySelectorAll('.leaflet-control-layers-overlays label')]
    .map(l => ({name: l.innerText.trim(), on: l.querySelector('input').checked}));
  return {same: window.__same_frame === true,
          legends: document.querySelectorAll('.incidents-legend').length,
          heat: document.querySelectorAll('canvas.leaflet-heatmap-layer').length,
          overlays: overlays, zoom: map.getZoom()};
}
"""


# Counts the heat layer's canvas draws from now on in the map's frame.
COUNT_HEAT_DRAWS_JS = """
() => {
  window.__heat_draws = 0;
  const redraw = L.HeatLayer.prototype._redraw;
  L.HeatLayer.prototype._redraw = function () {
    window.__heat_draws += 1;
    return redraw.apply(this, arguments);
  };
}
"""


def test_a_filter_change_replaces_the_layers_inside_the_same_map(dashboard, page,
                                                                 artifacts_dir: Path) -> None:
    """No new frame (Leaflet, plugins and tiles loaded again) for a new filter: the
    incident layers, the legend and the hidden heat layer are swapped in place."""
    base_url, home = dashboard
    open_view(page, base_url)
    _, frame = map_frame(page)
    frame.evaluate("() => { window.__same_frame = true; }")
    frame.evaluate(COUNT_HEAT_DRAWS_JS)
    before = frame.evaluate(MAP_STATE_JS)
    assert before["legends"] == 1 and before["heat"] == 0
    assert {"name": "Heat map", "on": False} in before["overlays"]
    assert len({m["tooltip"].split(" · ")[2] for m in markers(frame)}) > 1
    pick_event_type(page, "Battles")
    frame.wait_for_function(
        "() => { const m = Object.values(window).find(v => v instanceof L.Map); let all = 0,"
        " battles = 0; m.eachLayer(l => { if (l instanceof L.CircleMarker && l.getTooltip()) {"
        " all++; if (String(l.getTooltip().getContent()).includes(' · Battles · ')) battles++; }"
        " }); return all > 0 && all === battles; }", timeout=LOAD_TIMEOUT_MS)
    page.wait_for_timeout(2000)  # any rerun the map's own report would cause is over
    after = frame.evaluate(MAP_STATE_JS)
    assert after["same"], "the map was mounted again in a new frame"
    assert after["legends"] == 1 and after["heat"] == 0
    assert frame.evaluate("() => window.__heat_draws") == 0, "the hidden heat map was drawn"
    assert {"name": "Heat map", "on": False} in after["overlays"]
    expected = apply_filters(open_store(home / "incidents.sqlite").load(),
                             FilterSpec(event_types=("Battles",)))
    shown = {m["tooltip"].split(" · ")[0] for m in markers(frame)}
    assert shown == set(expected.loc[expected["geo_precision"] < 3, "incident_id"])
    assert after["zoom"] == extent_view(expected).zoom  # fitted to the new set, and stays
    page.screenshot(path=str(artifacts_dir / "dashboard_filter_in_place.png"), full_page=True)


TICK_JS = """
([name, checked]) => {
  const label = [...document.querySelectorAll('.leaflet-control-layers-overlays label')]
    .find(l => l.textContent.trim() === name);
  const input = label.querySelector('input');
  if (input.checked !== checked) input.click();
}
"""


def test_overlays_ticked_or_unticked_stay_so_across_filter_changes(dashboard, page,
                                                                   artifacts_dir: Path) -> None:
    base_url, _ = dashboard
    open_view(page, base_url)
    _, frame = map_frame(page)
    frame.evaluate(TICK_JS, ["Heat map", True])
    frame.evaluate(TICK_JS, ["Incidents", False])
    frame.evaluate("() => { window.__same_frame = true; }")
    ticked = frame.evaluate(MAP_STATE_JS)
    assert ticked["heat"] == 1 and not markers(frame)
    pick_event_type(page, "Riots")
    frame.wait_for_function(
        "() => { const l = document.querySelector('.incidents-legend');"
        " return l && l.innerText.includes('Riots') && !l.innerText.includes('Battles'); }",
        timeout=LOAD_TIMEOUT_MS)
    page.wait_for_timeout(1500)
    after = frame.evaluate(MAP_STATE_JS)
    assert after["same"], "the map was mounted again in a new frame"
    assert after["heat"] == 1 and not markers(frame)
    assert {"name": "Heat map", "on": True} in after["overlays"]
    assert {"name": "Incidents", "on": False} in after["overlays"]
    page.screenshot(path=str(artifacts_dir / "dashboard_overlay_choices.png"), full_page=True)
