"""The map section: a Streamlit fragment around ``incidents.maps.build_map``.

Panning or zooming reruns only this fragment, never the whole page: st_folium
returns only the clicked object (with its tooltip, which carries the incident
id), the bounds and the zoom. The map opens on the data's extent; its layers are
rebuilt only when what is drawn no longer fits what is seen (see
``needs_rebuild``), for ``round_view`` of the bounds, snapped outward so that
small pans stay inside it.

The base map (tiles, outlines, towns, controls) stays the same from one filter
to the next, and the layers that depend on the data reach st_folium as
``feature_group_to_add`` (``build_map(overlays_apart=True)``): a new filter or
view replaces them inside the frame already there, where a new map script
would mount a new frame and load Leaflet, its plugins and the tiles again. The
view is applied with st_folium's ``center`` and ``zoom``.

Every map comes from ``ui.map_cache``: the runs st_folium sets off as it reports
where a new map opened, a filter gone back to and the first page (whose map the
warm-up built) find it built.
"""

from __future__ import annotations

import hashlib
import json
import math
import tempfile
import time
from pathlib import Path
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from incidents.errors import describe
from incidents.maps.basemaps import BasemapError, import_basemap
from incidents.maps.build import View, round_view, world_corners
from incidents.maps.choropleth import clicked_region
from incidents.maps.reference import REFERENCE_MIN_ZOOM
from incidents.maps.draw import drawing_to_filter_param
from incidents.maps.incident_layer import incident_ids
from incidents.selection import Selection
from incidents.summary import date_span
from incidents.store.queries import ServedSelection
from ui.i18n import t
from ui.map_cache import (MAP_HEIGHT_PX, AnySelection, MapRequest, cached_map, fit_zoom,
                          selection_extent)
from ui.map_cache import extent_view  # noqa: F401 - where the tests and benches look for it
from ui.places import find_place
from ui.record import render_record
from ui.warmup import map_drawn, script_run
from ui.state import (LINKED_INCIDENT, LINKED_VIEW, MAP_VIEW, PENDING_REGION, SELECTED_INCIDENT,
                      URL_KEYS)

MAP_KEY = "incident_map"
PLACE_SEARCH = "place_search"
RECORD_DUPLICATE = "_record_duplicate"  # the duplicate shown in place of the record
ONLINE_TILES = "online_tiles"  # the opt-in live OpenStreetMap base layer
# Playback: running or paused, its speed (seconds per week), and the week to show next
# (set after the slider is drawn, so applied at the start of the next run).
PLAY_RUNNING, PLAY_SPEED, PLAY_NEXT, PLAY_STOP = ("play_running", "play_speed", "_play_next",
                                                  "_play_stop")
PLAY_SECONDS = {"play_slow": 3.0, "play_normal": 1.5, "play_fast": 0.7}
PLACE_SEARCHED = "_place_searched"  # the last name flown to, so it is flown to only once
RETURNED_OBJECTS = ["last_object_clicked", "last_object_clicked_tooltip", "bounds", "zoom",
                    "all_drawings", "last_active_drawing"]
REGION_PICK_SEEN = "_region_pick_seen"
STATE_KEY = "map_state"
# A clicked hexagon may open closer than a fitted view: its incidents should
# come apart into markers.
CELL_CLICK_MAX_ZOOM = 10
# How far (in screen pixels) a reported centre may be from the map's opening one and
# still be that view (Leaflet snaps the map's origin to whole pixels).
OPENING_TOLERANCE_PX = 3


def week_starts(gdf: pd.DataFrame) -> list[pd.Timestamp]:
    """Monday of every week from the first to the last incident (empty weeks included)."""
    dates = gdf["event_date"].dropna()
    if dates.empty:
        return []
    return weeks_between(dates.min(), dates.max())


def weeks_between(first_day: pd.Timestamp, last_day: pd.Timestamp) -> list[pd.Timestamp]:
    """Monday of every week from the one holding ``first_day`` to ``last_day``."""
    first = (first_day - pd.Timedelta(days=first_day.weekday())).normalize()
    return list(pd.date_range(first, last_day, freq="7D"))


def week_mask(dates: pd.Series, start: pd.Timestamp) -> pd.Series:
    """True for the dates in the seven days from ``start`` (missing dates are not)."""
    return ((dates >= start) & (dates < start + pd.Timedelta(days=7))).fillna(False)


def in_week(gdf: pd.DataFrame, start: pd.Timestamp) -> pd.DataFrame:
    return gdf[week_mask(gdf["event_date"], start)]


def _corners(bounds: Mapping[str, Any]) -> tuple[float, float, float, float]:
    south_west, north_east = bounds["_southWest"], bounds["_northEast"]
    return south_west["lat"], south_west["lng"], north_east["lat"], north_east["lng"]


def needs_rebuild(drawn: View, complete: bool, mode: str, bounds: Mapping[str, Any],
                  zoom: float) -> bool:
    """Whether the map must be rebuilt after st_folium reported the analyst's bounds/zoom.

    ``complete`` means the drawn map already holds every incident of the filtered set
    (it was built for the data's extent). Markers then never need redrawing;
    hexagons do when the zoom changes (their size follows it). A map built for a
    part of the data is rebuilt on a zoom change or once the analyst pans outside it.
    """
    if complete and mode == "points":
        return False
    if round(zoom) != drawn.zoom:
        return True
    if complete:
        return False
    # Within the world, as ``round_view`` made ``drawn``: a map wider than the world
    # otherwise never fits what was drawn for it, and each rebuild asked for another.
    south, west, north, east = world_corners(bounds)
    return not (south >= drawn.south and west >= drawn.west
                and north <= drawn.north and east <= drawn.east)


def is_placeholder_view(bounds: Mapping[str, Any] | None,
                        stand_in: Sequence[Sequence[float | None]]) -> bool:
    """Whether st_folium's bounds are its stand-in rather than the analyst's view.

    Until a freshly drawn map reports where it is, st_folium returns the extent of
    every layer on the map it was given (folium's ``get_bounds``, here
    ``stand_in``, taken before st_folium adds the overlays) with the map's opening
    zoom. Taken for a view, that extent at a village zoom made the dashboard
    rebuild hexagons for the whole data set each time the analyst zoomed in.
    """
    if not bounds:
        return False
    (south, west), (north, east) = stand_in
    return (south, west, north, east) == tuple(_corners(bounds))


def shows_opening_view(bounds: Mapping[str, Any] | None, zoom: float | None,
                       opening: tuple[float, float, int],
                       requested: Sequence[float] | None) -> bool:
    """Whether st_folium reported the view its map opened on (``opening``: centre and
    zoom), rather than the view the page asked it to move to (``requested``).

    Every map opens on the same view (the Sahel at zoom 5), so that its frame is kept
    from one filter to the next; a new frame (the first page, a filter area drawn)
    reports that view once as drawn, when the page has already asked it to move to the
    data. Taken for the analyst's view, it sent the map back: a store of Myanmar and
    worldwide incidents opened on West Africa, its link saying so.
    """
    if not bounds or zoom is None or requested is None or round(zoom) != opening[2]:
        return False
    tolerance = OPENING_TOLERANCE_PX * 360.0 / 256 / 2 ** opening[2]
    if (round(requested[2]) == opening[2] and abs(requested[0] - opening[0]) <= tolerance
            and abs(requested[1] - opening[1]) <= tolerance):
        return False  # asked for the opening view itself: it is the analyst's
    south, west, north, east = _corners(bounds)
    middle = (_mercator(south) + _mercator(north)) / 2
    latitude = math.degrees(2 * math.atan(math.exp(middle)) - math.pi / 2)
    return (abs(latitude - opening[0]) <= tolerance
            and abs((west + east) / 2 - opening[1]) <= tolerance)


def _mercator(latitude: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(latitude) / 2))


def reported_view(output: Mapping[str, Any]) -> tuple[str, Any]:
    """The bounds and zoom st_folium returned, comparable from one run to the next."""
    return json.dumps(output.get("bounds"), sort_keys=True), output.get("zoom")


def frame_key(polygon: str) -> str:
    """st_folium's key: a new one, so a fresh frame, whenever the drawn filter area
    changes. A shape drawn by hand otherwise stays in the frame's drawing layer
    (and in what st_folium returns) after the filter it made is cleared."""
    if not polygon:
        return MAP_KEY
    return f"{MAP_KEY}-{hashlib.sha1(polygon.encode()).hexdigest()[:12]}"


def requested_view(centre: tuple[float, float, int] | None,
                   moves: int) -> tuple[float, float, float] | None:
    """``centre`` (latitude, longitude, zoom) as st_folium's ``center`` and ``zoom``.

    st_folium's frame moves the map only when these differ from the last ones it
    was given, not from where the analyst has since panned and zoomed: asking
    again for the view of a filter already shown would be ignored. ``moves``
    counts the page's requests to move the map, and each gets a zoom differing
    from the others by a millionth, which Leaflet rounds away (whole zoom levels).
    """
    if centre is None:
        return None
    latitude, longitude, zoom = centre
    return latitude, longitude, zoom + (moves % 1000) * 1e-6


def view_centre(view: View | None) -> tuple[float, float, int] | None:
    """Where st_folium should move the map to show ``view``: centre and zoom."""
    if view is None:
        return None
    return (*view.centre, view.zoom)


def _weeks(selection: AnySelection) -> list[pd.Timestamp]:
    """The weeks the playback steps through, from the first and last dates (the
    headline's, from the per-frame arrays or a server store)."""
    if isinstance(selection, ServedSelection):
        figures = selection.headline()
        first, last = figures.first_date, figures.last_date
    else:
        first, last = date_span(selection.frame, selection.rows)
    return [] if first is None else weeks_between(pd.Timestamp(first), pd.Timestamp(last))


def _with_ids(shown: AnySelection, ids: Sequence[str]) -> pd.DataFrame:
    """Canonical records of these incidents: among those shown, or asked of the server."""
    if isinstance(shown, ServedSelection):
        return shown.queries.by_ids(list(ids))
    shown_ids = incident_ids(shown.columns(["incident_id", "event_id_cnty"]))
    return shown.incidents_at(shown_ids.index[shown_ids.isin(ids).to_numpy()])


def _chosen_week(selection: AnySelection) -> tuple[AnySelection, str]:
    """The week the playback shows (read from its widgets' state: they are drawn below
    the map, which must not wait for them), else the whole selection."""
    state = st.session_state
    if not state.get("play_on"):
        return selection, ""
    weeks = _weeks(selection)
    if PLAY_NEXT in state:
        state["play_week"] = state.pop(PLAY_NEXT)
    start = state.get("play_week")
    if start not in weeks:
        if len(weeks) < 2:
            return selection, ""
        start = state["play_week"] = weeks[0]
    if isinstance(selection, ServedSelection):
        return selection.week(start), f"{start:%Y-%m-%d}"
    return selection.narrowed(week_mask(selection.frame["event_date"], start)), \
        f"{start:%Y-%m-%d}"


def _week_controls(selection: AnySelection, shown: AnySelection, week: str,
                   language: str) -> None:
    """The 'play the period forward' control: one week at a time on the map."""
    weeks = _weeks(selection)
    if len(weeks) < 2:
        return
    st.toggle(t("play_period", language), key="play_on", help=t("play_help", language))
    if not st.session_state.get("play_on"):
        return
    st.select_slider(
        t("play_period", language), options=weeks, format_func=lambda w: f"{w:%Y-%m-%d}",
        key="play_week", label_visibility="collapsed",
    )
    st.caption(t("week_of", language, start=week, count=len(shown)))
    running, speed = st.columns(2)
    running.toggle(t("play_running", language), key=PLAY_RUNNING)
    st.session_state.setdefault(PLAY_SPEED, "play_normal")
    speed.select_slider(t("play_speed", language), options=list(PLAY_SECONDS), key=PLAY_SPEED,
                        format_func=lambda name: t(name, language),
                        label_visibility="collapsed")


def _play_on(selection: AnySelection) -> None:
    """While playing: wait the speed's seconds, then show the next week (stopping at
    the last). A click on pause or anything else interrupts the wait."""
    state = st.session_state
    if not (state.get("play_on") and state.get(PLAY_RUNNING)):
        return
    weeks = _weeks(selection)
    current = state.get("play_week")
    if current not in weeks:
        return
    time.sleep(PLAY_SECONDS.get(state.get(PLAY_SPEED), 1.5))
    position = weeks.index(current)
    if position + 1 >= len(weeks):
        state[PLAY_STOP] = True
        st.rerun(scope="fragment")
    state[PLAY_NEXT] = weeks[position + 1]
    st.rerun(scope="fragment")


def _record_body(shown: AnySelection, ids: tuple[str, ...], language: str) -> None:
    chosen = _with_ids(shown, ids)
    if chosen.empty:
        st.info(t("click_hint", language))
        return
    labels = {
        i: f"{row.event_date:%Y-%m-%d} · {row.location or ''} · {row.incident_id}"
        for i, row in zip(chosen.index, chosen.itertuples())
    }
    picked = st.selectbox(t("record", language), list(labels), label_visibility="collapsed",
                          format_func=labels.__getitem__, key="record_pick")
    duplicate = st.session_state.get(RECORD_DUPLICATE)
    if duplicate:
        _duplicate_record(shown, duplicate, language)
        return
    row = chosen.loc[picked]
    render_record(row, language)
    of = row.get("possible_duplicate_of")
    if isinstance(of, str) and of.strip():
        # A fixed label: a button renders Markdown, and the id is data (shown in the record).
        if st.button(t("open_duplicate", language), key="open_duplicate"):
            st.session_state[RECORD_DUPLICATE] = of.strip()
            st.rerun(scope="fragment")


def _duplicate_record(shown: AnySelection, incident_id: str, language: str) -> None:
    """The incident a record may duplicate, looked up among all incidents (the filter
    may have left it out), with the way back."""
    if st.button(t("back_to_record", language), key="back_to_record"):
        st.session_state.pop(RECORD_DUPLICATE, None)
        st.rerun(scope="fragment")
    if isinstance(shown, ServedSelection):
        found = shown.queries.by_ids([incident_id])
        if found.empty:
            st.info(t("duplicate_missing", language))
            st.text(incident_id)
        else:
            render_record(found.iloc[0], language)
        return
    ids = shown.frame["incident_id"].astype("string")
    matches = np.flatnonzero((ids == incident_id).fillna(False).to_numpy())
    if not len(matches):
        st.info(t("duplicate_missing", language))
        st.text(incident_id)
        return
    found = Selection.everything(shown.frame).incidents_at(shown.frame.index[matches[:1]])
    render_record(found.iloc[0], language)


def open_record(shown: AnySelection, ids: tuple[str, ...], language: str) -> None:
    """The clicked incident's record in a dialog over the map, so the map is neither
    narrowed nor pushed down; closing it leaves the map where it was."""
    st.session_state.pop(RECORD_DUPLICATE, None)
    st.dialog(t("record", language), width="medium")(_record_body)(shown, ids, language)


def _drawn_polygon(output: Mapping[str, Any]) -> str | None:
    """The drawn area as a filter value, or None when nothing (new) is drawn."""
    if not output.get("all_drawings"):
        return None
    return drawing_to_filter_param(output)


def _url_view(text: str | None) -> tuple[float, float, int] | None:
    """``"lat,lng,zoom"`` from a shared link, or None when absent or malformed."""
    try:
        latitude, longitude, zoom = (float(part) for part in str(text or "").split(","))
    except ValueError:
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180 and 0 <= zoom <= 20):
        return None
    return latitude, longitude, int(zoom)


def _remember(name: str, value: str | None) -> None:
    """Keep a piece of the map's view in the session and in the link (a fragment run
    does not reach the full run that rewrites the URL from the session)."""
    if st.session_state.get(name) == value:
        return
    st.session_state[name] = value
    _link_param(URL_KEYS[name], value)


def _link_param(param: str, value: str | None) -> None:
    """Set (or, for None, drop) one parameter of the link from a fragment run."""
    if value:
        if st.query_params.get(param) != value:
            st.query_params[param] = value
    elif param in st.query_params:
        del st.query_params[param]


def basemap_import(language: str) -> None:
    """Import an MBTiles basemap from the dashboard (the same as ``python -m incidents
    basemap import``); it is listed in the layer control from the next map on."""
    with st.popover(t("basemap_import", language)):
        st.caption(t("basemap_help", language))
        uploaded = st.file_uploader(t("basemap_file", language), type=["mbtiles", "pmtiles"],
                                    key="basemap_upload")
        if uploaded is None or st.session_state.get("_basemap_done") == uploaded.file_id:
            return
        st.session_state["_basemap_done"] = uploaded.file_id
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / Path(uploaded.name).name
            path.write_bytes(uploaded.getvalue())
            try:
                found = import_basemap(path)
            except BasemapError as error:
                st.error(t("basemap_refused", language))
                st.text(describe(error, language))  # holds the file's name: plain text, never Markdown
                return
        st.success(t("basemap_imported", language, name=found.name, low=found.min_zoom,
                     high=found.max_zoom))


def _place_search(state: dict[str, Any], language: str) -> None:
    """Fly to the place typed in the search box (once per new name)."""
    query = str(st.session_state.get(PLACE_SEARCH) or "").strip()
    if not query or query == st.session_state.get(PLACE_SEARCHED):
        return
    st.session_state[PLACE_SEARCHED] = query
    place = find_place(query)
    if place is None:
        state["not_found"] = query
        return
    state["not_found"] = None
    state["centre"] = (place.latitude, place.longitude, place.zoom)
    state["moves"] += 1


@st.fragment
def map_section(selection: AnySelection, data_key: str, language: str,
                near: str | None = None) -> None:
    """The map and its controls (see ``_map_body``), then the next playback step (whose
    wait is no work: the extraction helper may load meanwhile)."""
    with script_run():
        _map_body(selection, data_key, language, near)
    _play_on(selection)


def _map_body(selection: AnySelection, data_key: str, language: str, near: str | None) -> None:
    """The map across the page, its controls below it, and a clicked incident's record
    in a dialog over it.

    ``data_key`` names the filtered set; when it changes the map refits the data
    (unless a shared link gave the view). The map is built from the selection's
    mask over the cached frame, so no rerun copies the incidents.
    """
    shown, week = _chosen_week(selection)
    choropleth = bool(st.session_state.get("choropleth_on"))
    _link_param("week", week or None)
    _link_param("choropleth", "1" if choropleth else None)
    key = f"{data_key}|{week}|{language}|{choropleth}"
    previous = st.session_state.get(STATE_KEY)
    state = previous
    linked = LINKED_VIEW in st.session_state or LINKED_INCIDENT in st.session_state
    if previous is None or previous["key"] != key or linked:
        linked = _url_view(st.session_state.pop(LINKED_VIEW, None))
        picked = st.session_state.pop(LINKED_INCIDENT, None)
        # The same filtered set in another week, language or colouring: the map stays
        # where the analyst put it (playback must not jump back to the whole extent).
        same_data = previous is not None and previous["key"].split("|")[0] == data_key
        state = {"key": key, "view": selection_extent(shown),
                 "complete": True,
                 "centre": linked or (previous.get("here") if same_data else None),
                 "click": None, "stale": None,
                 # The incident opened on this filtered set stays selected (and in the link).
                 "ids": (picked,) if picked else (previous["ids"] if same_data else ()),
                 "open": bool(picked),
                 "moves": (previous or {}).get("moves", 0) + 1}
        st.session_state[STATE_KEY] = state
    if st.session_state.pop(PLAY_STOP, False):
        st.session_state[PLAY_RUNNING] = False
    _place_search(state, language)
    places_for = state.get("places_for")
    result = cached_map(shown, MapRequest(
        data_key=data_key, week=week, view=state["view"], language=language,
        choropleth=choropleth, successors=bool(st.session_state.get("f_successors")),
        polygon=st.session_state.get("f_polygon", ""), near=near, places_for=places_for,
        online_tiles=bool(st.session_state.get(ONLINE_TILES))))
    stand_in = result.map.get_bounds()
    centre = requested_view(state["centre"] or view_centre(state["view"]), state["moves"])
    polygon = st.session_state.get("f_polygon", "")
    # render=False: st_folium renders the map it is given again anyway; its extra whole-
    # page render (the outlines' GeoJSON serialised once more) only cost each run time.
    output = st_folium(result.map, key=frame_key(polygon), height=MAP_HEIGHT_PX,
                       use_container_width=True, render=False,
                       returned_objects=RETURNED_OBJECTS,
                       feature_group_to_add=result.overlays or None,
                       layer_control=result.layer_control,
                       center=centre[:2] if centre else None,
                       zoom=centre[2] if centre else None) or {}
    notes = [t("map_mode", language, mode=t(f"mode_{result.mode}", language))]
    if result.n_unplaced:
        notes.append(t("not_placed", language, count=result.n_unplaced))
    notes.extend([t("click_hint", language), t("draw_hint", language)])
    st.caption(" · ".join(notes))
    controls = st.columns(3)
    with controls[0]:
        st.text_input(t("place_search", language), key=PLACE_SEARCH,
                      help=t("place_search_help", language))
        if state.get("not_found"):
            st.caption(t("place_not_found", language))
    with controls[1]:
        _week_controls(selection, shown, week, language)
    with controls[2]:
        st.toggle(t("choropleth", language), key="choropleth_on")
        st.toggle(t("online_tiles", language), key=ONLINE_TILES,
                  help=t("online_tiles_help", language))
        basemap_import(language)
    picked = clicked_region(output) if choropleth else None
    if picked and picked != st.session_state.get(REGION_PICK_SEEN):
        st.session_state[REGION_PICK_SEEN] = picked
        st.session_state[PENDING_REGION] = picked
        st.rerun(scope="app")
    drawn = _drawn_polygon(output)
    if drawn and drawn != st.session_state.get("f_polygon"):
        st.session_state["f_polygon"] = drawn
        st.rerun(scope="app")
    click = (output.get("last_object_clicked_tooltip"), str(output.get("last_object_clicked")))
    if state["stale"] is None:
        # The frame outlives a change of filter: in the run that set this state,
        # st_folium still returns what the previous layers reported.
        state["stale"], state["click"] = reported_view(output), click
    if output.get("last_object_clicked") and click != state["click"]:
        state["click"] = click
        target = result.clicked(output)
        if target is not None and target.kind == "cell" and target.bounds is not None:
            south, west, north, east = target.bounds
            zoom = fit_zoom(south, west, north, east, cap=CELL_CLICK_MAX_ZOOM)
            state["view"] = round_view((south, west, north, east), zoom)
            state["complete"] = False
            state["centre"] = ((south + north) / 2, (west + east) / 2, zoom)
            state["moves"] += 1
            st.rerun(scope="fragment")
        state["ids"] = target.incident_ids if target is not None else ()
        state["open"] = bool(state["ids"])
    _remember(SELECTED_INCIDENT, state["ids"][0] if len(state["ids"]) == 1 else None)
    if state["open"]:
        state["open"] = False
        open_record(shown, state["ids"], language)
    bounds, zoom = output.get("bounds"), output.get("zoom")
    opening = (*result.map.location, result.map.options["zoom"])
    placeholder = (is_placeholder_view(bounds, stand_in)
                   or shows_opening_view(bounds, zoom, opening, centre))
    if bounds and not placeholder:
        map_drawn()
    if reported_view(output) == state["stale"] or placeholder:
        return
    if bounds and zoom is not None:
        south, west, north, east = _corners(bounds)
        state["here"] = ((south + north) / 2, (west + east) / 2, int(round(zoom)))
        _remember(MAP_VIEW, "{:.4f},{:.4f},{}".format(*state["here"]))
        village = round(zoom) >= REFERENCE_MIN_ZOOM
        snapped = round_view(bounds, zoom) if village else None
        wanted = (snapped.south, snapped.west, snapped.north, snapped.east) if village else None
        if wanted != places_for:
            # The gazetteer's places for the view the analyst has just moved to.
            state["places_for"] = wanted
            st.rerun(scope="fragment")
    if bounds and zoom is not None and state["view"] is not None and needs_rebuild(
        state["view"], state["complete"], result.mode, bounds, zoom
    ):
        south, west, north, east = _corners(bounds)
        state["view"], state["complete"] = round_view(bounds, zoom), False
        state["centre"] = ((south + north) / 2, (west + east) / 2, int(round(zoom)))
        st.rerun(scope="fragment")
