"""Records (canonical DataFrames) to and from GeoDataFrames.

Geometry is derived from ``longitude``/``latitude`` and nothing else: the two
numeric columns stay the source of truth, so a record that could not be placed
keeps every other field and simply carries an empty geometry (``None``).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from incidents import model


def to_geodataframe(records: pd.DataFrame) -> gpd.GeoDataFrame:
    """Conform ``records`` and attach Point geometries in EPSG:4326.

    Rows whose latitude or longitude is missing, or outside the valid range,
    get a ``None`` geometry rather than being dropped.
    """
    frame = model.conform(records)
    if "geometry" in frame.columns:
        frame = frame.drop(columns="geometry")
    lon = frame["longitude"].to_numpy(dtype="float64", na_value=np.nan)
    lat = frame["latitude"].to_numpy(dtype="float64", na_value=np.nan)
    placed = (
        np.isfinite(lon) & np.isfinite(lat) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    )
    points = gpd.points_from_xy(np.where(placed, lon, 0.0), np.where(placed, lat, 0.0))
    geometry = np.where(placed, np.asarray(points, dtype=object), None)
    return gpd.GeoDataFrame(
        frame, geometry=gpd.GeoSeries(geometry, index=frame.index, crs=model.CRS)
    )


def to_records(gdf: gpd.GeoDataFrame | pd.DataFrame) -> pd.DataFrame:
    """Drop the geometry and return a conformed plain DataFrame.

    Coordinates are read from the latitude/longitude columns, which
    ``to_geodataframe`` never alters, so the round trip is lossless.
    """
    frame = pd.DataFrame(gdf.drop(columns="geometry", errors="ignore"))
    return model.conform(frame)


def placed_mask(gdf: gpd.GeoDataFrame) -> pd.Series:
    """True where a row has a usable point geometry."""
    geometry = gdf.geometry
    return (geometry.notna() & ~geometry.is_empty).rename("placed")
