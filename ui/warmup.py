"""Work the dashboard's first page would otherwise do while its first visitor waits.

``serve.py`` runs :func:`warm` once, before the server accepts connections:
the imports (folium, geopandas, the core), the bundled samples when the store
never had an import (as the page would load them), the store's map snapshot and
quarantine (into the same Streamlit caches the page reads), and one map, which
fills the base map's own caches (country outlines, town labels, the admin-1
index). At a million incidents the first page then opens in 3.9 s instead of
7.5 s (``dashboard_page_s`` in ``bench/scale.py``).

Nothing here may import ``streamlit_folium`` (or any module declaring a
Streamlit component): ``declare_component`` only registers a component when it
runs inside a script run, so importing it here, before any, would leave the
map's component unregistered and the map blank.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from incidents.maps.build import build_map
from ui import data

LOGGER = logging.getLogger(__name__)
# Streamlit warns once per call that a cached function ran outside a script run,
# which is exactly what warming is.
_NO_SCRIPT_RUN_LOGGER = "streamlit.runtime.scriptrunner_utils.script_run_context"


@contextmanager
def _outside_script_run() -> Iterator[None]:
    logger = logging.getLogger(_NO_SCRIPT_RUN_LOGGER)
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def warm() -> int | None:
    """Load the current store into the page's caches and draw one map; the number of
    incidents loaded, or None when warming failed (the page then meets and reports
    the problem itself)."""
    started = time.perf_counter()
    try:
        with _outside_script_run():
            path = data.store_path()
            data.seed_store_if_empty(data.get_store(str(path)))
            version = data.store_version(path)
            frame = data.load_store_frame(str(path), version)
            data.load_store_quarantine(str(path), version)
            build_map(frame).map.render()
    except Exception:  # noqa: BLE001 - warming is an optimisation, never a reason not to start
        LOGGER.exception("warming the dashboard's caches failed; the first page will do it")
        return None
    print(f"  Dashboard ready: {len(frame):,} incidents loaded in "
          f"{time.perf_counter() - started:.1f} s.", file=sys.stderr, flush=True)
    return len(frame)
