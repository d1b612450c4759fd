"""An imported vector basemap as a Leaflet base layer, drawn by protomaps-leaflet.

Vector tiles carry no style. Files from tilemaker, planetiler or tippecanoe use one of a
few schemas (OpenMapTiles, Shortbread, Protomaps, or the analyst's own layers), so the
style here is derived from the layer names the file lists: each layer gets a fill for
its polygons, a stroke for its lines and a label for named points and areas, with
colours picked by what the name says the layer holds (water, roads, buildings, green
areas, boundaries; anything else drawn in neutral greys). Labels are drawn on the
canvas, so a name in a tile is never markup.
"""

from __future__ import annotations

import json

from folium.map import Layer
from jinja2 import Template

from incidents.maps.basemaps import Basemap
from incidents.maps.escape import escape_text
from incidents.maps.tiles import MAX_ZOOM

SCRIPT_URL = "https://cdn.jsdelivr.net/npm/protomaps-leaflet@5.1.0/dist/protomaps-leaflet.js"
BACKGROUND = "#f3f1ec"
LABEL_PROPERTIES = ["name", "name:fr", "name:en", "name_int", "name:latin"]

# (words in a layer's name, polygon fill, line colour, line width); first match wins.
THEMES: tuple[tuple[tuple[str, ...], str, str, float], ...] = (
    (("water", "ocean", "lake", "river", "sea"), "#b7d3e6", "#8fb8d8", 1.2),
    (("road", "street", "transport", "highway", "railway", "path"), "#ffffff", "#c9a66b", 1.4),
    (("building",), "#d9d0c7", "#c2b8ad", 0.5),
    (("park", "green", "landcover", "landuse", "forest", "wood", "natural"),
     "#dde8cf", "#c3d6ad", 0.5),
    (("boundar", "admin"), "#00000000", "#8e6b9e", 1.0),
)
DEFAULT_THEME = ("#e4e0d8", "#9a958c", 0.8)


def layer_style(layer: str) -> dict:
    """Fill, line colour and width for the vector layer called ``layer``."""
    name = layer.lower()
    for words, fill, line, width in THEMES:
        if any(word in name for word in words):
            return {"layer": layer, "fill": fill, "line": line, "width": width}
    fill, line, width = DEFAULT_THEME
    return {"layer": layer, "fill": fill, "line": line, "width": width}


class VectorBasemap(Layer):
    """A base layer (listed in the layer control, hidden until chosen)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function (styles, options) {
            var P = protomapsL;
            var paintRules = [], labelRules = [];
            styles.forEach(function (style) {
                paintRules.push({dataLayer: style.layer,
                    filter: function (z, f) { return f.geomType === 3; },
                    symbolizer: new P.PolygonSymbolizer({fill: style.fill, opacity: 0.9})});
                paintRules.push({dataLayer: style.layer,
                    filter: function (z, f) { return f.geomType === 2; },
                    symbolizer: new P.LineSymbolizer({color: style.line, width: style.width})});
                labelRules.push({dataLayer: style.layer,
                    filter: function (z, f) { return f.geomType !== 2; },
                    symbolizer: new P.CenteredTextSymbolizer({
                        labelProps: options.labelProps, fill: "#333333", stroke: "#ffffff",
                        width: 2, font: "11px sans-serif"})});
            });
            return P.leafletLayer({url: options.url, paintRules: paintRules,
                labelRules: labelRules, backgroundColor: options.background,
                maxDataZoom: options.maxDataZoom, maxZoom: options.maxZoom,
                attribution: options.attribution, bounds: options.bounds});
        })({{ this.styles }}, {{ this.layer_options }});
        {% endmacro %}
    """)
    default_js = [("protomaps_leaflet", SCRIPT_URL)]

    def __init__(self, basemap: Basemap) -> None:
        super().__init__(name=basemap.name, overlay=False, control=True, show=False)
        self._name = "VectorBasemap"
        bounds = None
        if basemap.bounds is not None:
            west, south, east, north = basemap.bounds
            bounds = [[south, west], [north, east]]
        # Leaflet shows the attribution as HTML: the file's text is escaped. json.dumps
        # leaves "</" as it is: it is split so no text can close the script element.
        self.styles = _script_json([layer_style(layer) for layer in basemap.vector_layers])
        self.layer_options = _script_json({
            "url": basemap.url, "labelProps": LABEL_PROPERTIES, "background": BACKGROUND,
            "maxDataZoom": basemap.max_zoom, "maxZoom": MAX_ZOOM,
            "attribution": escape_text(basemap.attribution), "bounds": bounds})


def _script_json(value: object) -> str:
    return json.dumps(value).replace("</", "<\\/").replace("<!--", "<\\!--")
