"""H3 cell ids for every incident, computed once so maps can aggregate fast.

The map draws many incidents as H3 hexagons (see ``incidents.maps.cells``),
choosing the resolution from the zoom level. Looking a point up with
``h3.latlng_to_cell`` costs about half a microsecond, so a million incidents
take half a second per resolution: too slow to repeat on every pan. Instead we
look each point up once, at the finest resolution the map uses, and derive
every coarser resolution with integer arithmetic on the 64-bit index (H3
parents are obtained by rewriting the resolution field and filling the
unused digits), which numpy does for a million rows in milliseconds.

Columns are named ``h3_r<res>`` and hold ``uint64``; ``0`` means the row has
no usable coordinates (H3 never issues 0 as a cell id).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from h3.api import basic_int as h3

MAP_RESOLUTIONS: tuple[int, ...] = (2, 3, 4, 5, 6, 7, 8, 9)
NO_CELL = np.uint64(0)

# Layout of an H3 cell index: 4 resolution bits at 52..55, then fifteen 3-bit
# digits, the digit of resolution r sitting at bits 3 * (15 - r) .. +2.
_RES_SHIFT = np.uint64(52)
_RES_MASK = np.uint64(0xF) << _RES_SHIFT
_MAX_RES = 15

# Columns analysts filter on: categorical dtype makes equality/isin masks cheap.
CATEGORICAL_COLUMNS: tuple[str, ...] = (
    "event_type",
    "sub_event_type",
    "disorder_type",
    "country",
    "country_code",
    "admin1",
    "admin2",
    "source_scale",
    "status",
)


def cell_column(resolution: int) -> str:
    """Name of the column holding cell ids at ``resolution``."""
    return f"h3_r{resolution}"


def latlng_to_cells(lat: np.ndarray, lng: np.ndarray, resolution: int) -> np.ndarray:
    """Cell ids (uint64) at ``resolution``; 0 where a coordinate is missing or invalid."""
    lat = np.asarray(lat, dtype="float64")
    lng = np.asarray(lng, dtype="float64")
    out = np.zeros(len(lat), dtype="uint64")
    valid = np.isfinite(lat) & np.isfinite(lng) & (np.abs(lat) <= 90) & (np.abs(lng) <= 180)
    lookup = h3.latlng_to_cell
    out[valid] = [
        lookup(a, b, resolution) for a, b in zip(lat[valid].tolist(), lng[valid].tolist())
    ]
    return out


def parent_cells(cells: np.ndarray, resolution: int) -> np.ndarray:
    """Parents of finer ``cells`` at ``resolution``, vectorised; 0 stays 0."""
    cells = np.asarray(cells, dtype="uint64")
    unused_digits = np.uint64((1 << (3 * (_MAX_RES - resolution))) - 1)
    parents = (cells & ~_RES_MASK) | (np.uint64(resolution) << _RES_SHIFT) | unused_digits
    return np.where(cells == NO_CELL, NO_CELL, parents)


def add_cell_ids(
    gdf: pd.DataFrame, resolutions: Iterable[int] = MAP_RESOLUTIONS
) -> pd.DataFrame:
    """Return a copy of ``gdf`` with an ``h3_r<res>`` column per resolution.

    Only the finest requested resolution is looked up point by point; the
    others are derived from it. Columns that already exist are recomputed so
    edited coordinates never keep a stale cell.
    """
    wanted = sorted(set(int(r) for r in resolutions))
    out = gdf.copy()
    if not wanted:
        return out
    lat = out["latitude"].to_numpy(dtype="float64", na_value=np.nan)
    lng = out["longitude"].to_numpy(dtype="float64", na_value=np.nan)
    finest = latlng_to_cells(lat, lng, wanted[-1])
    for resolution in wanted:
        out[cell_column(resolution)] = parent_cells(finest, resolution)
    return out


def map_snapshot(gdf: pd.DataFrame, resolutions: Iterable[int] = MAP_RESOLUTIONS) -> pd.DataFrame:
    """The frame the dashboard keeps in memory: cell ids added, filter columns categorical.

    Meant to be computed once per store load (e.g. under ``st.cache_resource``),
    never per rerun.
    """
    out = add_cell_ids(gdf, resolutions)
    for column in CATEGORICAL_COLUMNS:
        if column in out.columns:
            out[column] = out[column].astype("category")
    return out
