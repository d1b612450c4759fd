"""incidents.synthetic: fictional Sahel incidents for demos and benchmarks."""

from __future__ import annotations

import pandas as pd
import pytest

from incidents import model
from incidents.synthetic import synthetic_incidents


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return synthetic_incidents(5000, seed=7)


def test_same_seed_same_rows_other_seed_other_rows() -> None:
    pd.testing.assert_frame_equal(synthetic_incidents(300, seed=1), synthetic_incidents(300, seed=1))
    assert not synthetic_incidents(300, seed=1).equals(synthetic_incidents(300, seed=2))


def test_rows_are_canonical(frame: pd.DataFrame) -> None:
    assert list(frame.columns) == list(model.CANONICAL_COLUMNS)
    pd.testing.assert_series_equal(frame.dtypes, model.conform(frame).dtypes)
    assert frame["event_id_cnty"].is_unique


def test_every_row_says_it_is_synthetic(frame: pd.DataFrame) -> None:
    assert frame["synthetic"].all()
    assert frame["notes"].str.startswith("Synthetic example").all()


def test_taxonomy_actor_codes_and_interaction_are_consistent(frame: pd.DataFrame) -> None:
    pairs = frame[["event_type", "sub_event_type", "disorder_type"]].drop_duplicates()
    for event_type, sub_event_type, disorder in pairs.itertuples(index=False):
        assert model.event_type_of(sub_event_type) == event_type
        assert model.disorder_type_of(event_type) == disorder
    codes = frame[["inter1", "inter2", "interaction"]].drop_duplicates()
    for inter1, inter2, interaction in codes.itertuples(index=False):
        assert model.interaction_code(inter1, inter2) == interaction
    assert frame.loc[frame["inter2"] == 0, "actor2"].isna().all()


def test_mostly_sahel_with_mixed_precision(frame: pd.DataFrame) -> None:
    sahel = frame["country"].isin(["Mali", "Burkina Faso", "Niger"]).mean()
    assert 0.8 < sahel < 0.95
    assert set(frame["geo_precision"].dropna().unique()) == {1, 2, 3}
    assert set(frame["time_precision"].unique()) == {1, 2, 3}
    placed = frame.dropna(subset=["latitude"])
    assert placed["latitude"].between(5, 25).all() and placed["longitude"].between(-20, 20).all()


def test_some_rows_have_no_coordinates_but_a_place_name(frame: pd.DataFrame) -> None:
    unplaced = frame[frame["latitude"].isna()]
    assert 0 < len(unplaced) < len(frame) * 0.1
    assert unplaced["longitude"].isna().all()
    assert unplaced["geo_precision"].isna().all()
    assert unplaced["location"].notna().all()


def test_fatalities_are_non_negative_with_a_long_tail(frame: pd.DataFrame) -> None:
    assert (frame["fatalities"] >= 0).all()
    assert frame.loc[frame["event_type"] == "Protests", "fatalities"].eq(0).all()
    assert frame["fatalities"].max() > 5 * frame["fatalities"].mean()


def test_dates_span_several_years(frame: pd.DataFrame) -> None:
    assert frame["event_date"].dt.year.nunique() >= 3
    assert (frame["year"] == frame["event_date"].dt.year).all()


def test_zero_rows_is_an_empty_canonical_frame() -> None:
    empty = synthetic_incidents(0)
    assert empty.empty and list(empty.columns) == list(model.CANONICAL_COLUMNS)


def test_villages_are_fixed_places_and_unplaced_rows_use_real_towns(frame: pd.DataFrame) -> None:
    from incidents.synthetic import TOWNS

    towns = {town[5] for town in TOWNS}
    villages = frame[frame["geo_precision"] == 1]
    assert villages["location"].str.contains(" village ").all()
    assert villages.groupby("location")[["latitude", "longitude"]].nunique().max().max() == 1
    other = synthetic_incidents(2000, seed=99)
    both = villages.merge(other, on="location", suffixes=("", "_other"))
    assert (both["latitude"] == both["latitude_other"]).all()
    assert set(frame.loc[frame["latitude"].isna(), "location"]) <= towns
