"""One script file for all the scripts a map mounted by st_folium needs.

st_folium's frame loads a map's scripts one after the other, each waiting for
the previous one (Leaflet, then the fullscreen, drawing and heat-map
plugins): four round trips before the map can start, about 0.15 s of a first
page. :func:`script_bundle` writes the local files, in order, into one file
under ``static/vendor/bundles/`` (named for their paths, sizes and
modification times, so an upgraded plugin makes a new bundle) and returns its
URL; ``incidents.maps.assets.OfflineMap`` points the map at it.

Files are joined with a newline and a semicolon, so a file ending in a line
comment or without a final semicolon cannot swallow the next one. None of
the vendored scripts opens with a "use strict" directive, which in a joined
file would apply to the files after it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

from incidents.derived import write_text_atomically

BUNDLE_DIR_NAME = "bundles"
SEPARATOR = "\n;\n"


def script_bundle(urls: Sequence[str], base_url: str, vendor_dir: Path) -> str | None:
    """The URL of one script that runs the local scripts at ``urls`` in order.

    None when a URL is not one of our vendored files (it then keeps loading on
    its own) or when the bundle cannot be written.
    """
    prefix = base_url.rstrip("/") + "/"
    files = []
    for url in urls:
        path = vendor_dir / url[len(prefix):] if url.startswith(prefix) else None
        if path is None or not path.is_file():
            return None
        files.append(path)
    stamp = json.dumps([[url, path.stat().st_size, path.stat().st_mtime_ns]
                        for url, path in zip(urls, files)])
    name = hashlib.sha256(stamp.encode()).hexdigest()[:16] + ".js"
    target = vendor_dir / BUNDLE_DIR_NAME / name
    if not target.is_file() and not write_text_atomically(
            target, SEPARATOR.join(path.read_text(encoding="utf-8") for path in files)):
        return None
    return f"{prefix}{BUNDLE_DIR_NAME}/{name}"
