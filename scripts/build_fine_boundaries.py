"""Rebuild data/boundaries/fine_admin.parquet: cercles and communes for the village-zoom map.

    .venv/bin/python scripts/build_fine_boundaries.py [--real ../shared/real]

Sources (geoBoundaries, Runfola et al. 2020; see data/SOURCES.md for licences):
Mali's admin-2 (50 cercles, CC BY 4.0) and Burkina Faso's admin-3 (351 communes,
public domain). The Burkina Faso shapefile has no .prj; geoBoundaries ships WGS84,
so EPSG:4326 is set. Each layer is simplified as one coverage (shared borders stay
shared) at TOLERANCE degrees, enough for outlines drawn from zoom 9 on.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

PROJECT = Path(__file__).resolve().parent.parent
OUT = PROJECT / "data" / "boundaries" / "fine_admin.parquet"
# About 200 m (a pixel or two at zoom 10): finer than the bundled tiles can show, coarse enough to keep the file small.
TOLERANCE = 0.002
SOURCES = (
    ("MLI", 2, "boundaries_geoboundaries_MLI/mali-cercles-polygons.json"),
    ("BFA", 3, "boundaries_geoboundaries_BFA/geoBoundaries-BFA-ADM3.shp"),
)


def read_layer(real: Path, iso3: str, level: int, relative: str) -> gpd.GeoDataFrame:
    frame = gpd.read_file(real / relative)
    if frame.crs is None:
        frame = frame.set_crs("EPSG:4326")
    frame = frame.to_crs("EPSG:4326")
    simplified = shapely.make_valid(shapely.coverage_simplify(frame.geometry.values, TOLERANCE))
    return gpd.GeoDataFrame({"iso_a3": iso3, "level": level, "name": frame["shapeName"].astype(str)},
                            geometry=simplified, crs="EPSG:4326")


def build(real: Path) -> gpd.GeoDataFrame:
    layers = [read_layer(real, iso3, level, relative) for iso3, level, relative in SOURCES]
    fine = gpd.GeoDataFrame(pd.concat(layers, ignore_index=True), crs="EPSG:4326")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    fine.to_parquet(OUT, compression="zstd")
    vertices = int(shapely.get_num_coordinates(fine.geometry.values).sum())
    print(f"{OUT.relative_to(PROJECT)}: {len(fine)} units, {vertices} vertices, "
          f"{OUT.stat().st_size / 1e3:.0f} kB")
    return fine


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", type=Path, default=PROJECT.parent / "shared" / "real")
    build(parser.parse_args().real)
