"""Preparing any incident frame for export: canonical column order and coordinates.

The dashboard's map snapshot (``IncidentStore.load_map_snapshot``) exports
exactly like ``IncidentStore.load()``: its H3 cell-id columns are internal and
dropped, and its categorical filter columns go back to plain strings.

Coordinates come from the geometry when a row has a non-empty point (the map
and the store treat the geometry as the truth; it is reprojected to WGS84
first if needed), else from the latitude and longitude columns. They are
rounded to 6 decimals (about 0.1 m), which is finer than any source we read.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from incidents import model
from incidents.spatial_index import cell_column

DECIMALS = 6
H3_RESOLUTIONS = range(16)
INTERNAL_COLUMNS = frozenset(cell_column(resolution) for resolution in H3_RESOLUTIONS)


def export_frame(gdf: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The attribute columns (canonical first, then extras) and rounded lat/lon arrays."""
    geometry_name = getattr(gdf, "_geometry_column_name", None)
    crs = getattr(gdf, "crs", None) if geometry_name in gdf.columns else None
    if crs is not None and not crs.equals(model.CRS):
        gdf = gdf.to_crs(model.CRS)
    dropped = [c for c in gdf.columns if c == geometry_name or c in INTERNAL_COLUMNS]
    # Selecting columns on a GeoDataFrame copies them; a plain frame's drop only refers to them.
    frame = pd.DataFrame(gdf, copy=False).drop(columns=dropped)
    for column in frame.columns[[isinstance(t, pd.CategoricalDtype) for t in frame.dtypes]]:
        frame[column] = plain_values(frame[column])
    latitude = _floats(frame, "latitude")
    longitude = _floats(frame, "longitude")
    if geometry_name is not None and geometry_name in gdf.columns:
        geoms = np.asarray(gdf[geometry_name].array, dtype=object)
        usable = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
        usable &= shapely.get_type_id(geoms) == 0
        latitude = np.where(usable, shapely.get_y(geoms), latitude)
        longitude = np.where(usable, shapely.get_x(geoms), longitude)
    latitude, longitude = np.round(latitude, DECIMALS), np.round(longitude, DECIMALS)
    missing_both = np.isnan(latitude) | np.isnan(longitude)
    latitude[missing_both] = np.nan
    longitude[missing_both] = np.nan
    for column in model.CANONICAL_COLUMNS:
        if column not in frame.columns:
            frame[column] = pd.NA
    frame["latitude"] = latitude
    frame["longitude"] = longitude
    extras = [c for c in frame.columns if c not in model.CANONICAL_COLUMNS]
    return frame[list(model.CANONICAL_COLUMNS) + extras], latitude, longitude


def plain_values(values: pd.Series) -> pd.Series:
    """A categorical column as the plain column it stands for (text as ``string``)."""
    categories = values.cat.categories
    if not (pd.api.types.is_string_dtype(categories.dtype) or categories.dtype == object):
        return values.astype(object)
    # Taking from the few distinct strings is much faster than astype at a million rows.
    distinct = pd.array(categories, dtype="string")
    taken = distinct.take(values.cat.codes.to_numpy(), allow_fill=True)
    return pd.Series(taken, index=values.index, name=values.name)


def _floats(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def iso_dates(frame: pd.DataFrame) -> pd.DataFrame:
    """Datetime columns as ``yyyy-mm-dd`` text (None where missing); others untouched."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            values = out[column].to_numpy(dtype="datetime64[D]")
            text = values.astype(str).astype(object)
            text[np.isnat(values)] = None
            out[column] = text
    return out
