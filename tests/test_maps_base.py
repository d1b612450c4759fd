import json
import re

import folium
import pytest

from incidents.maps import base
from incidents.maps.assets import OfflineAssetError
from incidents.maps.base import (
    SAHEL_COUNTRIES,
    finish_map,
    make_base_map,
    major_towns,
    outline_geojson,
)

REMOTE_ASSET = re.compile(r"""(?:src|href)=["'](?:https?:)?//""")


@pytest.fixture(scope="module")
def default_page() -> str:
    fmap = finish_map(make_base_map())
    return fmap.get_root().render()


def test_default_map_loads_nothing_remote(default_page):
    assert not REMOTE_ASSET.search(default_page)
    assert "tile.openstreetmap.org" not in default_page
    assert "/app/static/vendor/leaflet/leaflet.js" in default_page
    assert "/app/static/tiles/osm/{z}/{x}/{y}.png" in default_page


def test_default_map_has_scale_fullscreen_layer_control(default_page):
    assert "L.control.scale" in default_page
    assert "L.control.fullscreen" in default_page
    assert "L.control.layers" in default_page
    assert "Country borders" in default_page and "Regions (admin-1)" in default_page


def test_scale_bar_is_in_kilometres_only(default_page):
    scale_calls = re.findall(r"L\.control\.scale\(([^)]*)\)", default_page)
    assert len(scale_calls) == 1
    assert "imperial: false" in scale_calls[0]


def test_online_tiles_are_an_extra_base_layer_only_when_asked():
    fmap = finish_map(make_base_map(online_tiles=True, towns=False, admin1=False))
    page = fmap.get_root().render()
    assert "https://tile.openstreetmap.org/{z}/{x}/{y}.png" in page
    assert "OpenStreetMap (online)" in page
    # Both base layers are in the control; only the offline one is added to the map.
    assert page.count(".addTo(map_") >= 1
    offline = re.search(r"var (tile_layer_\w+) = L.tileLayer\(\s*\"/app/static", page).group(1)
    online = re.search(r"var (tile_layer_\w+) = L.tileLayer\(\s*\"https://tile", page).group(1)
    assert f"{offline}.addTo(" in page
    assert f"{online}.addTo(" not in page


def test_french_strings():
    page = finish_map(make_base_map(language="fr", towns=False)).get_root().render()
    for name in ("Fronti\\u00e8res", "R\\u00e9gions (admin-1)", "OpenStreetMap (hors ligne"):
        assert name in page
    assert "les contributeurs d\\u0026#x27;\\u003ca href" in page


def test_unknown_language_falls_back_to_english():
    assert base.strings("de") == base.strings("en")


def test_bounds_fit_the_view():
    fmap = make_base_map(bounds=((13.0, -5.0), (16.0, 0.0)), admin1=False, towns=False)
    page = fmap.get_root().render()
    assert "fitBounds" in page and "[[13.0, -5.0], [16.0, 0.0]]" in page


def test_outline_payload_stays_small():
    countries = tuple(sorted(set(SAHEL_COUNTRIES) | set(base.NEIGHBOUR_COUNTRIES)))
    country_bytes = len(outline_geojson("country", countries))
    admin1_bytes = len(outline_geojson("admin1", SAHEL_COUNTRIES))
    assert 0 < country_bytes < 150_000
    assert 0 < admin1_bytes < 150_000
    parsed = json.loads(outline_geojson("admin1", ("ML",)))
    assert len(parsed["features"]) >= 8
    assert {f["geometry"]["type"] for f in parsed["features"]} <= {"LineString", "MultiLineString"}


def test_outline_of_unknown_country_is_empty():
    assert json.loads(outline_geojson("country", ("ZZ",)))["features"] == []


def test_towns_are_the_largest_of_the_chosen_countries():
    towns = major_towns(("ML",))
    names = [name for name, *_ in towns]
    assert names[0] == "Bamako"
    assert all(population >= base.TOWN_MIN_POPULATION for *_, population in towns)


def test_town_labels_are_escaped(monkeypatch):
    monkeypatch.setattr(
        base, "major_towns", lambda countries: (("<img src=x onerror=alert(1)>", 14.0, -4.0, 1),)
    )
    page = make_base_map(admin1=False).get_root().render()
    assert "<img src=x" not in page
    assert "\\u0026lt;img src=x onerror=alert(1)\\u0026gt;" in page


def test_finish_map_refuses_cdn_only_plugins():
    from folium import plugins

    fmap = make_base_map(admin1=False, towns=False)
    plugins.LocateControl().add_to(fmap)
    with pytest.raises(OfflineAssetError):
        finish_map(fmap)


def test_base_map_is_a_folium_map():
    assert isinstance(make_base_map(admin1=False, towns=False), folium.Map)
