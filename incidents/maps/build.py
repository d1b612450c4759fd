"""``build_map``: the incident map at the level of detail the view calls for.

What reaches the browser depends on what is in view, not on how many
incidents exist. When the (rounded) view holds at most ``max_points``
incidents they are drawn one by one with their precision styling; otherwise
they are aggregated into H3 hexagons sized for the zoom. Zooming in shrinks
the view until individual incidents appear.

The dashboard keys its cache on ``round_view(bounds, zoom)`` so small pans
do not rebuild the map, and reads clicks back with ``MapResult.clicked``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

import folium
import numpy as np
import pandas as pd
from branca.element import Element

from incidents.maps import cells as cell_maps
from incidents.maps import heat
from incidents.maps.base import DEFAULT_LOCATION, DEFAULT_ZOOM, make_base_map
from incidents.maps.columns import Coded, map_columns
from incidents.maps.incident_layer import (
    TOOLTIP_SEPARATOR,
    IncidentPoints,
    RegionMembers,
    incident_ids,
    region_layer,
)
from incidents.maps.legend import Legend, legend_html, words
from incidents.maps.overlays import Overlays

LAYERS: tuple[str, ...] = ("incidents", "heat")
# Measured with bench/scale.py's warmed headless Chromium (SVG markers, 2 shared
# cores): 1k markers 0.32 MB / 0.63 s, 5k 0.71 MB / 0.89 s, 10k 1.15 MB / 1.06 s,
# 20k 2.0 MB / 1.17 s. 5k keeps the page well under 1.5 MB and a second.
DEFAULT_MAX_POINTS = 5_000
# At street level stacked incidents (many at one town centre) may still
# exceed max_points; from this zoom on we draw up to DETAIL_FACTOR times more
# so single incidents stay reachable.
DETAIL_ZOOM = 13
DETAIL_FACTOR = 4
# Rounding grid for views, as a fraction of one 256-px tile at the view's zoom.
VIEW_GRID_TILES = 0.5
# Assumed map size when the zoom must be guessed from data bounds.
MAP_WIDTH_PX, MAP_HEIGHT_PX = 900, 600
MIN_ZOOM, MAX_ZOOM = 2, 18
# The furthest a map opens when fitted to its incidents. The offline tiles stop
# at zoom 6: at 8 a lone incident near Mopti shows Mopti, Segou, the rivers and
# region borders with legible tile labels; at 9 the labels blur and only one town
# is left in view (tests/artifacts/dashboard_single_incident.png). The analyst
# can still zoom in to the tiles' own maximum.
FIT_MAX_ZOOM = 8
# A click this far (in screen pixels) from every marker selects nothing.
CLICK_TOLERANCE_PX = 24

# A layer or control for ``build_map(extra_layers=...)``, or a function adding one to the map.
ExtraLayer = Element | Callable[[folium.Map], Any]


class View(NamedTuple):
    """A map view snapped outward to a grid: bounds in degrees and the integer zoom."""

    south: float
    west: float
    north: float
    east: float
    zoom: int

    @property
    def centre(self) -> tuple[float, float]:
        """(latitude, longitude) of the middle of the view."""
        return (self.south + self.north) / 2, (self.west + self.east) / 2


@dataclass(frozen=True)
class ClickTarget:
    """What an analyst clicked: one incident, a region's incidents, or a hexagon to zoom into."""

    kind: Literal["incident", "region", "cell"]
    key: str
    incident_ids: tuple[str, ...] = ()
    bounds: tuple[float, float, float, float] | None = None


class ClickTargets(Mapping[str, ClickTarget]):
    """What each tooltip key of a map stands for. The incident ids behind a region are
    only read from the frame when that region is looked up (see ``RegionMembers``)."""

    def __init__(self) -> None:
        self._targets: dict[str, ClickTarget] = {}
        self._regions: list[RegionMembers] = []

    def update(self, pairs: Iterable[tuple[str, ClickTarget]]) -> None:
        self._targets.update(pairs)

    def add_regions(self, members: RegionMembers) -> None:
        self._regions.append(members)

    def __getitem__(self, key: str) -> ClickTarget:
        if key in self._targets:
            return self._targets[key]
        for members in self._regions:
            if key in members:
                return ClickTarget("region", key, members[key])
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        seen = set(self._targets)
        yield from self._targets
        for members in self._regions:
            for key in members:
                if key not in seen:
                    seen.add(key)
                    yield key

    def __len__(self) -> int:
        return sum(1 for _ in self)


@dataclass
class MapResult:
    """A built map and what the dashboard needs to describe it and read clicks back."""

    map: folium.Map
    mode: Literal["points", "cells"]
    n_in_view: int
    n_unplaced: int
    view: View | None
    zoom: int = MIN_ZOOM
    resolution: int | None = None
    n_cells: int = 0
    cells: pd.DataFrame | None = field(default=None, repr=False)
    targets: ClickTargets = field(default_factory=ClickTargets, repr=False)
    points: pd.DataFrame | None = field(default=None, repr=False)
    overlays: list[folium.FeatureGroup] = field(default_factory=list, repr=False)
    layer_control: folium.LayerControl | None = field(default=None, repr=False)

    def clicked(self, returned: Mapping[str, Any] | None) -> ClickTarget | None:
        """Resolve st_folium's return value to what was clicked.

        Every tooltip starts with a key followed by ``TOOLTIP_SEPARATOR`` (the
        incident id, the region's name, or ``H3 <cell>``). When no tooltip came
        back, the nearest drawn incident to ``last_object_clicked`` is used.
        """
        if not returned:
            return None
        tooltip = returned.get("last_object_clicked_tooltip")
        if tooltip:
            key = str(tooltip).strip().split(TOOLTIP_SEPARATOR)[0].strip()
            if key in self.targets:
                return self.targets[key]
            bounds = cell_maps.cell_bounds(key)
            if bounds is not None:
                return ClickTarget("cell", key, (), bounds)
        return self._nearest(returned.get("last_object_clicked"))

    def _nearest(self, latlng: Mapping[str, float] | None) -> ClickTarget | None:
        """The drawn incident under a click, if one lies within ``CLICK_TOLERANCE_PX``."""
        if not latlng or self.points is None or self.points.empty:
            return None
        distance = np.hypot(self.points["lat"] - latlng["lat"], self.points["lng"] - latlng["lng"])
        nearest = int(np.argmin(distance.to_numpy()))
        degrees_per_px = 360.0 / (256 * 2**self.zoom)
        if distance.iloc[nearest] > CLICK_TOLERANCE_PX * degrees_per_px:
            return None
        return self.targets.get(str(self.points["id"].iloc[nearest]))

    def html(self) -> str:
        """The standalone page (what a browser or a payload measurement sees)."""
        return self.map.get_root().render()


def _corners(bounds: Any) -> tuple[float, float, float, float]:
    """(south, west, north, east) from ((s, w), (n, e)), a flat 4-tuple or st_folium's dict."""
    if isinstance(bounds, Mapping):
        sw, ne = bounds["_southWest"], bounds["_northEast"]
        return sw["lat"], sw["lng"], ne["lat"], ne["lng"]
    if len(bounds) == 2:
        (south, west), (north, east) = bounds
        return south, west, north, east
    south, west, north, east = bounds
    return south, west, north, east


def world_corners(bounds: Any) -> tuple[float, float, float, float]:
    """(south, west, north, east) of ``bounds`` within the world's one copy.

    Zoomed out so far that the map is wider than the world, Leaflet reports
    longitudes beyond +-180 (about -200 to 206 at zoom 2 on a 1,250 px map); no View
    reaches past them, so a view is compared and snapped within them.
    """
    south, west, north, east = (float(v) for v in _corners(bounds))
    return max(south, -90.0), max(west, -180.0), min(north, 90.0), min(east, 180.0)


def round_view(bounds: Any, zoom: float) -> View:
    """Snap a view outward to a grid of half tiles, so small pans give the same View."""
    level = int(round(zoom))
    step = 360.0 / 2**level * VIEW_GRID_TILES
    south, west, north, east = world_corners(bounds)
    return View(
        south=max(math.floor(south / step) * step, -90.0),
        west=max(math.floor(west / step) * step, -180.0),
        north=min(math.ceil(north / step) * step, 90.0),
        east=min(math.ceil(east / step) * step, 180.0),
        zoom=level,
    )


def zoom_for_bounds(south: float, west: float, north: float, east: float) -> int:
    """The largest zoom at which the bounds fit a ``MAP_WIDTH_PX`` x ``MAP_HEIGHT_PX`` map."""
    lng_span = max(east - west, 1e-6)
    lat_span = max(north - south, 1e-6)
    by_width = math.log2(360.0 * MAP_WIDTH_PX / 256 / lng_span)
    by_height = math.log2(170.0 * MAP_HEIGHT_PX / 256 / lat_span)
    return int(min(max(math.floor(min(by_width, by_height)), MIN_ZOOM), MAX_ZOOM))


def build_map(
    gdf: pd.DataFrame,
    *,
    rows: np.ndarray | pd.Series | None = None,
    view: View | None = None,
    language: str = "en",
    layers: Collection[str] = LAYERS,
    online_tiles: bool = False,
    max_points: int = DEFAULT_MAX_POINTS,
    max_cells: int = cell_maps.MAX_CELLS,
    extra_layers: Sequence[ExtraLayer] = (),
    overlays_apart: bool = False,
) -> MapResult:
    """The map of ``gdf`` for ``view``, or for the data's extent when ``view`` is None.

    ``rows`` is an optional boolean mask (e.g. ``filters.filter_mask``): passing
    the mask instead of a filtered copy saves copying every column of a large
    frame. ``layers`` picks overlays among ``LAYERS``; the heat map starts hidden.
    ``extra_layers`` (a choropleth, a drawn area...) are added after ours and
    before the layer control, whose script names every layer and fails in
    Leaflet on one added after it; a callable among them is called with the map
    (for helpers that add themselves, such as ``draw.add_draw_control``).
    Fitted to the data, the map opens at most at ``FIT_MAX_ZOOM``.

    With ``overlays_apart`` the layers that depend on the data are returned in
    ``MapResult.overlays`` (with the layer control naming them) instead of being
    added to the map, and the map itself opens on the Sahel whatever the view:
    see ``incidents.maps.overlays``. ``view`` and the data's extent then only
    decide what is drawn; the caller moves the map. Such a map is for st_folium,
    so its scripts load as one file (``incidents.maps.bundle``).
    """
    w = words(language)
    columns = map_columns(gdf)
    lat, lng, placed = columns.latitude, columns.longitude, columns.placed
    selected = np.ones(len(gdf), dtype=bool) if rows is None else np.asarray(rows, dtype=bool)
    in_view = placed & selected
    # The rows in view by position: comparing and gathering only the selected rows'
    # coordinates costs a fraction of doing it over every row of a large frame.
    shown = np.flatnonzero(in_view)
    shown_lat, shown_lng = lat.take(shown), lng.take(shown)
    location: tuple[float, float] | None = None
    fit: list[list[float]] | None = None
    zoom = MIN_ZOOM
    if view is not None:
        inside = (shown_lat >= view.south) & (shown_lat <= view.north)
        inside &= (shown_lng >= view.west) & (shown_lng <= view.east)
        if not inside.all():
            shown = shown[inside]
            in_view = np.zeros(len(gdf), dtype=bool)
            in_view[shown] = True
        location = view.centre
        zoom = view.zoom
    elif len(shown):
        extent = (shown_lat.min(), shown_lng.min(), shown_lat.max(), shown_lng.max())
        zoom = min(zoom_for_bounds(*extent), FIT_MAX_ZOOM)
        location = ((extent[0] + extent[2]) / 2, (extent[1] + extent[3]) / 2)
        fit = [[extent[0], extent[1]], [extent[2], extent[3]]]
    if overlays_apart:
        fmap = make_base_map(language=language, online_tiles=online_tiles,
                             location=DEFAULT_LOCATION, zoom=DEFAULT_ZOOM)
    elif location is None:
        fmap = make_base_map(language=language, online_tiles=online_tiles)
    else:
        fmap = make_base_map(language=language, online_tiles=online_tiles, location=location,
                             zoom=zoom)
        if fit is not None:
            fmap.fit_bounds(fit, max_zoom=FIT_MAX_ZOOM)
    overlays = Overlays(fmap, apart=overlays_apart)

    n_in_view = len(shown)
    limit = max_points * (DETAIL_FACTOR if zoom >= DETAIL_ZOOM else 1)
    mode: Literal["points", "cells"] = "points" if n_in_view <= limit else "cells"
    region_rows = in_view & (columns.precision == 3)
    point_rows = in_view & ~region_rows
    result = MapResult(
        map=fmap,
        mode=mode,
        n_in_view=n_in_view,
        n_unplaced=int(np.count_nonzero(selected & ~placed)),
        view=view,
        zoom=zoom,
    )
    cells = _cells_for_view(result, gdf, point_rows, zoom, max_cells) if mode == "cells" else None

    if "incidents" in layers:
        if region_rows.any():
            regions, region_ids = region_layer(
                gdf, rows=region_rows, language=language, name=w["regions_layer"]
            )
            regions.add_to(overlays.host(w["regions_layer"]))
            result.targets.add_regions(region_ids)
        if cells is not None:
            cell_maps.cell_layer(cells, language=language, name=w["cells_layer"]).add_to(
                overlays.host(w["cells_layer"]))
        else:
            _add_points(result, gdf.loc[point_rows], language,
                        overlays.host(w["incidents_layer"]))
    if "heat" in layers:
        if cells is None:
            points = heat.heat_from_points(gdf.loc[in_view, ["latitude", "longitude"]])
        else:
            points = heat.heat_from_cells(cells)
        heat.heat_layer(points, name=w["heat_layer"], show=overlays.apart).add_to(
            overlays.host(w["heat_layer"], show=False))

    _finish(result, overlays, _event_types_in(columns.event_type, shown), language,
            extra_layers)
    return result


def _finish(result: MapResult, overlays: Overlays, event_types: list[str], language: str,
            extra_layers: Sequence[ExtraLayer]) -> None:
    """The legend, the caller's extra layers, then the layer control naming them all."""
    Legend(legend_html(language, result.mode, event_types)).add_to(overlays.host())
    for extra in extra_layers:
        if isinstance(extra, Element):
            extra.add_to(overlays.host(getattr(extra, "layer_name", None)))
        else:
            extra(result.map)
    result.layer_control = overlays.finish()
    result.overlays = overlays.groups


def build_cells_map(
    cells: pd.DataFrame,
    *,
    resolution: int,
    view: View | None,
    n_in_view: int,
    n_unplaced: int,
    event_types: list[str],
    language: str = "en",
    layers: Collection[str] = LAYERS,
    online_tiles: bool = False,
    extra_layers: Sequence[ExtraLayer] = (),
    overlays_apart: bool = False,
) -> MapResult:
    """The map of hexagons counted elsewhere (by a store's server, see
    ``incidents.maps.served``), drawn as ``build_map`` draws its cells mode: the
    same base map, cell and heat layers, legend and extra layers."""
    w = words(language)
    zoom = view.zoom if view is not None else MIN_ZOOM
    if overlays_apart or view is None:
        fmap = make_base_map(language=language, online_tiles=online_tiles,
                             location=DEFAULT_LOCATION, zoom=DEFAULT_ZOOM)
    else:
        fmap = make_base_map(language=language, online_tiles=online_tiles,
                             location=view.centre, zoom=zoom)
    overlays = Overlays(fmap, apart=overlays_apart)
    result = MapResult(map=fmap, mode="cells", n_in_view=n_in_view, n_unplaced=n_unplaced,
                       view=view, zoom=zoom, resolution=resolution, n_cells=len(cells),
                       cells=cells)
    if "incidents" in layers:
        cell_maps.cell_layer(cells, language=language, name=w["cells_layer"]).add_to(
            overlays.host(w["cells_layer"]))
    if "heat" in layers:
        heat.heat_layer(heat.heat_from_cells(cells), name=w["heat_layer"],
                        show=overlays.apart).add_to(overlays.host(w["heat_layer"], show=False))
    _finish(result, overlays, event_types, language, extra_layers)
    return result


def _event_types_in(types: Coded, positions: np.ndarray) -> list[str]:
    """Distinct event types among the rows at ``positions``, sorted."""
    present = np.flatnonzero(np.bincount(types.codes.take(positions),
                                         minlength=len(types.labels)))
    return sorted(str(types.labels[c]) for c in present if types.labels[c])


def _cells_for_view(
    result: MapResult, frame: pd.DataFrame, rows: np.ndarray, zoom: int, max_cells: int
) -> pd.DataFrame:
    """Hexagons for the zoom, stepping coarser while there are more than ``max_cells``."""
    resolution = cell_maps.resolution_for_zoom(zoom)
    cells = cell_maps.aggregate_cells(frame, resolution, rows)
    while len(cells) > max_cells and resolution > min(cell_maps.MAP_RESOLUTIONS):
        resolution -= 1
        cells = cell_maps.aggregate_cells(frame, resolution, rows)
    result.resolution = resolution
    result.n_cells = len(cells)
    result.cells = cells
    return cells


def _add_points(result: MapResult, frame: pd.DataFrame, language: str, host: Element) -> None:
    """Individual markers, registered as click targets by incident id."""
    IncidentPoints(frame, language=language, name=words(language)["incidents_layer"]).add_to(host)
    ids = incident_ids(frame).astype(str)
    result.points = pd.DataFrame(
        {
            "id": ids.to_numpy(),
            "lat": frame["latitude"].to_numpy(),
            "lng": frame["longitude"].to_numpy(),
        }
    )
    result.targets.update((i, ClickTarget("incident", i, (i,))) for i in ids)
