"""The dashboard on a PostGIS store, in headless Chromium: a link's filter gives the
server's filtered count in the headline, the map draws the server's hexagons, and the
table holds only filtered rows. Screenshot: tests/artifacts/dashboard_postgis.png."""

from __future__ import annotations

from pathlib import Path

import pytest

from incidents.filters import FilterSpec
from incidents.store import open_store
from incidents.synthetic import synthetic_incidents
from test_dashboard_browser import HEADLINE_INCIDENTS, LOAD_TIMEOUT_MS, map_frame

pytestmark = pytest.mark.browser
SPEC = FilterSpec(countries=("Mali",))  # 7,705 of the 20,000: hexagons, not markers

HEXAGONS_JS = """
() => {
  const map = Object.keys(window).map(k => window[k]).find(v => v instanceof L.Map);
  let counts = [];
  map.eachLayer(layer => {
    const feature = layer.feature;
    if (feature && String(feature.id || "").startsWith("H3 ")) counts.push(feature.properties.count);
  });
  return counts;
}
"""


def test_a_filtered_view_comes_from_the_server(new_home, postgis_url, chromium, artifacts_dir,
                                               tmp_path: Path) -> None:
    from conftest import PROJECT_DIR, streamlit_server

    home = new_home("served-browser")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("INCIDENTS_HOME", str(home))
        store = open_store(postgis_url)
        store.import_records(synthetic_incidents(20_000, seed=9), source_name="synthetic.csv")
    expected = store.count_matching(SPEC)
    for path in (home / "snapshots").glob("*"):
        path.unlink()  # the import's snapshot: the dashboard must not need one
    with streamlit_server("serve.py", cwd=PROJECT_DIR, log_path=tmp_path / "streamlit.log",
                          env={"INCIDENTS_HOME": str(home), "INCIDENTS_STORE": postgis_url}
                          ) as url:
        context = chromium.new_context(viewport={"width": 1500, "height": 1100})
        page = context.new_page()
        try:
            page.goto(f"{url}/?{SPEC.to_query_string()}", timeout=LOAD_TIMEOUT_MS)
            page.wait_for_selector(HEADLINE_INCIDENTS, timeout=LOAD_TIMEOUT_MS)
            shown = page.inner_text(HEADLINE_INCIDENTS)
            assert int(shown.replace(",", "").replace("\u202f", "").replace(" ", "")) == expected
            _, frame = map_frame(page)
            page.screenshot(path=str(artifacts_dir / "dashboard_postgis.png"))
            hexagons = frame.evaluate(HEXAGONS_JS)
            assert hexagons, "no hexagon on the map"
            counted = sum(hexagons)
            assert 0 < counted <= expected
            page.get_by_role("tab", name="Table").click()
            page.wait_for_selector("[data-testid='stDataFrame']", timeout=LOAD_TIMEOUT_MS)
            page.wait_for_timeout(2000)
            page.screenshot(path=str(artifacts_dir / "dashboard_postgis_table.png"))
        finally:
            context.close()
    assert not list((home / "snapshots").glob("*")), "the dashboard loaded the whole store"
