"""incidents.selection: a filter's rows as a mask, read column by column or copied out."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from incidents.filters import FilterSpec, apply_filters
from incidents.selection import Selection
from incidents.snapshot import MAP_COLUMNS
from incidents.store import Store, open_store
from incidents.summary import headline_figures
from incidents.synthetic import synthetic_incidents
from ui.timeline import counts_by_period

SPECS = (
    FilterSpec(),
    FilterSpec(countries=("Mali",)),
    FilterSpec(event_types=("Battles", "Riots"), start="2024-03-01", end="2024-09-30"),
    FilterSpec(admin1s=("Mopti",), actor="jnim"),
    FilterSpec(text="attack", max_geo_precision=2),
)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    store = open_store(tmp_path_factory.mktemp("selection") / "incidents.sqlite")
    records = synthetic_incidents(600, seed=5)
    records.loc[records.index[:4], "event_date"] = pd.NaT
    records.loc[records.index[4:8], ["latitude", "longitude"]] = float("nan")
    store.import_records(records, source_name="synthetic.csv")
    return store


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.to_query_string() or "all")
def test_a_selection_on_the_snapshot_holds_what_apply_filters_returns(store, spec) -> None:
    expected = apply_filters(store.load(), spec)
    selection = Selection.of(store.load_map_snapshot(), spec)
    assert len(selection) == len(expected)
    incidents = selection.incidents()
    pd.testing.assert_frame_equal(incidents, expected)
    assert not set(MAP_COLUMNS) & set(incidents.columns)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.to_query_string() or "all")
def test_headline_and_chart_read_the_same_figures_from_a_few_columns(store, spec) -> None:
    expected = apply_filters(store.load(), spec)
    selection = Selection.of(store.load_map_snapshot(), spec)
    assert headline_figures(selection.frame, selection.rows) == headline_figures(expected)
    for interval in ("week", "month"):
        pd.testing.assert_frame_equal(
            counts_by_period(selection.columns(["event_date", "event_type"]), interval),
            counts_by_period(expected, interval),
        )


def test_newest_puts_the_latest_first_and_the_undated_last(store) -> None:
    selection = Selection.everything(store.load_map_snapshot())
    newest = selection.newest(10)
    dates = newest["event_date"]
    assert dates.is_monotonic_decreasing
    assert dates.iloc[0] == store.load()["event_date"].max()
    everything = selection.newest(len(selection) + 5)
    assert len(everything) == len(selection)
    assert everything["event_date"].iloc[-4:].isna().all()
    assert everything["event_date"].iloc[:-4].notna().all()


def test_newest_sorts_a_frame_that_is_not_in_date_order(store) -> None:
    shuffled = store.load().sample(frac=1, random_state=2).reset_index(drop=True)
    newest = Selection.everything(shuffled).newest(25)
    expected = shuffled.dropna(subset=["event_date"]).nlargest(25, "event_date")
    assert list(newest["event_date"]) == list(expected["event_date"])


def test_narrowing_keeps_only_rows_both_masks_keep(store) -> None:
    frame = store.load_map_snapshot()
    mali = Selection.of(frame, FilterSpec(countries=("Mali",)))
    battles = (frame["event_type"] == "Battles").to_numpy()
    both = mali.narrowed(battles)
    assert len(both) == int((mali.rows & battles).sum())
    assert set(both.column("event_type").astype(str)) == {"Battles"}
    assert len(mali) > len(both)


def test_columns_and_records_by_label(store) -> None:
    frame = store.load_map_snapshot()
    selection = Selection.of(frame, FilterSpec(countries=("Mali",)))
    subset = selection.columns(["incident_id", "not_a_column", "country"])
    assert list(subset.columns) == ["incident_id", "country"]
    assert len(subset) == len(selection)
    picked = selection.incidents_at(subset.index[:3])
    assert list(picked["incident_id"]) == list(subset["incident_id"].iloc[:3])
    assert picked["country"].dtype == "string"


def test_a_mask_of_the_wrong_length_is_refused(store) -> None:
    with pytest.raises(ValueError):
        Selection(store.load_map_snapshot(), np.ones(3, dtype=bool))


def test_the_dashboard_never_copies_the_filtered_frame() -> None:
    dashboard = (Path(__file__).resolve().parent.parent / "dashboard.py").read_text("utf-8")
    assert "apply_filters" not in dashboard
    assert "Selection.of(" in dashboard


def test_headline_figures_of_a_mask_equal_those_of_the_rows_it_keeps(store) -> None:
    frame = store.load_map_snapshot()
    rows = (frame["event_type"] == "Battles").to_numpy() & frame["fatalities"].gt(0).to_numpy()
    assert 0 < rows.sum() < len(frame)
    assert headline_figures(frame, rows) == headline_figures(store.load()[rows])
    # The per-frame arrays are shared: a second mask over the same frame gets its own figures.
    assert headline_figures(frame, ~rows) == headline_figures(store.load()[~rows])
    assert headline_figures(frame, np.zeros(len(frame), dtype=bool)).incidents == 0
