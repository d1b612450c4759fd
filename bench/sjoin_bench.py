"""Time point → admin-1 assignment of 1,000,000 points against the bundled polygons.

    .venv/bin/python bench/sjoin_bench.py [--points 1000000] [--repeat 3] [--skip-sjoin]

Prints, for points spread over the Sahel (where incidents are) and over the whole
world: a plain ``geopandas.sjoin`` (within), and ``RegionIndex.locate`` cold (cells
classified on the fly) and warm (cells remembered, as in a running dashboard), and
checks both give the same region for every point. Times are the best of --repeat.
The machine is shared: read the figures as orders of magnitude.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from incidents.regions.boundaries import load_admin1  # noqa: E402
from incidents.regions.lookup import NO_UNIT, RegionIndex  # noqa: E402

AREAS = {
    "sahel": ((-18.0, 25.0), (8.0, 25.0)),
    "world": ((-180.0, 180.0), (-60.0, 75.0)),
}


def best_of(repeat: int, run: Callable[[], object]) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    return best, result


def plain_sjoin(units: gpd.GeoDataFrame, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=units.crs)
    joined = gpd.sjoin(points, units[["geometry"]], predicate="within", how="left")
    joined = joined[~joined.index.duplicated()]
    return joined["index_right"].fillna(NO_UNIT).to_numpy(dtype=np.int64)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-sjoin", action="store_true")
    args = parser.parse_args()
    units = load_admin1().reset_index(drop=True)
    vertices = int(units.geometry.count_coordinates().sum())
    print(f"{len(units)} admin-1 polygons, {vertices:,} vertices; {args.points:,} points; best of {args.repeat}")
    rng = np.random.default_rng(42)
    for area, ((x0, x1), (y0, y1)) in AREAS.items():
        lon, lat = rng.uniform(x0, x1, args.points), rng.uniform(y0, y1, args.points)
        cold, _ = best_of(args.repeat, lambda: RegionIndex(units.geometry.values).locate(lon, lat))
        index = RegionIndex(units.geometry.values)
        index.locate(lon, lat)
        warm, located = best_of(args.repeat, lambda: index.locate(lon, lat))
        inside = float(np.mean(located != NO_UNIT))
        line = f"{area:6s} RegionIndex cold {cold:6.2f} s  warm {warm:6.2f} s  ({inside:.0%} of points in a region)"
        if not args.skip_sjoin:
            plain, truth = best_of(1, lambda: plain_sjoin(units, lon, lat))
            same = float(np.mean(truth == located))
            line += f"  | geopandas.sjoin {plain:6.2f} s  (same answer for {same:.4%})"
        print(line, flush=True)


if __name__ == "__main__":
    main()
