"""The dashboard's view state: widget keys, defaults, and the URL round trip.

Filter widgets read and write ``st.session_state`` under the keys their declarations
name (``incidents/filters/spec.py``); how each kind of widget holds a filter's value is
in ``WIDGET_STATES``. On the first run of a session they are seeded from the URL
(``st.query_params``); on every run the current filters are written back, so a copied
link reopens the same view.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from incidents.filters import FILTERS, FILTERS_BY_NAME, Filter, FilterSpec, Widget
from incidents.io.dates import EARLIEST as EARLIEST_INCIDENT_DATE
from ui.i18n import DEFAULT_LANGUAGE, LANGUAGES, t

SOURCES = ("store", "sample", "upload")
# The date picker's range spans every date an incident may have (incidents.io.dates), so
# a period bound at either end of it is no bound at all: a link with only a start (or only
# an end) keeps its meaning in the one range widget, and a bound beyond it is shown at it.
EARLIEST_DATE = EARLIEST_INCIDENT_DATE


def latest_selectable_day() -> date:
    return date(date.today().year + 1, 12, 31)


@dataclass(frozen=True)
class WidgetState:
    """How a kind of sidebar widget (``Widget.kind``) holds its filters' values:
    ``default`` (no constraint), ``shown`` (the widget value for the spec values of the
    filters sharing the widget), ``read`` (the spec values, in the same order)."""

    default: Callable[[Widget], Any]
    shown: Callable[[Widget, tuple[Any, ...]], Any]
    read: Callable[[Widget, Any], tuple[Any, ...]]


def _shown_dates(widget: Widget, values: tuple[Any, ...]) -> tuple[date, ...]:
    start, end = values
    if start is None and end is None:
        return ()
    earliest, latest = EARLIEST_DATE, latest_selectable_day()
    return (min(max(start or earliest, earliest), latest),
            max(min(end or latest, latest), earliest))


def _read_dates(widget: Widget, dates: Any) -> tuple[Any, ...]:
    dates = tuple(dates or ())
    if not dates:
        return None, None
    start, end = dates[0], dates[-1]
    return (None if start == EARLIEST_DATE else start,
            None if end == latest_selectable_day() else end)


def _last_option(widget: Widget) -> int:
    return SLIDER_OPTIONS[widget.options][-1]


def _text_state() -> WidgetState:
    return WidgetState(lambda w: "", lambda w, v: v[0] or "", lambda w, x: (x or None,))


WIDGET_STATES: dict[str, WidgetState] = {
    "multiselect": WidgetState(lambda w: [], lambda w, v: list(v[0]),
                               lambda w, x: (tuple(x or ()),)),
    "date_range": WidgetState(lambda w: (), _shown_dates, _read_dates),
    "preset": _text_state(),
    "text": _text_state(),
    "near": _text_state(),
    "drawn": _text_state(),
    "number": WidgetState(lambda w: 0, lambda w, v: v[0] or 0,
                          lambda w, x: (int(x or 0) or None,)),
    "slider": WidgetState(_last_option, lambda w, v: v[0] or _last_option(w),
                          lambda w, x: (None if int(x or _last_option(w)) >= _last_option(w)
                                        else int(x),)),
    "checkbox": WidgetState(lambda w: False, lambda w, v: bool(v[0]), lambda w, x: (bool(x),)),
}
# The choices of a slider, by Widget.options.
SLIDER_OPTIONS: dict[str, tuple[int, ...]] = {"geo_precision": (1, 2, 3)}


def _widgets() -> dict[str, tuple[Widget, tuple[Filter, ...]]]:
    """Each widget key with its declaration and the filters it shows, in sidebar order."""
    grouped: dict[str, list[Filter]] = {}
    for spec_filter in FILTERS:
        grouped.setdefault(spec_filter.widget.key, []).append(spec_filter)
    return {key: (group[0].widget, tuple(group)) for key, group in grouped.items()}


FILTER_WIDGETS = _widgets()
# widget key -> default value; the reset button restores these.
FILTER_DEFAULTS: dict[str, Any] = {
    key: WIDGET_STATES[widget.kind].default(widget) for key, (widget, _) in FILTER_WIDGETS.items()
}


def widget_key(filter_name: str) -> str:
    """The session-state key of a filter's widget."""
    return FILTERS_BY_NAME[filter_name].widget.key


SEEDED_FLAG = "_seeded_from_url"
# The explore page's tabs (i18n keys) and the key under which st.tabs keeps the open one.
EXPLORE_TABS = ("map", "time", "table", "export")
EXPLORE_TAB_KEY = "explore_tab"
# A region clicked on the choropleth, waiting for the next full run to become the
# region filter: a widget's value can only be set before the widget is drawn.
PENDING_REGION = "_pending_region_pick"
# The map's view ("lat,lng,zoom") and the incident whose record is open, kept in the
# session and in the link; a link's own wait under the _linked keys for the map's
# first run.
MAP_VIEW = "map_view"
SELECTED_INCIDENT = "selected_incident"
LINKED_VIEW = "_linked_view"
LINKED_INCIDENT = "_linked_incident"
URL_KEYS = {MAP_VIEW: "view", SELECTED_INCIDENT: "incident"}
# Playback and choropleth widgets (drawn under the map), also kept in the link.
PLAY_ON, PLAY_WEEK, CHOROPLETH_ON = "play_on", "play_week", "choropleth_on"
REGION_LEVEL_WIDGETS = {"admin1": widget_key("admin1s"), "admin2": widget_key("admin2s")}


def spec_to_widgets(spec: FilterSpec) -> dict[str, Any]:
    """Widget values that show ``spec``."""
    return {
        key: WIDGET_STATES[widget.kind].shown(widget, tuple(getattr(spec, f.name) for f in group))
        for key, (widget, group) in FILTER_WIDGETS.items()
    }


def widgets_to_spec(state: Mapping[str, Any]) -> FilterSpec:
    """The FilterSpec the current widget values describe (defaults mean no constraint).

    Raises ValueError when a typed value (the 'near' point) is malformed.
    """
    values: dict[str, Any] = {}
    for key, (widget, group) in FILTER_WIDGETS.items():
        kind = WIDGET_STATES[widget.kind]
        read = kind.read(widget, state.get(key, kind.default(widget)))
        values.update(zip((f.name for f in group), read))
    return FilterSpec(**values)


def seed_from_url(state: MutableMapping[str, Any], params: Mapping[str, Any]) -> str | None:
    """Fill widget state from URL parameters once per session.

    Returns an error message when the URL held a malformed filter (the view then
    falls back to no filters), else None.
    """
    if state.get(SEEDED_FLAG):
        return None
    state[SEEDED_FLAG] = True
    error = None
    try:
        spec = FilterSpec.from_query_params(params)
    except (ValueError, TypeError) as exc:
        spec, error = FilterSpec(), str(exc)
    state.update(spec_to_widgets(spec))
    language = _last(params.get("lang"))
    state["lang"] = language if language in LANGUAGES else DEFAULT_LANGUAGE
    source = _last(params.get("source"))
    state["source"] = source if source in SOURCES else "store"
    _seed_view(state, params)
    return error


def _seed_view(state: MutableMapping[str, Any], params: Mapping[str, Any]) -> None:
    """The map view, open incident, tab, week and choropleth a link names."""
    view, incident = _last(params.get("view")), _last(params.get("incident"))
    if view:
        state[LINKED_VIEW] = state[MAP_VIEW] = view
    if incident:
        state[LINKED_INCIDENT] = state[SELECTED_INCIDENT] = incident
    tab = _last(params.get("tab"))
    if tab in EXPLORE_TABS:
        state[EXPLORE_TAB_KEY] = t(tab, state["lang"])
    week = _last(params.get("week"))
    if week:
        try:
            state[PLAY_WEEK] = pd.Timestamp(date.fromisoformat(week))
            state[PLAY_ON] = True
        except ValueError:
            pass
    if _last(params.get("choropleth")) == "1":
        state[CHOROPLETH_ON] = True


def _last(value: str | list[str] | None) -> str | None:
    if isinstance(value, (list, tuple)):
        return value[-1] if value else None
    return value


def url_params(state: Mapping[str, Any], spec: FilterSpec) -> dict[str, str | list[str]]:
    """Query parameters for the current view: the filters plus language and source."""
    params = spec.to_query_params()
    if state.get("lang", DEFAULT_LANGUAGE) != DEFAULT_LANGUAGE:
        params["lang"] = state["lang"]
    if state.get("source", "store") != "store":
        params["source"] = state["source"]
    for key, param in URL_KEYS.items():
        if state.get(key):
            params[param] = str(state[key])
    tab = open_tab_name(state)
    if tab not in (None, EXPLORE_TABS[0]):
        params["tab"] = tab
    if state.get(PLAY_ON) and state.get(PLAY_WEEK) is not None:
        params["week"] = f"{pd.Timestamp(state[PLAY_WEEK]):%Y-%m-%d}"
    if state.get(CHOROPLETH_ON):
        params["choropleth"] = "1"
    return params


def open_on_map(state: MutableMapping[str, Any], incident_id: str, latitude: float | None,
                longitude: float | None, language: str, zoom: int = 10) -> None:
    """Callback of the table's row pick: switch to the map, centred on the incident, with
    its record open (a callback may still change the tabs' state before they are drawn)."""
    state[LINKED_INCIDENT] = state[SELECTED_INCIDENT] = incident_id
    if latitude is not None and longitude is not None and latitude == latitude:
        state[LINKED_VIEW] = state[MAP_VIEW] = f"{latitude:.4f},{longitude:.4f},{zoom}"
    state[EXPLORE_TAB_KEY] = t(EXPLORE_TABS[0], language)


def open_tab_name(state: Mapping[str, Any]) -> str | None:
    """The open explore tab's name (``EXPLORE_TABS``), whatever the language of its label."""
    label = state.get(EXPLORE_TAB_KEY)
    for name in EXPLORE_TABS:
        if label in {t(name, other) for other in LANGUAGES}:
            return name
    return None


def apply_region_pick(state: MutableMapping[str, Any]) -> bool:
    """Make a pending choropleth click the region filter; True if there was one."""
    pick = state.pop(PENDING_REGION, None)
    widget = REGION_LEVEL_WIDGETS.get((pick or {}).get("region_level"))
    if not widget or not pick.get("region"):
        return False
    state[widget] = [pick["region"]]
    if widget == widget_key("admin1s"):
        state[widget_key("admin2s")] = []
    return True


def reset_filters(state: MutableMapping[str, Any]) -> None:
    """Callback of the reset button: every filter back to its default."""
    for key, value in FILTER_DEFAULTS.items():
        state[key] = list(value) if isinstance(value, list) else value


def keep_open_tab(state: MutableMapping[str, Any], language: str) -> None:
    """st.tabs remembers the open tab by its label: after a change of language, name
    the same tab in the new one (an unknown label is left for st.tabs to ignore)."""
    label = state.get(EXPLORE_TAB_KEY)
    for name in EXPLORE_TABS:
        if label in {t(name, other) for other in LANGUAGES}:
            state[EXPLORE_TAB_KEY] = t(name, language)
