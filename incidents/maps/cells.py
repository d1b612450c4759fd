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

import h3
from h3.api import basic_int as h3int
import numpy as np
import pandas as pd
from folium.features import GeoJson, GeoJsonTooltip

from incidents import model
from incidents.maps import style
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


def cell_ids(frame: pd.DataFrame, resolution: int) -> np.ndarray:
    """Cell ids at ``resolution``: parents of each incident's finest map cell.

    H3 nesting is approximate, so near a hexagon's edge the parent of a fine
    cell can differ from a direct lookup at the coarse resolution. Always
    deriving from the finest cell keeps counts exact across zooms: a hexagon
    holds exactly the incidents of its children.
    """
    column = cell_column(resolution)
    if column in frame.columns:
        return frame[column].to_numpy(dtype="uint64")
    finest = max(MAP_RESOLUTIONS)
    if cell_column(finest) in frame.columns:
        cells = frame[cell_column(finest)].to_numpy(dtype="uint64")
    else:
        cells = latlng_to_cells(frame["latitude"].to_numpy(), frame["longitude"].to_numpy(), finest)
    return parent_cells(cells, resolution)


def aggregate_cells(frame: pd.DataFrame, resolution: int) -> pd.DataFrame:
    """One row per occupied hexagon: cell, count, fatalities, top_event_type.

    Rows without a cell (no coordinates) are left out; the sum of ``count``
    is the number of placed rows.
    """
    cells = cell_ids(frame, resolution)
    placed = cells != 0
    types = frame["event_type"].astype("category").cat.codes.to_numpy()[placed]
    work = pd.DataFrame(
        {
            "cell": cells[placed],
            "fatalities": pd.to_numeric(frame["fatalities"], errors="coerce")
            .fillna(0)
            .to_numpy(dtype="int64")[placed],
            "type_code": types,
        }
    )
    grouped = work.groupby("cell", sort=True)
    out = pd.DataFrame({"count": grouped.size(), "fatalities": grouped["fatalities"].sum()})
    type_counts = work.groupby(["cell", "type_code"]).size().reset_index(name="n")
    top = type_counts.sort_values(["cell", "n"], ascending=[True, False]).drop_duplicates("cell")
    categories = frame["event_type"].astype("category").cat.categories
    top_names = top.set_index("cell")["type_code"].map(
        lambda code: categories[code] if code >= 0 else ""
    )
    out["top_event_type"] = top_names.reindex(out.index).fillna("")
    return out.reset_index()


def cells_geojson(cells: pd.DataFrame, language: str) -> dict:
    """FeatureCollection of hexagons with an escaped tooltip per cell."""
    w = words(language)
    labels = {
        t: escape_text(model.label(t, language)) for t in cells["top_event_type"].unique()
    }
    features = []
    for cell, count, fatalities, top in cells.itertuples(index=False):
        key = CELL_KEY_PREFIX + h3.int_to_str(int(cell))
        boundary = [(round(lng, 4), round(lat, 4)) for lat, lng in h3int.cell_to_boundary(int(cell))]
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
    boundary = h3.cell_to_boundary(key[len(CELL_KEY_PREFIX):])
    lats = [lat for lat, _ in boundary]
    lngs = [lng for _, lng in boundary]
    return min(lats), min(lngs), max(lats), max(lngs)
