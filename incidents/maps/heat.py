"""A heat-map overlay of what the map currently shows.

Fed with the incidents themselves when few are in view, and with hexagon
centres weighted by their counts when many are: either way the payload stays
bounded by the level of detail, never by the size of the data set.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from folium.plugins import HeatMap
from h3.api import basic_int as h3

HEAT_RADIUS_PX = 18
HEAT_BLUR_PX = 14


def heat_from_points(frame: pd.DataFrame) -> list[list[float]]:
    """[lat, lng, 1.0] per placed incident."""
    lat = frame["latitude"].to_numpy(dtype="float64", na_value=np.nan)
    lng = frame["longitude"].to_numpy(dtype="float64", na_value=np.nan)
    placed = np.isfinite(lat) & np.isfinite(lng)
    return [[round(a, 4), round(b, 4), 1.0] for a, b in zip(lat[placed], lng[placed])]


def heat_from_cells(cells: pd.DataFrame) -> list[list[float]]:
    """[lat, lng, weight] per hexagon centre, weights log-scaled into (0, 1].

    leaflet.heat saturates at a weight of 1, so raw counts would paint every
    busy cell the same; the log keeps a village apart from a city.
    """
    if cells.empty:
        return []
    counts = cells["count"].to_numpy(dtype="float64")
    weights = np.log1p(counts) / np.log1p(counts.max())
    points = []
    for cell, weight in zip(cells["cell"].tolist(), weights.tolist()):
        lat, lng = h3.cell_to_latlng(int(cell))
        points.append([round(lat, 4), round(lng, 4), round(weight, 3)])
    return points


def heat_layer(points: list[list[float]], *, name: str, show: bool = False) -> HeatMap:
    """The overlay, hidden by default so it never competes with the markers on first paint."""
    return HeatMap(
        points,
        name=name,
        radius=HEAT_RADIUS_PX,
        blur=HEAT_BLUR_PX,
        min_opacity=0.3,
        overlay=True,
        control=True,
        show=show,
    )
