"""Draw-to-filter: a rectangle/polygon drawing tool, and reading the drawing back.

In the dashboard::

    add_draw_control(fmap)
    result = st_folium(fmap, returned_objects=["all_drawings", "last_active_drawing", ...])
    polygon = drawing_to_polygon(result)
    spec = dataclasses.replace(spec, polygon=polygon_param(polygon) if polygon else None)

Several drawings are combined into one area (an incident inside any of them counts).
The Draw plugin's JS/CSS (leaflet.draw 1.0.2) are served locally through
``incidents.maps.assets.MANIFEST``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import folium
import shapely
from branca.element import MacroElement, Template
from folium import plugins
from shapely.geometry.base import BaseGeometry

from incidents import i18n
from incidents.regions.spatial_filter import polygon_param

_POLYGONAL = ("Polygon", "MultiPolygon")


class DrawWords(MacroElement):
    """Sets leaflet.draw's words (``L.drawLocal``: buttons, tooltips) to the ``draw.``
    section of the message catalogs. Added before the Draw control, whose toolbar and
    handlers read ``L.drawLocal`` when they are built."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (words) {
            function merge(target, source) {
                Object.keys(source).forEach(function (key) {
                    if (typeof source[key] === "object") {
                        target[key] = target[key] || {};
                        merge(target[key], source[key]);
                    } else {
                        target[key] = source[key];
                    }
                });
            }
            if (window.L && L.drawLocal) merge(L.drawLocal, words);
        })({{ this.words | tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, language: str) -> None:
        super().__init__()
        self._name = "DrawWords"
        self.words: dict[str, Any] = {}
        for path, text in i18n.section("draw", language).items():
            node = self.words
            *parents, leaf = path.split(".")
            for part in parents:
                node = node.setdefault(part, {})
            node[leaf] = text


def add_draw_control(fmap: folium.Map, *, position: str = "topleft", language: str = "en") -> plugins.Draw:
    """Add a Draw toolbar offering only rectangles and polygons (no alert on click), its
    buttons and tooltips in ``language``."""
    DrawWords(language).add_to(fmap)
    shape = {"shapeOptions": {"color": "#1f4e9c", "weight": 2, "fillOpacity": 0.08}}
    draw = plugins.Draw(
        export=False,
        position=position,
        show_geometry_on_click=False,
        draw_options={
            "polyline": False,
            "circle": False,
            "marker": False,
            "circlemarker": False,
            "rectangle": shape,
            "polygon": {**shape, "allowIntersection": False},
        },
        edit_options={"edit": True, "remove": True},
    )
    draw.add_to(fmap)
    return draw


def _is_drawing(feature: Any) -> bool:
    """A drawn shape, not a clicked choropleth region (those carry ``region_level``)."""
    if not isinstance(feature, Mapping):
        return False
    geometry = feature.get("geometry") or {}
    properties = feature.get("properties") or {}
    return geometry.get("type") in _POLYGONAL and "region_level" not in properties


def drawing_to_polygon(st_folium_result: Mapping[str, Any] | None) -> BaseGeometry | None:
    """The area drawn on the map (union of every drawn shape), or None if nothing is drawn.

    Reads ``all_drawings`` (every shape still on the map), falling back to
    ``last_active_drawing``. Invalid rings (a self-crossing polygon) are repaired.
    """
    if not st_folium_result:
        return None
    features = st_folium_result.get("all_drawings")
    if features is None:
        features = [st_folium_result.get("last_active_drawing")]
    shapes = []
    for feature in features or []:
        if not _is_drawing(feature):
            continue
        try:
            geometry = shapely.from_geojson(json.dumps(feature["geometry"]))
        except shapely.errors.GEOSException:
            continue
        shapes.append(shapely.make_valid(geometry) if not geometry.is_valid else geometry)
    polygons = [g for g in shapes if not g.is_empty and g.geom_type in _POLYGONAL]
    if not polygons:
        return None
    return polygons[0] if len(polygons) == 1 else shapely.union_all(polygons)


def drawing_to_filter_param(st_folium_result: Mapping[str, Any] | None) -> str | None:
    """``FilterSpec.polygon`` value for the drawn area (compact WKT), or None."""
    polygon = drawing_to_polygon(st_folium_result)
    return polygon_param(polygon) if polygon is not None else None
