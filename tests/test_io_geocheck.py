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


def _checked(lat, lon, country):
    swapped, km = geocheck.check_points(
        np.array(lat, dtype=float), np.array(lon, dtype=float),
        pd.Series(country), pd.Series([""] * len(lat)),
    )
    return swapped.tolist(), [None if np.isnan(k) else round(k) for k in km]


def test_a_point_near_its_country_is_never_moved_or_flagged(boxes) -> None:
    # 0.1° (about 11 km) south of Mali's box, inside the neighbour: within the tolerance.
    assert _checked([9.9], [-5.0], ["Mali"]) == ([False], [None])


def test_a_point_clearly_in_another_country_is_kept_and_measured(boxes) -> None:
    swapped, km = _checked([7.0], [-5.0], ["Mali"])
    assert swapped == [False] and 330 < km[0] < 340


def test_a_point_in_no_country_is_not_judged(boxes) -> None:
    assert _checked([0.0], [30.0], ["Mali"]) == ([False], [None])


def test_validation_flags_the_point_outside_with_column_values(boxes) -> None:
    from incidents.io.validate import validate

    frame = pd.DataFrame({"event_date": ["2024-01-02"], "event_type": ["Battles"],
                          "country": ["Mali"], "latitude": ["7.0"], "longitude": ["-5.0"]})
    records, _, _, needs_review = validate(frame)
    assert needs_review == 1 and records.loc[0, "latitude"] == 7.0
    assert "(latitude 7.0, longitude -5.0) lies 334 km outside Mali" in records.loc[0, "status_reason"]
