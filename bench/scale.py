"""How the map scales: server time, payload and browser time at N incidents.

    .venv/bin/python bench/scale.py --n 100000 [--json] [--skip-baseline-browser]

Builds N synthetic incidents, then measures through the dashboard's own path:

- server_s: a filter change (``filter_mask`` on the cached snapshot) until the
  map's HTML is rendered (``build_map(snapshot, rows=mask)`` + render);
  server_copy_s is the same through ``apply_filters`` (a filtered copy) instead;
- payload_bytes: size of that rendered page;
- browser_s: headless Chromium (/usr/bin/chromium, via Playwright) loading the
  page from a local HTTP server that serves the localized assets and offline
  tiles, until tiles are loaded and the incident overlay is drawn (median of
  three loads, after a warm-up page has filled the browser's cache);
- the same three for a FastMarkerCluster of every filtered point (the baseline);
- cold_start_s: loading the store and drawing the first map;
- export_geojson_s / export_peak_mb: the streamed GeoJSON export of the
  filtered set (peak traced by tracemalloc, in a separate run).

Nothing here touches the internet.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from folium.plugins import FastMarkerCluster  # noqa: E402

from incidents.filters import FilterSpec, apply_filters, filter_mask  # noqa: E402
from incidents.frame import to_geodataframe  # noqa: E402
from incidents.maps.base import finish_map, make_base_map  # noqa: E402
from incidents.maps.build import build_map  # noqa: E402
from incidents.spatial_index import map_snapshot  # noqa: E402
from incidents.synthetic import synthetic_incidents  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
BROWSER_REPEATS = 3
# A filter an analyst would plausibly toggle: everything but protests, all dates.
SPEC = FilterSpec(
    event_types=(
        "Battles",
        "Violence against civilians",
        "Explosions/Remote violence",
        "Strategic developments",
        "Riots",
    )
)
SETTLED_JS = """(selector) => {
    const tiles = [...document.querySelectorAll('img.leaflet-tile')];
    return document.querySelector(selector) !== null
        && tiles.length > 0 && tiles.every(t => t.complete);
}"""
POINTS_SELECTOR = ".leaflet-incidentMarkers-pane path, path.incidents-cell"
CLUSTER_SELECTOR = ".marker-cluster"


class _Pages(http.server.SimpleHTTPRequestHandler):
    """Serves /app/static/ from the project (as Streamlit does) and in-memory pages."""

    pages: dict[str, bytes] = {}

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        body = self.pages.get(self.path)
        if body is not None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if self.path.startswith("/app/static/"):
            self.path = self.path[len("/app"):]
        super().do_GET()

    def log_message(self, *args: object) -> None:
        pass


class _QuietServer(http.server.ThreadingHTTPServer):
    """Ignores clients that hang up mid-response (the browser closing with tiles in flight)."""

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _serve() -> http.server.ThreadingHTTPServer:
    handler = functools.partial(_Pages, directory=str(PROJECT))
    server = _QuietServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class Browser:
    """One headless Chromium and a local server for the whole run.

    A warm-up page (the base map alone) fills the HTTP cache with Leaflet, the
    plugins and the tiles first, as an analyst's browser would hold them after
    the first page, so each measurement is about the map, not a cold disk.
    """

    def __enter__(self) -> Browser:
        from playwright.sync_api import sync_playwright

        self._server = _serve()
        self._playwright = sync_playwright().start()
        self._browser = self._playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox"]
        )
        self._context = self._browser.new_context(viewport={"width": 1200, "height": 800})
        fmap = make_base_map(language="en")
        finish_map(fmap)
        self.seconds(fmap.get_root().render(), ".leaflet-tile-container")
        return self

    def __exit__(self, *exc: object) -> None:
        self._browser.close()
        self._playwright.stop()
        self._server.shutdown()

    def seconds(self, html: str, selector: str, timeout_s: float = 600) -> float:
        """Seconds from navigation until tiles are loaded and ``selector`` is drawn."""
        name = f"/page-{time.monotonic_ns()}.html"
        _Pages.pages[name] = html.encode("utf-8")
        page = self._context.new_page()
        try:
            start = time.perf_counter()
            page.goto(f"http://127.0.0.1:{self._server.server_address[1]}{name}",
                      wait_until="load", timeout=timeout_s * 1000)
            page.wait_for_function(SETTLED_JS, arg=selector, timeout=timeout_s * 1000,
                                   polling=50)
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => r()))")
            return time.perf_counter() - start
        finally:
            page.close()
            _Pages.pages.pop(name, None)

    def median_seconds(self, html: str, selector: str, repeats: int) -> float:
        return statistics.median(self.seconds(html, selector) for _ in range(repeats))


def baseline_html(filtered) -> str:
    """One FastMarkerCluster of every filtered point: the approach the issue measured."""
    fmap = make_base_map(language="en")
    placed = filtered[["latitude", "longitude"]].dropna()
    FastMarkerCluster(placed.to_numpy().tolist()).add_to(fmap)
    finish_map(fmap)
    return fmap.get_root().render()


def cold_start_seconds(records) -> float:
    """Load the store into memory and draw the first map (the store import is not timed)."""
    try:
        from incidents.store import IncidentStore
    except ImportError:
        return float("nan")
    with tempfile.TemporaryDirectory() as tmp:
        store = IncidentStore(Path(tmp) / "bench.sqlite")
        store.import_records(records, source_name="bench")
        start = time.perf_counter()
        snapshot = map_snapshot(store.load())
        build_map(snapshot).html()
        return time.perf_counter() - start


def export_figures(filtered) -> tuple[float, float]:
    """(seconds, peak MB) for the streamed GeoJSON export, or NaNs if there is no exporter."""
    try:
        from incidents.io.writers import export
    except ImportError:
        return float("nan"), float("nan")
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        export(filtered, "geojson", Path(tmp) / "out.geojson")
        seconds = time.perf_counter() - start
        tracemalloc.start()
        export(filtered, "geojson", Path(tmp) / "again.geojson")
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return seconds, peak / 1e6


def measure(n: int, *, baseline_browser: bool = True, cold_start: bool = True) -> dict:
    records = synthetic_incidents(n, seed=7)
    snapshot = map_snapshot(to_geodataframe(records))
    build_map(snapshot).html()  # warm caches (boundaries, base map) once, as a session would

    start = time.perf_counter()
    result = build_map(snapshot, rows=filter_mask(snapshot, SPEC))
    html = result.html()
    server_s = time.perf_counter() - start

    start = time.perf_counter()
    filtered = apply_filters(snapshot, SPEC)
    build_map(filtered).html()
    server_copy_s = time.perf_counter() - start

    start = time.perf_counter()
    baseline = baseline_html(filtered)
    baseline_server_s = time.perf_counter() - start

    # The machine is shared: take the median of a few loads (one for a slow baseline).
    with Browser() as browser:
        browser_s = browser.median_seconds(html, POINTS_SELECTOR, BROWSER_REPEATS)
        baseline_browser_s = None
        if baseline_browser:
            repeats = BROWSER_REPEATS if n <= 100_000 else 1
            baseline_browser_s = browser.median_seconds(baseline, CLUSTER_SELECTOR, repeats)

    export_s, export_mb = export_figures(filtered)
    return {
        "n": n,
        "mode": result.mode,
        "n_in_view": result.n_in_view,
        "server_s": round(server_s, 3),
        "server_copy_s": round(server_copy_s, 3),
        "payload_bytes": len(html.encode("utf-8")),
        "browser_s": round(browser_s, 3),
        "baseline_server_s": round(baseline_server_s, 3),
        "baseline_payload_bytes": len(baseline.encode("utf-8")),
        "baseline_browser_s": None if baseline_browser_s is None else round(baseline_browser_s, 3),
        "cold_start_s": round(cold_start_seconds(records), 3) if cold_start else None,
        "export_geojson_s": round(export_s, 3),
        "export_peak_mb": round(export_mb, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, required=True, help="number of synthetic incidents")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--skip-baseline-browser", action="store_true",
                        help="do not load the FastMarkerCluster page (slow at 1M)")
    parser.add_argument("--skip-cold-start", action="store_true",
                        help="do not import into a temporary store (slow at 1M)")
    args = parser.parse_args(argv)
    os.environ.setdefault("INCIDENTS_HOME", tempfile.mkdtemp(prefix="bench-scale-"))
    figures = measure(args.n, baseline_browser=not args.skip_baseline_browser,
                      cold_start=not args.skip_cold_start)
    if args.json:
        print(json.dumps(figures))
    else:
        width = max(map(len, figures))
        for key, value in figures.items():
            print(f"{key:<{width}}  {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
