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
