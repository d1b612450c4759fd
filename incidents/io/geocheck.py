"""Points checked against the country their row names: swapped, outside, or fine.

Natural Earth's borders are simplified, and real points sit on rivers and
borders, so a point within ``BORDER_TOLERANCE_KM`` of its country counts as in
it and is never touched. A point clearly outside (beyond the tolerance) whose
swapped (lon, lat) falls inside the country was almost certainly typed the
wrong way round: it is swapped back, because drawing the incident in another
country misleads more than a corrected point does, and flagged ``needs_review``
with the original values in the reason. A point clearly outside that a swap
does not explain is kept as given and flagged with the distance.

Rows whose country cannot be matched to a Natural Earth country (by
``country_code`` as ISO alpha-2 or alpha-3, else by ``country`` name) are not
tested. Each country's points are tested in one vectorised call.
"""

from __future__ import annotations

from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from incidents.io.codes import fold

SWAP_REASON = "latitude/longitude look swapped"
# Countries whose records may lie in a territory the country map draws apart: a
# country that split from them, or one they administer. A Sudan record of 2005 in
# today's South Sudan, or a Morocco record in Western Sahara, is not misplaced.
INCLUDES: dict[str, tuple[str, ...]] = {
    "SD": ("SS",), "SS": ("SD",), "ET": ("ER",), "MA": ("EH",), "RS": ("XK",), "XK": ("RS",),
    "ID": ("TL",),
}
BORDER_TOLERANCE_KM = 25.0
_KM_PER_DEGREE = 111.32


def load_country_shapes() -> gpd.GeoDataFrame:
    """Natural Earth countries (a seam tests can replace with small shapes)."""
    from incidents.regions.boundaries import load_countries

    return load_countries()


@lru_cache(maxsize=1)
def _country_index() -> tuple[dict[str, int], list]:
    countries = load_country_shapes()
    keys: dict[str, int] = {}
    geometries = list(countries.geometry)
    for position, row in enumerate(countries.itertuples(index=False)):
        for key in (row.iso_a2, row.iso_a3):
            if isinstance(key, str) and key.strip() and not key.strip().startswith("-"):
                keys[key.strip().upper()] = position
        keys[fold(row.name)] = position
    for geometry in geometries:
        shapely.prepare(geometry)
    return keys, geometries


def clear_cache() -> None:
    _country_index.cache_clear()
    _iso2_codes.cache_clear()
    _country_tree.cache_clear()


def _country_positions(country: pd.Series, country_code: pd.Series) -> np.ndarray:
    """Each row's country position (-1 unknown): by code, else by name, each text
    normalised and looked up once per distinct value."""
    keys, _ = _country_index()
    code_at, codes = pd.factorize(pd.Series(country_code))
    by_code = pd.Series(codes).fillna("").astype(str).str.strip().str.upper()
    code_pos = np.array([keys.get(u, -1) for u in by_code] + [keys.get("", -1)], dtype=int)
    name_at, names = pd.factorize(pd.Series(country))
    by_name = pd.Series(names).fillna("").astype(str)
    name_pos = np.array([keys.get(fold(u), -1) for u in by_name] + [keys.get(fold(""), -1)],
                        dtype=int)
    code_pos, name_pos = code_pos[code_at], name_pos[name_at]
    return np.where(code_pos >= 0, code_pos, name_pos)


def country_iso2(country: pd.Series, country_code: pd.Series) -> np.ndarray:
    """ISO alpha-2 code of each row's country (from its code or its name), "" when unknown."""
    positions = _country_positions(country, country_code)
    return _iso2_codes()[positions]


@lru_cache(maxsize=1)
def _iso2_codes() -> np.ndarray:
    """ISO alpha-2 per country position, with a trailing "" for position -1."""
    codes = [
        str(c).strip().upper() if isinstance(c, str) and not c.strip().startswith("-") else ""
        for c in load_country_shapes()["iso_a2"]
    ]
    return np.array(codes + [""], dtype=object)


def _km_outside(geometry, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Great-circle km from each point to the nearest point of ``geometry``."""
    points = shapely.points(lon, lat)
    nearest = shapely.get_point(shapely.shortest_line(points, geometry), 1)
    lon2, lat2 = shapely.get_x(nearest), shapely.get_y(nearest)
    phi1, phi2 = np.radians(lat), np.radians(lat2)
    a = (np.sin((phi2 - phi1) / 2) ** 2
         + np.cos(phi1) * np.cos(phi2) * np.sin(np.radians(lon2 - lon) / 2) ** 2)
    return 2 * 6371.0088 * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def check_points(
    latitude: np.ndarray,
    longitude: np.ndarray,
    country: pd.Series,
    country_code: pd.Series,
    tolerance_km: float = BORDER_TOLERANCE_KM,
) -> tuple[np.ndarray, np.ndarray]:
    """``(swapped, km_outside)`` per row.

    ``swapped``: the point is beyond the tolerance outside its country and the
    swapped point inside it. ``km_outside``: distance of a point that lies in
    another country, beyond the tolerance from its own, not explained by a swap
    (NaN otherwise). A point in no country at all (at sea, or in a territory the
    map leaves out, such as Somaliland) is not judged.
    """
    swapped = np.zeros(len(latitude), dtype=bool)
    km_outside = np.full(len(latitude), np.nan)
    placed = ~np.isnan(latitude) & ~np.isnan(longitude)
    if not placed.any():
        return swapped, km_outside
    positions = _country_positions(country, country_code)
    rows = np.flatnonzero(placed & (positions >= 0))
    if not len(rows):
        return swapped, km_outside
    # Each distinct (point, country) is judged once: an export repeats its places.
    point_at, first = _distinct_points(latitude[rows], longitude[rows], positions[rows])
    judged = rows[first]
    point_swapped, point_km = _judge(latitude[judged], longitude[judged], positions[judged],
                                     tolerance_km)
    swapped[rows] = point_swapped[point_at]
    km_outside[rows] = point_km[point_at]
    return swapped, km_outside


def _distinct_points(latitude: np.ndarray, longitude: np.ndarray,
                     positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(a code per row, the first row of each code) for distinct (latitude, longitude,
    country) triples; coordinates compared bit for bit."""
    lat_at, lat_values = pd.factorize(latitude.view(np.int64))
    lon_at, lon_values = pd.factorize(longitude.view(np.int64))
    key = (lat_at.astype(np.int64) * len(lon_values) + lon_at) * (int(positions.max()) + 1) \
        + positions
    at, values = pd.factorize(key)
    first = np.empty(len(values), dtype=np.intp)
    first[at[::-1]] = np.arange(len(at) - 1, -1, -1)
    return at, first


def _judge(latitude: np.ndarray, longitude: np.ndarray, positions: np.ndarray,
           tolerance_km: float) -> tuple[np.ndarray, np.ndarray]:
    """``check_points`` for placed points of known countries."""
    swapped = np.zeros(len(latitude), dtype=bool)
    km_outside = np.full(len(latitude), np.nan)
    _, geometries = _country_index()
    for position in np.unique(positions):
        rows = np.flatnonzero(positions == position)
        geometry = geometries[position]
        outside = rows[~shapely.contains_xy(geometry, longitude[rows], latitude[rows])]
        if not len(outside):
            continue
        km = _km_outside(geometry, longitude[outside], latitude[outside])
        far = outside[km > tolerance_km]
        far_km = km[km > tolerance_km]
        can_swap = np.abs(latitude[far]) <= 180
        flips = np.zeros(len(far), dtype=bool)
        flips[can_swap] = shapely.contains_xy(geometry, latitude[far][can_swap], longitude[far][can_swap])
        swapped[far[flips]] = True
        rest, rest_km = far[~flips], far_km[~flips]
        elsewhere = _in_another_country(position, longitude[rest], latitude[rest])
        km_outside[rest[elsewhere]] = rest_km[elsewhere]
    return swapped, km_outside


def _in_another_country(position: int, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Whether each point lies inside a country other than ``position`` (and its INCLUDES)."""
    if not len(lon):
        return np.zeros(0, dtype=bool)
    codes = _iso2_codes()
    own = {codes[position], *INCLUDES.get(codes[position], ())} - {""}
    point_at, country_at = _country_tree().query(shapely.points(lon, lat), predicate="within")
    other = np.array([bool(codes[c]) and c != position and codes[c] not in own for c in country_at],
                     dtype=bool)
    hits = np.zeros(len(lon), dtype=bool)
    hits[point_at[other]] = True
    return hits


@lru_cache(maxsize=1)
def _country_tree() -> shapely.STRtree:
    return shapely.STRtree(_country_index()[1])


def swapped_points(
    latitude: np.ndarray,
    longitude: np.ndarray,
    country: pd.Series,
    country_code: pd.Series,
) -> np.ndarray:
    """Mask of rows whose point lies clearly outside their country but inside it once swapped."""
    return check_points(latitude, longitude, country, country_code)[0]
