"""The map in a real (headless) Chromium: it draws, it asks nothing of the internet,
and incident text cannot run as script.

Three ways a map reaches a browser are covered: a page served by a plain
local HTTP server (as the static folder is laid out under Streamlit), the
standalone HTML file opened from disk, and the Streamlit component iframe
that streamlit-folium uses.
"""

from __future__ import annotations

import functools
import http.server
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import folium
import pytest
from folium import plugins

from incidents.maps.assets import STATIC_DIR
from incidents.maps.base import finish_map, make_base_map
from incidents.maps.escape import escape_text
from incidents.maps.standalone import standalone_html

from conftest import PROJECT_DIR, free_port, streamlit_server

pytestmark = pytest.mark.browser

LOCAL_HOSTS = {"127.0.0.1", "localhost"}
XSS_POPUP = '<img src=x onerror="window.__xss=1">'
XSS_TOOLTIP = "<script>window.__xss=2</script>"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A local HTTP server whose /app/static is the project's static folder."""
    root = tmp_path_factory.mktemp("site")
    (root / "app").mkdir()
    (root / "app" / "static").symlink_to(STATIC_DIR, target_is_directory=True)
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", root
    server.shutdown()
    server.server_close()


def _record_requests(page) -> list[str]:
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    return urls


def _remote(urls: list[str]) -> list[str]:
    remote = []
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme in {"data", "blob", "file", "about"}:
            continue
        if parts.hostname not in LOCAL_HOSTS:
            remote.append(url)
    return remote


def _wait_for_quiet(page, urls: list[str], quiet_ms: int = 1000, limit_ms: int = 15_000) -> None:
    """Wait until the page has asked for nothing new during ``quiet_ms``.

    Playwright's "networkidle" counts requests in flight, and a tile request that
    Leaflet cancels mid-zoom can stay counted forever, so the wait hung now and then
    on a page that was long done. The assertions are about what was asked for, which
    ``urls`` records the moment a request starts.
    """
    waited = 0
    seen = -1
    while waited < limit_ms and seen != len(urls):
        seen = len(urls)
        page.wait_for_timeout(quiet_ms)
        waited += quiet_ms


def _wait_for_tiles(frame, minimum: int = 4) -> int:
    frame.wait_for_function(
        "n => Array.from(document.querySelectorAll('img.leaflet-tile'))"
        ".filter(img => img.complete && img.naturalWidth > 0).length >= n",
        arg=minimum,
        timeout=20_000,
    )
    return frame.evaluate(
        "Array.from(document.querySelectorAll('img.leaflet-tile'))"
        ".filter(img => img.complete && img.naturalWidth > 0).length"
    )


def _busy_map() -> folium.Map:
    fmap = make_base_map(bounds=((11.0, -6.0), (17.0, 2.0)))
    cluster = plugins.MarkerCluster(name="Incidents").add_to(fmap)
    for latitude, longitude in ((12.64, -8.0), (14.49, -4.19), (16.77, -3.0)):
        folium.Marker((latitude, longitude), icon=folium.Icon(color="red")).add_to(cluster)
    plugins.HeatMap([[13.5, -2.0, 1.0], [14.0, -1.0, 0.5]], name="Heat").add_to(fmap)
    plugins.Draw().add_to(fmap)
    return finish_map(fmap)


def test_served_map_draws_with_no_remote_request(chromium, site, artifacts_dir):
    base_url, root = site
    (root / "map.html").write_text(_busy_map().get_root().render(), "utf-8")
    page = chromium.new_page(viewport={"width": 1000, "height": 700})
    requests = _record_requests(page)
    page.goto(f"{base_url}/map.html")
    page.wait_for_function("typeof window.L !== 'undefined'")
    tiles = _wait_for_tiles(page)
    _wait_for_quiet(page, requests)
    page.screenshot(path=str(artifacts_dir / "maps_offline_served.png"))
    page.close()
    assert tiles >= 4
    assert _remote(requests) == []
    assert any(url.endswith("/app/static/vendor/leaflet/leaflet.js") for url in requests)
    assert any("/app/static/tiles/osm/" in url for url in requests)


def test_incident_text_in_popup_and_tooltip_does_not_run(chromium, site, artifacts_dir):
    base_url, root = site
    fmap = make_base_map(location=(14.49, -4.19), zoom=6, admin1=False, towns=False)
    folium.Marker(
        (14.49, -4.19),
        popup=folium.Popup(escape_text(XSS_POPUP), max_width=300),
        tooltip=folium.Tooltip(escape_text(XSS_TOOLTIP)),
    ).add_to(fmap)
    (root / "xss.html").write_text(finish_map(fmap).get_root().render(), "utf-8")
    page = chromium.new_page(viewport={"width": 800, "height": 600})
    page.goto(f"{base_url}/xss.html")
    page.wait_for_function("typeof window.L !== 'undefined'")
    shown = page.evaluate(
        """() => {
            const name = Object.keys(window).find(k => k.startsWith('map_'));
            const texts = [];
            window[name].eachLayer(layer => {
                if (layer.getPopup && layer.getPopup()) { layer.openPopup(); }
                if (layer.getTooltip && layer.getTooltip()) { layer.openTooltip(); }
            });
            document.querySelectorAll('.leaflet-popup-content, .leaflet-tooltip')
                .forEach(el => texts.push(el.textContent));
            return texts;
        }"""
    )
    page.wait_for_timeout(300)
    xss = page.evaluate("typeof window.__xss")
    page.screenshot(path=str(artifacts_dir / "maps_offline_xss.png"))
    page.close()
    assert xss == "undefined"
    assert any(XSS_POPUP in text for text in shown)
    assert any(XSS_TOOLTIP in text for text in shown)


def test_standalone_file_works_from_disk_without_any_server(chromium, tmp_path, artifacts_dir):
    path = tmp_path / "incidents-map.html"
    path.write_bytes(standalone_html(_busy_map()))
    page = chromium.new_page(viewport={"width": 1000, "height": 700})
    requests = _record_requests(page)
    page.goto(path.as_uri())
    page.wait_for_function("typeof window.L !== 'undefined'")
    tiles = _wait_for_tiles(page)
    page.wait_for_timeout(800)  # let the fitBounds zoom animation settle before the picture
    page.screenshot(path=str(artifacts_dir / "maps_offline_standalone.png"))
    page.close()
    assert tiles >= 4
    assert [url for url in requests if urlsplit(url).scheme in {"http", "https"}] == []


_APP = textwrap.dedent(
    """
    import streamlit as st
    from streamlit_folium import st_folium
    from folium import plugins

    from incidents.maps.base import finish_map, make_base_map

    fmap = make_base_map(bounds=((11.0, -6.0), (17.0, 2.0)))
    plugins.MarkerCluster(name="Incidents").add_to(fmap)
    st_folium(finish_map(fmap), key="map", height=500, returned_objects=[])
    """
)


@pytest.fixture(scope="module")
def streamlit_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A one-map Streamlit app whose ./static is the project's static folder."""
    app_dir = tmp_path_factory.mktemp("st-app")
    (app_dir / "app.py").write_text(_APP, "utf-8")
    (app_dir / "static").symlink_to(STATIC_DIR, target_is_directory=True)
    (app_dir / ".streamlit").mkdir()
    (app_dir / ".streamlit" / "config.toml").write_text("[server]\nenableStaticServing = true\n", "utf-8")
    with streamlit_server("app.py", cwd=app_dir, log_path=app_dir / "server.log",
                          env={"PYTHONPATH": str(PROJECT_DIR)}) as url:
        yield url


def test_streamlit_folium_iframe_loads_assets_from_app_static(chromium, streamlit_app,
                                                              artifacts_dir):
    page = chromium.new_page(viewport={"width": 1100, "height": 800})
    requests = _record_requests(page)
    page.goto(streamlit_app)
    frame_element = page.wait_for_selector("iframe[title*='streamlit_folium']", timeout=60_000)
    frame = frame_element.content_frame()
    frame.wait_for_function("typeof window.L !== 'undefined'", timeout=30_000)
    tiles = _wait_for_tiles(frame)
    page.screenshot(path=str(artifacts_dir / "maps_offline_streamlit.png"))
    page.close()
    assert tiles >= 4
    assert _remote(requests) == []
    assert any("/app/static/vendor/leaflet/leaflet.js" in url for url in requests)
    assert any("/app/static/vendor/markercluster/" in url for url in requests)


_DASHBOARD_STYLE_APP = textwrap.dedent(
    """
    import streamlit as st
    from streamlit_folium import st_folium

    from incidents.maps.build import build_map
    from tests.test_maps_lod import cloud

    result = build_map(cloud(200, seed=3), overlays_apart=True)
    st_folium(result.map, key="map", height=500, returned_objects=[], render=False,
              feature_group_to_add=result.overlays, layer_control=result.layer_control)
    """
)
OUTLINE_STROKES = {"country": "#4a4a4a", "admin1": "#7a7a7a"}


@pytest.fixture(scope="module")
def dashboard_style_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A map built as the dashboard builds its own (outlines fetched, data layers apart),
    run by plain ``streamlit run`` (not serve.py) with ./static the project's."""
    app_dir = tmp_path_factory.mktemp("st-dashboard-style")
    (app_dir / "app.py").write_text(_DASHBOARD_STYLE_APP, "utf-8")
    (app_dir / "static").symlink_to(STATIC_DIR, target_is_directory=True)
    (app_dir / ".streamlit").mkdir()
    (app_dir / ".streamlit" / "config.toml").write_text("[server]\nenableStaticServing = true\n", "utf-8")
    with streamlit_server("app.py", cwd=app_dir, log_path=app_dir / "server.log",
                          env={"PYTHONPATH": str(PROJECT_DIR)}) as url:
        yield url


def test_fetched_outlines_are_drawn_in_the_streamlit_folium_frame(chromium, dashboard_style_app,
                                                                  artifacts_dir):
    page = chromium.new_page(viewport={"width": 1100, "height": 800})
    requests = _record_requests(page)
    page.goto(dashboard_style_app)
    frame = page.wait_for_selector("iframe[title*='streamlit_folium']",
                                   timeout=60_000).content_frame()
    frame.wait_for_function("typeof window.L !== 'undefined'", timeout=30_000)
    count = "stroke => document.querySelectorAll(`path[stroke='${stroke}']`).length"
    for stroke in OUTLINE_STROKES.values():
        frame.wait_for_function(f"({count})({stroke!r}) > 0", timeout=20_000)
    drawn = {level: frame.evaluate(count, stroke) for level, stroke in OUTLINE_STROKES.items()}
    # Under the incidents although they arrive after them: in a pane below the overlays'.
    under = frame.evaluate(
        """strokes => strokes.every(stroke => Array.from(
            document.querySelectorAll(`path[stroke='${stroke}']`)).every(path => {
                const pane = path.closest('.leaflet-pane');
                return pane.classList.contains('leaflet-incidentsOutlines-pane')
                    && Number(getComputedStyle(pane).zIndex) < Number(getComputedStyle(
                        document.querySelector('.leaflet-overlay-pane')).zIndex);
            }))""", list(OUTLINE_STROKES.values()))
    page.screenshot(path=str(artifacts_dir / "maps_fetched_outlines_streamlit.png"))
    page.close()
    assert drawn["country"] >= 10 and drawn["admin1"] >= 20, drawn
    assert under
    fetched = [url for url in requests if "/app/static/mapdata/outline-" in url]
    assert len(fetched) == 2, fetched
    assert _remote(requests) == []
