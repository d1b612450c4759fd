"""Every JS/CSS file a map needs, served from our own static directory.

folium elements list their scripts and stylesheets as CDN URLs in
``default_js``/``default_css``; streamlit-folium and folium's own HTML load
whatever those lists say. :data:`MANIFEST` maps each CDN URL we accept to a
file under ``static/vendor/``, and :func:`localize` rewrites the lists of a
map and all its children to point there. A URL missing from the manifest
raises :class:`OfflineAssetError`, so a new plugin cannot quietly reach a CDN.

The files themselves are fetched from package registries once, at install
time (``incidents setup``, which ``make setup`` runs), by
:func:`install_assets`: npm tarballs through ``npm pack``, Leaflet from the
pinned ``XStatic-Leaflet`` wheel, the heat-map script from folium's own
package. Nothing here touches the network when a map is built or served.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import branca.colormap
import branca.element
import folium
from folium.plugins import BeautifyIcon, FastMarkerCluster

from incidents.config import PROJECT_DIR
from incidents.errors import IncidentsError
from incidents.maps.bundle import script_bundle

STATIC_DIR = PROJECT_DIR / "static"
VENDOR_DIR = STATIC_DIR / "vendor"
# Streamlit serves ./static beside the app script at /app/static/ when
# server.enableStaticServing is on (see .streamlit/config.toml).
DEFAULT_BASE_URL = "/app/static/vendor"
STAMP_NAME = "installed.json"
# Attribute set on tile layers the analyst chose to load from the network.
ONLINE_OPT_IN = "incidents_online_opt_in"

_CDNJS = "https://cdnjs.cloudflare.com/ajax/libs"
_JSDELIVR = "https://cdn.jsdelivr.net"
_FOLIUM_GH = f"{_JSDELIVR}/gh/python-visualization/folium"

# CDN URL (as folium 0.20 / its plugins spell it) -> path under static/vendor.
MANIFEST: Mapping[str, str] = {
    # folium.Map
    f"{_JSDELIVR}/npm/leaflet@1.9.3/dist/leaflet.js": "leaflet/leaflet.js",
    f"{_JSDELIVR}/npm/leaflet@1.9.3/dist/leaflet.css": "leaflet/leaflet.css",
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery/jquery.min.js",
    f"{_JSDELIVR}/npm/bootstrap@5.2.2/dist/js/bootstrap.bundle.min.js": (
        "bootstrap/js/bootstrap.bundle.min.js"
    ),
    f"{_JSDELIVR}/npm/bootstrap@5.2.2/dist/css/bootstrap.min.css": (
        "bootstrap/css/bootstrap.min.css"
    ),
    "https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css": (
        "bootstrap3/css/bootstrap-glyphicons.css"
    ),
    f"{_JSDELIVR}/npm/@fortawesome/fontawesome-free@6.2.0/css/all.min.css": (
        "fontawesome/css/all.min.css"
    ),
    f"{_CDNJS}/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.js": (
        "awesome-markers/leaflet.awesome-markers.js"
    ),
    f"{_CDNJS}/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.css": (
        "awesome-markers/leaflet.awesome-markers.css"
    ),
    f"{_FOLIUM_GH}/folium/templates/leaflet.awesome.rotate.min.css": (
        "awesome-markers/rotate.css"
    ),
    # plugins.MarkerCluster
    f"{_CDNJS}/leaflet.markercluster/1.1.0/leaflet.markercluster.js": (
        "markercluster/leaflet.markercluster.js"
    ),
    f"{_CDNJS}/leaflet.markercluster/1.1.0/MarkerCluster.css": "markercluster/MarkerCluster.css",
    f"{_CDNJS}/leaflet.markercluster/1.1.0/MarkerCluster.Default.css": (
        "markercluster/MarkerCluster.Default.css"
    ),
    # plugins.HeatMap
    f"{_FOLIUM_GH}@main/folium/templates/leaflet_heat.min.js": "heat/leaflet_heat.min.js",
    # plugins.Fullscreen
    f"{_JSDELIVR}/npm/leaflet.fullscreen@3.0.0/Control.FullScreen.min.js": (
        "fullscreen/Control.FullScreen.js"
    ),
    f"{_JSDELIVR}/npm/leaflet.fullscreen@3.0.0/Control.FullScreen.css": (
        "fullscreen/Control.FullScreen.css"
    ),
    # plugins.Draw
    f"{_CDNJS}/leaflet.draw/1.0.2/leaflet.draw.js": "draw/leaflet.draw.js",
    f"{_CDNJS}/leaflet.draw/1.0.2/leaflet.draw.css": "draw/leaflet.draw.css",
    # incidents.maps.vector_basemap (vector MBTiles/PMTiles basemaps)
    f"{_JSDELIVR}/npm/protomaps-leaflet@5.1.0/dist/protomaps-leaflet.js": (
        "protomaps/protomaps-leaflet.js"
    ),
}


class OfflineAssetError(IncidentsError):
    """A map element needs a file we do not serve locally (or local files are missing)."""


@dataclass(frozen=True)
class NpmPackage:
    """Files taken from one npm tarball: ``files`` and whole ``trees`` (paths under package/)."""

    name: str
    version: str
    licence: str
    files: Mapping[str, str] = field(default_factory=dict)
    trees: Mapping[str, str] = field(default_factory=dict)

    @property
    def spec(self) -> str:
        return f"{self.name}@{self.version}"


NPM_PACKAGES: tuple[NpmPackage, ...] = (
    NpmPackage("jquery", "3.7.1", "MIT", {"dist/jquery.min.js": "jquery/jquery.min.js"}),
    NpmPackage(
        "bootstrap",
        "5.2.2",
        "MIT",
        {
            "dist/js/bootstrap.bundle.min.js": "bootstrap/js/bootstrap.bundle.min.js",
            "dist/css/bootstrap.min.css": "bootstrap/css/bootstrap.min.css",
        },
    ),
    # Only Bootstrap 3's Glyphicons (folium.Icon's default icon set) are kept;
    # see _write_glyphicons_css.
    NpmPackage(
        "bootstrap",
        "3.4.1",
        "MIT",
        {"dist/css/bootstrap.css": "bootstrap3/css/bootstrap-full.css"},
        {"dist/fonts": "bootstrap3/fonts"},
    ),
    NpmPackage(
        "@fortawesome/fontawesome-free",
        "6.2.0",
        "CC-BY-4.0 (icons), OFL-1.1 (fonts), MIT (code)",
        {"css/all.min.css": "fontawesome/css/all.min.css", "LICENSE.txt": "fontawesome/LICENSE.txt"},
        {"webfonts": "fontawesome/webfonts"},
    ),
    NpmPackage(
        "drmonty-leaflet-awesome-markers",
        "2.0.2",
        "MIT",
        {
            "js/leaflet.awesome-markers.js": "awesome-markers/leaflet.awesome-markers.js",
            "css/leaflet.awesome-markers.css": "awesome-markers/leaflet.awesome-markers.css",
        },
        {"css/images": "awesome-markers/images"},
    ),
    NpmPackage(
        "leaflet.markercluster",
        "1.1.0",
        "MIT",
        {
            "dist/leaflet.markercluster.js": "markercluster/leaflet.markercluster.js",
            "dist/MarkerCluster.css": "markercluster/MarkerCluster.css",
            "dist/MarkerCluster.Default.css": "markercluster/MarkerCluster.Default.css",
        },
    ),
    NpmPackage(
        "leaflet.fullscreen",
        "3.0.0",
        "MIT",
        {
            "Control.FullScreen.js": "fullscreen/Control.FullScreen.js",
            "Control.FullScreen.css": "fullscreen/Control.FullScreen.css",
            "icon-fullscreen.svg": "fullscreen/icon-fullscreen.svg",
        },
    ),
    NpmPackage(
        "leaflet-draw",
        "1.0.2",
        "MIT",
        {"dist/leaflet.draw.js": "draw/leaflet.draw.js", "dist/leaflet.draw.css": "draw/leaflet.draw.css"},
        {"dist/images": "draw/images"},
    ),
    NpmPackage(
        "protomaps-leaflet",
        "5.1.0",
        "BSD-3-Clause",
        {"dist/protomaps-leaflet.js": "protomaps/protomaps-leaflet.js",
         "LICENSE": "protomaps/LICENSE"},
    ),
)


# -- rewriting maps ---------------------------------------------------------


def _is_same_origin(url: str) -> bool:
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc


def local_url(url: str, base_url: str = DEFAULT_BASE_URL) -> str:
    """The local URL serving ``url``; raises :class:`OfflineAssetError` if we have none."""
    if url in MANIFEST:
        return f"{base_url.rstrip('/')}/{MANIFEST[url]}"
    if _is_same_origin(url):
        return url
    raise OfflineAssetError(
        f"no local copy of {url}: add it to incidents.maps.assets.MANIFEST "
        "(and to NPM_PACKAGES) or do not use the element that needs it"
    )


def _check_tiles_are_local(layer: folium.TileLayer) -> None:
    if not _is_same_origin(layer.tiles):
        raise OfflineAssetError(
            f"tile layer {layer.layer_name!r} fetches {layer.tiles}; use "
            "incidents.maps.tiles.local_tile_layer, or online_tile_layer when the analyst opts in"
        )


def _walk(element: branca.element.Element) -> Iterator[branca.element.Element]:
    yield element
    children = list(element._children.values())
    if isinstance(element, branca.element.Figure):
        # A figure keeps its header, body and script sections outside _children.
        children += [element.header, element.html, element.script]
    for child in children:
        yield from _walk(child)


def localize(element: branca.element.Element, base_url: str = DEFAULT_BASE_URL) -> branca.element.Element:
    """Point every script and stylesheet of ``element``'s whole figure at local files.

    Walks the element, its children and, when it has one, its root figure
    (whose header holds links added by an earlier render). Idempotent.
    Remote tile layers are refused unless marked as the analyst's opt-in
    (``incidents.maps.tiles.online_tile_layer``). Branca colormaps are
    refused: streamlit-folium adds two d3 CDN scripts whenever it finds one,
    which no rewriting here can reach; draw legends with
    ``incidents.maps.legend`` instead.
    """
    roots = [element]
    root = element.get_root()
    if root is not element:
        roots.append(root)
    for top in roots:
        for node in _walk(top):
            if isinstance(node, branca.colormap.ColorMap):
                raise OfflineAssetError(
                    "branca colormaps make streamlit-folium load d3 from a CDN; "
                    "use an HTML legend instead"
                )
            for attr in ("default_js", "default_css"):
                links = getattr(node, attr, None)
                if links:
                    setattr(node, attr, [(name, local_url(url, base_url)) for name, url in links])
            if isinstance(node, (branca.element.JavascriptLink, branca.element.CssLink)):
                node.url = local_url(node.url, base_url)
            if isinstance(node, folium.TileLayer) and not getattr(node, ONLINE_OPT_IN, False):
                _check_tiles_are_local(node)
    return element


# What folium.Map loads only for folium.Icon markers (Bootstrap, Font Awesome,
# Glyphicons, awesome-markers), by folium's names for them.
ICON_ASSETS = frozenset({
    "bootstrap", "awesome_markers", "bootstrap_css", "glyphicons_css",
    "awesome_markers_font_css", "awesome_markers_css", "awesome_rotate_css",
})


def uses_folium_icons(element: branca.element.Element) -> bool:
    """Whether anything under ``element`` draws awesome-markers icons: a folium.Icon or
    BeautifyIcon, one given to GeoJson as its ``marker``, or a FastMarkerCluster (its
    default callback calls ``L.AwesomeMarkers.icon()``). DivIcon and CustomIcon need
    none of the icon files. Detection is by type: a plugin that builds such icons
    in its own script must be added here (its markers would fail to draw)."""
    for node in _walk(element):
        if isinstance(node, (folium.Icon, BeautifyIcon, FastMarkerCluster)):
            return True
        marker = getattr(node, "marker", None) if isinstance(node, folium.GeoJson) else None
        if marker is not None and uses_folium_icons(marker):
            return True
    return False


def uses_jquery(fmap: folium.Map) -> bool:
    """Whether the map's own script needs jQuery: folium.Popup builds its content with
    ``$()``, and so does a map keeping layers in front. Plugins needing it list it
    themselves."""
    return bool(getattr(fmap, "objects_to_stay_in_front", None)) or any(
        isinstance(node, folium.Popup) for node in _walk(fmap)
    )


def unused_map_assets(fmap: folium.Map) -> frozenset[str]:
    """folium.Map's own scripts and stylesheets that nothing on ``fmap`` uses."""
    unused = set() if uses_folium_icons(fmap) else set(ICON_ASSETS)
    if not uses_jquery(fmap):
        unused.add("jquery")
    return frozenset(unused)


class OfflineMap(folium.Map):
    """A folium Map that localizes its assets every time it is rendered.

    streamlit-folium calls ``render()`` before it collects ``default_js``, so
    layers added after construction are covered without the caller doing
    anything. It also leaves out the files of folium.Map's own lists that
    nothing on it uses (:func:`unused_map_assets`): for our maps, three of
    their eight scripts and five of their seven stylesheets, which st_folium
    loads one after the other every time it mounts a map.
    """

    def __init__(self, *args: Any, asset_base_url: str = DEFAULT_BASE_URL, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.asset_base_url = asset_base_url
        self.bundle_scripts = False
        self.detached_layers: tuple[branca.element.Element, ...] = ()

    def load_scripts_as_one(self, detached_layers: Sequence[branca.element.Element]) -> None:
        """For a map st_folium mounts: its scripts load as one file (``incidents.maps.bundle``),
        holding those of ``detached_layers`` too, the layers st_folium adds to the map
        only after rendering it (``feature_group_to_add``)."""
        self.bundle_scripts = True
        self.detached_layers = tuple(detached_layers)

    def render(self, **kwargs: Any) -> None:
        unused = unused_map_assets(self)
        self.default_js = [(n, u) for n, u in folium.Map.default_js if n not in unused]
        self.default_css = [(n, u) for n, u in folium.Map.default_css if n not in unused]
        localize(self, self.asset_base_url)
        if self.bundle_scripts:
            self._use_one_script()
        super().render(**kwargs)

    def _use_one_script(self) -> None:
        """Give the map one bundled script for its own and its layers' scripts, in the
        order st_folium would load them, and the layers none. A layer keeps its list
        in ``_bundled_js``, so rendering again (st_folium renders three times) bundles
        the same files."""
        nodes = [node for top in (self, *self.detached_layers) for node in _walk(top)]
        layers = [node for node in nodes if node is not self
                  and (getattr(node, "_bundled_js", None) or getattr(node, "default_js", None))]
        urls = [url for _, url in self.default_js]
        for layer in layers:
            urls += [url for _, url in getattr(layer, "_bundled_js", layer.default_js)]
        bundle = script_bundle(list(dict.fromkeys(urls)), self.asset_base_url, VENDOR_DIR)
        if bundle is None:
            return
        for layer in layers:
            if not hasattr(layer, "_bundled_js"):
                layer._bundled_js = layer.default_js
            layer.default_js = []
        self.default_js = [("incidents_scripts", bundle)]


# -- installing the files ---------------------------------------------------


def missing_files(vendor_dir: Path = VENDOR_DIR) -> list[str]:
    """Manifest targets absent from ``vendor_dir`` (empty once setup has run)."""
    return sorted({rel for rel in MANIFEST.values() if not (vendor_dir / rel).is_file()})


def _npm_pack(spec: str, workdir: Path) -> Path:
    """Download one npm tarball with the npm client (which checks its integrity)."""
    npm = shutil.which("npm")
    if npm is None:
        raise OfflineAssetError("npm is needed once, at setup, to fetch map assets")
    result = subprocess.run(
        [npm, "pack", spec, "--json", "--silent", "--pack-destination", str(workdir)],
        check=True,
        capture_output=True,
        text=True,
        cwd=workdir,
    )
    filename = json.loads(result.stdout)[0]["filename"]
    return workdir / filename


def _extract(package: NpmPackage, tarball: Path, vendor_dir: Path) -> None:
    wanted = {f"package/{src}": dst for src, dst in package.files.items()}
    trees = {f"package/{src}/": dst for src, dst in package.trees.items()}
    found: set[str] = set()
    with tarfile.open(tarball, "r:gz") as archive:
        for member in archive.getmembers():
            if not member.isfile():
                continue
            target = wanted.get(member.name)
            if target is None:
                prefix = next((p for p in trees if member.name.startswith(p)), None)
                if prefix is None:
                    continue
                target = f"{trees[prefix]}/{member.name[len(prefix):]}"
            if ".." in Path(target).parts:
                continue
            destination = vendor_dir / target
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(archive.extractfile(member).read())
            found.add(member.name)
    missing = set(wanted) - found
    if missing:
        raise OfflineAssetError(f"{package.spec} lacks {sorted(missing)}")


_CSS_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_CSS_REFERENCE = re.compile(r"""(?:url\(\s*|@import\s+)['"]?([^'")\s;]+)""")


def remote_css_references(vendor_dir: Path = VENDOR_DIR) -> list[str]:
    """``file: url`` for every stylesheet reference that would leave the machine."""
    found = []
    for css in sorted(vendor_dir.rglob("*.css")):
        for target in _CSS_REFERENCE.findall(css.read_text("utf-8", "replace")):
            if not target.startswith("data:") and not _is_same_origin(target):
                found.append(f"{css.relative_to(vendor_dir)}: {target}")
    return found


def glyphicons_css(bootstrap3_css: str) -> str:
    """Only the Glyphicons rules of Bootstrap 3's stylesheet.

    folium's default ``Icon`` uses Glyphicons; the full Bootstrap 3 sheet
    would restyle the page against Bootstrap 5, which folium also loads.
    """
    rules = []
    for selector, body in _CSS_RULE.findall(bootstrap3_css):
        selector = selector.strip()
        if "glyphicon" in selector or (selector == "@font-face" and "Glyphicons" in body):
            rules.append(f"{selector} {{{body.strip()}}}")
    return "\n".join(rules) + "\n"


def rotate_css() -> str:
    """Classes ``fa-rotate-<angle>`` that folium.Icon(angle=...) adds to its icon."""
    return "".join(
        f".fa-rotate-{angle}{{transform:rotate({angle}deg)}}\n" for angle in range(360)
    )


def _copy_python_packaged(vendor_dir: Path) -> None:
    """Leaflet from the pinned XStatic-Leaflet wheel; the heat-map scripts from folium itself."""
    import xstatic.pkg.leaflet as xleaflet

    leaflet_src = Path(xleaflet.BASE_DIR)
    leaflet_dst = vendor_dir / "leaflet"
    leaflet_dst.mkdir(parents=True, exist_ok=True)
    for name in ("leaflet.js", "leaflet.css"):
        shutil.copyfile(leaflet_src / name, leaflet_dst / name)
    shutil.copytree(leaflet_src / "images", leaflet_dst / "images", dirs_exist_ok=True)
    heat_dst = vendor_dir / "heat"
    heat_dst.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(Path(folium.__file__).parent / "templates" / "leaflet_heat.min.js",
                    heat_dst / "leaflet_heat.min.js")


def _stamp() -> dict[str, object]:
    return {"npm": [p.spec for p in NPM_PACKAGES], "folium": folium.__version__}


def install_assets(vendor_dir: Path = VENDOR_DIR, *, force: bool = False) -> bool:
    """Fetch every manifest file into ``vendor_dir``; returns False when already there.

    Run at install time only. Needs npm and the npm registry the first time;
    later runs are a no-op while the package list is unchanged.
    """
    stamp_path = vendor_dir / STAMP_NAME
    if not force and stamp_path.is_file() and not missing_files(vendor_dir):
        if json.loads(stamp_path.read_text("utf-8")) == _stamp():
            return False
    vendor_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="incidents-assets-") as tmp:
        for package in NPM_PACKAGES:
            _extract(package, _npm_pack(package.spec, Path(tmp)), vendor_dir)
    full = vendor_dir / "bootstrap3/css/bootstrap-full.css"
    (vendor_dir / "bootstrap3/css/bootstrap-glyphicons.css").write_text(
        glyphicons_css(full.read_text("utf-8")), "utf-8"
    )
    full.unlink()
    (vendor_dir / "awesome-markers/rotate.css").write_text(rotate_css(), "utf-8")
    _copy_python_packaged(vendor_dir)
    missing = missing_files(vendor_dir)
    if missing:
        raise OfflineAssetError(f"setup left these map assets missing: {missing}")
    remote = remote_css_references(vendor_dir)
    if remote:
        raise OfflineAssetError(f"stylesheets still reach the network: {remote}")
    stamp_path.write_text(json.dumps(_stamp(), indent=1), "utf-8")
    return True
