"""Many incidents aggregated into H3 hexagons: one GeoJson layer, bounded in size.

The payload depends on how many hexagons are in view, not on how many
incidents they hold. The resolution follows the zoom so a hexagon spans
roughly ``TARGET_CELL_PX`` pixels on screen; if a view still holds more than
``max_cells`` hexagons the next coarser resolution is used.

Cell ids come precomputed (``incidents.spatial_index.add_cell_ids``); when a
frame lacks them they are computed here, which is correct but slower.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import h3
import numpy as np
import pandas as pd
from folium.features import GeoJson, GeoJsonTooltip
from h3.api import basic_int as h3int

from incidents import model
from incidents.maps import style
from incidents.maps.columns import map_columns
from incidents.maps.escape import escape_text
from incidents.maps.incident_layer import TOOLTIP_SEPARATOR
from incidents.maps.legend import words
from incidents.spatial_index import MAP_RESOLUTIONS, cell_column, latlng_to_cells, parent_cells

TARGET_CELL_PX = 28
MAX_CELLS = 3_000
# Ground metres per pixel at zoom 0 on the equator (Web Mercator, 256 px tiles).
METRES_PER_PX_Z0 = 156_543.03
CELL_KEY_PREFIX = "H3 "


def resolution_for_zoom(zoom: float) -> int:
    """The map resolution whose hexagons are closest to ``TARGET_CELL_PX`` wide at ``zoom``."""
    target_m = TARGET_CELL_PX * METRES_PER_PX_Z0 / 2 ** max(zoom, 0)

    def mismatch(resolution: int) -> float:
        width_m = 2 * h3.average_hexagon_edge_length(resolution, "m")
        return abs(math.log(width_m / target_m))

    return min(MAP_RESOLUTIONS, key=mismatch)


def cell_ids(frame: pd.DataFrame, resolution: int, rows: np.ndarray | None = None) -> np.ndarray:
    """Cell ids at ``resolution`` for the ``rows`` mask (all rows by default).

    Each is the parent of the incident's finest map cell. H3 nesting is
    approximate, so near a hexagon's edge that parent can differ from a
    direct lookup at the coarse resolution; deriving from the finest cell
    keeps counts exact across zooms (a hexagon holds exactly the incidents of
    its children).
    """
    select = slice(None) if rows is None else np.asarray(rows, dtype=bool)
    column = cell_column(resolution)
    if column in frame.columns:
        return frame[column].to_numpy(dtype="uint64")[select]
    finest = max(MAP_RESOLUTIONS)
    if cell_column(finest) in frame.columns:
        cells = frame[cell_column(finest)].to_numpy(dtype="uint64")[select]
    else:
        lat = frame["latitude"].to_numpy(dtype="float64", na_value=np.nan)[select]
        lng = frame["longitude"].to_numpy(dtype="float64", na_value=np.nan)[select]
        cells = latlng_to_cells(lat, lng, finest)
    return parent_cells(cells, resolution)


def _sorted_groups(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(cells, return_inverse=True)``, hashing instead of sorting every row:
    a million incidents fall in a few thousand cells, and only those get sorted."""
    codes, uniques = pd.factorize(cells)
    uniques = np.asarray(uniques, dtype="uint64")
    order = np.argsort(uniques)
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return uniques[order], rank[codes]


def _cell_groups(frame: pd.DataFrame, resolution: int) -> tuple[np.ndarray, np.ndarray]:
    """The frame's occupied cells at ``resolution``, sorted, and each row's index among
    them (-1 without a cell); worked out once per frame and resolution, since the
    hashing is most of what counting a million incidents into cells costs."""
    derived = map_columns(frame).derived
    key = ("cell_groups", resolution)
    if key not in derived:
        cells = cell_ids(frame, resolution)
        placed = cells != 0
        unique, inverse = _sorted_groups(cells[placed])
        group = np.full(len(frame), -1, dtype="int64")
        group[placed] = inverse
        derived[key] = (unique, group)
    return derived[key]


def aggregate_cells(
    frame: pd.DataFrame, resolution: int, rows: np.ndarray | None = None
) -> pd.DataFrame:
    """One row per occupied hexagon: cell, count, fatalities, top_event_type.

    ``rows`` is a boolean mask of the rows to count, so a caller holding a
    filter mask never copies the frame. Rows without a cell (no coordinates)
    are left out: the sum of ``count`` is the number of placed rows counted.
    Vectorised throughout (hash once per frame, then bincount): about 10 ms for a
    million rows once the frame's cells are grouped.
    """
    select = np.ones(len(frame), dtype=bool) if rows is None else np.asarray(rows, dtype=bool)
    columns = map_columns(frame)
    unique, group = _cell_groups(frame, resolution)
    # Positions once, then a take per array: three boolean-mask gathers over a
    # million rows cost more than one scan of the mask and three takes.
    counted = np.flatnonzero(select & (group >= 0))
    inverse = group.take(counted)
    codes = columns.event_type.codes.take(counted)
    deaths = columns.fatalities.take(counted)
    count = np.bincount(inverse, minlength=len(unique))
    occupied = np.flatnonzero(count)
    if len(occupied) < len(unique):
        rank = np.zeros(len(unique), dtype=inverse.dtype)
        rank[occupied] = np.arange(len(occupied), dtype=inverse.dtype)
        unique, inverse, count = unique[occupied], rank[inverse], count[occupied]
    labels = columns.event_type.labels
    known = len(labels) - 1  # the last code stands for a missing type
    by_type = np.bincount(inverse * len(labels) + codes, minlength=len(unique) * len(labels))
    by_type = by_type.reshape(len(unique), len(labels))[:, :known]
    best = np.full(len(unique), known)
    if known:
        best = np.where(by_type.sum(axis=1) > 0, by_type.argmax(axis=1), known)
    return pd.DataFrame(
        {
            "cell": unique,
            "count": count,
            "fatalities": np.bincount(inverse, weights=deaths, minlength=len(unique)).astype(
                "int64"
            ),
            "top_event_type": labels[best],
        }
    )


def unwrapped(corners: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """A hexagon's (lat, lng) corners on one side of the antimeridian: a cell across it
    (Fiji, Chukotka) has corners near -180 and +180, which Leaflet would join across the
    whole world, as a band round the globe; those west of it are moved past +180."""
    longitudes = [lng for _, lng in corners]
    if max(longitudes) - min(longitudes) <= 180:
        return list(corners)
    return [(lat, lng + 360 if lng < 0 else lng) for lat, lng in corners]


def cells_geojson(cells: pd.DataFrame, language: str) -> dict:
    """FeatureCollection of hexagons with an escaped tooltip per cell."""
    w = words(language)
    labels = {
        t: escape_text(model.label(t, language)) for t in cells["top_event_type"].unique()
    }
    features = []
    for cell, count, fatalities, top in cells.itertuples(index=False):
        key = CELL_KEY_PREFIX + h3.int_to_str(int(cell))
        corners = unwrapped(h3int.cell_to_boundary(int(cell)))
        boundary = [(round(lng, 4), round(lat, 4)) for lat, lng in corners]
        boundary.append(boundary[0])
        tip = (
            f"{escape_text(key)}{TOOLTIP_SEPARATOR}<b>{count}</b> {escape_text(w['incidents'])}"
            f"{TOOLTIP_SEPARATOR}{escape_text(w['fatalities'])}: {fatalities}"
        )
        if top:
            tip += f"{TOOLTIP_SEPARATOR}{escape_text(w['mostly'])} {labels[top]}"
        features.append(
            {
                "type": "Feature",
                "id": key,
                "geometry": {"type": "Polygon", "coordinates": [boundary]},
                "properties": {"count": int(count), "tip": tip},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _cell_style(feature: dict) -> dict:
    return style.cell_style(feature["properties"]["count"])


def cell_layer(cells: pd.DataFrame, *, language: str, name: str) -> GeoJson:
    """The hexagons as one GeoJson layer, coloured on ``style.CELL_BREAKS``."""
    return GeoJson(
        cells_geojson(cells, language),
        name=name,
        style_function=_cell_style,
        tooltip=GeoJsonTooltip(fields=["tip"], labels=False),
    )


def cell_bounds(key: str) -> tuple[float, float, float, float] | None:
    """(south, west, north, east) of the hexagon named by a tooltip key, for zooming in."""
    if not key.startswith(CELL_KEY_PREFIX):
        return None
    boundary = unwrapped(h3.cell_to_boundary(key[len(CELL_KEY_PREFIX):]))
    lats = [lat for lat, _ in boundary]
    lngs = [lng for _, lng in boundary]
    return min(lats), min(lngs), max(lats), max(lngs)
