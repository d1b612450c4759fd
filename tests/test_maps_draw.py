"""Draw-to-filter: only rectangles/polygons offered; drawings read back as one area."""

from __future__ import annotations

import folium
import pytest

from incidents.filters import FilterSpec, filter_mask
from incidents.maps.draw import add_draw_control, drawing_to_filter_param, drawing_to_polygon


def square(x0: float, y0: float, size: float = 1.0) -> dict:
    ring = [[x0, y0], [x0 + size, y0], [x0 + size, y0 + size], [x0, y0 + size], [x0, y0]]
    return {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [ring]}}


def test_toolbar_offers_rectangle_and_polygon_only() -> None:
    fmap = folium.Map(tiles=None)
    draw = add_draw_control(fmap)
    assert draw.draw_options["rectangle"] and draw.draw_options["polygon"]
    assert not any(draw.draw_options[k] for k in ("polyline", "circle", "marker", "circlemarker"))
    assert "alert(coords)" not in fmap.get_root().render()


def test_all_drawings_are_combined() -> None:
    area = drawing_to_polygon({"all_drawings": [square(0, 0), square(5, 5)]})
    assert area.area == pytest.approx(2.0)


def test_falls_back_to_last_active_drawing_and_ignores_region_clicks() -> None:
    assert drawing_to_polygon({"all_drawings": None, "last_active_drawing": square(0, 0)}).area == 1.0
    clicked = square(0, 0)
    clicked["properties"] = {"region": "Ségou", "region_level": "admin1"}
    assert drawing_to_polygon({"all_drawings": None, "last_active_drawing": clicked}) is None
    assert drawing_to_polygon({"all_drawings": []}) is None
    assert drawing_to_polygon(None) is None


def test_drawing_becomes_a_filter() -> None:
    import pandas as pd

    from incidents.model import conform

    frame = conform(pd.DataFrame({"event_date": ["2024-01-01"] * 2, "event_type": ["Battles"] * 2,
                                  "latitude": [0.5, 3.0], "longitude": [0.5, 3.0]}))
    param = drawing_to_filter_param({"all_drawings": [square(0, 0)]})
    assert filter_mask(frame, FilterSpec(polygon=param)).tolist() == [True, False]
