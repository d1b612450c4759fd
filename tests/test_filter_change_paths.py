"""What a filter change reads from per-frame arrays and caches: the same answers as
reading the rows themselves (the sidebar's choices, the headline's period, the
playback's weeks, the map's extent)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from incidents.filters import FILTERS_BY_NAME
from incidents.selection import Selection
from incidents.summary import date_span, headline_figures
from ui.map_view import _weeks, extent_view, week_starts
from ui.sidebar import _multiselect_options


def places() -> pd.DataFrame:
    return pd.DataFrame({
        "country": pd.Categorical(["Mali", "Mali", "Niger", "Niger", None]),
        "admin1": pd.Categorical(["Ségou", "Mopti", "Tillabéri", "Dosso", "Ségou"]),
        "admin2": pd.Categorical(["San", "Djenné", "Téra", None, "Bla"]),
        "event_date": pd.to_datetime(["2024-12-07", None, "2024-11-02", "2024-12-30", None]),
        "latitude": [13.3, 14.5, None, 13.0, 12.9],
        "longitude": [-4.9, -4.2, None, 3.2, -5.8],
    })


def admin1_choices(frame: pd.DataFrame, countries: list[str], chosen: list[str]) -> list[str]:
    state = {"f_countries": countries, "f_admin1s": chosen, "f_admin2s": []}
    return _multiselect_options(FILTERS_BY_NAME["admin1s"], frame, state, "en")[0]


def test_region_choices_follow_the_country_picked_each_time() -> None:
    frame = places()
    every = ["Dosso", "Mopti", "Ségou", "Tillabéri"]
    assert admin1_choices(frame, [], []) == every
    assert admin1_choices(frame, ["Mali"], []) == ["Mopti", "Ségou"]
    assert admin1_choices(frame, ["niger"], ["Kayes"]) == ["Dosso", "Tillabéri", "Kayes"]
    assert admin1_choices(frame, [], []) == every  # kept, and not changed by the others


def test_period_weeks_and_extent_of_a_selection_skip_undated_and_unplaced_rows() -> None:
    frame = places()
    rows = np.array([False, True, True, False, True])
    selection = Selection(frame, rows)
    first, last = date_span(frame, rows)
    assert (first, last) == (pd.Timestamp("2024-11-02"), pd.Timestamp("2024-11-02"))
    assert headline_figures(frame, rows).first_date == first
    assert _weeks(selection) == week_starts(frame[rows])
    view = extent_view(frame, rows)
    assert (view.south, view.west, view.north, view.east) == (12.9, -5.8, 14.5, -4.2)


def test_a_selection_without_dates_has_no_period_nor_weeks() -> None:
    frame = places()
    rows = np.array([False, True, False, False, True])
    assert date_span(frame, rows) == (None, None)
    assert headline_figures(frame, rows).first_date is None
    assert _weeks(Selection(frame, rows)) == []
