"""Bundled Natural Earth boundaries (admin-0 countries, admin-1 regions).

Built by ``scripts/build_boundaries.py`` from Debian's qgis-common; see
``data/SOURCES.md``. They predate recent reforms (Mali has no Ménaka or
Taoudénit region here), which the interface says next to any region filter.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import geopandas as gpd

from incidents.config import DATA_DIR

BOUNDARIES_DIR = DATA_DIR / "boundaries"
VINTAGE_NOTE = (
    "Natural Earth 4.1.0 admin-1 (about 2018): newer regions, such as Mali's "
    "Ménaka and Taoudénit or its 2023 division, are not in it."
)


_FILES = {"country": "ne_admin0", "admin1": "ne_admin1"}


def boundary_file(level: str) -> Path:
    """The bundled file of ``level`` 'country' or 'admin1'."""
    return BOUNDARIES_DIR / f"{_FILES[level]}.parquet"


@lru_cache(maxsize=2)
def _read(level: str) -> gpd.GeoDataFrame:
    return gpd.read_parquet(boundary_file(level))


def load_countries() -> gpd.GeoDataFrame:
    """Countries: iso_a2, iso_a3, name, geometry (EPSG:4326). Returns a copy."""
    return _read("country").copy()


def load_admin1() -> gpd.GeoDataFrame:
    """Admin-1 regions: iso_a2, iso_a3, country, admin1, admin1_alt ('|'-separated
    alternative names), fips (GeoNames' admin-1 code for most countries), geometry."""
    return _read("admin1").copy()
