"""Spatial and region criteria of FilterSpec: polygon, near, successors; URL round trips."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from incidents.filters import FilterSpec, filter_mask
from incidents.model import conform
from incidents.regions.spatial_filter import near_param, parse_near, parse_polygon, polygon_mask, polygon_param


@pytest.fixture
def frame() -> pd.DataFrame:
    return conform(pd.DataFrame({
        "event_date": ["2024-01-01"] * 4,
        "event_type": ["Battles"] * 4,
        "latitude": [12.84, 12.84, 14.0, np.nan],
        "longitude": [-4.92, -3.00, -4.0, np.nan],
        "admin1": ["San", "Ségou", "Mopti", "Ségou"],
    }))


def test_polygon_accepts_wkt_and_geojson(frame: pd.DataFrame) -> None:
    area = box(-5.5, 12.5, -4.5, 13.5)
    as_wkt = polygon_param(area)
    as_geojson = json.dumps({"type": "Feature", "properties": {},
                             "geometry": {"type": "Polygon", "coordinates": [list(area.exterior.coords)]}})
    for text in (as_wkt, as_geojson):
        assert polygon_mask(frame, text).tolist() == [True, False, False, False]


def test_near_uses_great_circle_distance(frame: pd.DataFrame) -> None:
    # Kimparana to (12.84, -3.00) is about 208 km.
    assert filter_mask(frame, FilterSpec(near=near_param(12.84, -4.92, 10))).tolist() == [True, False, False, False]
    assert filter_mask(frame, FilterSpec(near="12.84,-4.92,250")).tolist() == [True, True, True, False]


def test_spec_round_trips_through_the_url() -> None:
    spec = FilterSpec(admin1s=("Ségou",), include_successor_regions=True,
                      polygon=polygon_param(box(-5.5, 12.5, -4.5, 13.5)), near="12.84217,-4.9245,25")
    again = FilterSpec.from_query_string(spec.to_query_string())
    assert again == spec
    assert FilterSpec.from_query_params(FilterSpec().to_query_params()) == FilterSpec()
    assert "include_successor_regions" not in FilterSpec().to_query_params()


def test_successor_switch_changes_the_admin1_match(frame: pd.DataFrame) -> None:
    plain = filter_mask(frame, FilterSpec(admin1s=("Ségou",)))
    wider = filter_mask(frame, FilterSpec(admin1s=("Ségou",), include_successor_regions=True))
    assert plain.tolist() == [False, True, False, True]
    assert wider.tolist() == [True, True, False, True]


@pytest.mark.parametrize("bad", ["POINT (1 2)", "not wkt", '{"type": "LineString", "coordinates": [[0,0],[1,1]]}'])
def test_bad_polygon_is_a_value_error(bad: str) -> None:
    with pytest.raises(ValueError):
        FilterSpec(polygon=bad)


@pytest.mark.parametrize("bad", ["12,4", "a,b,c", "95,0,10", "12,4,-1"])
def test_bad_near_is_a_value_error(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_near(bad)


def test_self_crossing_drawn_polygon_is_repaired() -> None:
    geometry = parse_polygon("POLYGON ((0 0, 1 1, 1 0, 0 1, 0 0))")
    assert geometry.is_valid and geometry.area == pytest.approx(0.5)
