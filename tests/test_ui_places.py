"""Place names typed in the dashboard: the search box and the "near" filter's
"Mopti, 50 km", found in the offline gazetteer."""

from __future__ import annotations

from pathlib import Path

import pytest

from ui.places import NEAR_PLACE, find_place, near_value


@pytest.mark.parametrize("text, place, km", [
    ("Mopti, 50 km", "Mopti", "50"),
    ("Mopti 50km", "Mopti", "50"),
    ("  Tillabéri , 25 ", "Tillabéri", "25"),
    ("Bobo-Dioulasso, 12.5 km", "Bobo-Dioulasso", "12.5"),
])
def test_a_place_and_a_distance_are_read(text: str, place: str, km: str) -> None:
    match = NEAR_PLACE.match(text)
    assert match and match.group("place") == place and match.group("km") == km


@pytest.mark.parametrize("text", ["12.84, -4.92, 25", "", "Mopti", "50 km"])
def test_points_and_incomplete_text_are_not_places(text: str) -> None:
    assert NEAR_PLACE.match(text) is None


def test_a_place_becomes_a_point_and_a_point_stays(incidents_home: Path) -> None:
    place = find_place("mopti")
    assert place is not None and abs(place.latitude - 14.49) < 0.2
    assert abs(place.longitude + 4.19) < 0.2
    latitude, longitude, km = near_value("Mopti, 50 km").split(",")
    assert abs(float(latitude) - place.latitude) < 1e-4 and km == "50"
    assert near_value("12.84, -4.92, 25") == "12.84, -4.92, 25"
    assert near_value("Nowhere-at-all-xyz, 5 km") == "Nowhere-at-all-xyz, 5 km"
