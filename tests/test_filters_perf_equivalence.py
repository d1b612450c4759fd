"""filter_mask's fast paths (categorical codes, datetime64) select the same rows as a plain
row-by-row reading of the filter rules, on a categorical snapshot and on a plain frame."""

from __future__ import annotations

import random
import unicodedata
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from incidents.filters import FilterSpec, apply_filters, filter_mask
from incidents.spatial_index import map_snapshot
from incidents.synthetic import synthetic_incidents


def fold(value: object) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    decomposed = unicodedata.normalize("NFKD", str(value))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def reference_mask(frame: pd.DataFrame, spec: FilterSpec) -> np.ndarray:
    """The rules for dates and name lists, one row at a time."""
    wanted = {
        "country": spec.countries, "admin1": spec.admin1s, "event_type": spec.event_types,
        "status": spec.statuses,
    }
    selected = []
    for row in frame.to_dict(orient="records"):
        day = row["event_date"]
        keep = True
        if spec.start is not None:
            keep &= not pd.isna(day) and day.date() >= spec.start
        if spec.end is not None:
            keep &= not pd.isna(day) and day.date() <= spec.end
        for column, names in wanted.items():
            if names:
                keep &= fold(row[column]) in {fold(n) for n in names}
        selected.append(bool(keep))
    return np.array(selected, dtype=bool)


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    records = synthetic_incidents(3000, seed=11)
    # Accent and case variants and missing values, which the fast paths must treat alike.
    records.loc[records.index[::7], "admin1"] = records["admin1"][::7].str.upper()
    records.loc[records.index[::11], "admin1"] = pd.NA
    records.loc[records.index[::13], "event_date"] = pd.NaT
    records.loc[records.index[::17], "country"] = "MALI"
    return records


def random_spec(rng: random.Random, frame: pd.DataFrame) -> FilterSpec:
    days = frame["event_date"].dropna()
    low, high = days.min().date(), days.max().date()
    span = (high - low).days
    start = low + timedelta(days=rng.randint(0, span)) if rng.random() < 0.7 else None
    end = (start or low) + timedelta(days=rng.randint(0, span)) if rng.random() < 0.7 else None

    def some(column: str, extra: tuple[str, ...] = ()) -> tuple[str, ...]:
        if rng.random() < 0.4:
            return ()
        names = sorted(set(frame[column].dropna().astype(str))) + list(extra)
        return tuple(rng.sample(names, rng.randint(1, min(3, len(names)))))

    return FilterSpec(
        start=start, end=end,
        countries=some("country", ("mali", "Burkina Faso")),
        admin1s=some("admin1", ("segou", "Ségou", "Nowhere")),
        event_types=some("event_type"),
        statuses=some("status"),
    )


def test_fast_paths_match_the_row_by_row_rules(frame) -> None:
    snapshot = map_snapshot(frame)
    rng = random.Random(5)
    checked_nonempty = 0
    for _ in range(40):
        spec = random_spec(rng, frame)
        expected = reference_mask(frame, spec)
        np.testing.assert_array_equal(filter_mask(frame, spec).to_numpy(), expected)
        np.testing.assert_array_equal(filter_mask(snapshot, spec).to_numpy(), expected)
        checked_nonempty += bool(expected.any()) and not expected.all()
    assert checked_nonempty >= 10


def test_a_missing_date_never_passes_a_date_bound(frame) -> None:
    spec = FilterSpec(start=date(1900, 1, 1))
    for candidate in (frame, map_snapshot(frame)):
        mask = filter_mask(candidate, spec).to_numpy()
        assert not mask[candidate["event_date"].isna().to_numpy()].any()
        assert mask[candidate["event_date"].notna().to_numpy()].all()


def test_a_categorical_snapshot_with_unused_categories_counts_the_same(frame) -> None:
    snapshot = map_snapshot(frame).iloc[::2]
    spec = FilterSpec(admin1s=tuple(frame["admin1"].dropna().unique()[:2]))
    np.testing.assert_array_equal(
        filter_mask(snapshot, spec).to_numpy(), filter_mask(frame.iloc[::2], spec).to_numpy()
    )


def test_an_unfiltered_result_is_independent_of_its_source(frame) -> None:
    source = frame.copy()
    result = apply_filters(source, FilterSpec())
    pd.testing.assert_frame_equal(result, frame)
    result.loc[result.index[0], "location"] = "Changed"
    result["extra"] = 1
    pd.testing.assert_frame_equal(source, frame)
