"""Size and build time of the offline base map and of a standalone HTML file.

Usage (from the project root, after `make setup`): .venv/bin/python bench/maps_base_bench.py

Prints the wall time of the first (cold: boundaries and town list loaded)
and a second base-map build, the rendered page size, the size of the
border and region outlines inside it, and the size and build time of the
standalone file with its embedded tiles.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from incidents.maps.base import (  # noqa: E402
    NEIGHBOUR_COUNTRIES,
    SAHEL_COUNTRIES,
    finish_map,
    make_base_map,
    outline_geojson,
)
from incidents.maps.standalone import embedded_tiles, standalone_html  # noqa: E402


def timed(label: str, function):
    start = time.perf_counter()
    result = function()
    print(f"{label}: {time.perf_counter() - start:.2f} s")
    return result


def main() -> None:
    timed("base map, cold", lambda: finish_map(make_base_map()).get_root().render())
    page = timed("base map, warm", lambda: finish_map(make_base_map()).get_root().render())
    print(f"base map page: {len(page.encode('utf-8')):,} bytes")
    borders = tuple(sorted(set(SAHEL_COUNTRIES) | set(NEIGHBOUR_COUNTRIES)))
    print(f"country outlines ({len(borders)} countries): {len(outline_geojson('country', borders)):,} bytes")
    print(f"admin-1 outlines ({len(SAHEL_COUNTRIES)} countries): "
          f"{len(outline_geojson('admin1', SAHEL_COUNTRIES)):,} bytes")
    bounds = ((11.0, -6.0), (17.0, 2.0))
    tiles = embedded_tiles(bounds)
    print(f"embedded tiles for {bounds}: {len(tiles)} tiles, "
          f"{sum(len(uri) for uri in tiles.values()):,} bytes as data URIs")
    html = timed("standalone file", lambda: standalone_html(make_base_map(bounds=bounds)))
    print(f"standalone file: {len(html):,} bytes")


if __name__ == "__main__":
    main()
