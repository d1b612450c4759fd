"""The analyst's own basemaps: MBTiles and PMTiles files imported into the state dir,
served by the dashboard's server at ``/basemaps/<name>/{z}/{x}/{y}`` and listed in the
layer control.

The bundled tiles stop at zoom 6; a region's tiles give village detail offline. Raster
tiles (PNG, JPEG, WebP: what QGIS, gdal2tiles, TileMill or MOBAC export) are drawn as
they are; vector tiles (Mapbox Vector Tiles: what tilemaker, planetiler or tippecanoe
export, in MBTiles or PMTiles) are drawn in the browser by protomaps-leaflet with a plain
style derived from the layers the file lists (``incidents.maps.vector_basemap``). The
file is copied whole and read in place, read-only; nothing is unpacked. The server
hands the browser each tile uncompressed.

    python -m incidents basemap import region.mbtiles --name mopti
    python -m incidents basemap import region.pmtiles
    python -m incidents basemap list
"""

from __future__ import annotations

import gzip
import io
import json
import re
import shutil
import sqlite3
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from unidecode import unidecode

from incidents import config
from incidents.errors import IncidentsError

if TYPE_CHECKING:
    import folium

URL_PREFIX = "/basemaps"
RASTER_FORMATS = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg",
                  "webp": "image/webp"}
VECTOR_FORMATS = {"pbf": "application/x-protobuf", "mvt": "application/x-protobuf"}
CONTAINERS = (".mbtiles", ".pmtiles")
# PMTiles header tile types (spec v3) -> the MBTiles format names used here.
PMTILES_TYPES = {1: "pbf", 2: "png", 3: "jpg", 4: "webp"}
# A tile bigger than this once uncompressed is refused (a zip bomb in a tile file).
MAX_TILE_BYTES = 16 * 1024 * 1024
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
    # Vector tiles: the layers the file's metadata lists (drawn with a plain style).
    vector_layers: tuple[str, ...] = ()

    @property
    def url(self) -> str:
        return f"{URL_PREFIX}/{self.name}/{{z}}/{{x}}/{{y}}"

    @property
    def vector(self) -> bool:
        return self.format in VECTOR_FORMATS


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
    """The basemap an MBTiles or PMTiles file describes; raises BasemapError when it
    cannot be one."""
    if path.suffix.lower() == ".pmtiles":
        return _read_pmtiles(path, name)
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
    if zooms is None or zooms[0] is None:
        raise BasemapError(f"{path.name} holds no tiles")
    bounds = None
    try:
        west, south, east, north = (float(v) for v in str(metadata["bounds"]).split(","))
        bounds = (west, south, east, north)
    except (KeyError, ValueError):
        pass
    return _basemap(path, name, metadata, str(metadata.get("format", "png")).lower(),
                    (int(zooms[0]), int(zooms[1])), bounds, _json_field(metadata.get("json")))


def _read_pmtiles(path: Path, name: str | None) -> Basemap:
    from pmtiles.reader import MmapSource, Reader

    try:
        with open(path, "rb") as handle:
            reader = Reader(MmapSource(handle))
            header = reader.header()
            if header.get("version") != 3:
                raise ValueError(f"PMTiles version {header.get('version')}, not 3")
            metadata = reader.metadata()
    except (OSError, ValueError, KeyError, IndexError, EOFError, zlib.error) as error:
        raise BasemapError(f"{path.name} is not a PMTiles file: {error}") from error
    if not isinstance(metadata, dict):
        metadata = {}
    fmt = PMTILES_TYPES.get(_number(header["tile_type"]), "unknown")
    bounds = tuple(header[key] / 1e7 for key in
                   ("min_lon_e7", "min_lat_e7", "max_lon_e7", "max_lat_e7"))
    return _basemap(path, name, metadata, fmt, (int(header["min_zoom"]), int(header["max_zoom"])),
                    bounds if bounds[0] < bounds[2] else None, metadata)


def _number(code: object) -> int:
    """A PMTiles header code, which the reader gives as an enum member."""
    return int(getattr(code, "value", code))


def _json_field(text: object) -> dict:
    """MBTiles keeps a vector file's layer list as JSON text in its ``json`` metadata row."""
    try:
        value = json.loads(str(text)) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _basemap(path: Path, name: str | None, metadata: dict, fmt: str, zooms: tuple[int, int],
             bounds: tuple[float, float, float, float] | None, layer_info: dict) -> Basemap:
    if fmt not in RASTER_FORMATS and fmt not in VECTOR_FORMATS:
        raise BasemapError(f"{path.name} holds {fmt} tiles; the map draws PNG, JPEG or WebP"
                           " raster tiles and Mapbox Vector Tiles")
    layers: tuple[str, ...] = ()
    if fmt in VECTOR_FORMATS:
        listed = layer_info.get("vector_layers")
        layers = tuple(str(layer["id"]) for layer in listed or ()
                       if isinstance(layer, dict) and layer.get("id"))
        if not layers:
            raise BasemapError(f"{path.name} holds vector tiles but its metadata lists no"
                               " vector_layers, so there is nothing to style")
    return Basemap(
        name=basemap_name(name or str(metadata.get("name") or path.stem)),
        path=path, format=fmt, min_zoom=zooms[0], max_zoom=zooms[1],
        attribution=str(metadata.get("attribution") or metadata.get("name") or path.stem),
        bounds=bounds, vector_layers=layers,
    )


def import_basemap(source: Path, name: str | None = None) -> Basemap:
    """Check ``source`` and copy it into the state dir's basemaps (replacing one of the
    same name); returns the imported basemap."""
    found = read_basemap(source, name)
    folder = basemaps_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{found.name}{source.suffix.lower()}"
    partial = target.with_name(target.name + ".part")
    shutil.copyfile(source, partial)
    partial.replace(target)
    for other in CONTAINERS:
        if other != target.suffix:
            (folder / f"{found.name}{other}").unlink(missing_ok=True)
    return read_basemap(target, found.name)


def list_basemaps() -> list[Basemap]:
    """The imported basemaps, by name; a file that no longer reads is left out."""
    folder = basemaps_dir()
    found = []
    paths = [path for suffix in CONTAINERS for path in folder.glob(f"*{suffix}")] \
        if folder.is_dir() else []
    for path in sorted(paths):
        try:
            found.append(read_basemap(path, path.stem))
        except BasemapError:
            continue
    return found


def read_tile(name: str, zoom: int, x: int, y: int) -> tuple[bytes, str] | None:
    """One tile (bytes, MIME type) of an imported basemap, XYZ numbering, vector tiles
    uncompressed; None if absent."""
    try:
        safe = basemap_name(name)
    except BasemapError:
        return None
    paths = [basemaps_dir() / f"{safe}{suffix}" for suffix in CONTAINERS]
    path = next((path for path in paths if path.is_file()), None)
    if safe != name or path is None:
        return None
    try:
        found = _pmtiles_tile(path, zoom, x, y) if path.suffix == ".pmtiles" \
            else _mbtiles_tile(path, zoom, x, y)
    except (sqlite3.Error, OSError, ValueError, KeyError, IndexError, EOFError, zlib.error):
        return None
    if found is None:
        return None
    data, fmt = found
    if fmt in VECTOR_FORMATS:
        data = _inflated(data)
        if data is None:
            return None
        return data, VECTOR_FORMATS[fmt]
    return data, RASTER_FORMATS.get(fmt, "image/png")


def _mbtiles_tile(path: Path, zoom: int, x: int, y: int) -> tuple[bytes, str] | None:
    tms_row = (1 << zoom) - 1 - y
    connection = _connect(path)
    try:
        row = connection.execute(
            "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ?"
            " AND tile_row = ?", (zoom, x, tms_row)).fetchone()
        fmt = dict(connection.execute("SELECT name, value FROM metadata")).get("format")
    finally:
        connection.close()
    return None if row is None else (bytes(row[0]), str(fmt or "png").lower())


def _pmtiles_tile(path: Path, zoom: int, x: int, y: int) -> tuple[bytes, str] | None:
    from pmtiles.reader import MmapSource, Reader

    with open(path, "rb") as handle:
        reader = Reader(MmapSource(handle))
        fmt = PMTILES_TYPES.get(_number(reader.header()["tile_type"]), "unknown")
        data = reader.get(zoom, x, y)
    return None if data is None else (bytes(data), fmt)


def _inflated(data: bytes) -> bytes | None:
    """A vector tile as the browser's decoder wants it: gzip (the MBTiles habit and the
    usual PMTiles setting) undone, at most MAX_TILE_BYTES; None when it is bigger."""
    if not data.startswith(b"\x1f\x8b"):
        return data
    with gzip.GzipFile(fileobj=io.BytesIO(data)) as unpacked:
        inflated = unpacked.read(MAX_TILE_BYTES + 1)
    return inflated if len(inflated) <= MAX_TILE_BYTES else None


def basemap_layer(basemap: Basemap) -> folium.map.Layer:
    """A base layer (chosen in the layer control) drawing ``basemap`` from our server;
    past its deepest zoom Leaflet enlarges its deepest tiles.

    folium is imported here, not at the top: ``serve.py`` imports this module for its
    tile route, and folium (with pandas) would hold up the server's start by 0.5 s.
    """
    import folium

    from incidents.maps.escape import escape_text
    from incidents.maps.tiles import MAX_ZOOM

    if basemap.vector:
        from incidents.maps.vector_basemap import VectorBasemap

        return VectorBasemap(basemap)
    options = {}
    if basemap.bounds is not None:
        west, south, east, north = basemap.bounds
        options["bounds"] = [[south, west], [north, east]]
    return folium.TileLayer(
        tiles=basemap.url, attr=escape_text(basemap.attribution), name=basemap.name, overlay=False,
        control=True, show=False, min_zoom=0, max_native_zoom=basemap.max_zoom,
        max_zoom=MAX_ZOOM, **options)
