"""The view the dashboard's map opens on: the extent of the placed incidents, fitted.

Apart from ``ui.map_view`` because the warm-up (``ui.warmup``) works out the
first page's map exactly as the page will, and must not import a module that
declares a Streamlit component (``streamlit_folium``).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from incidents.maps.build import FIT_MAX_ZOOM, View
from incidents.maps.columns import map_columns

# Most of a 1280 x 720 screen below the headline and the tabs.
MAP_HEIGHT_PX = 500
MAP_WIDTH_PX = 900  # the map across the main column of a laptop screen


def fit_zoom(south: float, west: float, north: float, east: float,
             cap: int = FIT_MAX_ZOOM) -> int:
    """The largest zoom showing these bounds in the dashboard's map (about 600 x 540 px),
    at most ``cap`` so a single incident still shows its surroundings."""
    lng_span = max(east - west, 1e-6)
    lat_span = max(north - south, 1e-6)
    by_width = math.log2(360.0 * MAP_WIDTH_PX / 256 / lng_span)
    by_height = math.log2(170.0 * MAP_HEIGHT_PX / 256 / lat_span)
    return int(min(max(math.floor(min(by_width, by_height)), 2), cap))


def extent_view(gdf: pd.DataFrame, rows: np.ndarray | None = None) -> View | None:
    """A view holding every placed incident (of ``rows``, a mask, when given).

    The map is opened on an explicit centre and zoom rather than fitted to bounds
    in the browser, because st_folium's frame starts with zero height and a fit
    computed then lands in the wrong place.
    """
    columns = map_columns(gdf)
    placed = columns.placed if rows is None else columns.placed & rows
    if not placed.any():
        return None
    lat, lng = columns.latitude[placed], columns.longitude[placed]
    south, west, north, east = lat.min(), lng.min(), lat.max(), lng.max()
    zoom = fit_zoom(south, west, north, east)
    return View(float(south), float(west), float(north), float(east), zoom)
