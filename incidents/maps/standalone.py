"""One HTML file that shows a map anywhere, with no server and no network.

Every local script and stylesheet is inlined, and so are the images and
fonts those stylesheets point at. Base-map tiles are embedded as data URIs
for the area of interest at zooms 0-6 (plus the whole world at zooms 0-2),
through a small patch of Leaflet's ``getTileUrl``; a tile outside that set
is drawn blank instead of being requested. So the file is self-sufficient
at the cost of a few hundred kilobytes, rather than depending on a tile
folder that gets lost when the file is mailed.

Region outlines a dashboard map fetches from its server
(``incidents.maps.base.serve_outlines``) are written back into the page.

Only layers the analyst opted into (live OpenStreetMap tiles) still point
at the network.
"""

from __future__ import annotations

import base64
import json
import mimetypes
import re
from collections.abc import Sequence
from pathlib import Path

import folium
from folium.map import FitBounds

from incidents.maps.assets import DEFAULT_BASE_URL, VENDOR_DIR, OfflineAssetError, localize
from incidents.maps.tiles import (
    DEFAULT_TILES_URL,
    MAX_NATIVE_ZOOM,
    TILES_DIR,
    tiles_covering,
)

WORLD_ZOOMS = range(0, 3)
# 1x1 transparent PNG: what a tile outside the embedded set shows.
_BLANK_TILE = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)
_SCRIPT_TAG = re.compile(r'<script\s+src="([^"]+)"\s*>\s*</script>')
_LINK_TAG = re.compile(r'<link\s+rel="stylesheet"\s+href="([^"]+)"\s*/?>')
_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")


def _data_uri(path: Path) -> str:
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def _inline_css_urls(css: str, css_path: Path) -> str:
    """Replace relative ``url(...)`` in a stylesheet by data URIs of the files.

    Fonts are inlined only as WOFF2, which every current browser reads; other
    font formats in the same ``src`` list become empty so nothing is fetched.
    """

    def replace(match: re.Match[str]) -> str:
        target = match.group(2).strip()
        if target.startswith(("data:", "#")):
            return match.group(0)
        file_part = target.split("?")[0].split("#")[0]
        path = (css_path.parent / file_part).resolve()
        if path.suffix.lower() in {".eot", ".ttf", ".woff", ".otf"} or not path.is_file():
            return 'url("data:,")'
        return f'url("{_data_uri(path)}")'

    return _CSS_URL.sub(replace, css)


def _vendor_file(url: str, base_url: str, vendor_dir: Path) -> Path | None:
    prefix = base_url.rstrip("/") + "/"
    if not url.startswith(prefix):
        return None
    path = vendor_dir / url[len(prefix):]
    if not path.is_file():
        raise OfflineAssetError(f"{path} is missing: run `make setup`")
    return path


def _inline_assets(page: str, base_url: str, vendor_dir: Path) -> str:
    def script(match: re.Match[str]) -> str:
        path = _vendor_file(match.group(1), base_url, vendor_dir)
        if path is None:
            return match.group(0)
        code = path.read_text("utf-8").replace("</script", "<\\/script")
        return f"<script>{code}</script>"

    def stylesheet(match: re.Match[str]) -> str:
        path = _vendor_file(match.group(1), base_url, vendor_dir)
        if path is None:
            return match.group(0)
        css = _inline_css_urls(path.read_text("utf-8"), path).replace("</style", "<\\/style")
        return f"<style>{css}</style>"

    page = _SCRIPT_TAG.sub(script, page)
    return _LINK_TAG.sub(stylesheet, page)


def embedded_tiles(bounds: Sequence[Sequence[float]], tiles_url: str = DEFAULT_TILES_URL,
                   tiles_dir: Path = TILES_DIR) -> dict[str, str]:
    """Tile URL -> data URI for ``bounds`` at zooms 0-6 and the world at zooms 0-2."""
    wanted = set(tiles_covering(bounds, range(0, MAX_NATIVE_ZOOM + 1)))
    wanted |= set(tiles_covering(((-85.0, -180.0), (85.0, 180.0)), WORLD_ZOOMS))
    embedded = {}
    for zoom, x, y in sorted(wanted):
        path = tiles_dir / str(zoom) / str(x) / f"{y}.png"
        if path.is_file():
            url = tiles_url.replace("{z}", str(zoom)).replace("{x}", str(x)).replace("{y}", str(y))
            embedded[url] = _data_uri(path)
    return embedded


def _tile_patch(tiles: dict[str, str], tiles_url: str) -> str:
    local_prefix = tiles_url.split("{")[0]
    return (
        "<script>(function(){"
        f"var tiles={json.dumps(tiles, separators=(',', ':'))};"
        f"var prefix={json.dumps(local_prefix)};var blank={json.dumps(_BLANK_TILE)};"
        "var original=L.TileLayer.prototype.getTileUrl;"
        "L.TileLayer.prototype.getTileUrl=function(coords){"
        "var url=original.call(this,coords);"
        "if(url.indexOf(prefix)!==0){return url;}"
        "return tiles[url]||blank;};"
        "})();</script>"
    )


def _fitted_bounds(fmap: folium.Map) -> list[list[float]] | None:
    """The bounds the map was last fitted to (its view), if any.

    The view rather than the extent of all layers: region outlines reach far
    beyond the area an analyst looks at and would multiply the tiles.
    """
    fitted = [child for child in fmap._children.values() if isinstance(child, FitBounds)]
    return fitted[-1].bounds if fitted else None


def standalone_html(
    fmap: folium.Map,
    *,
    bounds: Sequence[Sequence[float]] | None = None,
    vendor_dir: Path = VENDOR_DIR,
    tiles_dir: Path = TILES_DIR,
    tiles_url: str = DEFAULT_TILES_URL,
) -> bytes:
    """The map as a self-contained UTF-8 HTML document.

    ``bounds`` ((south, west), (north, east)) chooses which detailed tiles are
    embedded; by default the bounds the map was fitted to, else the Sahel.
    """
    from incidents.maps.base import SAHEL_BOUNDS, embed_outlines

    base_url = getattr(fmap, "asset_base_url", DEFAULT_BASE_URL)
    localize(fmap, base_url)
    embed_outlines(fmap)
    page = fmap.get_root().render()
    page = _inline_assets(page, base_url, vendor_dir)
    extent = bounds or _fitted_bounds(fmap) or SAHEL_BOUNDS
    patch = _tile_patch(embedded_tiles(extent, tiles_url, tiles_dir), tiles_url)
    page = page.replace("</head>", patch + "\n</head>", 1)
    return page.encode("utf-8")
