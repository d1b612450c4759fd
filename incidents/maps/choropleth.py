"""Choropleth of filtered incidents per region, region outlines, and reading a click back.

Counts are made by locating each incident's point in the region set's polygons
(the active set by default), so they agree with the map whatever spelling the
records use. Only the countries that have incidents are drawn (a user-loaded
set without country codes is drawn whole). The legend is our own HTML control,
shown and hidden with the layer; no branca colormap (see ``incidents.maps.assets``).

Clicking a region, in the dashboard::

    result = st_folium(fmap, returned_objects=["last_active_drawing", ...])
    picked = clicked_region(result)   # {"region": "Ségou", "level": "admin1", ...} or None
    if picked: spec = dataclasses.replace(spec, admin1s=(picked["region"],))

streamlit-folium sets ``last_active_drawing`` to the clicked GeoJSON feature; its
properties carry the raw region name. ``last_object_clicked_tooltip`` holds the
tooltip's text ("Region Ségou Incidents 12") if only that is returned.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement, Template

from incidents import i18n
from incidents.maps.escape import escape_text
from incidents.regions.lookup import NO_UNIT, RegionIndex
from incidents.regions.sets import active_region_set, region_polygons, regions_dir

MEASURES = ("count", "fatalities")
LEVELS = ("admin1", "admin2")
ZERO_COLOUR = "#f1efe9"
RAMP = ("#fde2bd", "#fbb97e", "#f2854d", "#d64a2c", "#9e1b1b")
OUTLINE_COLOUR = "#5b5b5b"
DISPLAY_TOLERANCE_DEG = 0.01
COORDINATE_DECIMALS = 3

def _words(language: str) -> Mapping[str, str]:
    return i18n.section("choropleth", language)


def _set_name(region_set: str | None) -> str:
    return region_set or active_region_set()


@lru_cache(maxsize=4)
def _cached_polygons(name: str, level: str, stamp: float) -> tuple[gpd.GeoDataFrame, RegionIndex]:
    polygons = region_polygons(name, level).reset_index(drop=True)
    return polygons, RegionIndex(polygons.geometry.values)


def _polygons(region_set: str | None, level: str) -> tuple[gpd.GeoDataFrame, RegionIndex]:
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}")
    name = _set_name(region_set)
    path = regions_dir() / f"{name}.parquet"
    return _cached_polygons(name, level, path.stat().st_mtime if path.exists() else 0.0)


def region_totals(
    incidents: pd.DataFrame,
    *,
    level: str = "admin1",
    measure: str = "count",
    region_set: str | None = None,
    countries: Iterable[str] | None = None,
    as_filter: bool = False,
    include_successors: bool = False,
) -> gpd.GeoDataFrame:
    """Regions (of the countries with incidents, or ``countries``) with ``value``:
    the number of incidents, or their summed fatalities, whose point lies in each.

    With ``as_filter`` an incident counts in the region its record names, the way the
    region filter selects it (``incidents.filters``: aliases, and successor regions
    with ``include_successors``), so a region's tooltip gives the count its click
    filters to. Located by point instead, an incident coded to a region the
    boundary set does not have (Ménaka, carved out of Gao) counted in Gao on the
    map but not in the Gao filter.
    """
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {MEASURES}")
    polygons, index = _polygons(region_set, level)
    out = polygons.copy()
    if as_filter and level in incidents.columns:
        out["value"] = _counts_by_record_region(incidents, out[level], level=level, measure=measure,
                                                include_successors=include_successors)
    else:
        out["value"] = _counts_by_point(incidents, index, len(polygons), measure)
    wanted = {c.upper() for c in countries} if countries else set(out.loc[out["value"] > 0, "country"].dropna())
    if out["country"].notna().any():
        out = out[out["country"].isin(wanted) | (out["value"] > 0)]
    return out.reset_index(drop=True)


def _weights(incidents: pd.DataFrame, measure: str) -> pd.Series:
    """What each row counts for. A row of counts per region (a store server's
    ``region_counts``: column ``incidents``) counts for its incidents."""
    if measure == "count" and "incidents" in incidents.columns:
        return pd.to_numeric(incidents["incidents"], errors="coerce").fillna(0).astype(float)
    if measure == "fatalities":
        return pd.to_numeric(incidents["fatalities"], errors="coerce").fillna(0).astype(float)
    return pd.Series(1.0, index=incidents.index)


def _counts_by_point(incidents: pd.DataFrame, index: RegionIndex, size: int,
                     measure: str) -> np.ndarray:
    lon = pd.to_numeric(incidents["longitude"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    lat = pd.to_numeric(incidents["latitude"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    unit = index.locate(lon, lat)
    inside = unit != NO_UNIT
    weights = _weights(incidents, measure).to_numpy()[inside]
    return np.bincount(unit[inside], weights=weights, minlength=size).astype(int)


def _counts_by_record_region(incidents: pd.DataFrame, names: pd.Series, *, level: str,
                             measure: str, include_successors: bool) -> np.ndarray:
    """Per region name, the incidents the region filter would select (summed per
    distinct recorded name, so a million rows fold only their few hundred names)."""
    from incidents.filters import fold_text
    from incidents.regions.crosswalk import expand_admin1

    recorded = incidents[level]
    weights = _weights(incidents, measure)
    if isinstance(recorded.dtype, pd.CategoricalDtype):
        # Grouped on the codes: converting a million rows to strings first took 0.5 s.
        totals = weights.groupby(recorded, dropna=True, observed=True).sum()
        totals = totals.set_axis(totals.index.astype("string")).groupby(level=0).sum()
    else:
        totals = weights.groupby(recorded.astype("string").to_numpy(), dropna=True).sum()
    folded = fold_text(pd.Series(totals.index, dtype="string"))
    by_folded = pd.Series(totals.to_numpy(), index=folded.to_numpy()).groupby(level=0).sum()
    aliases_of = [
        None if pd.isna(name) else
        (expand_admin1([str(name)], include_successors=include_successors)
         if level == "admin1" else {str(name)})
        for name in names
    ]
    # Every alias folded in one call: folding them region by region took seconds.
    every = sorted({alias for aliases in aliases_of if aliases for alias in aliases})
    folded_alias = dict(zip(every, fold_text(pd.Series(every, dtype="string"))))
    total_of = by_folded.to_dict()
    values = []
    for aliases in aliases_of:
        keys = {folded_alias[alias] for alias in aliases} if aliases is not None else set()
        values.append(int(sum(total_of.get(key, 0.0) for key in sorted(keys, key=str))))
    return np.asarray(values, dtype=int)


def class_breaks(values: Sequence[int] | np.ndarray, classes: int = len(RAMP)) -> list[int]:
    """Lower bounds of up to ``classes`` colour classes over the positive values (quantiles)."""
    positive = np.asarray(values, dtype=float)
    positive = positive[positive > 0]
    if not len(positive):
        return []
    quantiles = np.quantile(positive, np.linspace(0, 1, classes + 1)[:-1])
    return sorted({max(1, int(np.ceil(q))) for q in quantiles})


def colour_for(value: float, breaks: Sequence[int]) -> str:
    if value <= 0 or not breaks:
        return ZERO_COLOUR
    position = int(np.searchsorted(np.asarray(breaks), value, side="right")) - 1
    return RAMP[max(0, min(position, len(RAMP) - 1))]


def legend_body(breaks: Sequence[int], maximum: int, *, level: str, measure: str, language: str) -> str:
    """Legend HTML (every word escaped): one swatch per class, plus zero."""
    w = _words(language)
    title = w["layer"].format(measure=w[measure], level=w[level].lower())
    rows = [f"<b>{escape_text(title)}</b>"]
    swatch = '<span style="display:inline-block;width:14px;height:11px;margin-right:5px;' \
             'border:1px solid #999;background:{}"></span>'
    rows.append(swatch.format(ZERO_COLOUR) + "0")
    uppers = [b - 1 for b in breaks[1:]] + [maximum]
    for low, high, colour in zip(breaks, uppers, RAMP):
        span = str(low) if low == high else f"{low}–{high}"
        rows.append(swatch.format(colour) + escape_text(span))
    return "<br>".join(rows)


class LayerLegend(MacroElement):
    """A legend control that appears and disappears with its parent layer.

    Built in the script macro: streamlit-folium only forwards elements' scripts.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var layer = {{ this._parent.get_name() }};
            var control = L.control({position: "bottomright"});
            control.onAdd = function () {
                var div = L.DomUtil.create("div", "incidents-choropleth-legend");
                div.style.cssText = "background:rgba(255,255,255,.92);padding:6px 9px;"
                    + "border-radius:4px;font:12px/1.5 sans-serif;box-shadow:0 1px 4px rgba(0,0,0,.3);";
                div.innerHTML = {{ this.body | tojson }};
                return div;
            };
            layer.on("add", function () { control.addTo(layer._map); });
            layer.on("remove", function () { control.remove(); });
            if (layer._map) { control.addTo(layer._map); }
        })();
        {% endmacro %}
        """
    )

    def __init__(self, body: str) -> None:
        super().__init__()
        self._name = "LayerLegend"
        self.body = body


def _display_geometries(frame: gpd.GeoDataFrame, tolerance: float) -> np.ndarray:
    simplified = frame.geometry.simplify_coverage(tolerance) if tolerance > 0 else frame.geometry
    return shapely.transform(simplified.to_numpy(), lambda xy: np.round(xy, COORDINATE_DECIMALS))


def _feature_collection(geometries: np.ndarray, properties: list[dict]) -> dict:
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": props, "geometry": shapely.geometry.mapping(geom)}
            for props, geom in zip(properties, geometries)
            if geom is not None and not geom.is_empty
        ],
    }


def choropleth_layer(
    incidents: pd.DataFrame,
    *,
    level: str = "admin1",
    measure: str = "count",
    region_set: str | None = None,
    countries: Iterable[str] | None = None,
    language: str = "en",
    name: str | None = None,
    show: bool = True,
    simplify_degrees: float = DISPLAY_TOLERANCE_DEG,
    as_filter: bool = False,
    include_successors: bool = False,
) -> folium.FeatureGroup:
    """A toggleable layer colouring each region by its incidents (or fatalities), with
    a tooltip per region and its own legend. Add it to the map like any layer.
    ``as_filter``: count as the region filter does (see :func:`region_totals`)."""
    w = _words(language)
    totals = region_totals(incidents, level=level, measure=measure, region_set=region_set,
                           countries=countries, as_filter=as_filter,
                           include_successors=include_successors)
    breaks = class_breaks(totals["value"])
    maximum = int(totals["value"].max()) if len(totals) else 0
    name_column = level
    properties = [
        {
            "region": str(row[name_column]),
            "region_level": level,
            "admin1": None if pd.isna(row["admin1"]) else str(row["admin1"]),
            "country": None if pd.isna(row["country"]) else str(row["country"]),
            "code": None if pd.isna(row[f"{level}_code"]) else str(row[f"{level}_code"]),
            "value": int(row["value"]),
            "label": escape_text(row[name_column]),
            "fill": colour_for(row["value"], breaks),
        }
        for _, row in totals.drop(columns="geometry").iterrows()
    ]
    data = _feature_collection(_display_geometries(totals, simplify_degrees), properties)
    group = folium.FeatureGroup(
        name=name or w["layer"].format(measure=w[measure], level=w[level].lower()), show=show
    )
    if not data["features"]:
        group.add_child(LayerLegend(legend_body([], 0, level=level, measure=measure, language=language)))
        return group
    folium.GeoJson(
        data,
        style_function=lambda feature: {
            "fillColor": feature["properties"]["fill"], "fillOpacity": 0.65,
            "color": OUTLINE_COLOUR, "weight": 0.7, "opacity": 0.8,
        },
        highlight_function=lambda feature: {"weight": 2.5, "color": "#222", "fillOpacity": 0.8},
        tooltip=folium.GeoJsonTooltip(
            fields=["label", "value"], aliases=[escape_text(w[level]), escape_text(w[measure])], sticky=True
        ),
    ).add_to(group)
    group.add_child(LayerLegend(legend_body(breaks, maximum, level=level, measure=measure, language=language)))
    return group


def region_outline_layer(
    *,
    region_set: str | None = None,
    level: str = "admin1",
    countries: Iterable[str] | None = None,
    language: str = "en",
    show: bool = False,
    simplify_degrees: float = DISPLAY_TOLERANCE_DEG,
) -> folium.FeatureGroup:
    """Outlines of the active (or named) region set, off by default, names on hover."""
    polygons, _ = _polygons(region_set, level)
    if countries and polygons["country"].notna().any():
        polygons = polygons[polygons["country"].isin({c.upper() for c in countries})]
    properties = [{"label": escape_text(value)} for value in polygons[level]]
    data = _feature_collection(_display_geometries(polygons, simplify_degrees), properties)
    group = folium.FeatureGroup(
        name=_words(language)["outlines"].format(name=_set_name(region_set)), show=show
    )
    if not data["features"]:
        return group
    folium.GeoJson(
        data,
        style_function=lambda feature: {"color": "#3d3d8f", "weight": 1.2, "fill": False},
        tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False),
    ).add_to(group)
    return group


def clicked_region(st_folium_result: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The region the analyst clicked in a choropleth: region, region_level, admin1,
    country, code and value, from ``last_active_drawing``; None otherwise."""
    if not st_folium_result:
        return None
    feature = st_folium_result.get("last_active_drawing")
    properties = feature.get("properties") if isinstance(feature, Mapping) else None
    if not isinstance(properties, Mapping) or properties.get("region_level") not in LEVELS:
        return None
    keys = ("region", "region_level", "admin1", "country", "code", "value")
    return {key: properties.get(key) for key in keys}
