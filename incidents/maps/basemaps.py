"""The analyst's own basemaps: MBTiles files imported into the state dir, served by the
dashboard's server at ``/basemaps/<name>/{z}/{x}/{y}`` and listed in the layer control.

The bundled tiles stop at zoom 6; a raster MBTiles of a region (what QGIS, gdal2tiles,
TileMill or MOBAC export) gives village detail offline. The file is copied whole and
read in place (SQLite, read-only); nothing is unpacked. Vector MBTiles (``pbf``) and
PMTiles are refused with what to do instead: drawing vector tiles needs a style and a
renderer the map does not have.

    python -m incidents basemap import region.mbtiles --name mopti
    python -m incidents basemap list
"""

from __future__ import annotations

import re
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import folium
from unidecode import unidecode

from incidents import config
from incidents.errors import IncidentsError
from incidents.maps.tiles import MAX_ZOOM

URL_PREFIX = "/basemaps"
RASTER_FORMATS = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg",
                  "webp": "image/webp"}
_NAME = re.compile(r"[^a-z0-9_-]+")


class BasemapError(IncidentsError):
    """A file that cannot become a basemap (not MBTiles, vector tiles, PMTiles...)."""


@dataclass(frozen=True)
class Basemap:
    name: str
    path: Path
    format: str
    min_zoom: int
    max_zoom: int
    attribution: str
    bounds: tuple[float, float, float, float] | None  # west, south, east, north

    @property
    def url(self) -> str:
        return f"{URL_PREFIX}/{self.name}/{{z}}/{{x}}/{{y}}"


def basemaps_dir() -> Path:
    return config.state_dir() / "basemaps"


def basemap_name(text: str) -> str:
    """A name safe in a URL and a file name: lower case letters, digits, - and _."""
    name = _NAME.sub("-", unidecode(text).lower()).strip("-")
    if not name:
        raise BasemapError(f"{text!r} cannot name a basemap")
    return name[:60]


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def read_basemap(path: Path, name: str | None = None) -> Basemap:
    """The basemap an MBTiles file describes; raises BasemapError when it cannot be one."""
    if path.suffix.lower() == ".pmtiles":
        raise BasemapError(
            f"{path.name}: PMTiles are not read yet; convert it to MBTiles first "
            "(pmtiles convert FILE.pmtiles FILE.mbtiles) with raster tiles")
    try:
        connection = _connect(path)
        try:
            metadata = dict(connection.execute("SELECT name, value FROM metadata"))
            zooms = connection.execute(
                "SELECT MIN(zoom_level), MAX(zoom_level) FROM tiles").fetchone()
        finally:
            connection.close()
    except sqlite3.Error as error:
        raise BasemapError(f"{path.name} is not an MBTiles file: {error}") from error
    fmt = str(metadata.get("format", "png")).lower()
    if fmt not in RASTER_FORMATS:
        raise BasemapError(
            f"{path.name} holds {fmt} (vector) tiles; export raster tiles "
            "(PNG, JPEG or WebP) for the map to draw them")
    if zooms is None or zooms[0] is None:
        raise BasemapError(f"{path.name} holds no tiles")
    bounds = None
    try:
        west, south, east, north = (float(v) for v in str(metadata["bounds"]).split(","))
        bounds = (west, south, east, north)
    except (KeyError, ValueError):
        pass
    return Basemap(
        name=basemap_name(name or str(metadata.get("name") or path.stem)),
        path=path, format=fmt, min_zoom=int(zooms[0]), max_zoom=int(zooms[1]),
        attribution=str(metadata.get("attribution") or metadata.get("name") or path.stem),
        bounds=bounds,
    )


def import_basemap(source: Path, name: str | None = None) -> Basemap:
    """Check ``source`` and copy it into the state dir's basemaps (replacing one of the
    same name); returns the imported basemap."""
    found = read_basemap(source, name)
    folder = basemaps_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{found.name}.mbtiles"
    partial = target.with_name(target.name + ".part")
    shutil.copyfile(source, partial)
    partial.replace(target)
    return read_basemap(target, found.name)


def list_basemaps() -> list[Basemap]:
    """The imported basemaps, by name; a file that no longer reads is left out."""
    folder = basemaps_dir()
    found = []
    for path in sorted(folder.glob("*.mbtiles")) if folder.is_dir() else []:
        try:
            found.append(read_basemap(path, path.stem))
        except BasemapError:
            continue
    return found


def read_tile(name: str, zoom: int, x: int, y: int) -> tuple[bytes, str] | None:
    """One tile (bytes, MIME type) of an imported basemap, XYZ numbering; None if absent."""
    try:
        safe = basemap_name(name)
    except BasemapError:
        return None
    path = basemaps_dir() / f"{safe}.mbtiles"
    if safe != name or not path.is_file():
        return None
    tms_row = (1 << zoom) - 1 - y
    try:
        connection = _connect(path)
        try:
            row = connection.execute(
                "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ?"
                " AND tile_row = ?", (zoom, x, tms_row)).fetchone()
            fmt = dict(connection.execute("SELECT name, value FROM metadata")).get("format")
        finally:
            connection.close()
    except sqlite3.Error:
        return None
    if row is None:
        return None
    return bytes(row[0]), RASTER_FORMATS.get(str(fmt or "png").lower(), "image/png")


def basemap_layer(basemap: Basemap) -> folium.TileLayer:
    """A base layer (chosen in the layer control) drawing ``basemap`` from our server;
    past its deepest zoom Leaflet enlarges its deepest tiles."""
    options = {}
    if basemap.bounds is not None:
        west, south, east, north = basemap.bounds
        options["bounds"] = [[south, west], [north, east]]
    return folium.TileLayer(
        tiles=basemap.url, attr=basemap.attribution, name=basemap.name, overlay=False,
        control=True, show=False, min_zoom=0, max_native_zoom=basemap.max_zoom,
        max_zoom=MAX_ZOOM, **options)
