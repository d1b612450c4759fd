"""The village-zoom reference layer: gazetteer places in view, labelled and escaped."""

from __future__ import annotations

from pathlib import Path

from incidents.maps.reference import places_in_view, reference_layer


def test_places_in_view_come_from_the_gazetteer(incidents_home: Path) -> None:
    places = places_in_view(14.2, -4.6, 14.8, -3.8)
    assert "Mopti" in set(places["name"])
    assert places["latitude"].between(14.2, 14.8).all()
    assert list(places["population"]) == sorted(places["population"], reverse=True)
    assert len(places_in_view(14.2, -4.6, 14.8, -3.8, limit=1)) == 1


def test_the_layer_labels_each_place_as_text(incidents_home: Path) -> None:
    import folium

    fmap = folium.Map()
    reference_layer(14.2, -4.6, 14.8, -3.8, name="Places").add_to(fmap)
    html = fmap.get_root().render()
    assert "incidents-reference-place" in html and "Mopti" in html


def test_outlines_of_cercles_and_communes_cross_the_view() -> None:
    from incidents.maps.reference import outlines_in_view

    mopti = outlines_in_view(14.2, -4.6, 14.8, -3.8)
    assert "Mopti" in set(mopti["name"]) and set(mopti["iso_a3"]) == {"MLI"}
    ouagadougou = outlines_in_view(12.3, -1.6, 12.45, -1.45)
    assert set(ouagadougou["level"]) == {3} and len(ouagadougou)
    assert outlines_in_view(40.0, 10.0, 41.0, 11.0).empty


def test_outlines_are_drawn_dashed_and_take_no_clicks() -> None:
    import folium

    fmap = folium.Map()
    reference_layer(14.2, -4.6, 14.8, -3.8, name="Places").add_to(fmap)
    html = fmap.get_root().render()
    assert '"dashArray": "4 3"' in html and '"interactive": false' in html


def test_only_towns_and_villages_are_labelled() -> None:
    import pandas as pd

    from incidents.maps.reference import _populated

    places = pd.DataFrame({"name": ["Kara", "Kara wadi", "Puits Kara", "Old list"],
                           "latitude": [14.0] * 4, "longitude": [-4.0] * 4,
                           "population": [10, 0, 0, 5], "feature": ["PPLA", "WAD", "WLL", None]})
    assert list(_populated(places)["name"]) == ["Kara", "Old list"]
    assert list(_populated(places.drop(columns="feature"))["name"]) == list(places["name"])
