"""Rules read once per distinct value give each row what reading every row gives."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from incidents.io import distinct, geocheck, monadic
from incidents.io.counts import whole_numbers, whole_numbers_by_value
from incidents.io.dates import parse_dates
from incidents.io.validate import _numbers, _numbers_of


def _text(values: list) -> pd.Series:
    return pd.Series(values, dtype="str")


def test_lookup_answers_each_distinct_value_once_and_missing_last() -> None:
    calls: list[str] = []
    answers, at = distinct.lookup(_text(["a", "b", "a", None]),
                                  lambda v: calls.append(v) or v.upper())
    assert calls == ["a", "b"]
    assert [answers[i] for i in at] == ["A", "B", "A", None]


def test_strings_and_integers_are_what_pandas_builds_from_objects() -> None:
    at = np.array([0, 1, 2, 0])
    built = distinct.strings(["x", None, "z"], at)
    expected = pd.array(np.array(["x", None, "z", "x"], dtype=object), dtype="string")
    pd.testing.assert_extension_array_equal(built, expected)
    assert built._pa_array.type == expected._pa_array.type
    numbers = distinct.integers([3, None, 7], at)
    pd.testing.assert_extension_array_equal(
        numbers, pd.array(np.array([3, None, 7, 3], dtype=object), dtype="Int64"))


def test_text_or_takes_the_fallback_where_the_text_is_empty() -> None:
    import pyarrow as pa

    text = _text(["kept", "", None])
    answer = distinct.text_or(text, pa.array(["f1", "f2", "f3"]))
    expected = pd.array(np.where(text != "", text, np.array(["f1", "f2", "f3"], dtype=object)),
                        dtype="string")
    pd.testing.assert_extension_array_equal(answer, expected)
    absent = pd.Series(["", ""], dtype=object)
    assert list(distinct.text_or(absent, pa.array(["a", None]))) == ["a", pd.NA]


@pytest.mark.parametrize("cell", ["", " ", "\t\u00a0", "\u2003\n", "x", " x ", None])
def test_blank_is_what_stripping_says(cell) -> None:
    text = _text([cell, "y"])
    assert distinct.blank(text).tolist() == (text.str.strip() == "").tolist()


@pytest.mark.parametrize(
    "column",
    [["-0", "-0"], ["-0", "-0", "1.5"], ["-0", "", "-0"], ["12,5", "12,5", "3"],
     ["1e400", "1e400", "x"], ["12345678901234567", "12345678901234567", "1"]],
)
def test_numbers_per_distinct_value_keep_pandas_reading_of_the_whole_set(column) -> None:
    text = _text(column)
    expected = _numbers_of(text).to_numpy()
    got = _numbers(text).to_numpy()
    np.testing.assert_array_equal(got, expected)
    assert (np.signbit(got) == np.signbit(expected)).all()


def test_dates_per_distinct_value_are_read_in_the_column_s_order() -> None:
    text = _text(["03/04/2024", "03/04/2024", "25/04/2024", "", "03/04/2024"])
    dates, reasons = parse_dates(text)
    each = [parse_dates(_text([value, "25/04/2024"]))[0].iloc[0] for value in text]
    assert dates.tolist()[:3] == each[:3] and pd.isna(dates.iloc[3])
    assert dates.iloc[0] == pd.Timestamp("2024-04-03") and reasons.dtype == object


def test_whole_numbers_read_from_unstripped_cells_as_from_stripped_ones() -> None:
    raw = _text([" 12 ", "12", "1,000", " ", "x"])
    numbers, reasons, at = whole_numbers_by_value(raw, "fatalities")
    stripped, stripped_reasons = whole_numbers(raw.str.strip(), "fatalities")
    pd.testing.assert_series_equal(numbers, stripped)
    assert reasons[at].tolist() == stripped_reasons.tolist()


def test_repeated_points_are_judged_as_each_point_alone(monkeypatch) -> None:
    import geopandas as gpd

    square = shapely.box(0, 0, 10, 10)
    monkeypatch.setattr(geocheck, "load_country_shapes", lambda: gpd.GeoDataFrame(
        {"iso_a2": ["AA"], "iso_a3": ["AAA"], "name": ["Squareland"]}, geometry=[square]))
    geocheck.clear_cache()
    try:
        latitude = np.array([5.0, 5.0, 20.0, 20.0, -0.0, 0.0, 5.0])
        longitude = np.array([5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 50.0])
        country = _text(["Squareland"] * 7)
        code = _text([""] * 7)
        swapped, km = geocheck.check_points(latitude, longitude, country, code)
        for row in range(7):
            one_swapped, one_km = geocheck.check_points(
                latitude[row:row + 1], longitude[row:row + 1], country[row:row + 1],
                code[row:row + 1])
            assert swapped[row] == one_swapped[0]
            assert np.array_equal(km[row:row + 1], one_km, equal_nan=True)
    finally:
        geocheck.clear_cache()


def test_an_export_with_every_id_once_is_not_folded() -> None:
    frame = pd.DataFrame({"event_id_cnty": _text(["A", "B"]), "actor1": _text(["x", "y"])})
    folded, kept, count = monadic.fold_monadic(frame)
    assert folded is frame and count == 0 and kept.tolist() == [0, 1]


def test_ids_that_differ_only_by_spaces_are_still_one_event() -> None:
    frame = pd.DataFrame({"event_id_cnty": _text(["A", " A"]), "actor1": _text(["x", "y"])})
    folded, _, count = monadic.fold_monadic(frame)
    assert count == 1 and folded["actor2"].tolist() == ["y"]
