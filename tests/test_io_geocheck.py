"""Swapped latitude/longitude detection against country shapes."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from incidents.io import geocheck


@pytest.fixture
def boxes(monkeypatch):
    """Two rectangles standing in for countries, so the rule is tested in isolation."""
    shapes = gpd.GeoDataFrame(
        {
            "iso_a2": ["ML", "XX"],
            "iso_a3": ["MLI", "XXX"],
            "name": ["Mali", "Côte d'Ivoire"],
        },
        geometry=[shapely.box(-12, 10, 4, 25), shapely.box(-8, 4, -2, 10)],
        crs="EPSG:4326",
    )
    monkeypatch.setattr(geocheck, "load_country_shapes", lambda: shapes)
    geocheck.clear_cache()
    yield
    geocheck.clear_cache()


def _swapped(lat, lon, country, code=None):
    n = len(lat)
    return geocheck.swapped_points(
        np.array(lat, dtype=float), np.array(lon, dtype=float),
        pd.Series(country), pd.Series(code if code is not None else [""] * n),
    ).tolist()


def test_swap_detected_only_when_the_swapped_point_is_inside(boxes) -> None:
    assert _swapped([-4.9, 12.8, 50.0], [12.8, -4.9, 50.0], ["Mali"] * 3) == [True, False, False]


def test_country_matched_by_code_or_accentless_name(boxes) -> None:
    assert _swapped([-4.9, -4.9], [12.8, 12.8], ["", "mali"], ["MLI", ""]) == [True, True]
    assert _swapped([-5.0], [7.0], ["cote d'ivoire"]) == [True]


def test_unknown_country_or_missing_point_is_not_tested(boxes) -> None:
    assert _swapped([-4.9, np.nan], [12.8, np.nan], ["Atlantis", "Mali"]) == [False, False]


def test_real_boundaries_catch_a_swapped_mali_point() -> None:
    geocheck.clear_cache()
    assert _swapped([-4.9, 12.8], [12.8, -4.9], ["Mali", "Mali"]) == [True, False]
