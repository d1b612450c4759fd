"""Individual incidents, drawn with their honest location precision.

Precision 1 and 2 incidents become circle markers (solid and hollow), coloured
by event type and sized by fatalities. Precision 3 incidents are drawn as the
admin-1 region they were reported in (see ``region_layer``), never as a point.

Markers are built in the browser from one compact, column-oriented JSON
payload: repeated text (actors, places, sources) is sent once per distinct
value and referenced by index, and popups are assembled only when opened.
Every string in the payload has been escaped in Python with
``incidents.maps.escape``; the script only concatenates escaped pieces.

Clicks: every marker's tooltip starts with the incident id followed by
``TOOLTIP_SEPARATOR``, which is what streamlit-folium returns as
``last_object_clicked_tooltip`` (see ``incidents.maps.build.MapResult.clicked``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa
import shapely
import shapely.geometry
from branca.element import Template
from folium import Map
from folium.features import GeoJson, GeoJsonPopup, GeoJsonTooltip
from folium.map import FeatureGroup
from folium.utilities import get_obj_in_upper_tree

from incidents import model
from incidents.maps import style
from incidents.maps.columns import column_or_missing, map_columns, point_precision
from incidents.maps.escape import escape_text, link
from incidents.maps.legend import precision_words, words
from incidents.regions.boundaries import load_admin1
from incidents.text import fold_admin_name

TOOLTIP_SEPARATOR = " · "
# Combined region keys below this are grouped by counting (see ``_groups``).
KEY_COUNTING_LIMIT = 1 << 20
# Markers get their own SVG pane above the overlay pane (z-index 400), where the
# dashed regions are: a marker inside a region stays clickable, and the region
# stays clickable around it. (A canvas renderer would swallow every event over
# the whole map, so regions under it could not be hovered.)
MARKER_PANE = "incidentMarkers"
MARKER_PANE_Z_INDEX = 450


def incident_ids(frame: pd.DataFrame) -> pd.Series:
    """The id shown for each row: ``incident_id``, else ``event_id_cnty``, else the row label."""
    ids = pd.Series(pd.NA, index=frame.index, dtype="string")
    for column in ("incident_id", "event_id_cnty"):
        if column in frame.columns:
            ids = ids.fillna(frame[column].astype("string"))
            if not ids.isna().any():
                return ids
    fallback = pd.Series(frame.index.astype(str), index=frame.index, dtype="string")
    return ids.fillna("row-" + fallback)


def _encoded(values: pd.Series) -> dict[str, list]:
    """Dictionary-encode a text column: escaped distinct values and one index per row."""
    codes, uniques = pd.factorize(values.astype(object).where(values.notna(), ""), sort=False)
    return {"values": [escape_text(v) for v in uniques], "codes": codes.tolist()}


def _text(frame: pd.DataFrame, name: str) -> pd.Series:
    """A column as plain strings, '' where missing (works for categoricals too)."""
    values = column_or_missing(frame, name)
    return values.astype(object).where(values.notna(), "").astype(str)


def _labelled(values: pd.Series, language: str) -> pd.Series:
    """Taxonomy terms translated, computed once per distinct term."""
    text = values.astype(object).where(values.notna(), "")
    mapping = {term: model.label(term, language) if term else "" for term in pd.unique(text)}
    return text.map(mapping)


def points_payload(frame: pd.DataFrame, language: str) -> dict[str, object]:
    """The JSON the browser turns into markers, for rows with precision 1 or 2."""
    w = words(language)
    type_codes, type_uniques = pd.factorize(_text(frame, "event_type"), sort=False)
    ids = incident_ids(frame)
    dates = column_or_missing(frame, "event_date")
    date_text = pd.to_datetime(dates, errors="coerce").dt.strftime("%Y-%m-%d").fillna("")
    # ACLED time_precision 2/3: the day shown stands for a week or a month.
    vague = pd.to_numeric(column_or_missing(frame, "time_precision"), errors="coerce").to_numpy(
        dtype="float64", na_value=np.nan
    )
    for code in (2, 3):
        suffix = f" ({w[f'time_precision_{code}']})"
        date_text = date_text.where(vague != code, date_text + suffix)
    actors = _text(frame, "actor1")
    second = _text(frame, "actor2")
    actors = actors.where(second == "", actors + " / " + second)
    places = [_text(frame, c) for c in ("location", "admin1", "country")]
    place = places[0].str.cat(places[1:], sep=", ").str.replace(r"(, )+", ", ", regex=True)
    place = place.str.strip(", ")
    sources = pd.Series(
        [link(u, s) for u, s in zip(column_or_missing(frame, "source_url"),
                                    column_or_missing(frame, "source"))],
        index=frame.index,
    )
    precision = point_precision(frame)
    fatalities = pd.to_numeric(column_or_missing(frame, "fatalities"), errors="coerce")
    return {
        "ids": [escape_text(v) for v in ids],
        "lat": frame["latitude"].round(5).tolist(),
        "lng": frame["longitude"].round(5).tolist(),
        "type": type_codes.tolist(),
        "typeLabels": [escape_text(model.label(t, language)) for t in type_uniques],
        "colours": [style.event_colour(t) for t in type_uniques],
        "prec": precision.tolist(),
        "precWords": {str(p): escape_text(precision_words(p, language)) for p in (1, 2, 3)},
        "styles": {str(p): style.PRECISION_STYLE[p] for p in (1, 2)},
        "radius": style.marker_radius(fatalities.to_numpy(dtype="float64", na_value=np.nan))
        .round(1)
        .tolist(),
        "fatalities": [None if pd.isna(v) else int(v) for v in fatalities],
        "date": _encoded(date_text),
        "sub": _encoded(_labelled(column_or_missing(frame, "sub_event_type"), language)),
        "actors": _encoded(actors),
        "place": _encoded(place),
        "source": _encoded_html(sources),
        "synthetic": column_or_missing(frame, "synthetic").fillna(False).astype(bool)
        .astype(int).tolist(),
        "words": {k: escape_text(w[k]) for k in (
            "date", "type", "actors", "fatalities", "location", "precision", "source", "synthetic"
        )},
    }


def _encoded_html(values: pd.Series) -> dict[str, list]:
    """Like ``_encoded`` for values that are already safe HTML (built by ``escape.link``)."""
    codes, uniques = pd.factorize(values, sort=False)
    return {"values": list(uniques), "codes": codes.tolist()}


class IncidentPoints(FeatureGroup):
    """One layer of circle markers built in the browser from ``points_payload``."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.featureGroup();
        (function (group, d) {
            var map = {{ this.map_name }};
            if (!map.getPane({{ this.pane | tojson }})) {
                map.createPane({{ this.pane | tojson }}).style.zIndex = {{ this.pane_z_index }};
            }
            function pick(col, i) { return col.values[col.codes[i]]; }
            function popup(i) {
                var w = d.words, html = "";
                if (d.synthetic[i]) {
                    html += "<div style='color:#b00;font-weight:bold'>" + w.synthetic + "</div>";
                }
                html += "<b>" + d.ids[i] + "</b><br>"
                    + w.date + ": " + pick(d.date, i) + "<br>"
                    + w.type + ": " + d.typeLabels[d.type[i]] + " (" + pick(d.sub, i) + ")<br>"
                    + w.actors + ": " + pick(d.actors, i) + "<br>"
                    + w.fatalities + ": "
                    + (d.fatalities[i] === null ? "?" : d.fatalities[i]) + "<br>"
                    + w.location + ": " + pick(d.place, i) + "<br>"
                    + w.precision + ": " + d.precWords[d.prec[i]] + "<br>"
                    + w.source + ": " + pick(d.source, i);
                return html;
            }
            for (var i = 0; i < d.lat.length; i++) {
                var colour = d.colours[d.type[i]];
                var options = Object.assign({}, d.styles[d.prec[i]],
                    {radius: d.radius[i], fillColor: colour, pane: {{ this.pane | tojson }}});
                if (!options.color) { options.color = colour; }
                var marker = L.circleMarker([d.lat[i], d.lng[i]], options);
                marker.bindTooltip(d.ids[i] + {{ this.separator | tojson }} + pick(d.date, i)
                    + {{ this.separator | tojson }} + d.typeLabels[d.type[i]]
                    + {{ this.separator | tojson }} + pick(d.place, i));
                marker.bindPopup(popup.bind(null, i), {maxWidth: 320});
                group.addLayer(marker);
            }
        })({{ this.get_name() }}, {{ this.payload | tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, frame: pd.DataFrame, *, language: str, name: str, show: bool = True):
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "IncidentPoints"
        self.separator = TOOLTIP_SEPARATOR
        self.pane = MARKER_PANE
        self.pane_z_index = MARKER_PANE_Z_INDEX
        self.payload = points_payload(frame, language)

    @property
    def map_name(self) -> str:
        """The map's variable (the parent may be a group the map does not hold yet)."""
        return get_obj_in_upper_tree(self, Map).get_name()


# --- precision 3: the region, not a point -------------------------------------------------

REGION_STYLE_COLOUR = "#333333"
REGION_IDS_LISTED = 12


@lru_cache(maxsize=1)
def _admin1_index() -> dict[tuple[str, str], int]:
    """(country key, admin1 key) -> row position in ``load_admin1()``.

    Country keys are both the ISO alpha-2 code and the normalised country name;
    admin-1 keys include Natural Earth's alternative names.
    """
    regions = load_admin1()
    index: dict[tuple[str, str], int] = {}
    for position, (iso, country, admin1, alternatives) in enumerate(
        zip(regions["iso_a2"], regions["country"], regions["admin1"], regions["admin1_alt"])
    ):
        names = {admin1, *str(alternatives or "").split("|")}
        for country_key in (str(iso).upper(), fold_admin_name(country)):
            for name in names:
                if name:
                    index.setdefault((country_key, fold_admin_name(name)), position)
    return index


@lru_cache(maxsize=512)
def _region_geojson(position: int) -> dict:
    """One region's outline as GeoJSON, coordinates rounded to about 100 m."""
    geometry = load_admin1().geometry.iloc[position]
    return shapely.geometry.mapping(shapely.set_precision(geometry, 0.001))


def region_geometry(country_code: object, country: object, admin1: object) -> dict | None:
    """GeoJSON geometry of the admin-1 region, matched accent-insensitively, or None."""
    index = _admin1_index()
    name = fold_admin_name(admin1)
    for key in (str(country_code or "").upper(), fold_admin_name(country)):
        position = index.get((key, name))
        if position is not None:
            return _region_geojson(position)
    return None


def _fallback_area(lat: float, lng: float) -> dict:
    """A dashed disc around the region's reported centre, for regions we cannot outline."""
    radius_deg = style.UNMATCHED_REGION_RADIUS_M / 111_320
    return shapely.geometry.mapping(
        shapely.set_precision(shapely.Point(lng, lat).buffer(radius_deg, quad_segs=6), 0.001)
    )


def _groups(keys: np.ndarray) -> np.ndarray:
    """Rank of each key among the distinct ones, as ``np.unique(return_inverse=True)``.

    Region keys are few: while they stay below ``KEY_COUNTING_LIMIT`` they are
    counted out rather than sorted, and small ranks make the later stable
    argsort a radix sort.
    """
    if not len(keys) or keys.max() >= KEY_COUNTING_LIMIT:
        return np.unique(keys, return_inverse=True)[1]
    present = np.bincount(keys) > 0
    rank = np.cumsum(present) - 1
    return rank[keys].astype("int16" if present.sum() < 2**15 else "int64")


class RegionMembers(Mapping[str, tuple[str, ...]]):
    """The ids of the incidents each region feature stands for, read from the frame only
    when asked: at a million incidents some 80,000 stand for regions, and a map is
    drawn far more often than one of its regions is clicked."""

    def __init__(self, frame: pd.DataFrame, positions: dict[str, np.ndarray]) -> None:
        self._frame = frame
        self._positions = positions

    def __getitem__(self, key: str) -> tuple[str, ...]:
        return tuple(_ids_at(self._frame, self._positions[key]).to_numpy(dtype=object))

    def __iter__(self) -> Iterator[str]:
        return iter(self._positions)

    def __len__(self) -> int:
        return len(self._positions)


def region_features(
    frame: pd.DataFrame, language: str, rows: np.ndarray | None = None
) -> tuple[dict, RegionMembers]:
    """GeoJSON FeatureCollection with one feature per admin-1 region holding precision-3 rows.

    ``rows`` is a boolean mask of the rows to draw (all of them by default), so
    the map can pass its filter mask over the snapshot instead of a copy.
    Returns the collection and, per tooltip key, the ids of the incidents it stands for.
    Grouping runs on integer codes (no per-row Python), so a million-row
    export with 80,000 region-level incidents stays cheap; only regions are looped over.
    """
    w = words(language)
    columns = map_columns(frame)
    select = np.arange(len(frame)) if rows is None else np.flatnonzero(rows)
    combined = np.zeros(len(select), dtype="int64")
    for part in columns.region_parts:
        combined = combined * len(part.labels) + part.codes[select]
    group = _groups(combined)
    unique = np.arange(group.max() + 1 if len(group) else 0)
    count = np.bincount(group, minlength=len(unique))
    fatalities = np.bincount(group, weights=columns.fatalities[select], minlength=len(unique))
    lat, lng = (
        np.bincount(group, weights=values[select], minlength=len(unique)) / count
        for values in (columns.latitude, columns.longitude)
    )
    type_codes, type_labels = columns.event_type.codes[select], columns.event_type.labels
    by_type = np.bincount(
        group * len(type_labels) + type_codes, minlength=len(unique) * len(type_labels)
    ).reshape(len(unique), len(type_labels))
    top_types = type_labels[by_type.argmax(axis=1)]
    by_region = select[np.argsort(group, kind="stable")]  # radix sort on small ints
    ends = np.cumsum(count)
    starts = ends - count
    listed_rows = np.concatenate([by_region[start:start + REGION_IDS_LISTED]
                                  for start in starts]) if len(starts) else select[:0]
    listed_ids = iter(_ids_at(frame, listed_rows).to_numpy(dtype=object))

    features, positions = [], {}
    for g in range(len(unique)):
        first_row = by_region[starts[g]]
        code, country, admin1 = (part.labels[part.codes[first_row]]
                                 for part in columns.region_parts)
        geometry = region_geometry(code, country, admin1)
        note = ""
        if geometry is None:
            geometry = _fallback_area(float(lat[g]), float(lng[g]))
            note = f"<br><i>{escape_text(w['no_boundary'])}</i>"
        key = ", ".join(part for part in (admin1, country) if part) or "?"
        members = by_region[starts[g]:ends[g]]
        listed = ", ".join(escape_text(next(listed_ids))
                           for _ in range(min(len(members), REGION_IDS_LISTED)))
        if len(members) > REGION_IDS_LISTED:
            listed += f" (+{len(members) - REGION_IDS_LISTED} {escape_text(w['more'])})"
        tip = (
            f"<b>{escape_text(key)}</b>{TOOLTIP_SEPARATOR}{int(count[g])} "
            f"{escape_text(w['region_incidents'])}{TOOLTIP_SEPARATOR}"
            f"{escape_text(w['fatalities'])}: {int(fatalities[g])}{note}"
        )
        features.append(
            {
                "type": "Feature",
                "id": f"region-{g}",
                "geometry": geometry,
                "properties": {
                    "tip": tip,
                    "pop": f"{tip}<br>{escape_text(w['precision'])}: "
                    f"{escape_text(precision_words(3, language))}<br>{listed}",
                    "colour": style.event_colour(top_types[g]),
                },
            }
        )
        positions[key] = members
    return {"type": "FeatureCollection", "features": features}, RegionMembers(frame, positions)


def _region_style(feature: dict) -> dict:
    return style.precision_style(3, feature["properties"]["colour"])


def _ids_at(frame: pd.DataFrame, positions: np.ndarray) -> pd.Series:
    """``incident_ids`` of the rows at ``positions``, copying only the id columns needed."""
    id_columns = {}
    for column in ("incident_id", "event_id_cnty"):
        if column in frame.columns:
            id_columns[column] = _taken(frame[column], positions)
            if not pd.isna(id_columns[column]).any():
                break
    return incident_ids(pd.DataFrame(id_columns, index=frame.index[positions]))


def _taken(values: pd.Series, positions: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """``values.iloc[positions].array``, taken chunk by chunk from an Arrow column.

    pyarrow takes from a column of several chunks (a loaded snapshot has a few) by
    joining them first: a copy of a million ids, 15-30 ms of each filter change's
    map, to list a few hundred of them."""
    array = values.array
    chunks = array.__arrow_array__().chunks if hasattr(array, "__arrow_array__") else []
    if len(chunks) < 2 or not len(positions):
        return values.iloc[positions].array
    ends = np.cumsum([len(chunk) for chunk in chunks])
    chunk_of = np.searchsorted(ends, positions, side="right")
    order = np.argsort(chunk_of, kind="stable")
    parts = [chunks[k].take(pa.array(positions[order][chunk_of[order] == k]
                                      - (ends[k] - len(chunks[k]))))
             for k in np.unique(chunk_of)]
    return type(array)(pa.concat_arrays(parts).take(pa.array(np.argsort(order))))


def region_layer(frame: pd.DataFrame, *, language: str, name: str,
                 rows: np.ndarray | None = None) -> tuple[GeoJson, RegionMembers]:
    """Precision-3 incidents (among ``rows``) as their dashed admin-1 regions, and the
    click targets."""
    collection, targets = region_features(frame, language, rows)
    layer = GeoJson(
        collection,
        name=name,
        style_function=_region_style,
        tooltip=GeoJsonTooltip(fields=["tip"], labels=False),
        popup=GeoJsonPopup(fields=["pop"], labels=False),
    )
    return layer, targets
