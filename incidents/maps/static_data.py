"""Constant map data served as a file, fetched by a map instead of written into it.

st_folium sends a map's whole script with every run of the page, although the
frame already showing that map keeps it (``incidents.maps.overlays``): the
country and admin-1 outlines, about 120 KB of GeoJSON that never change, were
most of every filter change's payload. :func:`static_json_url` writes such a
text once under ``static/mapdata/`` (which Streamlit serves at
``/app/static/mapdata/``, as it serves the tiles) in a file named for its
content, and returns that file's URL: a browser may keep it for good, and
different data gets a different name. ``ui.static_files`` answers it with
headers saying so.

Only a map shown by the dashboard fetches its data; a page meant to stand on its
own (the standalone HTML export, a notebook's map) keeps it written in. A
folder that cannot be written means the data stays in the script, as before.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from incidents.atomic import write_text_atomically
from incidents.config import PROJECT_DIR

MAP_DATA_DIR_NAME = "mapdata"
# incidents.maps.assets.STATIC_DIR's folder, not imported from there: ui.static_files
# reads this module as serve.py starts, before folium (which assets imports) may be.
MAP_DATA_DIR = PROJECT_DIR / "static" / MAP_DATA_DIR_NAME
# Streamlit serves ./static beside the app script here (see incidents.maps.assets).
MAP_DATA_URL = "/app/static/" + MAP_DATA_DIR_NAME


@lru_cache(maxsize=32)
def _file_name(kind: str, text: str) -> str:
    """``kind`` and the first 20 hex digits of the text's SHA-256 (remembered per text:
    the outlines are the same string objects from one map to the next)."""
    return f"{kind}-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:20]}.json"


def static_json_url(kind: str, text: str) -> str | None:
    """The URL under which the JSON ``text`` is served, written out if it is not yet;
    None when it cannot be written (the caller then embeds the text)."""
    name = _file_name(kind, text)
    path = MAP_DATA_DIR / name
    if not path.is_file() and not write_text_atomically(path, text):
        return None
    return f"{MAP_DATA_URL}/{name}"
