"""incidents.frame: records ↔ GeoDataFrame."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from incidents import model
from incidents.frame import placed_mask, to_geodataframe, to_records


@pytest.fixture
def records() -> pd.DataFrame:
    return model.conform(
        pd.DataFrame(
            {
                "event_date": ["2024-12-07", "2024-12-08", "2024-12-09", "2024-12-10"],
                "event_type": ["Battles"] * 4,
                "location": ["Kimparana", "Nowhere", "Gao", "Pole"],
                "latitude": [12.84217, None, 16.27, 95.0],
                "longitude": [-4.9245, None, -0.04, 10.0],
                "fatalities": [3, None, 1, 0],
            },
            index=[10, 11, 12, 13],
        )
    )


def test_points_are_longitude_latitude_in_wgs84(records: pd.DataFrame) -> None:
    gdf = to_geodataframe(records)
    assert gdf.crs.to_epsg() == 4326
    point = gdf.geometry.loc[10]
    assert (point.x, point.y) == (-4.9245, 12.84217)


def test_unplaced_rows_keep_their_fields_and_get_no_geometry(records: pd.DataFrame) -> None:
    gdf = to_geodataframe(records)
    assert len(gdf) == 4
    assert list(gdf.index) == [10, 11, 12, 13]
    assert gdf.geometry.loc[11] is None
    assert gdf.loc[11, "location"] == "Nowhere"
    assert math.isnan(gdf.loc[11, "latitude"])


def test_out_of_range_coordinates_are_not_drawn(records: pd.DataFrame) -> None:
    gdf = to_geodataframe(records)
    assert gdf.geometry.loc[13] is None
    assert placed_mask(gdf).tolist() == [True, False, True, False]


def test_canonical_dtypes_survive(records: pd.DataFrame) -> None:
    gdf = to_geodataframe(records)
    assert str(gdf["fatalities"].dtype) == "Int64"
    assert gdf["event_date"].dtype == "datetime64[ns]"
    assert list(gdf.columns[: len(model.CANONICAL_COLUMNS)]) == list(model.CANONICAL_COLUMNS)


def test_round_trip_to_records_is_lossless(records: pd.DataFrame) -> None:
    back = to_records(to_geodataframe(records))
    assert "geometry" not in back.columns
    pd.testing.assert_frame_equal(back, records)


def test_existing_geometry_column_is_replaced_from_coordinates(records: pd.DataFrame) -> None:
    moved = to_geodataframe(records)
    moved["latitude"] = moved["latitude"] + 1
    again = to_geodataframe(moved)
    assert again.geometry.loc[10].y == pytest.approx(13.84217)
