"""Choropleth totals, colours, legend, escaping, click read-back; region outlines."""

from __future__ import annotations

from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from incidents.maps import choropleth as ch
from incidents.model import conform
from incidents.regions import sets


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("INCIDENTS_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def incidents(points: list[tuple[float, float, int]]) -> pd.DataFrame:
    return conform(pd.DataFrame({
        "event_date": ["2024-01-01"] * len(points),
        "event_type": ["Battles"] * len(points),
        "latitude": [p[0] for p in points],
        "longitude": [p[1] for p in points],
        "fatalities": [p[2] for p in points],
    }))


SAMPLE = [(12.84, -4.92, 3), (13.43, -6.21, 2), (14.49, -4.19, 10), (np.nan, np.nan, 99)]


def test_totals_count_and_sum_fatalities_per_region() -> None:
    counts = ch.region_totals(incidents(SAMPLE)).set_index("admin1")["value"]
    assert counts["Ségou"] == 2 and counts["Mopti"] == 1
    assert counts["Kidal"] == 0  # other regions of Mali are drawn, empty
    assert set(ch.region_totals(incidents(SAMPLE))["country"]) == {"ML"}
    deaths = ch.region_totals(incidents(SAMPLE), measure="fatalities").set_index("admin1")["value"]
    assert deaths["Ségou"] == 5 and deaths["Mopti"] == 10


def test_class_breaks_and_colours() -> None:
    breaks = ch.class_breaks([0, 1, 1, 2, 3, 10, 50])
    assert breaks[0] == 1 and breaks == sorted(breaks) and len(breaks) <= len(ch.RAMP)
    assert ch.colour_for(0, breaks) == ch.ZERO_COLOUR
    assert ch.colour_for(50, breaks) == ch.RAMP[len(breaks) - 1]
    assert ch.class_breaks([0, 0]) == []


def test_layer_has_legend_tooltip_and_click_properties() -> None:
    layer = ch.choropleth_layer(incidents(SAMPLE), measure="fatalities", language="fr")
    fmap = folium.Map(tiles=None)
    layer.add_to(fmap)
    html = fmap.get_root().render()
    assert "incidents-choropleth-legend" in html and "Morts par r\\u00e9gion" in html
    geojson = next(c for c in layer._children.values() if isinstance(c, folium.GeoJson))
    segou = next(f for f in geojson.data["features"] if f["properties"]["region"] == "Ségou")
    assert segou["properties"]["region_level"] == "admin1" and segou["properties"]["value"] == 5
    assert segou["properties"]["fill"] != ch.ZERO_COLOUR
    assert "d3" not in [name for name, _ in getattr(fmap, "default_js", [])]


def test_region_names_are_escaped_in_tooltips_and_legend(tmp_path: Path) -> None:
    path = tmp_path / "evil.geojson"
    gpd.GeoDataFrame({"NAME": ["<img src=x onerror=alert(1)>"]}, geometry=[box(-6, 12, -4, 14)],
                     crs=4326).to_file(path)
    sets.load_region_file(path, name="evil", admin1_field="NAME")
    layer = ch.choropleth_layer(incidents(SAMPLE))
    geojson = next(c for c in layer._children.values() if isinstance(c, folium.GeoJson))
    props = geojson.data["features"][0]["properties"]
    assert props["label"] == "&lt;img src=x onerror=alert(1)&gt;"
    assert props["region"] == "<img src=x onerror=alert(1)>"  # raw, for the filter only


def test_clicked_region_reads_last_active_drawing() -> None:
    feature = {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": []},
               "properties": {"region": "Ségou", "region_level": "admin1", "country": "ML",
                              "admin1": "Ségou", "code": "ML05", "value": 2, "label": "Ségou"}}
    picked = ch.clicked_region({"last_active_drawing": feature})
    assert picked == {"region": "Ségou", "region_level": "admin1", "admin1": "Ségou",
                      "country": "ML", "code": "ML05", "value": 2}
    drawn = {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": []}}
    assert ch.clicked_region({"last_active_drawing": drawn}) is None
    assert ch.clicked_region(None) is None


def test_no_incidents_still_renders() -> None:
    from incidents.model import empty_frame

    layer = ch.choropleth_layer(empty_frame())
    fmap = folium.Map(tiles=None)
    layer.add_to(fmap)
    assert "incidents-choropleth-legend" in fmap.get_root().render()


def test_admin2_level_and_bad_arguments() -> None:
    ouahigouya = incidents([(13.58, -2.42, 1)])
    provinces = ch.region_totals(ouahigouya, level="admin2").set_index("admin2")["value"]
    assert provinces["Yatenga"] == 1 and len(provinces) == 45
    regions = ch.region_totals(ouahigouya).set_index("admin1")["value"]
    assert regions["Nord"] == 1 and len(regions) == 13
    with pytest.raises(ValueError):
        ch.region_totals(incidents(SAMPLE), level="admin3")
    with pytest.raises(ValueError):
        ch.region_totals(incidents(SAMPLE), measure="deaths")


def test_outline_layer_of_the_active_set_is_off_by_default(tmp_path: Path) -> None:
    path = tmp_path / "cod.geojson"
    gpd.GeoDataFrame({"ADM1_FR": ["San", "Ségou"]},
                     geometry=[box(-5.5, 12.5, -4.5, 13.5), box(-7, 13.5, -4.5, 15)], crs=4326).to_file(path)
    sets.load_region_file(path, name="cod", admin1_field="ADM1_FR")
    layer = ch.region_outline_layer()
    assert layer.show is False and "cod" in layer.layer_name
    geojson = next(c for c in layer._children.values() if isinstance(c, folium.GeoJson))
    assert [f["properties"]["label"] for f in geojson.data["features"]] == ["San", "Ségou"]


@pytest.mark.browser
def test_in_chromium_legend_follows_the_layer_and_names_stay_text(tmp_path: Path, chromium: object) -> None:
    from incidents.maps.assets import missing_files
    from incidents.maps.base import finish_map, make_base_map
    from incidents.maps.standalone import standalone_html

    if missing_files():
        pytest.skip("map assets not installed (make setup)")
    path = tmp_path / "evil.geojson"
    gpd.GeoDataFrame({"NAME": ["<img src=x onerror=window.__xss=1>"]}, geometry=[box(-6, 12, -4, 14)],
                     crs=4326).to_file(path)
    sets.load_region_file(path, name="evil", admin1_field="NAME")
    fmap = make_base_map(location=(13, -5), zoom=7)
    ch.choropleth_layer(incidents(SAMPLE), name="Choropleth").add_to(fmap)
    finish_map(fmap, collapsed=False)
    page_file = tmp_path / "map.html"
    page_file.write_bytes(standalone_html(fmap))
    page = chromium.new_page(viewport={"width": 900, "height": 700})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(page_file.as_uri())
    legend = page.locator(".incidents-choropleth-legend")
    legend.wait_for()
    assert "Incidents per region" in legend.inner_text()
    page.mouse.move(450, 350)
    page.locator(".leaflet-tooltip").wait_for()
    assert "<img src=x" in page.locator(".leaflet-tooltip").inner_text()
    assert page.evaluate("window.__xss") is None
    page.locator(".leaflet-control-layers-overlays label", has_text="Choropleth").locator("input").click()
    assert legend.count() == 0
    assert errors == []
    page.close()


STREAMLIT_APP = '''
import json
import streamlit as st
from streamlit_folium import st_folium
from incidents.maps.base import finish_map, make_base_map
from incidents.maps.choropleth import choropleth_layer, clicked_region
from incidents.maps.draw import add_draw_control, drawing_to_filter_param
from incidents.model import conform
import pandas as pd

frame = conform(pd.DataFrame({"event_date": ["2024-01-01"] * 3, "event_type": ["Battles"] * 3,
                              "latitude": [13.4, 13.5, 12.84], "longitude": [-6.2, -5.5, -4.92]}))
fmap = make_base_map(location=(13.5, -5.5), zoom=7, towns=False)
choropleth_layer(frame).add_to(fmap)
add_draw_control(fmap)
finish_map(fmap)
result = st_folium(fmap, height=500, width=700, key="map")
st.write("CLICKED:" + json.dumps(clicked_region(result), ensure_ascii=False))
st.write("DRAWN:" + json.dumps(drawing_to_filter_param(result)))
'''


@pytest.fixture
def streamlit_map_app(tmp_path: Path, home: Path) -> object:
    """A throwaway Streamlit page with the choropleth and the draw tool, served with
    the project's static assets, as the dashboard will serve them."""
    from conftest import PROJECT_DIR, streamlit_server

    from incidents.maps.assets import STATIC_DIR, missing_files

    if missing_files():
        pytest.skip("map assets not installed (make setup)")
    app_dir = tmp_path / "app"
    (app_dir / ".streamlit").mkdir(parents=True)
    (app_dir / ".streamlit" / "config.toml").write_text("[server]\nenableStaticServing = true\n", "utf-8")
    (app_dir / "static").symlink_to(STATIC_DIR, target_is_directory=True)
    (app_dir / "app.py").write_text(STREAMLIT_APP, "utf-8")
    with streamlit_server("app.py", cwd=app_dir, log_path=tmp_path / "server.log",
                          env={"INCIDENTS_HOME": str(home), "PYTHONPATH": str(PROJECT_DIR)}) as url:
        yield url


@pytest.mark.browser
def test_st_folium_returns_the_clicked_region_and_the_drawn_polygon(streamlit_map_app: str,
                                                                    chromium: object) -> None:
    page = chromium.new_page(viewport={"width": 1000, "height": 900})
    page.goto(streamlit_map_app)
    page.get_by_text("CLICKED:").wait_for(timeout=90_000)
    frame = page.frame_locator("iframe").first
    frame.locator(".leaflet-container").wait_for(timeout=30_000)
    page.wait_for_timeout(1500)
    box = page.locator("iframe").first.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.get_by_text('"region": "Ségou"').wait_for(timeout=30_000)
    frame.locator(".leaflet-draw-draw-rectangle").click()
    x, y = box["x"] + 150, box["y"] + 150
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 120, y + 100, steps=5)
    page.mouse.up()
    page.get_by_text("DRAWN:\"POLYGON").wait_for(timeout=30_000)
    page.close()


def test_counted_as_the_filter_a_region_gives_the_count_its_click_filters_to() -> None:
    """Two incidents coded to Ménaka (not a region of the bundled set) lie inside Gao's
    outline: by point Gao shows 3, but the Gao filter selects 1 unless successor
    regions are included."""
    from incidents.filters import FilterSpec, filter_mask

    records = incidents([(16.27, -0.04, 0), (15.92, 2.40, 1), (15.92, 2.40, 2)])
    records["admin1"] = pd.array(["Gao", "Ménaka", "Menaka"], dtype="string")
    by_point = ch.region_totals(records).set_index("admin1")["value"]
    assert by_point["Gao"] == 3
    for successors in (False, True):
        totals = ch.region_totals(records, as_filter=True, include_successors=successors)
        gao = int(totals.set_index("admin1")["value"]["Gao"])
        spec = FilterSpec(admin1s=("Gao",), include_successor_regions=successors)
        assert gao == int(filter_mask(records, spec).sum())
    assert gao == 3
