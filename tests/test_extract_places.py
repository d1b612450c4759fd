"""incidents.extract.places with a small fake geocoder: which mention is the incident's place."""

from __future__ import annotations

from geopy.location import Location

from incidents.extract.places import (
    PlaceResolver, build_context, countries_mentioned, find_place_mentions, is_reporting_place, spelling_variants,
)
from incidents.extract.text import dateline_span, fold, headline_span

PLACES = {
    "gao": ("Gao", 16.27, -0.04, "Mali", "Gao"),
    "bamako": ("Bamako", 12.65, -8.0, "Mali", "Bamako"),
    "douentza": ("Douentza", 15.0, -2.95, "Mali", "Mopti"),
    "bankass": ("Bankass", 14.08, -3.52, "Mali", "Mopti"),
    "mopti": ("Mopti", 14.49, -4.2, "Mali", "Mopti"),
    "torodi": ("Torodi", 13.11, 1.8, "Mali", "Tillaberi"),
}


class FakeGeocoder:
    """Exact names only; admin context falls back to the cercle or region seat like the real one."""

    def __init__(self) -> None:
        self.queries: list[tuple] = []

    def geocode(self, query, exactly_one=True, country=None, admin1=None, admin2=None):
        self.queries.append((query, country, admin1, admin2))
        key = fold(query).strip()
        if key in PLACES:
            return self._location(PLACES[key], 1, "exact")
        for unit, precision in ((admin2, 2), (admin1, 3)):
            if unit and fold(unit) in PLACES:
                return self._location(PLACES[fold(unit)], precision, "fallback")
        return None

    @staticmethod
    def _location(place, precision, method):
        name, lat, lon, country, admin1 = place
        raw = {"name": name, "latitude": lat, "longitude": lon, "country": country, "country_code": "ML",
               "admin1": admin1, "admin2": None, "precision": precision, "method": method, "score": 1.0,
               "gazetteer_id": f"fake:{name}", "ambiguous": False}
        return Location(name, (lat, lon), raw)


def resolve(text: str):
    folded = fold(text)
    dateline = dateline_span(text)
    mentions = [m for m in find_place_mentions(text, folded, [], [dateline] if dateline else [])
                if not is_reporting_place(folded, m)]
    headline = headline_span(text)
    body = [m for m in mentions if not headline or m.start >= headline[1]]
    context = build_context(body, countries_mentioned(text, folded))
    return PlaceResolver(FakeGeocoder()).resolve(body, context, folded, capitals_allowed=False)


def test_dateline_city_is_skipped() -> None:
    place = resolve("BAMAKO (AFP) - Des hommes armés ont attaqué un poste à Douentza, au Mali.")
    assert place.raw["name"] == "Douentza" and int(place.precision) == 1


def test_reporting_city_is_skipped() -> None:
    place = resolve("Selon une source jointe à Bamako, des tirs ont visé Gao mardi.")
    assert place.raw["name"] == "Gao"


def test_unknown_village_falls_back_to_cercle_then_region() -> None:
    place = resolve("Le village de Sogou-Peul, dans le cercle de Bankass, région de Mopti, a été attaqué.")
    assert place.raw["name"] == "Bankass" and int(place.precision) == 2
    assert place.mention.name == "Sogou-Peul"
    place = resolve("Un hameau de la région de Mopti a été attaqué au Mali.")
    assert int(place.precision) == 3 and place.raw["name"] == "Mopti"


def test_country_context_is_passed_to_the_geocoder() -> None:
    geocoder = FakeGeocoder()
    text = "Des hommes armés ont attaqué Douentza, au Mali."
    folded = fold(text)
    mentions = find_place_mentions(text, folded, [], [])
    context = build_context(mentions, countries_mentioned(text, folded))
    PlaceResolver(geocoder).resolve(mentions, context, folded, capitals_allowed=False)
    assert ("Douentza", "Mali", None, None) in geocoder.queries


def test_headline_and_dateline_detection() -> None:
    text = "Violences dans la région de Mopti\nGAO (AFP) - Des tirs ont été entendus."
    assert text[slice(*headline_span(text))] == "Violences dans la région de Mopti"
    assert text[slice(*dateline_span(text))] == "GAO"
    assert headline_span("Gunmen killed three herders near Dori on Saturday.\nMore.") is None


def test_transliteration_variant_is_tried_when_the_spelling_is_unknown() -> None:
    assert "torodi" in spelling_variants("Torody")
    assert "bankass" in spelling_variants("Bankas")
    place = resolve("Une embuscade près de Torody a fait deux morts.")
    assert place.raw["name"] == "Torodi"
    assert place.raw["method"] == "fuzzy" and place.confidence < 0.9
