"""Relative place phrases: anchor, distance and bearing."""

import pytest

from incidents.geocode.relative import RelativePlace, offset_point, parse_relative


@pytest.mark.parametrize(("text", "expected"), [
    ("Gao 50km W", RelativePlace("Gao", 50.0, 270)),
    ("Gao 50 km north-west", RelativePlace("Gao", 50.0, 315)),
    ("Gao (50 km W)", RelativePlace("Gao", 50.0, 270)),
    ("50 km W of Gao", RelativePlace("Gao", 50.0, 270)),
    ("30 km au nord de Douentza", RelativePlace("Douentza", 30.0, 0)),
    ("à 30 km au nord-est de Ségou", RelativePlace("Ségou", 30.0, 45)),
    ("à 20 km de Mopti", RelativePlace("Mopti", 20.0, None)),
    ("12,5 km S of Kidal", RelativePlace("Kidal", 12.5, 180)),
    ("near Mopti", RelativePlace("Mopti", None, None)),
    ("près de Mopti", RelativePlace("Mopti", None, None)),
    ("aux environs de Tombouctou", RelativePlace("Tombouctou", None, None)),
    ("Ouagadougou area", RelativePlace("Ouagadougou", None, None)),
])
def test_relative_phrases_are_parsed(text, expected):
    assert parse_relative(text) == expected


@pytest.mark.parametrize("text", ["Mopti", "Commune 3", "Ouest", "Gao 900 km W", "Niamey I", "Route 15", ""])
def test_plain_names_are_not_relative(text):
    assert parse_relative(text) is None


def test_offset_point_moves_the_given_distance_and_bearing():
    assert offset_point(16.0, -1.0, None, None) == (16.0, -1.0)
    assert offset_point(16.0, -1.0, 20.0, None) == (16.0, -1.0)
    lat, lon = offset_point(16.0, -1.0, 111.195, 0)
    assert (round(lat, 3), lon) == (17.0, -1.0)
    lat, lon = offset_point(0.0, 0.0, 111.195, 90)
    assert (round(lat, 6), round(lon, 3)) == (0.0, 1.0)
