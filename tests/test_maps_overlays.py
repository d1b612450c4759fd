"""build_map(overlays_apart=True): one base map for every filter, the data's layers apart."""

from __future__ import annotations

import folium
from streamlit_folium import generate_js_hash

from incidents.maps.build import build_map
from incidents.maps.incident_layer import IncidentPoints
from incidents.maps.overlays import OverlayChoices, ShownAsChosen
from tests.test_maps_lod import cloud


def _walk(element):
    yield element
    for child in element._children.values():
        yield from _walk(child)


def base_script(fmap: folium.Map) -> str:
    fmap.render()
    return fmap.get_root().render()


def test_the_base_map_is_the_same_whatever_the_filter():
    incidents = cloud(300, seed=4)
    one = build_map(incidents, rows=incidents["event_type"] == "Battles", overlays_apart=True)
    other = build_map(incidents, rows=incidents["event_type"] != "Battles", overlays_apart=True)
    assert generate_js_hash(base_script(one.map)) == generate_js_hash(base_script(other.map))
    assert not any(isinstance(e, IncidentPoints) for e in _walk(one.map))


def test_the_data_layers_come_apart_named_for_the_layer_control():
    incidents = cloud(300, seed=5, p3_share=0.2)
    result = build_map(incidents, overlays_apart=True)
    names = [group.layer_name for group in result.overlays if group.control]
    assert names == ["Region-level incidents", "Incidents", "Heat map"]
    heat = result.overlays[names.index("Heat map")]
    (choice,) = [e for e in _walk(heat) if isinstance(e, ShownAsChosen)]
    assert choice.layer_name == "Heat map" and not choice.shown
    assert any(isinstance(e, OverlayChoices) for e in _walk(result.map))
    assert isinstance(result.layer_control, folium.LayerControl)
    for group in result.overlays:
        for element in _walk(group):
            for _, url in getattr(element, "default_js", []) + getattr(element, "default_css", []):
                assert not url.startswith("http"), url


def test_on_one_map_as_before_when_not_apart():
    incidents = cloud(50, seed=6)
    result = build_map(incidents)
    assert result.overlays == [] and result.layer_control is None
    assert any(isinstance(e, IncidentPoints) for e in _walk(result.map))
    assert any(isinstance(e, folium.LayerControl) for e in _walk(result.map))
