"""The real dashboard on 100,000 incidents: hexagons at country level, single incidents
once the analyst zooms in on a village. Screenshots go to tests/artifacts/."""

from __future__ import annotations

from pathlib import Path

import pytest

from incidents.store import open_store
from incidents.synthetic import synthetic_incidents

pytestmark = [pytest.mark.browser, pytest.mark.slow]

N_INCIDENTS = 100_000
TIMEOUT_MS = 90_000
# What the live map inside the st_folium iframe shows: hexagon paths, incident markers
# (drawn in their own pane) and the incident ids of the markers' tooltips.
DRAWN_JS = """
() => {
  const map = Object.values(window).find(
    v => v instanceof L.Map && v.getContainer().isConnected);
  if (!map) return null;
  const ids = [];
  map.eachLayer(layer => {
    const tip = layer instanceof L.CircleMarker && layer.getTooltip();
    if (tip) ids.push(String(tip.getContent()).split(' · ')[0]);
  });
  return {cells: document.querySelectorAll('path.incidents-cell').length,
          markers: document.querySelectorAll('.leaflet-incidentMarkers-pane path').length,
          zoom: map.getZoom(), ids: ids};
}
"""
ZOOM_TO_JS = """
([lat, lng, zoom]) => {
  const map = Object.values(window).find(
    v => v instanceof L.Map && v.getContainer().isConnected);
  map.setView([lat, lng], zoom, {animate: false});
}
"""
VILLAGE_ZOOM = 14
SETTLE_MS = 6_000


@pytest.fixture(scope="module")
def big_dashboard(new_home, start_dashboard):
    """A dashboard whose store holds 100k synthetic incidents, and those incidents."""
    home = new_home("scale-home")
    store = open_store(home / "incidents.sqlite")
    store.import_records(synthetic_incidents(N_INCIDENTS, seed=7), source_name="synthetic")
    return start_dashboard(home), store.load()


def map_state(page) -> dict | None:
    """What the map iframe draws right now (None while it is being replaced)."""
    element = page.query_selector("iframe[title*='st_folium']")
    frame = element.content_frame() if element else None
    if frame is None:
        return None
    try:
        return frame.evaluate(DRAWN_JS)
    except Exception:  # the frame navigated while we asked
        return None


def wait_for(page, condition, what: str) -> dict:
    """Poll the map until ``condition(state)`` holds; fail after TIMEOUT_MS."""
    for _ in range(TIMEOUT_MS // 250):
        state = map_state(page)
        if state and condition(state):
            return state
        page.wait_for_timeout(250)
    raise AssertionError(f"map never showed {what}; last state: {map_state(page)}")


def test_zooming_from_country_to_village_shows_single_incidents(
    big_dashboard, chromium, artifacts_dir: Path
) -> None:
    base_url, records = big_dashboard
    counts = records.groupby("location").size()
    village = counts[counts.index.str.contains("village")].sort_values().index[-1]
    at_village = records[records["location"] == village]
    lat, lng = at_village[["latitude", "longitude"]].iloc[0]

    context = chromium.new_context(viewport={"width": 1500, "height": 1100})
    page = context.new_page()
    try:
        page.goto(base_url, wait_until="domcontentloaded")
        overview = wait_for(page, lambda s: s["cells"] > 0, "hexagons at country level")
        assert overview["markers"] == 0
        assert overview["zoom"] < 9
        page.wait_for_timeout(1000)
        page.screenshot(path=str(artifacts_dir / "scale_100k_country.png"), full_page=True)

        page.query_selector("iframe[title*='st_folium']").content_frame().evaluate(
            ZOOM_TO_JS, [float(lat), float(lng), VILLAGE_ZOOM])
        wait_for(page, lambda s: s["markers"] > 0 and s["cells"] == 0,
                 "single incidents at village level")
        # The view must stay that way: no later rerun may swap the markers back for hexagons.
        page.wait_for_timeout(SETTLE_MS)
        close_up = wait_for(page, lambda s: True, "a map after settling")
        page.screenshot(path=str(artifacts_dir / "scale_100k_village.png"), full_page=True)
    finally:
        context.close()

    assert close_up["cells"] == 0 and close_up["markers"] > 0, close_up
    assert close_up["zoom"] >= VILLAGE_ZOOM - 1
    shown = set(close_up["ids"])
    assert shown <= set(records["incident_id"])
    assert set(at_village["incident_id"]) <= shown


def test_zooming_out_past_the_world_s_width_settles(big_dashboard, chromium,
                                                     artifacts_dir: Path) -> None:
    """At zoom 2 a 1,250 px map is wider than the world and Leaflet reports longitudes
    beyond +-180: the hexagons are rebuilt once for that view, then the page goes
    quiet (it used to rebuild them without end, tens of MB a second)."""
    base_url, _ = big_dashboard
    context = chromium.new_context(viewport={"width": 1500, "height": 1100})
    page = context.new_page()
    received: list[int] = []
    page.on("websocket", lambda socket: socket.on(
        "framereceived", lambda payload: received.append(len(payload))))
    try:
        page.goto(base_url, wait_until="domcontentloaded")
        wait_for(page, lambda s: s["cells"] > 0, "hexagons at country level")
        page.query_selector("iframe[title*='st_folium']").content_frame().evaluate(
            ZOOM_TO_JS, [15.0, 0.0, 2])
        world = wait_for(page, lambda s: s["zoom"] == 2 and s["cells"] > 0, "the world's hexagons")
        page.wait_for_timeout(SETTLE_MS)
        before = len(received)
        page.wait_for_timeout(3_000)
        later = sum(received[before:])
        page.screenshot(path=str(artifacts_dir / "scale_100k_world.png"), full_page=True)
    finally:
        context.close()
    assert world["markers"] == 0
    assert later < 10_000, f"{later} bytes in 3 s of an untouched page: the map keeps rebuilding"
