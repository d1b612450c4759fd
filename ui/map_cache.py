"""The dashboard's map as built for a request, kept for the last few requests.

Building the map of a large set (the hexagons counted over every selected row,
then the layers) is most of a map run, and the same map is asked for again and
again: st_folium reruns the map after the first draw as it reports where it
opened, an analyst returns to a filter, the first page asks for the map the
warm-up built. :func:`cached_map` keeps the last ``MAP_CACHE_SIZE`` maps, keyed
on everything the map is built from (:class:`MapRequest`, the loaded incidents
or the server store's generation, the imported basemaps), and hands out a copy
of the kept one: st_folium renames and re-parents the elements it is given, so
a map must never reach it twice.

Nothing here imports ``streamlit_folium``: the warm-up (``ui.warmup``) fills
this cache for the first page before any script run, when declaring the map's
component would leave it unregistered.
"""

from __future__ import annotations

import copy
import dataclasses
import math
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from functools import partial
from typing import Any

import folium
import numpy as np
import pandas as pd
import shapely.geometry

from incidents.maps.basemaps import list_basemaps
from incidents.maps.build import FIT_MAX_ZOOM, ExtraLayer, MapResult, View, build_map
from incidents.maps.choropleth import choropleth_layer
from incidents.maps.columns import map_columns
from incidents.maps.draw import add_draw_control
from incidents.maps.reference import reference_layer
from incidents.maps.served import build_served_map
from incidents.regions.spatial_filter import parse_polygon
from incidents.selection import Selection
from incidents.store.queries import ServedSelection
from ui.i18n import t

# Most of a 1280 x 720 screen below the headline and the tabs.
MAP_HEIGHT_PX = 500
MAP_WIDTH_PX = 900  # the map across the main column of a laptop screen
# Enough for st_folium's follow-up runs, the view before a click on a hexagon and a
# few filters to go back to; each kept map of hexagons is well under a megabyte.
MAP_CACHE_SIZE = 8
# As many loaded frames as ``ui.data.load_store_frame`` keeps (two store generations).
MAP_CACHE_FRAMES = 2

AnySelection = Selection | ServedSelection


@dataclass(frozen=True)
class MapRequest:
    """Everything a map is built from besides the incidents themselves."""

    data_key: str  # the filtered set: source and filters as a query string
    week: str  # the playback's week, or "" for the whole selection
    view: View | None
    language: str
    choropleth: bool = False
    successors: bool = False  # the choropleth counts successor regions too
    polygon: str = ""  # the drawn filter area
    near: str | None = None  # the "near" filter's circle
    places_for: tuple[float, float, float, float] | None = None  # the gazetteer's places
    online_tiles: bool = False


def fit_zoom(south: float, west: float, north: float, east: float,
             cap: int = FIT_MAX_ZOOM) -> int:
    """The largest zoom showing these bounds in the dashboard's map (about 600 x 540 px),
    at most ``cap`` so a single incident still shows its surroundings."""
    lng_span = max(east - west, 1e-6)
    lat_span = max(north - south, 1e-6)
    by_width = math.log2(360.0 * MAP_WIDTH_PX / 256 / lng_span)
    by_height = math.log2(170.0 * MAP_HEIGHT_PX / 256 / lat_span)
    return int(min(max(math.floor(min(by_width, by_height)), 2), cap))


def extent_view(gdf: pd.DataFrame, rows: np.ndarray | None = None) -> View | None:
    """A view holding every placed incident (of ``rows``, a mask, when given).

    The map is opened on an explicit centre and zoom rather than fitted to bounds
    in the browser, because st_folium's frame starts with zero height and a fit
    computed then lands in the wrong place.
    """
    columns = map_columns(gdf)
    placed = np.flatnonzero(columns.placed if rows is None else columns.placed & rows)
    if not len(placed):
        return None
    lat, lng = columns.latitude.take(placed), columns.longitude.take(placed)
    south, west, north, east = lat.min(), lng.min(), lat.max(), lng.max()
    zoom = fit_zoom(south, west, north, east)
    return View(float(south), float(west), float(north), float(east), zoom)


def selection_extent(shown: AnySelection) -> View | None:
    """The view the map opens on for a selection: all its placed incidents."""
    if isinstance(shown, ServedSelection):
        bounds = shown.extent()
        return None if bounds is None else View(*bounds, fit_zoom(*bounds))
    return extent_view(shown.frame, shown.rows)


def near_circle(near: str, language: str) -> folium.Circle | None:
    """The "near" filter's circle ("lat,lon,km"), or None when it is not one."""
    try:
        latitude, longitude, km = (float(part) for part in near.split(","))
    except ValueError:
        return None
    circle = folium.Circle((latitude, longitude), radius=km * 1000, color="#1f4e9c", weight=2,
                           fill=True, fill_opacity=0.04, dash_array="6 4", interactive=False)
    circle.layer_name = t("near_area", language)
    return circle


def region_incidents(shown: AnySelection) -> pd.DataFrame:
    """What the choropleth counts: the selected rows' region names, or from a server
    store its counts per region (one row per region, weighted by ``incidents``)."""
    if isinstance(shown, ServedSelection):
        return shown.queries.store.region_counts(shown.spec)
    return shown.columns(["latitude", "longitude", "fatalities", "admin1"])


def extra_layers(shown: AnySelection, polygon: str, choropleth: bool, near: str | None,
                 language: str, successors: bool = False) -> list[ExtraLayer]:
    """The draw toolbar, the drawn filter area, the near circle and the optional choropleth."""
    extras: list[ExtraLayer] = [partial(add_draw_control, language=language)]
    circle = near_circle(near, language) if near else None
    if circle is not None:
        extras.append(circle)
    if polygon:
        extras.append(folium.GeoJson(
            shapely.geometry.mapping(parse_polygon(polygon)),
            name=t("drawn_area", language),
            style_function=lambda _: {"color": "#1f4e9c", "weight": 2, "fillOpacity": 0.05},
        ))
    if choropleth:
        extras.append(choropleth_layer(
            region_incidents(shown), level="admin1",
            language=language, as_filter=True, include_successors=successors))
    return extras


def build_dashboard_map(shown: AnySelection, request: MapRequest) -> MapResult:
    """The map ``request`` asks for, built afresh (layers apart, for st_folium)."""
    extras = extra_layers(shown, request.polygon, request.choropleth, request.near,
                          request.language, request.successors)
    if request.places_for is not None:
        extras.append(reference_layer(*request.places_for,
                                      name=t("reference_places", request.language)))
    options: dict[str, Any] = {"language": request.language, "extra_layers": extras,
                               "overlays_apart": True, "online_tiles": request.online_tiles}
    if isinstance(shown, ServedSelection):
        return build_served_map(shown, view=request.view, **options)
    return build_map(shown.frame, rows=shown.rows, view=request.view, **options)


@dataclass
class _Kept:
    frame: weakref.ref[pd.DataFrame] | None  # the loaded incidents (None: a server store's)
    result: MapResult  # never given to st_folium: only copies of it are


_kept: OrderedDict[tuple[Any, ...], _Kept] = OrderedDict()
_lock = threading.Lock()


def _incidents_token(shown: AnySelection) -> tuple[Any, Any]:
    """What identifies the incidents behind ``shown``: the loaded frame itself (the
    dashboard holds one per store generation or file), or the server's generation."""
    if isinstance(shown, ServedSelection):
        return "served", shown.queries.store.generation()
    return "frame", id(shown.frame)


def _matches(kept: _Kept, shown: AnySelection) -> bool:
    """Whether ``kept`` was built from the very frame ``shown`` selects from (a frame's
    id may be reused once it is gone)."""
    if kept.frame is None:
        return isinstance(shown, ServedSelection)
    return isinstance(shown, Selection) and kept.frame() is shown.frame


def cached_map(shown: AnySelection, request: MapRequest) -> MapResult:
    """The map ``request`` asks for of ``shown``, built at most once while it is among
    the last ``MAP_CACHE_SIZE`` asked for; each call gets its own copy, identical to a
    fresh build."""
    key = (request, _incidents_token(shown), tuple(list_basemaps()))
    with _lock:
        kept = _kept.get(key)
        if kept is not None and _matches(kept, shown):
            _kept.move_to_end(key)
        else:
            kept = None
    if kept is None:
        frame = None if isinstance(shown, ServedSelection) else weakref.ref(shown.frame)
        kept = _Kept(frame, build_dashboard_map(shown, request))
        with _lock:
            _kept[key] = kept
            _kept.move_to_end(key)
            _evict()
    return _copy(kept.result)


def _evict() -> None:
    """Down to ``MAP_CACHE_SIZE`` maps of at most ``MAP_CACHE_FRAMES`` frames, the
    least recently asked for going first: a kept map may hold its frame (the regions'
    incidents are read from it when clicked), which must not outlive the dashboard's
    own cache of frames by long."""
    for key in [key for key, kept in _kept.items()
                if kept.frame is not None and kept.frame() is None]:
        del _kept[key]
    while len(_kept) > MAP_CACHE_SIZE:
        _kept.popitem(last=False)
    frames = list(dict.fromkeys(id(kept.frame()) for kept in reversed(_kept.values())
                                if kept.frame is not None))
    for stale in frames[MAP_CACHE_FRAMES:]:
        for key in [key for key, kept in _kept.items()
                    if kept.frame is not None and id(kept.frame()) == stale]:
            del _kept[key]


def _copy(result: MapResult) -> MapResult:
    """``result`` with its own map, overlays and layer control (copied together, so
    the control still names the copied layers). What the layers draw (GeoJSON, the
    markers' and the heat map's points) is read, never changed, by st_folium: it is
    shared rather than copied, which for 5,000 markers took 15-25 ms."""
    parts = (result.map, result.overlays, result.layer_control)
    shared = {id(data): data for data in _layer_data(parts)}
    fmap, overlays, control = copy.deepcopy(parts, shared)
    return dataclasses.replace(result, map=fmap, overlays=overlays, layer_control=control)


# The attributes of folium's GeoJson and HeatMap and of IncidentPoints holding what they draw.
_DATA_ATTRIBUTES = ("data", "payload")


def _layer_data(parts: tuple[Any, ...]) -> list[Any]:
    """The (large) drawn data of every element under ``parts``."""
    found, pending = [], [part for part in parts if part is not None]
    while pending:
        element = pending.pop()
        if isinstance(element, list):
            pending.extend(element)
            continue
        for name in _DATA_ATTRIBUTES:
            data = getattr(element, name, None)
            if isinstance(data, (dict, list)):
                found.append(data)
        pending.extend(getattr(element, "_children", {}).values())
    return found


def clear_map_cache() -> None:
    """Forget every kept map (tests)."""
    with _lock:
        _kept.clear()
