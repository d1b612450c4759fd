"""incidents.maps.bundle: a map mounted by st_folium loads its scripts as one file."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from incidents.frame import to_geodataframe
from incidents.maps.assets import DEFAULT_BASE_URL, VENDOR_DIR
from incidents.maps.build import build_map
from incidents.maps.bundle import SEPARATOR, script_bundle
from incidents.spatial_index import map_snapshot
from incidents.synthetic import synthetic_incidents

BASE = "/app/static/vendor"


@pytest.fixture
def vendor(tmp_path: Path) -> Path:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "first.js").write_text("var first = 1 // no semicolon, then a comment")
    (tmp_path / "b.js").write_text("var second = first + 1;")
    return tmp_path


def test_the_files_are_joined_in_order_so_neither_swallows_the_next(vendor: Path) -> None:
    url = script_bundle([f"{BASE}/a/first.js", f"{BASE}/b.js"], BASE, vendor)
    assert url is not None and url.startswith(f"{BASE}/bundles/")
    written = (vendor / url[len(BASE) + 1:]).read_text()
    assert written == "var first = 1 // no semicolon, then a comment" + SEPARATOR + \
        "var second = first + 1;"
    assert script_bundle([f"{BASE}/b.js", f"{BASE}/a/first.js"], BASE, vendor) != url


def test_a_changed_file_makes_a_new_bundle(vendor: Path) -> None:
    urls = [f"{BASE}/a/first.js", f"{BASE}/b.js"]
    before = script_bundle(urls, BASE, vendor)
    (vendor / "b.js").write_text("var second = first + 2; // upgraded")
    after = script_bundle(urls, BASE, vendor)
    assert after != before
    assert (vendor / after[len(BASE) + 1:]).read_text().endswith("upgraded")


@pytest.mark.parametrize("url", ["https://cdn.example.org/x.js", f"{BASE}/missing.js"])
def test_a_script_that_is_not_a_vendored_file_is_left_alone(vendor: Path, url: str) -> None:
    assert script_bundle([f"{BASE}/b.js", url], BASE, vendor) is None


def st_folium_scripts(result) -> list[str]:
    """The scripts st_folium would load, found as it finds them (the map rendered first,
    then every element under it once the overlays are added)."""
    fmap = result.map
    fmap.get_root().render()
    for group in result.overlays:
        group.add_to(fmap)

    def walk(element):
        yield element
        for child in element._children.values():
            yield from walk(child)

    return list(dict.fromkeys(url for node in walk(fmap)
                              for _, url in getattr(node, "default_js", [])))


def incidents_frame(n: int) -> pd.DataFrame:
    return map_snapshot(to_geodataframe(synthetic_incidents(n, seed=2)))


@pytest.mark.parametrize("n", [40, 3000])
def test_the_dashboard_map_loads_one_script_holding_leaflet_then_every_plugin(n: int) -> None:
    result = build_map(incidents_frame(n), overlays_apart=True)
    (bundle,) = st_folium_scripts(result)
    text = (VENDOR_DIR / bundle[len(DEFAULT_BASE_URL) + 1:]).read_text()
    leaflet = text.index("Leaflet 1.9.3")
    assert leaflet < text.index("leaflet.fullscreen") and leaflet < text.index("Leaflet.heat")
    again = build_map(incidents_frame(n), overlays_apart=True)
    assert st_folium_scripts(again) == [bundle]


def test_a_map_for_a_page_of_its_own_keeps_its_scripts_apart() -> None:
    result = build_map(incidents_frame(40))
    html = result.map.get_root().render()
    assert "/bundles/" not in html
    assert re.search(r'src="[^"]*/leaflet/leaflet\.js"', html)


def test_no_vendored_script_opens_with_a_use_strict_directive() -> None:
    result = build_map(incidents_frame(40), overlays_apart=True)
    (bundle,) = st_folium_scripts(result)
    for part in (VENDOR_DIR / bundle[len(DEFAULT_BASE_URL) + 1:]).read_text().split(SEPARATOR):
        code = re.sub(r"^(\s|/\*.*?\*/|//[^\n]*\n)*", "", part, flags=re.S)
        assert not re.match(r"""["']use strict["']""", code), code[:80]
