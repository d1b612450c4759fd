"""The map section: a Streamlit fragment around ``incidents.maps.build_map``.

Panning or zooming reruns only this fragment, never the whole page: st_folium
returns only the clicked object (with its tooltip, which carries the incident
id), the bounds and the zoom. The map is rebuilt only when the analyst leaves
the area already drawn: the view handed to ``build_map`` is ``round_view`` of
the bounds, snapped outward, so pans inside it and the bounds a freshly built
map reports about itself change nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from incidents.maps.build import View, build_map, round_view, zoom_for_bounds
from incidents.maps.incident_layer import incident_ids
from ui.i18n import t
from ui.record import render_record

MAP_KEY = "incident_map"
RETURNED_OBJECTS = ["last_object_clicked", "last_object_clicked_tooltip", "bounds", "zoom"]
STATE_KEY = "map_state"


def week_starts(gdf: pd.DataFrame) -> list[pd.Timestamp]:
    """Monday of every week from the first to the last incident (empty weeks included)."""
    dates = gdf["event_date"].dropna()
    if dates.empty:
        return []
    first = (dates.min() - pd.Timedelta(days=dates.min().weekday())).normalize()
    return list(pd.date_range(first, dates.max(), freq="7D"))


def in_week(gdf: pd.DataFrame, start: pd.Timestamp) -> pd.DataFrame:
    dates = gdf["event_date"]
    return gdf[((dates >= start) & (dates < start + pd.Timedelta(days=7))).fillna(False)]


def _corners(bounds: Mapping[str, Any]) -> tuple[float, float, float, float]:
    south_west, north_east = bounds["_southWest"], bounds["_northEast"]
    return south_west["lat"], south_west["lng"], north_east["lat"], north_east["lng"]


def next_view(drawn: View | None, seen: View | None, bounds: Mapping[str, Any],
              zoom: float) -> tuple[View | None, View]:
    """(view to draw, rounded view now on screen) after st_folium reported bounds/zoom.

    ``drawn`` is the view the current map was built for (None: fitted to the data),
    ``seen`` the rounded view reported last time. The map is rebuilt (a different
    first value) only when the analyst zoomed, or panned outside the drawn area.
    """
    reported = round_view(bounds, zoom)
    if drawn is None:
        if seen is None or reported == seen:
            return None, reported
        return reported, reported
    south, west, north, east = _corners(bounds)
    inside = (south >= drawn.south and west >= drawn.west
              and north <= drawn.north and east <= drawn.east)
    if round(zoom) == drawn.zoom and inside:
        return drawn, reported
    return reported, reported


def _time_step(gdf: pd.DataFrame, language: str) -> tuple[pd.DataFrame, str]:
    """The 'play the period forward' control: one week at a time on the map."""
    weeks = week_starts(gdf)
    if len(weeks) < 2 or not st.toggle(t("play_period", language), key="play_on",
                                        help=t("play_help", language)):
        return gdf, ""
    start = st.select_slider(
        t("play_period", language), options=weeks, format_func=lambda w: f"{w:%Y-%m-%d}",
        key="play_week", label_visibility="collapsed",
    )
    week = in_week(gdf, start)
    st.caption(t("week_of", language, start=f"{start:%Y-%m-%d}", count=len(week)))
    return week, f"{start:%Y-%m-%d}"


def _show_clicked(shown: pd.DataFrame, ids: tuple[str, ...], language: str) -> None:
    chosen = shown[incident_ids(shown).isin(ids).to_numpy()]
    if chosen.empty:
        st.info(t("click_hint", language))
        return
    labels = {
        i: f"{row.event_date:%Y-%m-%d} · {row.location or ''} · {row.incident_id}"
        for i, row in zip(chosen.index, chosen.itertuples())
    }
    picked = st.selectbox(t("record", language), list(labels),
                          format_func=labels.__getitem__, key="record_pick")
    render_record(chosen.loc[picked], language)


@st.fragment
def map_section(gdf: pd.DataFrame, data_key: str, language: str) -> None:
    """Map on the left, the clicked incident's record on the right.

    ``data_key`` names the filtered set; when it changes the map refits the data.
    """
    shown, week = _time_step(gdf, language)
    key = f"{data_key}|{week}|{language}"
    state = st.session_state.get(STATE_KEY)
    if state is None or state["key"] != key:
        state = {"key": key, "view": None, "seen": None, "click": None, "ids": ()}
        st.session_state[STATE_KEY] = state
    map_column, record_column = st.columns([3, 2])
    with map_column:
        result = build_map(shown, view=state["view"], language=language)
        output = st_folium(result.map, key=MAP_KEY, height=560, use_container_width=True,
                           returned_objects=RETURNED_OBJECTS) or {}
        st.caption(t("map_mode", language, mode=t(f"mode_{result.mode}", language)))
        if result.n_unplaced:
            st.caption(t("not_placed", language, count=result.n_unplaced))
    click = (output.get("last_object_clicked_tooltip"), str(output.get("last_object_clicked")))
    if output.get("last_object_clicked") and click != state["click"]:
        state["click"] = click
        target = result.clicked(output)
        if target is not None and target.kind == "cell" and target.bounds is not None:
            south, west, north, east = target.bounds
            zoom = zoom_for_bounds(south, west, north, east)
            state["view"] = round_view((south, west, north, east), zoom)
            st.rerun(scope="fragment")
        state["ids"] = target.incident_ids if target is not None else ()
    with record_column:
        if state["ids"]:
            _show_clicked(shown, state["ids"], language)
        else:
            st.info(t("click_hint", language))
    if output.get("bounds") and output.get("zoom") is not None:
        view, state["seen"] = next_view(state["view"], state["seen"], output["bounds"],
                                        output["zoom"])
        if view != state["view"]:
            state["view"] = view
            st.rerun(scope="fragment")
