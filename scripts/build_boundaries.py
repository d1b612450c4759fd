"""Rebuild data/boundaries/ from Natural Earth, as shipped by Debian's qgis-common.

    apt-get install qgis-common
    .venv/bin/python scripts/build_boundaries.py [--source /usr/share/qgis/resources/data/world_map.gpkg]

qgis-common's world_map.gpkg holds Natural Earth 1:10m Admin-0 and Admin-1 (v4.1.0),
already generalised by the QGIS project. We keep the attributes we use, simplify the
shapes a little more (shared borders stay shared: the simplification runs over each
layer as one coverage), and write GeoParquet, which loads in a fraction of a second.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import geopandas as gpd
import shapely

DEFAULT_SOURCE = Path("/usr/share/qgis/resources/data/world_map.gpkg")
OUT_DIR = Path(__file__).resolve().parent.parent / "data" / "boundaries"
# Visvalingam-Whyatt tolerance in degrees. Measured on the admin-1 layer (Hausdorff
# distance to the source shapes): median 1.2 km, 90th percentile 2.5 km, worst 15 km
# (long straight desert borders). 0.05 would move the median border by 4 km.
TOLERANCE = 0.02


def simplify_coverage(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = frame.copy()
    out["geometry"] = shapely.make_valid(shapely.coverage_simplify(frame.geometry.values, TOLERANCE))
    return out


def build(source: Path) -> None:
    countries = gpd.read_file(source, layer="countries")
    admin0 = gpd.GeoDataFrame(
        {
            "iso_a2": countries["iso_a2"],
            "iso_a3": countries["ISO_A3"],
            "name": countries["NAME"],
        },
        geometry=countries.geometry,
        crs=countries.crs,
    )
    provinces = gpd.read_file(source, layer="states_provinces")
    admin1 = gpd.GeoDataFrame(
        {
            "iso_a2": provinces["iso_a2"],
            "iso_a3": provinces["adm0_a3"],
            "country": provinces["admin"],
            "admin1": provinces["name"],
            "admin1_alt": provinces["woe_name"].fillna("") + "|" + provinces["gn_name"].fillna(""),
            "fips": provinces["fips"],
        },
        geometry=provinces.geometry,
        crs=provinces.crs,
    )
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for name, frame in (("ne_admin0", admin0), ("ne_admin1", admin1)):
        simplified = simplify_coverage(frame.to_crs("EPSG:4326"))
        simplified.to_parquet(OUT_DIR / f"{name}.parquet", compression="zstd")
        vertices = int(shapely.get_num_coordinates(simplified.geometry.values).sum())
        print(f"{name}: {len(simplified)} units, {vertices} vertices")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    build(parser.parse_args().source)
