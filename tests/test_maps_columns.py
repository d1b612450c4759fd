"""incidents.maps.columns: a frame's map arrays, converted once and dropped with the frame."""

from __future__ import annotations

import gc

import numpy as np
import pandas as pd

from incidents import framecache
from incidents.maps import style
from incidents.maps.columns import map_columns


def frame() -> pd.DataFrame:
    return pd.DataFrame({
        "latitude": [14.5, None, 12.6],
        "longitude": [-4.2, -3.0, None],
        "geo_precision": pd.array([1, 3, None], dtype="Int64"),
        "event_type": pd.Categorical(["Battles", None, "Riots"]),
        "fatalities": pd.array([2, None, 1], dtype="Int64"),
        "country": ["Mali", "Mali", "Niger"],
    })


def test_arrays_say_what_the_map_needs():
    columns = map_columns(frame())
    assert columns.placed.tolist() == [True, False, False]
    assert columns.precision.tolist() == [1, 3, style.UNKNOWN_PRECISION]
    assert columns.fatalities.tolist() == [2.0, 0.0, 1.0]
    assert list(columns.event_type.labels[columns.event_type.codes]) == ["Battles", "", "Riots"]
    country, = (part for part in columns.region_parts if "Mali" in part.labels)
    assert list(country.labels[country.codes]) == ["Mali", "Mali", "Niger"]
    missing_admin1 = columns.region_parts[2]
    assert set(missing_admin1.labels[missing_admin1.codes]) == {""}


def test_one_conversion_per_frame_and_a_new_one_for_another_shape():
    incidents = frame()
    first = map_columns(incidents)
    assert map_columns(incidents) is first
    assert map_columns(frame()) is not first
    incidents["admin1"] = "Segou"
    assert map_columns(incidents) is not first


def test_the_arrays_go_with_the_frame():
    incidents = frame()
    map_columns(incidents)
    key = id(incidents)
    assert key in framecache._entries
    del incidents
    gc.collect()
    assert key not in framecache._entries


def test_a_frame_without_map_columns_still_converts():
    columns = map_columns(pd.DataFrame({"latitude": [1.0], "longitude": [2.0]}))
    assert columns.placed.tolist() == [True]
    assert np.isnan(columns.fatalities).sum() == 0
