"""The grid-accelerated point lookup must give exactly the polygon test's answers."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from shapely.geometry import box

from incidents.regions.lookup import NO_UNIT, RegionIndex, haversine_km


def squares() -> np.ndarray:
    # Two units sharing a border at lon 1.1 (not on a grid line), and a sliver.
    return np.array([box(0, 0, 1.1, 1), box(1.1, 0, 2, 1), box(5, 5, 5.01, 5.01)], dtype=object)


def test_locate_matches_exact_test_and_classifies_cells() -> None:
    rng = np.random.default_rng(0)
    lon, lat = rng.uniform(-0.5, 6, 20000), rng.uniform(-0.5, 6, 20000)
    index = RegionIndex(squares())
    got = index.locate(lon, lat)
    truth = np.full(len(lon), NO_UNIT)
    for position, geometry in enumerate(squares()):
        truth[shapely.intersects_xy(geometry, lon, lat) & (truth == NO_UNIT)] = position
    assert (got == truth).all()
    # Second call is answered from the remembered cells, same result.
    assert (index.locate(lon, lat) == truth).all()
    assert (index._cells >= 0).sum() > 0


def test_few_points_skip_classification_but_stay_exact() -> None:
    index = RegionIndex(squares())
    assert index.locate([0.5, 1.5, 5.005, 3.0], [0.5, 0.5, 5.005, 3.0]).tolist() == [0, 1, 2, NO_UNIT]
    assert (index._cells >= 0).sum() == 0


def test_missing_coordinates_are_no_unit() -> None:
    index = RegionIndex(squares())
    assert index.locate([np.nan, 0.5], [0.5, np.nan]).tolist() == [NO_UNIT, NO_UNIT]


def test_snap_measures_on_the_sphere() -> None:
    index = RegionIndex(squares())
    # 0.03° of longitude east of lon 2 at the equator is about 3.3 km.
    unit, km = index.snap([2.03, 2.2], [0.5, 0.5], tolerance_km=5)
    assert unit.tolist() == [1, NO_UNIT]
    assert km[0] == pytest.approx(3.34, abs=0.05)
    assert np.isnan(km[1])


def test_haversine_known_distance() -> None:
    # One degree of latitude is about 111.2 km.
    assert haversine_km(0, 0, 0, 1) == pytest.approx(111.19, abs=0.05)


def test_overlapping_units_get_the_same_answer_from_grid_and_exact_test() -> None:
    overlapping = np.array([box(0, 0, 0.55, 1), box(0, 0, 2, 1)], dtype=object)
    rng = np.random.default_rng(3)
    lon, lat = rng.uniform(0, 2, 5000), rng.uniform(0, 1, 5000)
    got = RegionIndex(overlapping).locate(lon, lat)
    assert (got == np.where(lon <= 0.55, 0, 1)).all()
