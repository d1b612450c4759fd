"""Spotting latitude and longitude given the wrong way round.

A point that falls outside the country its row names, while the swapped point
falls inside it, was almost certainly typed as (lon, lat). We swap it back
automatically, because drawing the incident in the sea or in another country
misleads more than a corrected point does, and flag the row ``needs_review``
with the original values in the reason so an analyst confirms it.

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
            if isinstance(key, str) and key.strip() and key != "-99":
                keys[key.strip().upper()] = position
        keys[fold(row.name)] = position
    for geometry in geometries:
        shapely.prepare(geometry)
    return keys, geometries


def clear_cache() -> None:
    _country_index.cache_clear()
    _iso2_codes.cache_clear()


def _country_positions(country: pd.Series, country_code: pd.Series) -> np.ndarray:
    keys, _ = _country_index()
    by_code = pd.Series(country_code).fillna("").astype(str).str.strip().str.upper()
    by_name = pd.Series(country).fillna("").astype(str)
    codes, uniques = pd.factorize(by_code)
    code_pos = np.array([keys.get(u, -1) for u in uniques] + [-1], dtype=int)[codes]
    names, name_uniques = pd.factorize(by_name)
    name_pos = np.array([keys.get(fold(u), -1) for u in name_uniques] + [-1], dtype=int)[names]
    return np.where(code_pos >= 0, code_pos, name_pos)


def country_iso2(country: pd.Series, country_code: pd.Series) -> np.ndarray:
    """ISO alpha-2 code of each row's country (from its code or its name), "" when unknown."""
    positions = _country_positions(country, country_code)
    return _iso2_codes()[positions]


@lru_cache(maxsize=1)
def _iso2_codes() -> np.ndarray:
    """ISO alpha-2 per country position, with a trailing "" for position -1."""
    codes = [
        str(c).strip().upper() if isinstance(c, str) and c.strip() != "-99" else ""
        for c in load_country_shapes()["iso_a2"]
    ]
    return np.array(codes + [""], dtype=object)


def swapped_points(
    latitude: np.ndarray,
    longitude: np.ndarray,
    country: pd.Series,
    country_code: pd.Series,
) -> np.ndarray:
    """Mask of rows whose point lies outside their country but inside it once swapped."""
    result = np.zeros(len(latitude), dtype=bool)
    placed = ~np.isnan(latitude) & ~np.isnan(longitude)
    if not placed.any():
        return result
    positions = _country_positions(country, country_code)
    _, geometries = _country_index()
    testable = placed & (positions >= 0) & (np.abs(longitude) <= 90)
    for position in np.unique(positions[testable]):
        rows = np.flatnonzero(testable & (positions == position))
        geometry = geometries[position]
        inside = shapely.contains_xy(geometry, longitude[rows], latitude[rows])
        outside = rows[~inside]
        if len(outside):
            result[outside] = shapely.contains_xy(
                geometry, latitude[outside], longitude[outside]
            )
    return result
