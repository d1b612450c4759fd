"""Incident text containing Jinja syntax reaches the map as text, never evaluated."""

from __future__ import annotations

import os

import pandas as pd
import pytest
from branca.element import MacroElement
from streamlit_folium import generate_leaflet_string

from incidents import model
from incidents.maps.build import build_map
from incidents.maps.render_once import render_macro_once
from incidents.maps.standalone import standalone_html

# A location that would read "42" and an actor that would read the server's working
# directory if the map text were rendered as a template.
ARITHMETIC = "Kidal {{ 6*7 }}"
REACHES_OS = "JNIM {{ cycler.__init__.__globals__.os.getcwd() }}"
BLOCK = "{% if true %}block{% endif %} {# hidden #}"


def frame(rows: int = 3) -> pd.DataFrame:
    records = pd.DataFrame({
        "incident_id": [f"INC-{i}" for i in range(rows)],
        "event_date": ["2024-05-01"] * rows,
        "event_type": ["Battles"] * rows,
        "country": ["Mali"] * rows,
        "admin1": ["Kidal"] * rows,
        "location": [ARITHMETIC] * rows,
        "actor1": [REACHES_OS] * rows,
        "source": [BLOCK] * rows,
        "latitude": [18.44 + i * 0.01 for i in range(rows)],
        "longitude": [1.41] * rows,
        "geo_precision": [1] * rows,
        "fatalities": [1] * rows,
    })
    return model.conform(records)


def assert_not_evaluated(text: str) -> None:
    assert "Kidal 42" not in text
    assert os.getcwd() not in text
    assert "{{ 6*7 }}" in text
    assert "cycler.__init__.__globals__" in text


def test_the_rendered_map_keeps_template_syntax_as_text() -> None:
    page = build_map(frame()).html()
    assert_not_evaluated(page)
    assert "{% if true %}" in page


def test_streamlit_folium_sees_the_same_text() -> None:
    result = build_map(frame())
    result.map.get_root().render()
    assert_not_evaluated(generate_leaflet_string(result.map))


def test_the_standalone_export_keeps_template_syntax_as_text() -> None:
    result = build_map(frame())
    assert_not_evaluated(standalone_html(result.map).decode("utf-8"))


@pytest.mark.parametrize("rows", [3, 6000])
def test_every_level_of_detail_renders_without_a_second_pass(rows: int) -> None:
    """Points (few) and hexagons (many) both render; nothing is left un-rendered."""
    page = build_map(frame(rows)).html()
    assert "{{ this" not in page and "{%-" not in page
    assert "Kidal 42" not in page


def test_the_patch_is_in_place_once_maps_are_imported() -> None:
    assert MacroElement.render is render_macro_once
