"""The incident map of a server store: what is in view asked of the server, never the
incidents themselves (``incidents.store.queries``).

The same level of detail as ``build_map``: when the view holds few enough incidents
they are fetched (only those in view) and drawn one by one by ``build_map`` itself;
otherwise the server counts them into the H3 cells of the view's resolution and
``build_cells_map`` draws those. Region-level incidents (geo_precision 3) are drawn
as their regions in the first case; among many they are left out of the hexagons,
as ``build_map`` leaves them out, and not drawn (``MapResult.n_in_view`` still counts
them).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from incidents.maps import cells as cell_maps
from incidents.maps.build import (DEFAULT_MAX_POINTS, DETAIL_FACTOR, DETAIL_ZOOM, LAYERS,
                                  MIN_ZOOM, ExtraLayer, MapResult, View, build_cells_map,
                                  build_map)
from incidents.store.queries import ServedSelection, cells_of_groups


def build_served_map(
    selection: ServedSelection,
    *,
    view: View | None,
    language: str = "en",
    layers: Collection[str] = LAYERS,
    online_tiles: bool = False,
    max_points: int = DEFAULT_MAX_POINTS,
    max_cells: int = cell_maps.MAX_CELLS,
    extra_layers: Sequence[ExtraLayer] = (),
    overlays_apart: bool = False,
) -> MapResult:
    """``build_map`` for a :class:`ServedSelection` (same arguments, same result)."""
    queries, spec = selection.queries, selection.spec
    bounds = None if view is None else (view.south, view.west, view.north, view.east)
    zoom = view.zoom if view is not None else MIN_ZOOM
    groups = selection.view_groups(bounds, cell_maps.resolution_for_zoom(zoom))
    n_in_view = int(groups["count"].sum())
    limit = max_points * (DETAIL_FACTOR if zoom >= DETAIL_ZOOM else 1)
    if n_in_view <= limit:
        frame = queries.rows_in_view(spec, bounds)
        result = build_map(frame, view=view, language=language, layers=layers,
                           online_tiles=online_tiles, max_points=max_points,
                           max_cells=max_cells, extra_layers=extra_layers,
                           overlays_apart=overlays_apart)
        result.n_unplaced = selection.unplaced()
        return result
    resolution, cells = cells_of_groups(groups, cell_maps.resolution_for_zoom(zoom), max_cells)
    event_types = sorted(set(groups["event_type"]) - {""})
    return build_cells_map(
        cells, resolution=resolution, view=view, n_in_view=n_in_view,
        n_unplaced=selection.unplaced(), event_types=event_types,
        language=language, layers=layers, online_tiles=online_tiles,
        extra_layers=extra_layers, overlays_apart=overlays_apart)
