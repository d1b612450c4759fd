"""Ranking by the row's whole context, one rule per test, on a small invented gazetteer.

The fixture (``fixtures/geocode_ranking``) is written for these tests: its places,
coordinates and codes are made up, laid out so each rule has one clear answer.
"""

from pathlib import Path

import pytest
from geopy.distance import geodesic

from incidents.geocode.batch import geocode_frame
from incidents.geocode.build import write_index_from_csv
from incidents.geocode.gazetteer_geocoder import GazetteerGeocoder
from incidents.model import conform

FIXTURES = Path(__file__).parent / "fixtures" / "geocode_ranking"


@pytest.fixture(scope="module")
def geocoder(tmp_path_factory):
    directory = tmp_path_factory.mktemp("ranking")
    write_index_from_csv(directory, FIXTURES)
    return GazetteerGeocoder(directory=directory)


def place(geocoder, query, **context):
    found = geocoder.geocode(query, country=context.pop("country", "Mali"), **context)
    assert found is not None
    return found.raw


# Homonyms ------------------------------------------------------------------

def test_the_rows_region_separates_homonyms(geocoder):
    assert place(geocoder, "Tinkare", admin1="Mopti")["gazetteer_id"] == "t:tinkare-mopti"
    assert place(geocoder, "Tinkare", admin1="Segou")["gazetteer_id"] == "t:tinkare-segou"


def test_the_rows_cercle_separates_homonyms_of_one_region(geocoder):
    raw = place(geocoder, "Bagoula", admin1="Mopti", admin2="Cercle de Douentza")
    assert (raw["gazetteer_id"], raw["precision"], raw["ambiguous"]) == ("t:bagoula-d", 1, False)


def test_homonyms_the_context_cannot_separate_are_flagged_and_not_precision_1(geocoder):
    raw = place(geocoder, "Bagoula", admin1="Mopti")
    assert raw["ambiguous"] is True
    assert raw["precision"] == 2
    assert {c["gazetteer_id"] for c in raw["candidates"]} == {"t:bagoula-d", "t:bagoula-m"}


def test_ambiguous_rows_need_review_in_a_batch(geocoder):
    out = geocode_frame(conform(_rows([{"location": "Bagoula", "admin1": "Mopti"}])), geocoder)
    assert out.loc[0, "status"] == "needs_review"
    assert out.loc[0, "status_reason"].startswith("ambiguous")


# Admin area versus town ----------------------------------------------------

def test_a_town_wins_over_an_admin_area_of_the_same_name(geocoder):
    raw = place(geocoder, "Gao", admin1="Gao")
    assert (raw["gazetteer_id"], raw["precision"]) == ("t:gao", 1)


def test_a_query_naming_an_admin_unit_gets_the_unit(geocoder):
    assert place(geocoder, "Cercle de Gao", admin1="Gao")["gazetteer_id"] == "t:gao-cercle"


def test_a_town_wins_over_another_named_feature(geocoder):
    assert place(geocoder, "Tin Hama")["gazetteer_id"] == "t:tin-hama"
    assert place(geocoder, "Tin Hama", admin1="Mopti")["gazetteer_id"] == "t:well"


# Fuzzy and alternate names -------------------------------------------------

def test_close_fuzzy_match_confirmed_by_the_context_is_precision_1(geocoder):
    raw = place(geocoder, "Kansorro", admin1="Mopti", admin2="Douentza")
    assert (raw["gazetteer_id"], raw["method"], raw["precision"]) == ("t:kansoro", "fuzzy", 1)


def test_fuzzy_match_without_context_and_with_rivals_is_precision_2_for_review(geocoder):
    raw = place(geocoder, "Bagoulla")
    assert (raw["method"], raw["precision"]) == ("fuzzy", 2)
    assert raw["review"]


def test_close_fuzzy_match_without_context_is_precision_1_only_when_nothing_else_is_near_it(geocoder):
    raw = place(geocoder, "Kansorro")
    assert (raw["gazetteer_id"], raw["method"], raw["precision"]) == ("t:kansoro", "fuzzy", 1)


def test_loose_fuzzy_match_is_precision_2_even_in_context(geocoder):
    raw = place(geocoder, "Kanzoro", admin1="Mopti", admin2="Douentza")
    assert raw["score"] < 0.9
    assert (raw["method"], raw["precision"]) == ("fuzzy", 2)


def test_fuzzy_match_in_another_region_is_not_used(geocoder):
    raw = place(geocoder, "Kansorro", admin1="Gao")
    assert raw["method"] == "fallback"
    assert raw["fallback_level"] == "admin1"


def test_alternate_name_confirmed_by_the_region_is_precision_1(geocoder):
    raw = place(geocoder, "Dianwely", admin1="Mopti")
    assert (raw["name"], raw["method"], raw["precision"]) == ("Diaminé", "alternate", 1)


# Contradicting region and entries outside their region ---------------------

def test_a_candidate_in_another_region_loses_to_a_fallback_inside_the_rows_region(geocoder):
    raw = place(geocoder, "Kansoro", admin1="Gao")
    assert (raw["gazetteer_id"], raw["precision"], raw["fallback_level"]) == ("t:gao", 3, "admin1")


def test_an_entry_outside_its_own_region_is_demoted(geocoder):
    assert place(geocoder, "Walo", admin1="Mopti")["gazetteer_id"] == "t:walo"
    raw = place(geocoder, "Sokoura", admin1="Mopti")
    assert raw["precision"] == 2
    assert "outside its own region" in raw["review"]


# Codes and P-codes ---------------------------------------------------------

def test_p_codes_given_as_admin_context_match(geocoder):
    assert place(geocoder, "Kologo", admin1="ML05")["gazetteer_id"] == "t:kologo-segou"
    assert place(geocoder, "Kologo", admin1="ML04")["gazetteer_id"] == "t:kologo-mopti"


# Fallback at the finest level the row names --------------------------------

@pytest.mark.parametrize(("context", "level", "precision", "seat"), [
    ({"admin1": "Mopti", "admin2": "Douentza", "admin3": "Dallah"}, "admin3", 2, "t:dallah"),
    ({"admin1": "Mopti", "admin2": "Douentza"}, "admin2", 2, "t:douentza"),
    ({"admin1": "Mopti"}, "admin1", 3, "t:mopti"),
])
def test_fallback_at_the_finest_named_level(geocoder, context, level, precision, seat):
    raw = place(geocoder, "Nowhere Known", **context)
    assert (raw["method"], raw["fallback_level"], raw["precision"], raw["gazetteer_id"]) == (
        "fallback", level, precision, seat)


def test_batch_method_says_which_fallback(geocoder):
    out = geocode_frame(conform(_rows([
        {"location": "Nowhere Known", "admin1": "Mopti", "admin2": "Douentza", "admin3": "Dallah"},
        {"location": "Nowhere Known", "admin1": "Mopti", "admin2": "Douentza"},
        {"location": "Nowhere Known", "admin1": "Mopti"},
    ])), geocoder)
    assert out["geocode_method"].tolist() == ["fallback_admin3", "fallback_admin2", "fallback_admin1"]
    assert out["geo_precision"].tolist() == [2, 2, 3]


def test_places_far_from_the_rows_commune_lose_to_the_communes_seat(geocoder):
    raw = place(geocoder, "Nokara", admin1="Mopti", admin2="Douentza", admin3="Dallah")
    assert (raw["gazetteer_id"], raw["fallback_level"]) == ("t:dallah", "admin3")


def test_the_one_place_of_a_name_in_the_region_stays_unconfirmed_when_far_from_the_commune(geocoder):
    raw = place(geocoder, "Tiladji", admin1="Mopti", admin2="Douentza", admin3="Dallah")
    assert (raw["gazetteer_id"], raw["precision"]) == ("t:tiladji", 2)
    assert "far from" in raw["review"]


def test_copies_of_one_village_and_its_well_count_as_one_place_far_from_the_commune(geocoder):
    raw = place(geocoder, "Tamboura", admin1="Mopti", admin2="Douentza", admin3="Dallah")
    assert (raw["gazetteer_id"], raw["precision"]) == ("t:tamboura", 2)
    assert "far from" in raw["review"]


def test_a_close_spelling_far_from_the_commune_stays_unconfirmed_within_reach(geocoder):
    raw = place(geocoder, "Kanikkomba", admin1="Mopti", admin2="Douentza", admin3="Dallah")
    assert (raw["gazetteer_id"], raw["precision"], raw["method"]) == ("t:kanikomba", 2, "fuzzy")


def test_a_close_spelling_beyond_any_communes_reach_loses_to_the_communes_seat(geocoder):
    raw = place(geocoder, "Tenenkkoun", admin1="Mopti", admin2="Douentza", admin3="Dallah")
    assert (raw["gazetteer_id"], raw["fallback_level"]) == ("t:dallah", "admin3")


def test_a_named_feature_inside_the_commune_wins_over_a_village_far_from_it(geocoder):
    raw = place(geocoder, "Tindirma", admin1="Mopti", admin2="Douentza", admin3="Dallah")
    assert raw["gazetteer_id"] == "t:tindirma-well"


def test_a_town_that_seats_its_own_unit_is_not_precision_1_in_a_row_naming_another_commune(geocoder):
    raw = place(geocoder, "Konna", admin1="Mopti", admin2="Douentza", admin3="Dallah")
    assert (raw["gazetteer_id"], raw["precision"]) == ("t:konna", 2)
    assert "seat of its own unit" in raw["review"]
    village = place(geocoder, "Sarafere", admin1="Mopti", admin2="Douentza", admin3="Dallah")
    assert (village["gazetteer_id"], village["precision"]) == ("t:sarafere", 1)


def test_distance_to_a_cercle_is_measured_from_its_marked_seat_not_a_hamlet_of_its_name(geocoder):
    raw = place(geocoder, "Niala", admin1="Mopti", admin2="Kerou")
    assert raw["gazetteer_id"] == "t:niala-south"


def test_of_homonyms_the_context_cannot_separate_the_nearer_to_the_communes_seat_is_chosen(geocoder):
    raw = place(geocoder, "Dougouba", admin1="Mopti", admin2="Douentza", admin3="Dallah")
    assert (raw["gazetteer_id"], raw["precision"], raw["ambiguous"]) == ("t:dougouba-near", 2, True)


def test_a_features_generic_word_matches_in_either_order_and_language(geocoder):
    raw = place(geocoder, "Sangha Plateau", admin1="Mopti")
    assert (raw["gazetteer_id"], raw["method"]) == ("t:plateau-sangha", "exact")


# Relative places -----------------------------------------------------------

@pytest.mark.parametrize(("query", "km", "bearing"), [
    ("Gao 50km W", 50, 270),
    ("30 km au nord de Douentza", 30, 0),
    ("à 20 km au sud-est de Mopti", 20, 135),
    ("12 km north-east of Gao", 12, 45),
])
def test_offset_from_a_named_place(geocoder, query, km, bearing):
    raw = place(geocoder, query)
    anchor = place(geocoder, raw["anchor"])
    assert (raw["method"], raw["precision"]) == ("offset", 2)
    assert geodesic((anchor["latitude"], anchor["longitude"]), (raw["latitude"], raw["longitude"])).km == \
        pytest.approx(km, rel=0.01)
    assert (raw["offset_km"], raw["bearing"]) == (km, bearing)


def test_near_a_place_is_the_place_at_precision_2(geocoder):
    raw = place(geocoder, "near Mopti")
    assert (raw["method"], raw["precision"], raw["gazetteer_id"]) == ("offset", 2, "t:mopti")
    assert (raw["latitude"], raw["longitude"]) == (14.49, -4.18)


def _rows(rows):
    import pandas as pd

    base = {"event_date": "2024-01-01", "event_type": "Battles", "country": "Mali"}
    return pd.DataFrame([{**base, **row} for row in rows])
