"""Point → region unit lookup, vectorised and fast enough for a million points.

A plain spatial join tests every point against the full polygon. Most points sit
far from any border, so :class:`RegionIndex` first looks up a coarse grid cell
(0.1°): when the whole cell lies inside one unit, that is the answer; only points
in cells that touch a border go through the exact STRtree point-in-polygon test.
Cells are classified lazily, once enough points land in them, and remembered.

Points outside every unit but within ``tolerance_km`` of one (a village just past a
simplified coastline or border) snap to the nearest unit; the distance is measured
on the sphere from the point to the nearest point of the unit's outline.
"""

from __future__ import annotations

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray

NO_UNIT = -1
_UNKNOWN = -3
_MIXED = -2
EARTH_RADIUS_KM = 6371.0088
_KM_PER_DEGREE = np.pi * EARTH_RADIUS_KM / 180


def haversine_km(lon1: ArrayLike, lat1: ArrayLike, lon2: ArrayLike, lat2: ArrayLike) -> NDArray:
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(v, dtype=float)) for v in (lon1, lat1, lon2, lat2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


class RegionIndex:
    """Answers "which unit is this point in?" for arrays of lon/lat."""

    def __init__(self, geometries: ArrayLike, cell_degrees: float = 0.1) -> None:
        self.geometries = np.asarray(geometries, dtype=object)
        self.tree = shapely.STRtree(self.geometries)
        self.cell = cell_degrees
        self.columns = int(round(360 / cell_degrees))
        self.rows = int(round(180 / cell_degrees))
        # One entry per cell of the globe (6.5 million at 0.1°): int16 while units fit.
        dtype = np.int16 if len(self.geometries) < np.iinfo(np.int16).max else np.int32
        self._cells = np.full(self.columns * self.rows, _UNKNOWN, dtype=dtype)
        # Classifying a cell costs about as much as testing a few points exactly.
        self.min_points_to_classify = 8

    def _cell_ids(self, lon: NDArray, lat: NDArray) -> NDArray:
        col = np.clip(np.floor((lon + 180) / self.cell), 0, self.columns - 1).astype(np.int64)
        row = np.clip(np.floor((lat + 90) / self.cell), 0, self.rows - 1).astype(np.int64)
        return row * self.columns + col

    def _classify(self, cell_ids: NDArray) -> None:
        """For each new cell: the one unit covering all of it, NO_UNIT if it touches none,
        else _MIXED (its points need the exact test)."""
        row, col = np.divmod(cell_ids, self.columns)
        x0, y0 = col * self.cell - 180, row * self.cell - 90
        boxes = shapely.box(x0, y0, x0 + self.cell, y0 + self.cell)
        result = np.full(len(cell_ids), _MIXED, dtype=self._cells.dtype)
        box_tree = shapely.STRtree(boxes)
        touching = np.bincount(box_tree.query(self.geometries, predicate="intersects")[1], minlength=len(boxes))
        result[touching == 0] = NO_UNIT
        unit, box_pos = box_tree.query(self.geometries, predicate="contains")
        # Only a cell no other unit touches is answered without the exact test, so
        # overlapping units (sloppy user layers) get the same answer either way.
        alone = touching[box_pos] == 1
        result[box_pos[alone]] = unit[alone]
        self._cells[cell_ids] = result

    def locate(self, lon: ArrayLike, lat: ArrayLike) -> NDArray:
        """Unit position of each point (NO_UNIT when outside all or not a number)."""
        lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
        out = np.full(len(lon), NO_UNIT, dtype=np.int64)
        valid = np.isfinite(lon) & np.isfinite(lat)
        ids = self._cell_ids(lon[valid], lat[valid])
        known = self._cells[ids]
        new, count = np.unique(ids[known == _UNKNOWN], return_counts=True)
        if (count >= self.min_points_to_classify).any():
            self._classify(new[count >= self.min_points_to_classify])
            known = self._cells[ids]
        answer = known.astype(np.int64)
        exact = np.nonzero((answer == _MIXED) | (answer == _UNKNOWN))[0]
        answer[exact] = NO_UNIT
        if len(exact):
            answer[exact] = self._exact(lon[valid][exact], lat[valid][exact])
        out[valid] = answer
        return out

    def _exact(self, lon: NDArray, lat: NDArray) -> NDArray:
        """Point-in-polygon for each point; on a shared border, the lowest unit wins.

        The points go in a tree and each polygon queries it: shapely prepares the
        querying geometry, and a prepared polygon answers point tests in about
        log(vertices) instead of scanning every vertex.
        """
        out = np.full(len(lon), NO_UNIT, dtype=np.int64)
        points_tree = shapely.STRtree(shapely.points(lon, lat))
        unit, point_pos = points_tree.query(self.geometries, predicate="intersects")
        order = np.lexsort((unit, point_pos))
        point_pos, unit = point_pos[order], unit[order]
        first = np.unique(point_pos, return_index=True)[1]
        out[point_pos[first]] = unit[first]
        return out

    def snap(self, lon: ArrayLike, lat: ArrayLike, tolerance_km: float) -> tuple[NDArray, NDArray]:
        """Nearest unit within ``tolerance_km`` and the distance to it (NO_UNIT/NaN if none)."""
        lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
        unit = np.full(len(lon), NO_UNIT, dtype=np.int64)
        distance = np.full(len(lon), np.nan)
        valid = np.nonzero(np.isfinite(lon) & np.isfinite(lat))[0]
        if not len(valid) or tolerance_km <= 0:
            return unit, distance
        # A degree of longitude shrinks with latitude: search wide enough in degrees,
        # then keep only what is truly within tolerance on the sphere.
        shrink = np.cos(np.radians(np.minimum(np.abs(lat[valid]).max(), 89.0)))
        search_degrees = tolerance_km / (_KM_PER_DEGREE * shrink)
        points = shapely.points(lon[valid], lat[valid])
        point_pos, candidate = self.tree.query_nearest(points, max_distance=search_degrees, all_matches=False)
        if not len(point_pos):
            return unit, distance
        nearest = shapely.get_point(shapely.shortest_line(points[point_pos], self.geometries[candidate]), 1)
        km = haversine_km(
            lon[valid][point_pos], lat[valid][point_pos], shapely.get_x(nearest), shapely.get_y(nearest)
        )
        close = km <= tolerance_km
        unit[valid[point_pos[close]]] = candidate[close]
        distance[valid[point_pos[close]]] = km[close]
        return unit, distance
