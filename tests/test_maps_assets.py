import io
import re
import tarfile

import branca.colormap
import folium
import pytest
from folium import plugins

from incidents.maps import assets
from incidents.maps.assets import (
    MANIFEST,
    NpmPackage,
    OfflineAssetError,
    OfflineMap,
    glyphicons_css,
    local_url,
    localize,
    missing_files,
    remote_css_references,
    rotate_css,
)
from incidents.maps.tiles import local_tile_layer, online_tile_layer

REMOTE = re.compile(r"""(?:src|href)=["'](?:https?:)?//""")


def _all_supported_plugins(fmap: folium.Map) -> None:
    cluster = plugins.MarkerCluster().add_to(fmap)
    folium.Marker((14.0, -4.0), icon=folium.Icon(icon="info-sign")).add_to(cluster)
    plugins.HeatMap([[12.0, -1.0, 1.0]]).add_to(fmap)
    plugins.Fullscreen().add_to(fmap)
    plugins.Draw().add_to(fmap)
    local_tile_layer(name="local").add_to(fmap)


def test_localize_rewrites_every_asset_of_map_and_plugins():
    fmap = folium.Map(tiles=None)
    _all_supported_plugins(fmap)
    localize(fmap, "/base")
    page = fmap.get_root().render()
    assert not REMOTE.search(page), REMOTE.search(page)
    assert '<script src="/base/leaflet/leaflet.js"></script>' in page
    assert "/base/markercluster/leaflet.markercluster.js" in page
    assert "/base/heat/leaflet_heat.min.js" in page


def test_localize_is_idempotent():
    fmap = folium.Map(tiles=None)
    _all_supported_plugins(fmap)
    localize(fmap, "/base")
    first = [list(getattr(e, "default_js", [])) for e in assets._walk(fmap)]
    localize(fmap, "/base")
    assert [list(getattr(e, "default_js", [])) for e in assets._walk(fmap)] == first


def test_localize_rewrites_links_left_in_the_header_by_an_earlier_render():
    fmap = folium.Map(tiles=None)
    fmap.get_root().render()
    localize(fmap, "/base")
    assert not REMOTE.search(fmap.get_root().header.render())


def test_unknown_plugin_url_fails_loudly():
    fmap = folium.Map(tiles=None)
    plugins.Geocoder().add_to(fmap)
    with pytest.raises(OfflineAssetError, match="Control.Geocoder"):
        localize(fmap)


def test_colormap_is_refused_because_streamlit_folium_adds_cdn_d3():
    fmap = folium.Map(tiles=None)
    branca.colormap.LinearColormap(["white", "red"], vmin=0, vmax=1).add_to(fmap)
    with pytest.raises(OfflineAssetError, match="d3"):
        localize(fmap)


def test_remote_tile_layer_is_refused_unless_opted_in():
    fmap = folium.Map(tiles="OpenStreetMap")
    with pytest.raises(OfflineAssetError, match="tile.openstreetmap.org"):
        localize(fmap)
    opted_in = folium.Map(tiles=None)
    online_tile_layer(name="live").add_to(opted_in)
    localize(opted_in)


@pytest.mark.parametrize("plugin", [plugins.MiniMap, plugins.MousePosition])
def test_a_plugin_we_do_not_vendor_is_refused(plugin):
    fmap = folium.Map(tiles=None)
    plugin().add_to(fmap)
    with pytest.raises(OfflineAssetError, match="not served locally|MANIFEST"):
        localize(fmap)


def test_offline_map_localizes_layers_added_after_construction():
    fmap = OfflineMap(tiles=None, asset_base_url="/static-x")
    plugins.MarkerCluster().add_to(fmap)
    page = fmap.get_root().render()
    assert "/static-x/markercluster/MarkerCluster.css" in page
    assert not REMOTE.search(page)


def _links(fmap: folium.Map) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', fmap.get_root().render())


ICON_FILES = ("bootstrap", "fontawesome", "awesome-markers", "glyphicons")


def test_a_map_without_icons_or_popups_loads_neither_icon_files_nor_jquery():
    fmap = OfflineMap(tiles=None)
    folium.CircleMarker((14.0, -4.0), tooltip="t").add_to(fmap)
    links = _links(fmap)
    assert any(link.endswith("leaflet/leaflet.js") for link in links)
    assert any(link.endswith("leaflet/leaflet.css") for link in links)
    assert not [link for link in links if "jquery" in link or any(f in link for f in ICON_FILES)]


def test_rendering_twice_keeps_a_map_with_div_icons_lean():
    """folium adds a SetIcon element to a DivIcon marker when it renders; st_folium renders
    a map twice, so the second render must not take it for a folium.Icon."""
    fmap = OfflineMap(tiles=None)
    folium.Marker((14.0, -4.0), icon=folium.DivIcon(html="<b>Mopti</b>")).add_to(fmap)
    fmap.get_root().render()
    links = " ".join(_links(fmap))
    assert not any(name in links for name in ICON_FILES)


def test_a_map_with_a_folium_icon_keeps_every_icon_file():
    fmap = OfflineMap(tiles=None)
    folium.Marker((14.0, -4.0), icon=folium.Icon(icon="info-sign")).add_to(fmap)
    links = " ".join(_links(fmap))
    assert all(name in links for name in ICON_FILES)


@pytest.mark.parametrize("add", [
    lambda fmap: plugins.FastMarkerCluster([[14.0, -4.0]]).add_to(fmap),
    lambda fmap: folium.GeoJson(
        {"type": "Point", "coordinates": [-4.0, 14.0]},
        marker=folium.Marker(icon=folium.Icon(icon="info-sign")),
    ).add_to(fmap),
], ids=["fast-marker-cluster", "geojson-marker"])
def test_icons_drawn_from_a_layers_own_script_keep_the_icon_files(add):
    fmap = OfflineMap(tiles=None)
    add(fmap)
    links = " ".join(_links(fmap))
    assert "awesome-markers" in links and "fontawesome" in links


def test_a_popup_keeps_jquery_which_builds_its_content():
    fmap = OfflineMap(tiles=None)
    folium.CircleMarker((14.0, -4.0), popup=folium.Popup("p")).add_to(fmap)
    links = " ".join(_links(fmap))
    assert "jquery" in links
    assert "bootstrap" not in links


def test_local_url_keeps_same_origin_urls_and_maps_manifest_ones():
    assert local_url("/already/local.js") == "/already/local.js"
    cdn = "https://code.jquery.com/jquery-3.7.1.min.js"
    assert local_url(cdn, "/v/") == "/v/jquery/jquery.min.js"
    with pytest.raises(OfflineAssetError):
        local_url("https://cdn.example.org/x.js")


def test_every_manifest_target_comes_from_some_source():
    produced = set()
    for package in assets.NPM_PACKAGES:
        produced.update(package.files.values())
    produced |= {"leaflet/leaflet.js", "leaflet/leaflet.css", "heat/leaflet_heat.min.js",
                 "awesome-markers/rotate.css", "bootstrap3/css/bootstrap-glyphicons.css"}
    assert set(MANIFEST.values()) <= produced


def test_setup_installed_every_manifest_file():
    assert missing_files() == [], "run `make setup` (incidents setup)"


def test_installed_stylesheets_reach_no_other_host():
    assert remote_css_references() == []


def test_remote_css_references_are_found(tmp_path):
    (tmp_path / "a.css").write_text(
        ".x{background:url('//cdn.example.org/x.png')} .y{background:url(img/y.png)}"
        ' @import "https://fonts.example.org/f.css"; .z{background:url("data:image/png;base64,AA")}',
        "utf-8",
    )
    found = remote_css_references(tmp_path)
    assert found == ["a.css: //cdn.example.org/x.png", "a.css: https://fonts.example.org/f.css"]


def test_glyphicons_css_keeps_only_glyphicon_rules():
    css = (
        "body { margin: 0; }\n"
        '@font-face { font-family: "Glyphicons Halflings"; src: url("../fonts/g.woff2"); }\n'
        '@font-face { font-family: "Other"; src: url("o.woff2"); }\n'
        '.glyphicon { display: inline-block; }\n.glyphicon-star:before { content: "\\e006"; }\n'
        ".btn { color: red; }\n"
    )
    kept = glyphicons_css(css)
    assert "Glyphicons Halflings" in kept and ".glyphicon-star:before" in kept
    assert "body" not in kept and ".btn" not in kept and "Other" not in kept


def test_rotate_css_covers_folium_icon_angles():
    css = rotate_css()
    assert ".fa-rotate-0{transform:rotate(0deg)}" in css
    assert ".fa-rotate-359{transform:rotate(359deg)}" in css


def _tarball(tmp_path, members: dict[str, bytes]):
    path = tmp_path / "pkg.tgz"
    with tarfile.open(path, "w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def test_extract_takes_listed_files_and_trees_only(tmp_path):
    tarball = _tarball(tmp_path, {
        "package/dist/a.js": b"a",
        "package/dist/img/x.png": b"x",
        "package/README.md": b"no",
    })
    package = NpmPackage("p", "1.0.0", "MIT", {"dist/a.js": "p/a.js"}, {"dist/img": "p/img"})
    vendor = tmp_path / "vendor"
    assets._extract(package, tarball, vendor)
    assert (vendor / "p/a.js").read_bytes() == b"a"
    assert (vendor / "p/img/x.png").read_bytes() == b"x"
    assert not (vendor / "README.md").exists()


def test_extract_fails_when_a_listed_file_is_missing(tmp_path):
    tarball = _tarball(tmp_path, {"package/other.js": b"o"})
    package = NpmPackage("p", "1.0.0", "MIT", {"dist/a.js": "p/a.js"})
    with pytest.raises(OfflineAssetError, match="dist/a.js"):
        assets._extract(package, tarball, tmp_path / "vendor")
