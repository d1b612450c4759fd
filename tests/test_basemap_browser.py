"""An imported MBTiles basemap in the dashboard at village zoom with the gazetteer's
places labelled and the bundled cercle outlines drawn, and the opt-in online OpenStreetMap layer in the layer control
(listed, never loaded unless chosen).

Screenshots go to tests/artifacts/ (prefix ``basemap_``).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from incidents.store import IncidentStore
from test_dashboard_browser import LOAD_TIMEOUT_MS, LOCAL_HOSTS, map_frame
from incidents.maps.tiles import tile_index
from test_maps_basemaps import MOPTI, make_mbtiles
from vector_tiles import make_vector_pmtiles
from ui.data import seed_store_if_empty

pytestmark = pytest.mark.browser

LAYER_LABELS_JS = """() => [...document.querySelectorAll('.leaflet-control-layers-base label')]
    .map(l => l.innerText.trim())"""
CHOOSE_BASE_JS = """(name) => {
  const label = [...document.querySelectorAll('.leaflet-control-layers-base label')]
    .find(l => l.innerText.trim() === name);
  label.querySelector('input').click();
}"""


@pytest.fixture(scope="module")
def dashboard(new_home, start_dashboard, tmp_path_factory) -> str:
    from incidents.maps.basemaps import import_basemap

    home = new_home("basemap-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("INCIDENTS_HOME", str(home))
        seed_store_if_empty(IncidentStore(home / "incidents.sqlite"))
        folder = tmp_path_factory.mktemp("mbtiles")
        import_basemap(make_mbtiles(folder / "region.mbtiles"), "test-region")
        import_basemap(make_vector_pmtiles(folder / "roads.pmtiles", _block(range(8, 12)),
                                           "Sévaré"), "vector-region")
    return start_dashboard(home)


def test_an_imported_basemap_draws_at_zoom_10(dashboard, chromium, artifacts_dir: Path) -> None:
    page, requests = _open_at_mopti(chromium, dashboard)
    try:
        _, frame = map_frame(page)
        assert frame.evaluate("() => Object.values(window).find(v => v instanceof L.Map)"
                              ".getZoom()") == 10
        labels = frame.evaluate(LAYER_LABELS_JS)
        assert "test-region" in labels, labels
        assert "OpenStreetMap (online)" not in labels  # not opted in
        frame.evaluate(CHOOSE_BASE_JS, "test-region")
        frame.wait_for_function(
            """() => [...document.querySelectorAll('img.leaflet-tile')].filter(i =>
                i.src.includes('/basemaps/test-region/10/') && i.complete
                && i.naturalWidth === 256).length >= 4""", timeout=LOAD_TIMEOUT_MS)
        _, frame = map_frame(page)
        # The places labelled, and the bundled cercle outlines around Mopti dashed under them.
        frame.wait_for_function(
            "() => [...document.querySelectorAll('.incidents-reference-place')]"
            ".some(e => e.innerText.trim() === 'Mopti')"
            " && document.querySelectorAll('path[stroke-dasharray=\"4 3\"]').length >= 3",
            timeout=LOAD_TIMEOUT_MS)
        page.wait_for_timeout(1000)
        page.screenshot(path=str(artifacts_dir / "basemap_zoom10.png"))

        page.get_by_text("Online OpenStreetMap layer").click()
        frame = _frame_where(page, "() => [...document.querySelectorAll("
                             "'.leaflet-control-layers-base label')]"
                             ".some(l => l.innerText.trim() === 'OpenStreetMap (online)')")
        frame.hover(".leaflet-control-layers")
        page.wait_for_timeout(500)
        page.screenshot(path=str(artifacts_dir / "basemap_online_listed.png"))
    finally:
        page.context.close()
    foreign = [u for u in requests if urlsplit(u).scheme in ("http", "https")
               and urlsplit(u).hostname not in LOCAL_HOSTS]
    assert foreign == [], foreign[:5]


# The water polygon's fill (incidents.maps.vector_basemap.THEMES) as drawn on a tile canvas.
WATER_DRAWN_JS = """() => [...document.querySelectorAll('canvas.leaflet-tile')].some(c => {
  const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  for (let i = 0; i < data.length; i += 4 * 97) {
    if (Math.abs(data[i] - 0xb7) < 12 && Math.abs(data[i + 1] - 0xd3) < 12
        && Math.abs(data[i + 2] - 0xe6) < 12) return true;
  }
  return false;
})"""


def test_an_imported_vector_basemap_draws_at_zoom_10(dashboard, chromium,
                                                      artifacts_dir: Path) -> None:
    page, requests = _open_at_mopti(chromium, dashboard)
    try:
        _, frame = map_frame(page)
        assert "vector-region" in frame.evaluate(LAYER_LABELS_JS)
        frame.evaluate(CHOOSE_BASE_JS, "vector-region")
        frame.wait_for_function(WATER_DRAWN_JS, timeout=LOAD_TIMEOUT_MS)
        frame = _frame_where(page, "() => [...document.querySelectorAll("
                             "'.incidents-reference-place')].length > 3")
        frame.wait_for_function(WATER_DRAWN_JS, timeout=LOAD_TIMEOUT_MS)
        page.wait_for_function(
            "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')",
            timeout=LOAD_TIMEOUT_MS)
        page.wait_for_timeout(1500)
        page.screenshot(path=str(artifacts_dir / "basemap_vector_zoom10.png"))
        assert any("/basemaps/vector-region/" in url for url in requests)
        assert all(urlsplit(url).hostname in LOCAL_HOSTS for url in requests
                   if url.startswith("http")), "a request left this machine"
    finally:
        page.context.close()


def _open_at_mopti(chromium, dashboard: str):
    """A 1280x720 page on the dashboard at zoom 10 over Mopti, and the list of every URL
    it requests."""
    page = chromium.new_context(viewport={"width": 1280, "height": 720}).new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{dashboard}/?view={MOPTI[0]},{MOPTI[1]},10", wait_until="domcontentloaded")
    return page, requests


def _block(zooms: range) -> list[tuple[int, int, int]]:
    """A 3 x 3 block of tiles around Mopti at each zoom."""
    tiles = []
    for zoom in zooms:
        x0, y0 = tile_index(*MOPTI, zoom)
        tiles += [(zoom, x, y) for x in range(x0 - 1, x0 + 2) for y in range(y0 - 1, y0 + 2)]
    return tiles


def _frame_where(page, condition: str):
    """The map frame once ``condition`` holds in it. The toggle mounts a new map frame;
    on a loaded machine that can happen after the first frame was found, so a frame
    detached while waiting is looked up again."""
    from playwright.sync_api import Error

    for _attempt in range(10):
        _, frame = map_frame(page)
        try:
            frame.wait_for_function(condition, timeout=LOAD_TIMEOUT_MS)
            return frame
        except Error as error:
            if "detached" not in str(error):
                raise
    raise AssertionError(f"no map frame where {condition}")
