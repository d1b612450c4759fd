import re

import folium
import pytest
from folium import plugins

from incidents.maps.assets import OfflineAssetError
from incidents.maps.base import make_base_map
from incidents.maps.standalone import (
    _inline_assets,
    _inline_css_urls,
    _tile_patch,
    embedded_tiles,
    standalone_html,
)

BOUNDS = ((13.0, -5.0), (16.0, 0.0))


@pytest.fixture(scope="module")
def page() -> str:
    fmap = make_base_map(bounds=BOUNDS, admin1=False)
    plugins.MarkerCluster().add_to(fmap)
    folium.Marker((14.5, -4.2), icon=folium.Icon()).add_to(fmap)
    return standalone_html(fmap).decode("utf-8")


def test_no_script_or_stylesheet_is_linked(page):
    assert not re.search(r"<script[^>]+src=", page)
    assert not re.search(r"<link[^>]+stylesheet", page)
    assert not re.search(r"""url\(\s*['"]?(?:https?:)?//""", page)


def test_leaflet_and_plugins_are_inlined(page):
    assert "Leaflet 1.9.3" in page
    assert "L.MarkerClusterGroup" in page
    assert "AwesomeMarkers" in page


def test_stylesheet_images_are_data_uris(page):
    assert 'url("data:image/png;base64,' in page
    assert "images/markers-soft.png" not in page


def test_tiles_for_the_fitted_view_are_embedded(page):
    assert '"/app/static/tiles/osm/0/0/0.png":"data:image/png;base64,' in page
    assert '"/app/static/tiles/osm/6/' in page
    assert "L.TileLayer.prototype.getTileUrl" in page


def test_inlined_code_cannot_close_its_script_tag(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "x.js").write_text('var s = "</script><b>";', "utf-8")
    (tmp_path / "x" / "x.css").write_text("a{}</style><b>", "utf-8")
    source = '<script src="/v/x/x.js"></script><link rel="stylesheet" href="/v/x/x.css"/>'
    out = _inline_assets(source, "/v", tmp_path)
    assert out.count("</script>") == 1 and out.count("</style>") == 1
    assert '"<\\/script><b>"' in out


def test_missing_vendor_file_is_reported(tmp_path):
    fmap = make_base_map(admin1=False, towns=False)
    with pytest.raises(OfflineAssetError, match="make setup"):
        standalone_html(fmap, vendor_dir=tmp_path)


def test_css_urls_become_data_uris_and_fonts_other_than_woff2_are_dropped(tmp_path):
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "a.png").write_bytes(b"\x89PNG")
    (tmp_path / "f.woff2").write_bytes(b"w2")
    (tmp_path / "f.ttf").write_bytes(b"tt")
    css = ".a{background:url('img/a.png')} @font-face{src:url(f.woff2) format('woff2'),url(f.ttf)}"
    out = _inline_css_urls(css, tmp_path / "style.css")
    assert 'url("data:image/png;base64,iVBORw==")' in out
    assert "data:font/woff2;base64," in out or "base64,dzI=" in out
    assert 'url("data:,")' in out and "f.ttf" not in out


def test_embedded_tiles_only_exist_for_installed_files(tmp_path):
    (tmp_path / "0" / "0").mkdir(parents=True)
    (tmp_path / "0" / "0" / "0.png").write_bytes(b"png")
    tiles = embedded_tiles(BOUNDS, "/t/{z}/{x}/{y}.png", tmp_path)
    assert list(tiles) == ["/t/0/0/0.png"]


def test_tile_patch_leaves_other_tile_servers_alone():
    patch = _tile_patch({"/t/0/0/0.png": "data:x"}, "/t/{z}/{x}/{y}.png")
    assert 'var prefix="/t/"' in patch
    assert "if(url.indexOf(prefix)!==0){return url;}" in patch
