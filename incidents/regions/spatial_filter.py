"""Spatial filter criteria that fit in a URL: a drawn polygon, and a radius around a point.

``FilterSpec.polygon`` holds WKT or a GeoJSON geometry (what the draw tool gives);
``FilterSpec.near`` holds ``"lat,lon,km"``. Both are tested on the latitude and
longitude columns with shapely's vectorised predicates and numpy, never row by row.
"""

from __future__ import annotations

import json
from functools import lru_cache

import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from incidents.regions.lookup import haversine_km

POLYGON_DECIMALS = 5
MAX_NEAR_KM = 5000.0


@lru_cache(maxsize=32)
def parse_polygon(text: str) -> BaseGeometry:
    """A valid polygonal geometry from WKT or GeoJSON text; ValueError otherwise."""
    text = (text or "").strip()
    try:
        if text.startswith("{"):
            data = json.loads(text)
            geometry = shapely.from_geojson(json.dumps(data.get("geometry", data)))
        else:
            geometry = shapely.from_wkt(text)
    except (ValueError, TypeError, shapely.errors.GEOSException) as exc:
        raise ValueError(f"polygon is neither WKT nor a GeoJSON geometry: {exc}") from exc
    if geometry is None or geometry.is_empty or geometry.geom_type not in ("Polygon", "MultiPolygon"):
        raise ValueError("polygon must be a Polygon or MultiPolygon")
    if not geometry.is_valid:
        geometry = shapely.make_valid(geometry)
    shapely.prepare(geometry)
    return geometry


def polygon_param(geometry: BaseGeometry) -> str:
    """Compact WKT (about 1 m precision) for ``FilterSpec.polygon`` and the URL."""
    return shapely.to_wkt(geometry, rounding_precision=POLYGON_DECIMALS, trim=True)


def parse_near(text: str) -> tuple[float, float, float]:
    """``"lat,lon,km"`` → (lat, lon, km); ValueError when malformed or out of range."""
    try:
        lat, lon, km = (float(part) for part in str(text).split(","))
    except ValueError as exc:
        raise ValueError(f"near must be 'lat,lon,km', got {text!r}") from exc
    if not (-90 <= lat <= 90 and -180 <= lon <= 180 and 0 < km <= MAX_NEAR_KM):
        raise ValueError(f"near {text!r}: latitude, longitude or radius out of range")
    return lat, lon, km


def near_param(lat: float, lon: float, km: float) -> str:
    return f"{lat:.5f},{lon:.5f},{km:g}"


def _coordinates(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    return (
        pd.to_numeric(frame["longitude"], errors="coerce").to_numpy(dtype=float, na_value=np.nan),
        pd.to_numeric(frame["latitude"], errors="coerce").to_numpy(dtype=float, na_value=np.nan),
    )


def polygon_mask(frame: pd.DataFrame, polygon: str | BaseGeometry) -> np.ndarray:
    """Rows whose point lies in (or on the edge of) the polygon; unplaced rows never do."""
    geometry = parse_polygon(polygon) if isinstance(polygon, str) else polygon
    lon, lat = _coordinates(frame)
    placed = np.isfinite(lon) & np.isfinite(lat)
    out = np.zeros(len(frame), dtype=bool)
    out[placed] = shapely.intersects_xy(geometry, lon[placed], lat[placed])
    return out


def near_mask(frame: pd.DataFrame, near: str | tuple[float, float, float]) -> np.ndarray:
    """Rows within the radius (great-circle distance) of the point."""
    lat0, lon0, km = parse_near(near) if isinstance(near, str) else near
    lon, lat = _coordinates(frame)
    with np.errstate(invalid="ignore"):
        return np.nan_to_num(haversine_km(lon, lat, lon0, lat0), nan=np.inf) <= km
