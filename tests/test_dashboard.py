"""The dashboard through streamlit.testing.v1.AppTest, on a temporary store.

Each test gets its own INCIDENTS_HOME, so the first run loads the bundled
samples into an empty store, exactly as `make run` does on a fresh checkout.
(st_folium renders as an unknown element here; the map is tested in the browser.)
"""

from __future__ import annotations

import html
import json
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import streamlit
from streamlit.testing.v1 import AppTest

from incidents.filters import FilterSpec, apply_filters
from incidents.maps.build import View, round_view
from incidents.store import open_store
from ui.exports import export_basename
from incidents.summary import headline_figures
from incidents.users import local_user
from ui.map_view import (in_week, is_placeholder_view, needs_rebuild, shows_opening_view,
                         week_starts)
from ui.i18n import t
from ui.state import (EXPLORE_TAB_KEY, PENDING_REGION, apply_region_pick, keep_open_tab,
                      spec_to_widgets, widgets_to_spec)
from ui.table import http_links
from ui.timeline import counts_by_period

DASHBOARD = str(Path(__file__).resolve().parent.parent / "dashboard.py")
SEGOU_DECEMBER = FilterSpec(admin1s=("Segou",), start=date(2024, 12, 1), end=date(2024, 12, 31))


def metric(at: AppTest, label: str) -> str:
    """The value of a figure: from the explore page's one-line headline by its label, else
    from an st.metric (the upload page's)."""
    for block in at.markdown:
        found = re.search(rf'>{re.escape(html.escape(label))} <b>([^<]*)</b>', block.value)
        if found and "incidents-headline" in block.value:
            return html.unescape(found.group(1))
    return next(m.value for m in at.metric if m.label == label)


def headline_labels(at: AppTest) -> set[str]:
    return {html.unescape(label) for block in at.markdown if "incidents-headline" in block.value
            for label in re.findall(r'data-figure="\w+">([^<]*) <b>', block.value)}


def open_tab(at: AppTest, name: str, language: str = "en") -> AppTest:
    """Open one of the explore page's tabs (only the open one is computed)."""
    at.session_state[EXPLORE_TAB_KEY] = t(name, language)
    return at.run()


@pytest.fixture
def app(incidents_home: Path) -> AppTest:
    at = AppTest.from_file(DASHBOARD, default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    return at


def stored(home: Path) -> pd.DataFrame:
    return open_store(home / "incidents.sqlite").load()


def test_first_run_loads_the_bundled_samples(app: AppTest, incidents_home: Path) -> None:
    gdf = stored(incidents_home)
    assert (gdf["location"] == "Kimparana").any()
    assert metric(app, "Incidents") == str(len(gdf))
    # The samples are mostly synthetic, and the page says so.
    assert any("SYNTHETIC" in c.value for c in app.caption)


def test_filters_change_the_headline_figures(app: AppTest, incidents_home: Path) -> None:
    before = metric(app, "Incidents")
    app.multiselect(key="f_admin1s").set_value(["Segou"])
    app.date_input(key="f_dates").set_value((date(2024, 12, 1), date(2024, 12, 31)))
    app.run()
    expected = apply_filters(stored(incidents_home), SEGOU_DECEMBER)
    assert metric(app, "Incidents") == str(len(expected)) != before
    assert metric(app, "Fatalities") == str(int(expected["fatalities"].fillna(0).sum()))
    assert metric(app, "Period covered").startswith("Dec 7, 2024")


def test_geojson_download_equals_the_filtered_frame(
    incidents_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    downloads: dict[str, object] = {}
    original = streamlit.download_button

    def spy(label, data, file_name=None, *args, **kwargs):
        downloads[file_name] = data
        return original(label, data, file_name, *args, **kwargs)

    monkeypatch.setattr(streamlit, "download_button", spy)
    monkeypatch.setattr(streamlit.delta_generator.DeltaGenerator, "download_button",
                        lambda self, *a, **k: spy(*a, **k))
    at = AppTest.from_file(DASHBOARD, default_timeout=120)
    at.query_params.update(SEGOU_DECEMBER.to_query_params())
    at.run()
    open_tab(at, "export")
    assert not at.exception, at.exception
    name = "incidents_Segou_2024-12-01_2024-12-31.geojson"
    assert name in downloads, list(downloads)
    payload = downloads[name]
    document = json.loads(payload() if callable(payload) else payload)
    expected = apply_filters(stored(incidents_home), SEGOU_DECEMBER)
    assert document["type"] == "FeatureCollection"
    ids = sorted(f["properties"]["incident_id"] for f in document["features"])
    assert ids == sorted(expected["incident_id"]) and ids
    assert "incidents_Segou_2024-12-01_2024-12-31.csv" in downloads


def test_query_params_restore_the_filters(incidents_home: Path) -> None:
    at = AppTest.from_file(DASHBOARD, default_timeout=120)
    at.query_params.update({**SEGOU_DECEMBER.to_query_params(), "min_fatalities": "1"})
    at.run()
    assert at.multiselect(key="f_admin1s").value == ["Segou"]
    assert at.date_input(key="f_dates").value == (date(2024, 12, 1), date(2024, 12, 31))
    assert at.number_input(key="f_min_fatalities").value == 1
    expected = apply_filters(stored(incidents_home),
                             FilterSpec(**{**SEGOU_DECEMBER.__dict__, "min_fatalities": 1}))
    assert metric(at, "Incidents") == str(len(expected))
    # Changing a filter writes it back to the URL.
    at.text_input(key="f_text").set_value("Kimparana").run()
    restored = FilterSpec.from_query_params(at.query_params)
    assert restored == FilterSpec(**{**SEGOU_DECEMBER.__dict__, "min_fatalities": 1,
                                     "text": "Kimparana"})


def test_malformed_url_falls_back_to_no_filter(app: AppTest, incidents_home: Path) -> None:
    at = AppTest.from_file(DASHBOARD, default_timeout=120)
    at.query_params["start"] = "not-a-date"
    at.run()
    assert not at.exception
    assert at.sidebar.warning
    assert metric(at, "Incidents") == str(len(stored(incidents_home)))


def test_reset_clears_every_filter(app: AppTest) -> None:
    total = metric(app, "Incidents")
    app.multiselect(key="f_countries").set_value(["Niger"]).run()
    assert metric(app, "Incidents") != total
    app.button(key="reset").click().run()
    assert app.multiselect(key="f_countries").value == []
    assert metric(app, "Incidents") == total


def test_french_labels_when_french_is_chosen(app: AppTest) -> None:
    app.radio(key="lang").set_value("fr").run()
    labels = headline_labels(app)
    assert {"Morts", "Lieux distincts", "Localisés en précision 1", "Période couverte"} <= labels
    assert any(h.value == "Filtres" for h in app.sidebar.header)
    assert app.multiselect(key="f_admin1s").label == "Région (admin 1)"
    assert any("SYNTHÉTIQUES" in c.value for c in app.caption)
    assert app.query_params["lang"] == "fr"


def upload_page(language: str) -> None:
    from ui.upload import render_upload_page

    render_upload_page(language)


def test_bad_upload_shows_its_quarantine_reasons(incidents_home: Path) -> None:
    at = AppTest.from_function(upload_page, args=("en",), default_timeout=60)
    at.run()
    bad = (
        "event_date,event_type,location,country,latitude,longitude,fatalities\n"
        "2024-12-07,Battles,Kimparana,Mali,12.84,-4.92,3\n"
        "2024-13-45,Battles,Mopti,Mali,14.48,-4.18,1\n"
        ",Battles,Sevare,Mali,14.53,-4.09,1\n"
    ).encode()
    at.file_uploader[0].upload("bad.csv", bad, "text/csv")
    at.run()
    assert not at.exception, at.exception
    assert metric(at, "Accepted") == "1"
    assert metric(at, "Quarantined") == "2"
    reasons = at.dataframe[0].value["reason"].str.cat(sep=" | ").lower()
    assert "date" in reasons
    assert len(at.dataframe[0].value) == 2


def test_unreadable_upload_says_why(incidents_home: Path) -> None:
    at = AppTest.from_function(upload_page, args=("fr",), default_timeout=60)
    at.run()
    at.file_uploader[0].upload("notes.xlsx", b"not a workbook at all", "application/zip")
    at.run()
    assert at.error and "n'a pas pu être lu" in at.error[0].value


def test_a_file_without_known_columns_gets_a_mapping_step_that_is_remembered(
    incidents_home: Path,
) -> None:
    at = AppTest.from_function(upload_page, args=("en",), default_timeout=60)
    at.run()
    log = "Date,Lieu,Morts,Quoi\n07/12/2024,Djibo,3,Attaque\n08/12/2024,Arbinda,0,Attaque\n"
    at.file_uploader[0].upload("journal.csv", log.encode(), "text/csv")
    at.run()
    assert not at.error
    assert at.selectbox(key="map_event_date").value == "Date"
    assert at.selectbox(key="map_location").value == "Lieu"
    assert at.selectbox(key="map_fatalities").value == "Morts"
    at.selectbox(key="map_constant_event_type").set_value("Violence against civilians")
    at.button(key="apply_mapping").click().run()
    assert not at.exception, at.exception
    assert metric(at, "Accepted") == "2"
    again = AppTest.from_function(upload_page, args=("en",), default_timeout=60)
    again.run()
    again.file_uploader[0].upload("journal_2.csv", b"Date,Lieu,Morts,Quoi\n09/12/2024,Djibo,1,x\n",
                                  "text/csv")
    again.run()
    assert metric(again, "Accepted") == "1"


def test_widget_state_round_trips_a_spec() -> None:
    spec = FilterSpec(start=date(2024, 1, 1), end=date(2024, 2, 1), countries=("Mali",),
                      event_types=("Battles",), actor="JNIM", min_fatalities=5,
                      max_geo_precision=2, text="moto", preset="last_90")
    assert widgets_to_spec(spec_to_widgets(spec)) == spec
    assert widgets_to_spec(spec_to_widgets(FilterSpec())) == FilterSpec()


def test_export_name_states_the_filter() -> None:
    frame = pd.DataFrame({"event_date": pd.to_datetime(["2024-03-02", "2024-05-09"])})
    assert export_basename(SEGOU_DECEMBER, frame) == "incidents_Segou_2024-12-01_2024-12-31"
    assert export_basename(FilterSpec(admin2s=("Djenné", "San")), frame) == \
        "incidents_Djenne-San_2024-03-02_2024-05-09"


def test_headline_counts_places_and_precision() -> None:
    frame = pd.DataFrame({
        "country": ["Mali", "Mali", "Mali", "Niger"],
        "admin1": ["Ségou", "Segou", "Mopti", "Tillaberi"],
        "location": ["Kimparana", "KIMPARANA", "Kimparana", None],
        "fatalities": pd.array([3, None, 1, 2], dtype="Int64"),
        "geo_precision": pd.array([1, 1, 2, None], dtype="Int64"),
        "event_date": pd.to_datetime(["2024-12-07", "2024-12-01", "2024-11-02", None]),
        "synthetic": [False, True, True, True],
    })
    figures = headline_figures(frame)
    assert (figures.incidents, figures.fatalities, figures.locations) == (4, 6, 2)
    assert figures.precise_share == 0.5
    assert figures.first_date == pd.Timestamp("2024-11-02")
    assert figures.synthetic == 3


def test_weekly_counts_start_on_monday() -> None:
    frame = pd.DataFrame({
        "event_date": pd.to_datetime(["2024-12-01", "2024-12-02", "2024-12-08", "2024-12-09"]),
        "event_type": ["Battles", "Battles", "Riots", "Battles"],
    })
    weekly = counts_by_period(frame, "week")
    assert weekly["period"].dt.day_of_week.eq(0).all()
    assert weekly["count"].sum() == 4
    assert len(counts_by_period(frame, "month")) == 2
    assert [w.day for w in week_starts(frame)] == [25, 2, 9]


def test_only_http_links_survive() -> None:
    links = http_links(pd.Series(["https://a.example/x", "javascript:alert(1)",
                                  "//evil.example", None, "ftp://x"]))
    assert links.tolist() == ["https://a.example/x", None, None, None, None]


def test_map_rebuilds_only_when_the_drawn_map_no_longer_fits() -> None:
    def bounds(south: float, west: float, north: float, east: float) -> dict:
        return {"_southWest": {"lat": south, "lng": west},
                "_northEast": {"lat": north, "lng": east}}

    extent = View(10.0, -10.0, 20.0, 5.0, 5)
    # Every incident drawn as a marker: panning and zooming never rebuild.
    assert not needs_rebuild(extent, True, "points", bounds(0, -30, 30, 30), 8)
    # Hexagons follow the zoom.
    assert needs_rebuild(extent, True, "cells", bounds(12, -8, 14, -4), 7)
    assert not needs_rebuild(extent, True, "cells", bounds(0, -30, 30, 30), 5)
    part = round_view(bounds(13.0, -7.0, 15.0, -3.0), 7)
    assert not needs_rebuild(part, False, "points", bounds(13.1, -6.9, 14.9, -3.1), 7)
    assert needs_rebuild(part, False, "points", bounds(16.0, -6.9, 18.0, -3.1), 7)
    assert needs_rebuild(part, False, "points", bounds(13.1, -6.9, 14.9, -3.1), 8)
    # Zoomed out past the world's width, Leaflet reports longitudes beyond +-180: the
    # view rebuilt for them fits them, or every rebuild would ask for another.
    wider_than_the_world = bounds(-79.2, -201.8, 79.0, 206.0)
    world = round_view(wider_than_the_world, 2)
    assert not needs_rebuild(world, False, "cells", wider_than_the_world, 2)
    assert needs_rebuild(part, False, "cells", wider_than_the_world, 7)


def test_the_view_a_map_opened_on_is_not_taken_for_the_analyst_s() -> None:
    def bounds(south: float, west: float, north: float, east: float) -> dict:
        return {"_southWest": {"lat": south, "lng": west},
                "_northEast": {"lat": north, "lng": east}}

    opening = (16.0, 2.0, 5)
    # What a 1,250 px frame reported of its map as opened (Leaflet, the Sahel at zoom 5).
    as_opened = bounds(5.2222, -23.4668, 26.2343, 27.5098)
    asked_for_myanmar = (8.68, 38.36, 2.000001)
    assert shows_opening_view(as_opened, 5, opening, asked_for_myanmar)
    # The analyst's own view: asked for the opening view, never moved, another zoom,
    # or panned by more than a few pixels.
    assert not shows_opening_view(as_opened, 5, opening, (16.0, 2.0, 5.000001))
    assert not shows_opening_view(as_opened, 5, opening, None)
    assert not shows_opening_view(as_opened, 6, opening, asked_for_myanmar)
    assert not shows_opening_view(bounds(5.2222, -22.4668, 26.2343, 28.5098), 5, opening,
                                  asked_for_myanmar)


def test_spatial_filters_come_back_from_the_url(incidents_home: Path) -> None:
    around_kimparana = "POLYGON ((-5.2 12.6, -4.6 12.6, -4.6 13.1, -5.2 13.1, -5.2 12.6))"
    at = AppTest.from_file(DASHBOARD, default_timeout=120)
    at.query_params.update({"polygon": around_kimparana, "near": "12.84,-4.92,50"})
    at.run()
    assert not at.exception, at.exception
    spec = FilterSpec(polygon=around_kimparana, near="12.84,-4.92,50")
    expected = apply_filters(stored(incidents_home), spec)
    assert "seed-kimparana-2024-12-07" in set(expected["incident_id"])
    assert metric(at, "Incidents") == str(len(expected))
    assert at.text_input(key="f_near").value == "12.84,-4.92,50"
    assert any("area drawn" in i.value for i in at.sidebar.info)
    at.button(key="clear_drawn").click().run()
    assert "polygon" not in at.query_params


def test_a_malformed_point_is_ignored_with_a_warning(app: AppTest) -> None:
    total = metric(app, "Incidents")
    app.text_input(key="f_near").set_value("somewhere").run()
    assert not app.exception
    assert any("Ignored" in w.value for w in app.sidebar.warning)
    assert metric(app, "Incidents") == total


def correct_page() -> None:
    from incidents.config import default_store_path
    from incidents.store import open_store
    from incidents.selection import Selection
    from ui.correct import render_correct_page

    render_correct_page(Selection.everything(open_store(default_store_path()).load()), "en")


def test_manual_correction_is_stored_with_its_author(app: AppTest, incidents_home: Path) -> None:
    at = AppTest.from_function(correct_page, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    incident_id = str(at.selectbox(key="correct_incident").value)
    at.text_input(key="correct_query").set_value("Kimparana").run()
    at.selectbox(key="correct_pick_place").select_index(1).run()
    at.radio(key="correct_precision").set_value(1)
    at.button(key="correct_save").click().run()
    assert not at.exception, at.exception
    assert at.success, [e.value for e in at.error + at.warning]
    after = stored(incidents_home).set_index("incident_id").loc[incident_id]
    assert after["geocode_method"] == "manual"
    assert after["geo_precision"] == 1
    assert abs(after["latitude"] - 12.842) < 0.01
    history = open_store(incidents_home / "incidents.sqlite").history(incident_id)
    # No users configured: recorded under this machine's login, never a typed name.
    assert set(history["user"]) == {local_user().name}
    assert "latitude" in set(history["field"])


def test_sample_source_needs_no_store(app: AppTest, incidents_home: Path) -> None:
    app.radio(key="source").set_value("sample").run()
    assert not app.exception, app.exception
    assert metric(app, "Incidents") == str(len(stored(incidents_home)))
    assert app.query_params["source"] == "sample"


def test_a_file_can_be_viewed_without_saving_it(app: AppTest, incidents_home: Path) -> None:
    app.radio(key="source").set_value("upload").run()
    assert metric(app, "Incidents") == "0"
    content = (
        "event_date,event_type,location,country,admin1,latitude,longitude,fatalities\n"
        "2024-12-07,Battles,Kimparana,Mali,Segou,12.84,-4.92,3\n"
        "2024-12-09,Riots,Mopti,Mali,Mopti,14.48,-4.18,0\n"
    ).encode()
    app.sidebar.file_uploader(key="sidebar_upload").upload("view.csv", content, "text/csv")
    app.run()
    assert not app.exception, app.exception
    assert metric(app, "Incidents") == "2"
    assert metric(app, "Fatalities") == "3"
    assert len(stored(incidents_home)) > 2  # the store was not touched


def test_the_period_can_be_stepped_week_by_week(app: AppTest, incidents_home: Path) -> None:
    app.toggle(key="play_on").set_value(True).run()
    slider = app.select_slider(key="play_week")
    first_week = slider.options[0]
    assert any(c.value.startswith("Week of") for c in app.caption)
    slider.set_value(pd.Timestamp(slider.options[-1])).run()
    assert app.select_slider(key="play_week").value == pd.Timestamp(slider.options[-1])
    assert str(app.select_slider(key="play_week").value.date()) != first_week
    last = pd.Timestamp(slider.options[-1])
    count = len(in_week(stored(incidents_home), last))
    expected = "incident" if count == 1 else "incidents"
    assert any(c.value == f"Week of {last:%Y-%m-%d}: {count} {expected}" for c in app.caption)
    assert not app.exception


def quarantine_page() -> None:
    from incidents.config import default_store_path
    from incidents.store import open_store
    from ui.table import render_quarantine

    render_quarantine(open_store(default_store_path()).load_quarantine(), "fr")


def test_quarantine_view_lists_each_rejected_row_with_its_reason(app: AppTest,
                                                                  incidents_home: Path) -> None:
    at = AppTest.from_function(quarantine_page, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    shown = at.dataframe[0].value
    quarantined = open_store(incidents_home / "incidents.sqlite").load_quarantine()
    assert len(shown) == len(quarantined) > 0
    assert list(shown.columns[:3]) == ["source_name", "row_number", "reason"]
    assert shown["reason"].str.len().gt(0).all()
    assert shown["original"].str.contains("BAD001").any()
    assert "conservées" in at.caption[0].value


def test_an_upload_is_geocoded_and_saved_into_the_store(app: AppTest,
                                                          incidents_home: Path) -> None:
    before = len(stored(incidents_home))
    at = AppTest.from_function(upload_page, args=("en",), default_timeout=60)
    at.run()
    content = (
        "event_date,event_type,sub_event_type,location,country,admin1,fatalities\n"
        "2024-12-20,Battles,Armed clash,Kimparana,Mali,Segou,2\n"
        "2024-12-21,Riots,Mob violence,Tominian,Mali,Segou,0\n"
    ).encode()
    at.file_uploader[0].upload("new.csv", content, "text/csv")
    at.run()
    at.button(key="save_upload").click().run()
    assert not at.exception, at.exception
    assert at.success and "2 new" in at.success[0].value
    after = stored(incidents_home)
    assert len(after) == before + 2
    placed = after[after["event_date"] == pd.Timestamp("2024-12-20")]
    assert placed["latitude"].notna().all() and (placed["geocode_method"] != "none").all()


def test_counts_agree_with_their_noun_in_both_languages() -> None:
    from ui.i18n import t

    assert t("synthetic_warning", "en", count=1).startswith("1 of these incidents is SYNTHETIC ")
    assert t("synthetic_warning", "en", count=49).startswith("49 of these incidents are SYNTHETIC ")
    assert t("synthetic_warning", "fr", count=1).startswith("1 de ces incidents est SYNTHÉTIQUE ")
    assert t("synthetic_warning", "en", count=1_000_000).startswith(
        "1,000,000 of these incidents are SYNTHETIC ")
    assert t("synthetic_warning", "fr", count=49).startswith(
        "49 de ces incidents sont SYNTHÉTIQUES ")
    assert t("week_of", "en", start="2024-12-02", count=1) == "Week of 2024-12-02: 1 incident"
    assert t("week_of", "fr", start="2024-12-02", count=0).endswith(": 0 incident")
    assert t("week_of", "en", start="2024-12-02", count=0).endswith(": 0 incidents")
    assert t("export_intro", "en", count="1").endswith("the 1 filtered incident.")
    assert t("export_intro", "en", count="1,204").endswith("the 1,204 filtered incidents.")
    assert "1 nouveaux" not in t("saved", "fr", rows=1, new=1, updated=0, unchanged=0,
                                  quarantined=0, merged=0)


def headline_of_one_synthetic(language: str) -> None:
    import pandas as pd

    from incidents import model
    from incidents.selection import Selection
    from ui.headline import render_headline

    render_headline(Selection.everything(model.conform(pd.DataFrame([{
        "incident_id": "only", "event_date": "2024-12-07", "event_type": "Battles",
        "country": "Mali", "location": "Kimparana", "synthetic": True,
    }]))), language)


@pytest.mark.parametrize("language, expected", [
    ("en", "1 of these incidents is SYNTHETIC"),
    ("fr", "1 de ces incidents est SYNTHÉTIQUE"),
])
def test_headline_of_a_single_synthetic_incident_is_singular(language: str, expected: str) -> None:
    at = AppTest.from_function(headline_of_one_synthetic, args=(language,)).run()
    assert not at.exception
    assert any(expected in c.value for c in at.caption)


def test_a_single_incident_opens_at_the_capped_zoom() -> None:
    from incidents.maps.build import FIT_MAX_ZOOM
    from ui.map_view import CELL_CLICK_MAX_ZOOM, extent_view, fit_zoom

    one = pd.DataFrame({"latitude": [12.842], "longitude": [-4.925]})
    assert extent_view(one).zoom == FIT_MAX_ZOOM
    # A hexagon the analyst clicked may open closer, so its incidents come apart.
    assert fit_zoom(12.8, -4.9, 12.8001, -4.8999, cap=CELL_CLICK_MAX_ZOOM) == CELL_CLICK_MAX_ZOOM


def test_map_decorations_go_in_through_build_map(incidents_home: Path) -> None:
    import folium
    from folium import plugins

    from incidents.maps.build import build_map
    from incidents.selection import Selection
    from ui.map_cache import extra_layers as _extra_layers

    shown = stored_samples()
    polygon = "POLYGON ((-5.2 12.6, -4.6 12.6, -4.6 13.1, -5.2 13.1, -5.2 12.6))"
    extras = _extra_layers(Selection.everything(shown), polygon, True, "14.49,-4.19,50", "fr")
    result = build_map(shown, language="fr", extra_layers=extras)
    children = list(result.map._children.values())
    assert isinstance(children[-1], folium.LayerControl)
    assert any(isinstance(c, plugins.Draw) for c in children)
    assert sum(isinstance(c, folium.GeoJson) and c.layer_name.startswith("Seuls les incidents")
               for c in children) == 1
    circles = [c for c in children if isinstance(c, folium.Circle)]
    assert len(circles) == 1 and circles[0].options["radius"] == 50_000
    page = result.html()
    assert page.index("incidents-choropleth-legend") < page.index("L.control.layers")
    map_view_source = Path(DASHBOARD).with_name("ui") / "map_view.py"
    assert "_children" not in map_view_source.read_text("utf-8")


def stored_samples() -> pd.DataFrame:
    from ui.data import load_samples

    return load_samples()[0]


def test_a_clicked_choropleth_region_becomes_the_region_filter() -> None:
    state = {"f_admin1s": ["Gao"], "f_admin2s": ["Ansongo"],
             PENDING_REGION: {"region": "Ségou", "region_level": "admin1", "country": "Mali"}}
    assert apply_region_pick(state)
    assert state["f_admin1s"] == ["Ségou"] and state["f_admin2s"] == []
    assert PENDING_REGION not in state
    assert not apply_region_pick(state)


def test_a_clicked_district_sets_the_district_filter_only() -> None:
    state = {"f_admin1s": ["Ségou"], "f_admin2s": [],
             PENDING_REGION: {"region": "San", "region_level": "admin2"}}
    assert apply_region_pick(state)
    assert state == {"f_admin1s": ["Ségou"], "f_admin2s": ["San"]}


def test_st_folium_stand_in_bounds_are_not_taken_for_the_analysts_view() -> None:
    import folium

    fmap = folium.Map(location=(14, -4), zoom_start=13)
    folium.CircleMarker((10.0, -12.0)).add_to(fmap)
    folium.CircleMarker((20.0, 5.0)).add_to(fmap)
    stand_in = {"_southWest": {"lat": 10.0, "lng": -12.0}, "_northEast": {"lat": 20.0, "lng": 5.0}}
    viewport = {"_southWest": {"lat": 13.95, "lng": -4.05}, "_northEast": {"lat": 14.05, "lng": -3.95}}
    assert is_placeholder_view(stand_in, fmap.get_bounds())
    assert not is_placeholder_view(viewport, fmap.get_bounds())
    assert not is_placeholder_view(None, fmap.get_bounds())


def test_store_version_moves_with_every_write(tmp_path) -> None:
    from incidents.model import conform
    from ui.data import store_version

    path = tmp_path / "incidents.sqlite"
    before = store_version(path)
    store = open_store(path)
    store.import_records(conform(pd.DataFrame([{"event_id_cnty": "V1", "event_date": "2024-01-01",
                                                "event_type": "Battles"}])), source_name="t")
    after_import = store_version(path)
    store.update(store.load()["incident_id"].iloc[0], {"fatalities": 2}, user="analyst")
    assert before < after_import < store_version(path)


def test_a_large_selection_can_be_written_straight_to_the_exports_folder(
    app: AppTest, incidents_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ui.exports

    open_tab(app, "export")
    assert not [b for b in app.button if b.key == "save_geojson"]
    monkeypatch.setattr(ui.exports, "LARGE_EXPORT_ROWS", 1)
    app.multiselect(key="f_admin1s").set_value(["Segou"]).run()
    app.button(key="save_geojson").click().run()
    assert not app.exception, app.exception
    written = list((incidents_home / "exports").glob("incidents_Segou*.geojson"))
    assert len(written) == 1 and not list((incidents_home / "exports").glob("*.part"))
    features = json.loads(written[0].read_text("utf-8"))["features"]
    assert len(features) == int(metric(app, "Incidents").replace(",", ""))
    assert {f["properties"]["admin1"] for f in features} == {"Ségou"}
    assert any(str(written[0]) in s.value.replace("\\", "") for s in app.success)  # ui.plain escapes


def test_the_table_starts_small_and_shows_more_on_request(
    app: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ui.table

    total = int(metric(app, "Incidents").replace(",", ""))
    open_tab(app, "table")
    assert not [s for s in app.select_slider if s.key == "table_rows"]
    assert len(app.dataframe[0].value) == total
    monkeypatch.setattr(ui.table, "TABLE_ROW_CHOICES", (10, 20, 5_000))
    monkeypatch.setattr(ui.table, "TABLE_ROWS", 10)
    app.run()
    assert len(app.dataframe[0].value) == 10
    app.select_slider(key="table_rows").set_value(20).run()
    table = app.dataframe[0].value
    assert len(table) == 20
    assert table["event_date"].is_monotonic_decreasing
    app.select_slider(key="table_rows").set_value(5_000).run()
    assert len(app.dataframe[0].value) == total


def test_only_the_open_tab_is_computed(app: AppTest) -> None:
    assert app.get("vega_lite_chart") == [] and not app.dataframe
    assert app.get("download_button") == []
    assert len(app.get("component_instance")) == 1
    open_tab(app, "table")
    assert not app.exception, app.exception
    assert len(app.dataframe) == 1 and app.get("component_instance") == []
    open_tab(app, "time")
    assert len(app.get("vega_lite_chart")) == 1 and not app.dataframe


def test_the_open_tab_survives_a_change_of_language() -> None:
    state: dict[str, object] = {EXPLORE_TAB_KEY: "Table"}
    keep_open_tab(state, "fr")
    assert state[EXPLORE_TAB_KEY] == "Tableau"
    keep_open_tab(state, "en")
    assert state[EXPLORE_TAB_KEY] == "Table"
    state[EXPLORE_TAB_KEY] = "Somewhere else"
    keep_open_tab(state, "fr")
    assert state[EXPLORE_TAB_KEY] == "Somewhere else"


def test_each_move_the_page_asks_for_is_new_to_st_folium_yet_the_same_zoom_level() -> None:
    from ui.map_view import requested_view

    first, again = requested_view((14.0, -4.0, 6), 1), requested_view((14.0, -4.0, 6), 2)
    assert first != again and round(first[2]) == round(again[2]) == 6
    assert requested_view(None, 3) is None


def test_export_name_of_a_preset_counts_back_from_the_whole_data() -> None:
    """Mali's last incident is older than the data set's: the preset still ends on the
    data set's latest date, as the filter does."""
    mali = pd.DataFrame({"event_date": pd.to_datetime(["2024-05-02", "2025-01-15"])})
    spec = FilterSpec(countries=("Mali",), preset="last_365")
    assert export_basename(spec, mali, date(2025, 3, 16)) == \
        "incidents_Mali_2024-03-17_2025-03-16"


def test_the_period_is_one_control(app: AppTest, incidents_home: Path) -> None:
    """A preset fills the dates it means; typed dates make the period custom again."""
    latest = stored(incidents_home)["event_date"].max().date()
    app.selectbox(key="f_preset").set_value("last_90").run()
    assert tuple(app.date_input(key="f_dates").value) == (
        latest - pd.Timedelta(days=89), latest)
    app.date_input(key="f_dates").set_value((date(2024, 12, 1), date(2024, 12, 31))).run()
    assert app.selectbox(key="f_preset").value == ""
    assert metric(app, "Period covered").startswith("Dec ")
