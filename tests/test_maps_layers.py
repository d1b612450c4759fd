"""Map layers: precision styling, escaping, regions, legend, heat."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from incidents import model
from incidents.maps import style
from incidents.maps.build import build_map
from incidents.maps.cells import aggregate_cells, cells_geojson
from incidents.maps.heat import heat_from_cells, heat_from_points
from incidents.maps.incident_layer import (
    MARKER_PANE_Z_INDEX,
    IncidentPoints,
    points_payload,
    region_features,
    region_geometry,
)
from incidents.maps.legend import Legend, legend_html, precision_words
from incidents.spatial_index import map_snapshot

SCRIPT = "<script>alert('x')</script>"
IMG = '<img src=x onerror="alert(1)">'


def incidents(rows: list[dict]) -> pd.DataFrame:
    """Canonical records with sensible defaults for whatever a test leaves out."""
    defaults = {
        "event_date": "2024-03-01",
        "event_type": "Battles",
        "sub_event_type": "Armed clash",
        "actor1": "Military Forces of Mali (2021-)",
        "country": "Mali",
        "country_code": "ML",
        "admin1": "Mopti",
        "location": "Mopti",
        "latitude": 14.49,
        "longitude": -4.20,
        "geo_precision": 1,
        "fatalities": 2,
        "source": "Wire",
        "source_url": "https://example.org/a",
    }
    frame = pd.DataFrame([{**defaults, "incident_id": f"INC-{i}", **row} for i, row in enumerate(rows)])
    return model.conform(frame)


def test_precision_one_is_solid_and_two_is_hollow():
    frame = incidents([{"geo_precision": 1}, {"geo_precision": 2}, {"geo_precision": pd.NA}])
    payload = points_payload(frame, "en")
    solid, hollow = payload["styles"]["1"], payload["styles"]["2"]
    assert solid["fill"] and solid["fillOpacity"] > 0.5
    assert hollow["fillOpacity"] == 0
    assert payload["prec"] == [1, 2, style.UNKNOWN_PRECISION]


def test_precision_three_is_drawn_as_its_region_not_a_point():
    frame = incidents(
        [{"geo_precision": 1}, {"geo_precision": 3, "admin1": "Segou", "incident_id": "REG-1"}]
    )
    result = build_map(frame)
    assert result.mode == "points"
    points = next(c for c in result.map._children.values() if isinstance(c, IncidentPoints))
    assert points.payload["ids"] == ["INC-0"]
    target = result.targets["Segou, Mali"]
    assert target.kind == "region" and target.incident_ids == ("REG-1",)
    collection, _ = region_features(frame.iloc[[1]], "en")
    (feature,) = collection["features"]
    assert feature["geometry"]["type"] in {"Polygon", "MultiPolygon"}
    ring = np.array(feature["geometry"]["coordinates"][0] if feature["geometry"]["type"] == "Polygon"
                    else feature["geometry"]["coordinates"][0][0])
    assert np.ptp(ring[:, 0]) > 1  # Ségou spans degrees, not a dot
    assert style.precision_style(3, "#000")["dashArray"]


def test_region_matching_ignores_accents_case_and_the_word_region():
    plain = region_geometry("ML", "Mali", "Segou")
    assert plain is not None
    assert region_geometry("", "mali", "SÉGOU Region") == plain
    assert region_geometry("", "Mali", "Région de Ségou") == plain
    assert region_geometry("NE", "Niger", "Tillaberi") is not None
    assert region_geometry("ML", "Mali", "Nowhere") is None


def test_unknown_region_gets_a_dashed_area_and_says_so():
    frame = incidents([{"geo_precision": 3, "admin1": "Menaka", "latitude": 15.9, "longitude": 2.4}])
    collection, targets = region_features(frame, "en")
    (feature,) = collection["features"]
    assert feature["geometry"]["type"] == "Polygon"
    assert "boundary not available" in feature["properties"]["tip"]
    assert targets == {"Menaka, Mali": ("INC-0",)}


def test_popup_and_tooltip_text_is_escaped():
    frame = incidents(
        [
            {
                "actor1": SCRIPT,
                "location": IMG,
                "incident_id": "<b>id</b>",
                "source": SCRIPT,
                "source_url": "javascript:alert(1)",
            },
            {"geo_precision": 3, "admin1": IMG, "country": SCRIPT, "actor1": SCRIPT},
        ]
    )
    payload = points_payload(frame.iloc[[0]], "en")
    assert "&lt;script&gt;" in payload["actors"]["values"][0]
    assert payload["ids"] == ["&lt;b&gt;id&lt;/b&gt;"]
    assert all("javascript:" not in v and "<script" not in v for v in payload["source"]["values"])
    collection, _ = region_features(frame.iloc[[1]], "en")
    assert "<img" not in json.dumps(collection) and "<script" not in json.dumps(collection)

    html = build_map(frame).html()
    for raw in (SCRIPT, IMG, "onerror=\"alert", "javascript:alert"):
        assert raw not in html


def test_cell_tooltip_escapes_event_type():
    frame = incidents([{"event_type": SCRIPT}] * 3)
    collection = cells_geojson(aggregate_cells(frame, 5), "en")
    tip = collection["features"][0]["properties"]["tip"]
    assert "<script" not in tip and "&lt;script&gt;" in tip
    assert "<b>3</b>" in tip


def test_a_hexagon_across_the_antimeridian_stays_on_one_side_of_it():
    """Not a band round the world: its corners west of 180 degrees move past it."""
    from incidents.maps.cells import CELL_KEY_PREFIX, cell_bounds

    frame = incidents([{"country": "Fiji", "country_code": "FJ", "admin1": "Western",
                        "location": "Home", "latitude": -18.0, "longitude": 179.99}])
    for resolution in (2, 3, 4, 5):
        feature = cells_geojson(aggregate_cells(frame, resolution), "en")["features"][0]
        longitudes = [lng for lng, _ in feature["geometry"]["coordinates"][0]]
        assert max(longitudes) - min(longitudes) < 10 and max(longitudes) > 180
        south, west, north, east = cell_bounds(feature["id"])
        assert 0 < east - west < 10 and west < 179.99 < east
    assert feature["id"].startswith(CELL_KEY_PREFIX)


def test_synthetic_incidents_are_flagged_in_the_popup():
    frame = incidents([{"synthetic": True}, {"synthetic": False}])
    payload = points_payload(frame, "en")
    assert payload["synthetic"] == [1, 0]
    assert "SYNTHETIC" in payload["words"]["synthetic"]


def test_marker_radius_grows_with_fatalities_and_is_capped():
    radius = style.marker_radius(np.array([0, 1, 100, np.nan, 10_000]))
    assert radius[0] == style.MIN_RADIUS == radius[3]
    assert radius[0] < radius[1] < radius[2] <= style.MAX_RADIUS
    assert radius[4] == style.MAX_RADIUS


def test_event_type_colours_are_distinct_and_known_types_are_covered():
    assert set(style.EVENT_COLOURS) == set(model.event_types())
    assert len(set(style.EVENT_COLOURS.values())) == len(style.EVENT_COLOURS)


def test_legend_in_french():
    html = legend_html("fr", "points", ["Battles", "Violence against civilians"])
    assert "Légende" in html and "Affrontements" in html and "Violence contre les civils" in html
    assert "lieu exact" in html and "région seulement" in html
    assert "Battles" not in html
    cells = legend_html("fr", "cells")
    assert "Incidents par hexagone" in cells and "Zoomez" in cells
    assert precision_words(2, "fr") == "lieu voisin"
    assert precision_words(None, "en") == "precision unknown"


def test_legend_is_drawn_by_the_map_script_without_a_colormap():
    result = build_map(incidents([{}]), language="fr")
    legends = [c for c in result.map._children.values() if isinstance(c, Legend)]
    assert len(legends) == 1 and "Légende" in legends[0].body
    html = result.html()
    assert "incidents-legend" in html
    assert "d3js.org" not in html and "cdnjs" not in html


def test_heat_points_follow_the_level_of_detail():
    frame = incidents([{}, {"latitude": np.nan, "longitude": np.nan}, {"latitude": 13.0}])
    assert len(heat_from_points(frame)) == 2
    cells = pd.DataFrame({"cell": aggregate_cells(frame, 4)["cell"], "count": [1, 50]})
    weights = [w for _, _, w in heat_from_cells(cells)]
    assert max(weights) == pytest.approx(1.0) and 0 < min(weights) < 1


def test_layers_argument_controls_the_overlays():
    html_with = build_map(incidents([{}]), layers=("incidents", "heat")).html()
    html_without = build_map(incidents([{}]), layers=("incidents",)).html()
    assert "L.heatLayer" in html_with and "L.heatLayer" not in html_without


def test_points_from_a_categorical_snapshot_with_gaps():
    frame = map_snapshot(
        incidents([{"admin1": pd.NA, "actor2": "Civilians (Mali)"}, {"event_type": pd.NA}])
    )
    payload = points_payload(frame, "en")
    assert payload["place"]["values"][payload["place"]["codes"][0]] == "Mopti, Mali"
    assert "Civilians (Mali)" in payload["actors"]["values"][payload["actors"]["codes"][0]]
    assert payload["typeLabels"][payload["type"][1]] == ""
    assert build_map(frame).mode == "points"


def test_popup_date_says_when_it_is_only_a_week_or_month():
    frame = incidents([{"time_precision": 1}, {"time_precision": 3}, {"time_precision": pd.NA}])
    dates = points_payload(frame, "fr")["date"]
    shown = [dates["values"][code] for code in dates["codes"]]
    assert shown == ["2024-03-01", "2024-03-01 (au mois près)", "2024-03-01"]


def test_markers_sit_in_a_pane_above_the_region_polygons():
    html = build_map(incidents([{}, {"geo_precision": 3}])).html()
    assert 'createPane("incidentMarkers")' in html
    assert MARKER_PANE_Z_INDEX > 400  # Leaflet's overlay pane, where regions are drawn
    assert "L.canvas" not in html  # a canvas over the map would swallow region events


def test_legend_folds_away_and_sits_bottom_right_above_the_attribution():
    html = legend_html("en", "points", ["Battles"])
    assert html.startswith('<details class="incidents-legend-details">')
    assert "<summary" in html and ">Legend</summary>" in html and html.endswith("</details>")
    assert "Afficher ou masquer la légende" in legend_html("fr", "cells")
    page = build_map(incidents([{}]), language="fr").html()
    assert 'L.control({position: "bottomright"})' in page
    assert "bottomleft" not in page
    assert "disableClickPropagation" in page and "open_min" not in page


def test_legend_title_and_labels_are_escaped_in_the_summary(monkeypatch):
    from incidents.maps import legend

    hostile = {**legend.words("en"), "legend": SCRIPT, "legend_toggle": IMG}
    monkeypatch.setattr(legend, "words", lambda language: hostile)
    html = legend_html("en", "points", [])
    assert SCRIPT not in html and IMG not in html
    assert "&lt;script&gt;" in html and "onerror=&quot;" in html


def test_extra_layers_go_before_the_layer_control():
    import folium

    outline = folium.GeoJson({"type": "FeatureCollection", "features": []}, name="Extra outline")
    added = []
    result = build_map(incidents([{}]), extra_layers=[outline, added.append])
    assert added == [result.map]
    names = list(result.map._children)
    control = next(k for k, c in result.map._children.items() if isinstance(c, folium.LayerControl))
    assert names.index(outline.get_name()) < names.index(control)
    assert names[-1] == control
    page = result.html()
    assert page.index(outline.get_name() + " = L.geoJson") < page.index("L.control.layers")


def test_ids_are_taken_from_a_column_of_several_chunks_as_iloc_takes_them():
    import pyarrow as pa

    from incidents.maps.incident_layer import _taken

    ids = [f"INC-{i}" for i in range(10)]
    chunked = pa.chunked_array([ids[:3], ids[3:4], ids[4:], []], type=pa.large_string())
    column = pd.Series(pd.arrays.ArrowStringArray(chunked))
    assert len(column.array.__arrow_array__().chunks) > 1
    for positions in ([9, 0, 3, 3, 5, 2], [4], [], list(range(10))[::-1]):
        positions = np.asarray(positions, dtype=np.int64)
        taken = _taken(column, positions)
        assert type(taken) is type(column.array) and taken.dtype == column.dtype
        assert list(taken) == list(column.iloc[positions])
