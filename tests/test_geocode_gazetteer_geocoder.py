"""GazetteerGeocoder on a tiny hand-made gazetteer, plus the must-hold cases on the real one."""

from pathlib import Path

import geopandas
import pytest
from geopy.distance import geodesic
from geopy.extra.rate_limiter import RateLimiter

from incidents.geocode.build import write_index_from_csv
from incidents.geocode.gazetteer_geocoder import GazetteerGeocoder

FIXTURES = Path(__file__).parent / "fixtures" / "geocode"
KIMPARANA = (12.842, -4.925)


@pytest.fixture
def geocoder(tmp_path):
    write_index_from_csv(tmp_path, FIXTURES)
    return GazetteerGeocoder(directory=tmp_path)


@pytest.fixture
def real_home(built_gazetteer):
    """A state dir holding the real bundled index (conftest builds it once per session)."""
    return built_gazetteer.parent


@pytest.fixture
def real_geocoder(real_home):
    return GazetteerGeocoder(directory=real_home / "gazetteer")


@pytest.mark.parametrize(
    ("query", "context"),
    [
        ("Kimparana", {"country": "Mali"}),
        ("Kimparana", {"country": "Mali", "admin1": "Ségou"}),
        ("Kimparana", {"country": "ML"}),
        ("Kinmparana", {}),
        ("KIMPARANA", {}),
    ],
)
def test_kimparana_on_the_real_gazetteer(real_geocoder, query, context):
    found = real_geocoder.geocode(query, **context)
    assert geodesic(KIMPARANA, (found.latitude, found.longitude)).km < 1
    assert found.raw["admin1"] == "Ségou"
    assert found.raw["precision"] == 1
    assert found.raw["country_code"] == "ML"


@pytest.mark.parametrize(("query", "context", "admin1"), [
    ("Sévaré", {"country": "Mali", "admin1": "Mopti"}, "Mopti"),
    ("Boni", {"country": "Mali", "admin1": "Mopti", "admin2": "Douentza"}, "Mopti"),
    ("Ménaka", {"country": "Mali", "admin1": "Gao"}, "Ménaka"),
    ("Arbinda", {"country": "Burkina Faso", "admin1": "Sahel"}, "Sahel"),
    ("Ayorou", {"country": "Niger", "admin1": "Tillaberi"}, "Tillabéri"),
])
def test_the_default_install_knows_sahel_villages(real_geocoder, query, context, admin1):
    found = real_geocoder.geocode(query, **context).raw
    assert (found["precision"], found["admin1"]) == (1, admin1)
    assert found["method"] in ("exact", "alternate")


def test_real_gazetteer_prefers_the_town_of_gao_to_its_cercle(real_geocoder):
    found = real_geocoder.geocode("Gao", country="Mali", admin1="Gao").raw
    assert (found["feature"], found["precision"]) == ("PPLA", 1)


def test_real_gazetteer_resolves_french_country_names(real_geocoder):
    found = real_geocoder.geocode("Abéché", country="Tchad")
    assert found.raw["country_code"] == "TD"


def test_alternate_name_is_reported_as_alternate(geocoder):
    found = geocoder.geocode("kimparana")
    assert found.raw["method"] == "alternate"
    assert found.raw["name"] == "Kinmparana"
    assert found.raw["gazetteer_id"] == "geonames:2455456"
    exact = geocoder.geocode("Kinmparana")
    assert exact.raw["method"] == "exact"


def test_raw_carries_the_contract_keys(geocoder):
    raw = geocoder.geocode("Mopti").raw
    for key in ("name", "latitude", "longitude", "country", "country_code", "admin1", "admin2",
                "precision", "method", "score", "gazetteer_id", "ambiguous"):
        assert key in raw
    assert raw["country"] == "Mali"


@pytest.mark.parametrize("country", ["ML", "MLI", "Mali", "mali", "Republic of Mali"])
def test_country_forms_all_pick_the_same_homonym(geocoder, country):
    found = geocoder.geocode("Koro", country=country)
    assert found.raw["country_code"] == "ML"
    assert found.raw["ambiguous"] is False


def test_french_country_name_picks_homonym(geocoder):
    assert geocoder.geocode("Koro", country="Côte d'Ivoire").raw["admin1"] == "Woroba"
    assert geocoder.geocode("Saint Louis", country="Sénégal").raw["country_code"] == "SN"


def test_homonyms_without_context_prefer_population_and_flag_ambiguity(geocoder):
    found = geocoder.geocode("Koro")
    assert found.raw["country_code"] == "ML"
    assert found.raw["ambiguous"] is True
    assert {c["country_code"] for c in found.raw["candidates"]} == {"ML", "BF", "CI"}


def test_admin1_context_overrides_population(geocoder):
    found = geocoder.geocode("Koro", admin1="Hauts Bassins")
    assert found.raw["country_code"] == "BF"
    assert found.raw["ambiguous"] is False


def test_a_candidate_in_another_region_loses_to_the_fallback_inside_the_rows_region(geocoder):
    found = geocoder.geocode("Kimparana", country="Mali", admin1="Mopti")
    assert (found.raw["name"], found.raw["precision"], found.raw["fallback_level"]) == ("Mopti", 3, "admin1")


def test_a_candidate_in_another_region_is_kept_for_review_when_no_fallback_exists(geocoder):
    found = geocoder.geocode("Kimparana", country="Mali", admin1="Kidal")
    assert found.raw["name"] == "Kinmparana"
    assert found.raw["precision"] == 2
    assert "another region" in found.raw["review"]


def test_near_duplicates_are_not_ambiguous(geocoder):
    found = geocoder.geocode("Bla", country="Mali")
    assert found.raw["ambiguous"] is False
    assert found.raw["population"] == 19000


def test_exactly_one_false_returns_all_candidates(geocoder):
    found = geocoder.geocode("Koro", exactly_one=False)
    assert [loc.raw["country_code"] for loc in found] == ["ML", "CI", "BF"]


def test_fuzzy_match_is_scored_and_labelled(geocoder):
    found = geocoder.geocode("Kimparanna", country="Mali")
    assert found.raw["method"] == "fuzzy"
    assert 0.85 <= found.raw["score"] < 1
    assert found.raw["name"] == "Kinmparana"


def test_fuzzy_threshold_rejects_distant_names(geocoder):
    assert geocoder.geocode("Timbuktoo", country="Mali") is None
    strict = GazetteerGeocoder(directory=geocoder.directory, fuzzy_threshold=99)
    assert strict.geocode("Kimparanna", country="Mali") is None


def test_unknown_place_falls_back_to_admin2_seat(geocoder):
    found = geocoder.geocode("Unknownville", country="Mali", admin1="Ségou", admin2="cercle de San")
    assert found.raw["method"] == "fallback"
    assert found.raw["precision"] == 2
    assert (found.latitude, found.longitude) == (13.29701, -4.89627)
    assert found.raw["admin2"] == "Cercle de San"


def test_unknown_place_falls_back_to_admin1_seat(geocoder):
    found = geocoder.geocode("Unknownville", country="Mali", admin1="Region de Segou")
    assert found.raw["precision"] == 3
    assert found.raw["method"] == "fallback"
    assert (found.latitude, found.longitude) == (13.44032, -6.25947)


def test_admin1_without_any_place_gives_none(geocoder):
    assert geocoder.geocode("Unknownville", country="Mali", admin1="Kidal") is None


def test_structured_dict_query(geocoder):
    found = geocoder.geocode({"query": "Koro", "country": "Burkina Faso"})
    assert found.raw["country_code"] == "BF"
    found = geocoder.geocode({"location": "Koro", "admin1": "Woroba"})
    assert found.raw["country_code"] == "CI"


def test_works_behind_geopy_rate_limiter(geocoder):
    limited = RateLimiter(geocoder.geocode, min_delay_seconds=0)
    assert limited("Dori", country="BF").raw["admin1"] == "Sahel"


def test_works_with_geopandas_geocode(real_home, monkeypatch):
    monkeypatch.setenv("INCIDENTS_HOME", str(real_home))
    frame = geopandas.tools.geocode(["Kimparana"], provider=GazetteerGeocoder)
    point = frame.geometry.iloc[0]
    assert geodesic(KIMPARANA, (point.y, point.x)).km < 1
    assert frame.crs == "EPSG:4326"


def test_query_that_is_an_admin_unit_name_falls_back_to_its_seat(geocoder):
    found = geocoder.geocode("Cercle de San", country="Mali")
    assert (found.raw["method"], found.raw["precision"]) == ("fallback", 2)
    found = geocoder.geocode("Région de Mopti")
    assert (found.raw["method"], found.raw["precision"]) == ("fallback", 3)
    assert found.raw["admin1"] == "Mopti"


def test_region_named_by_its_capitals_other_spelling(geocoder):
    found = geocoder.geocode("Unknownville", country="Mali", admin1="Timbuktu")
    assert (found.raw["name"], found.raw["precision"]) == ("Tombouctou", 3)
    assert found.raw["seat"] == "Timbuktu"
