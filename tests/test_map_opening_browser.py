"""The map opens on the incidents wherever they are, not on the Sahel where every map
starts (so that its frame is kept from one filter to the next). Screenshot:
tests/artifacts/map_opening_myanmar.png."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from incidents.store import open_store
from incidents.synthetic import synthetic_incidents
from test_dashboard_browser import map_frame

pytestmark = pytest.mark.browser

# More than the map draws one by one, so it draws hexagons and rebuilds them for the
# view it is told the analyst has: the view it once took from the map's opening report.
N_INCIDENTS = 6_000
SHIFT = (5.0, 94.0)  # the synthetic Sahel moved to Myanmar: latitude, longitude
SPREAD = 3.0  # and stretched east-west, so that it opens at another zoom than the Sahel's
VIEW_JS = """
() => {
  const map = Object.values(window).find(
    v => v instanceof L.Map && v.getContainer().isConnected);
  const centre = map.getCenter();
  return {lat: centre.lat, lng: centre.lng, zoom: map.getZoom(),
          cells: document.querySelectorAll('path.incidents-cell').length};
}
"""


@pytest.fixture(scope="module")
def far_dashboard(new_home, start_dashboard) -> tuple[str, tuple[float, float]]:
    home = new_home("map-opening")
    records = synthetic_incidents(N_INCIDENTS, seed=11)
    records["latitude"] = records["latitude"] + SHIFT[0]
    middle = records["longitude"].mean()
    records["longitude"] = (records["longitude"] - middle) * SPREAD + middle + SHIFT[1]
    records["country"] = "Myanmar"
    records[["admin1", "admin2"]] = None
    open_store(home / "incidents.sqlite").import_records(records, source_name="far.csv")
    placed = records.dropna(subset=["latitude", "longitude"])
    centre = ((placed["latitude"].min() + placed["latitude"].max()) / 2,
              (placed["longitude"].min() + placed["longitude"].max()) / 2)
    return start_dashboard(home), centre


def test_the_map_opens_and_stays_on_incidents_far_from_the_sahel(
        far_dashboard, chromium, artifacts_dir: Path) -> None:
    base_url, (latitude, longitude) = far_dashboard
    context = chromium.new_context(viewport={"width": 1500, "height": 1100})
    page = context.new_page()
    try:
        page.goto(base_url)
        _, frame = map_frame(page)
        page.wait_for_timeout(4_000)  # the frame's reports, and any rebuild they cause
        _, frame = map_frame(page)
        view = frame.evaluate(VIEW_JS)
        link = parse_qs(urlsplit(page.url).query)
        page.screenshot(path=str(artifacts_dir / "map_opening_myanmar.png"))
    finally:
        context.close()
    assert abs(view["lng"] - longitude) < 5 and abs(view["lat"] - latitude) < 5, view
    assert view["cells"] > 0 and view["zoom"] < 5
    if "view" in link:  # the link keeps the view shown, not the one the map opened on
        linked_lat, linked_lng, _ = (float(part) for part in link["view"][0].split(","))
        assert abs(linked_lng - longitude) < 5 and abs(linked_lat - latitude) < 5, link
