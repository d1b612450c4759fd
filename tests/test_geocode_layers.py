"""User layers: CSV and GeoNames imports, manual placements, merged at load."""

from pathlib import Path

import pytest

from incidents.errors import GeocodeError
from incidents.geocode.build import write_index_from_csv
from incidents.geocode.gazetteer import load_gazetteer
from incidents.geocode.gazetteer_geocoder import GazetteerGeocoder
from incidents.geocode.layers import import_layer, read_layer, save_manual_placement

FIXTURES = Path(__file__).parent / "fixtures" / "geocode"


def _geonames_row(gid, name, alternates, lat, lon, fclass, fcode, cc, adm1, adm2, population):
    fields = [str(gid), name, name, alternates, str(lat), str(lon), fclass, fcode, cc, "",
              adm1, adm2, "", "", str(population), "", "300", "Africa/Bamako", "2024-01-01"]
    assert len(fields) == 19
    return "\t".join(fields)


@pytest.fixture
def directory(tmp_path):
    write_index_from_csv(tmp_path, FIXTURES)
    return tmp_path


@pytest.fixture
def geocoder(directory):
    return GazetteerGeocoder(directory=directory)


def test_csv_layer_is_merged_and_geocodable(directory, geocoder, tmp_path_factory):
    source = tmp_path_factory.mktemp("in") / "villages.csv"
    source.write_text(
        "name,latitude,longitude,admin1,admin2,alternate_names,country\n"
        "Dinangourou,14.43,-2.22,Mopti,Koro,Dinangorou;Dinangourou Peul,Mali\n"
        "Broken,north,-2.0,Mopti,,,ML\n",
        encoding="utf-8",
    )
    layer, count = import_layer(source, directory=directory)
    assert (layer, count) == ("user-villages", 1)
    found = geocoder.geocode("dinangorou", country="ML")
    assert found.raw["method"] == "alternate"
    assert found.raw["admin2"] == "Koro"
    assert found.raw["gazetteer_id"].startswith("user-villages:")


def test_reimporting_replaces_the_layer(directory, tmp_path_factory):
    source = tmp_path_factory.mktemp("in") / "villages.csv"
    source.write_text("name,latitude,longitude\nA,1,1\nB,2,2\n", encoding="utf-8")
    import_layer(source, directory=directory)
    import_layer(source, directory=directory)
    assert (load_gazetteer(directory).places["layer"] == "user-villages").sum() == 2


def test_csv_without_coordinates_columns_is_refused(directory, tmp_path_factory):
    source = tmp_path_factory.mktemp("in") / "bad.csv"
    source.write_text("name,lat\nA,1\n", encoding="utf-8")
    with pytest.raises(GeocodeError, match="longitude"):
        import_layer(source, directory=directory)


def test_csv_with_unknown_country_is_refused(directory, tmp_path_factory):
    source = tmp_path_factory.mktemp("in") / "bad.csv"
    source.write_text("name,latitude,longitude,country\nA,1,1,Atlantis\n", encoding="utf-8")
    with pytest.raises(GeocodeError, match="Atlantis"):
        import_layer(source, directory=directory)


def test_geonames_dump_keeps_places_and_admin_features(directory, geocoder, tmp_path_factory):
    source = tmp_path_factory.mktemp("in") / "ML.txt"
    source.write_text("\n".join([
        _geonames_row(9000001, "Dioura", "Diura,Dioura Bambara", 14.83, -5.25, "P", "PPL", "ML", "04", "X1", 9000),
        _geonames_row(9000002, "Cercle de Tenenkou", "", 14.2, -4.7, "A", "ADM2", "ML", "04", "X1", 0),
        _geonames_row(9000003, "Lac Debo", "", 15.3, -4.2, "H", "LK", "ML", "04", "", 0),
        _geonames_row(9000004, "Pays Dogon", "", 14.5, -3.5, "L", "RGN", "ML", "04", "", 0),
    ]) + "\n", encoding="utf-8")
    layer, count = import_layer(source, fmt="geonames", directory=directory)
    assert (layer, count) == ("user-ML", 3)
    found = geocoder.geocode("Diura", country="Mali")
    assert found.raw["admin1"] == "Mopti"
    assert found.raw["admin2"] == "Cercle de Tenenkou"
    assert found.raw["gazetteer_id"] == "geonames:9000001"
    assert geocoder.geocode("Pays Dogon", country="Mali") is None


def test_a_lake_or_wadi_is_found_but_never_precision_1(directory, geocoder, tmp_path_factory):
    source = tmp_path_factory.mktemp("in") / "ML.txt"
    source.write_text(_geonames_row(9000005, "Oued Tilemsi", "", 17.5, 0.2, "H", "WAD", "ML", "09", "", 0) + "\n",
                      encoding="utf-8")
    import_layer(source, fmt="geonames", directory=directory)
    found = geocoder.geocode("Oued Tilemsi", country="Mali", admin1="Gao")
    assert (found.raw["gazetteer_id"], found.raw["precision"]) == ("geonames:9000005", 2)
    assert "long or wide" in found.raw["review"]


def test_a_feature_in_no_single_region_does_not_contradict_the_rows_region(directory, geocoder, tmp_path_factory):
    source = tmp_path_factory.mktemp("in") / "ML.txt"
    source.write_text(_geonames_row(9000006, "Bani River", "", 13.9, -4.6, "H", "STM", "ML", "00", "", 0) + "\n",
                      encoding="utf-8")
    import_layer(source, fmt="geonames", directory=directory)
    found = geocoder.geocode("Bani River", country="Mali", admin1="Mopti")
    assert (found.raw["gazetteer_id"], found.raw["admin1"], found.raw["method"]) == ("geonames:9000006", None, "exact")


def test_unknown_format_is_refused(directory, tmp_path_factory):
    source = tmp_path_factory.mktemp("in") / "x.txt"
    source.write_text("x", encoding="utf-8")
    with pytest.raises(GeocodeError, match="format"):
        import_layer(source, fmt="kml", directory=directory)


def test_manual_placement_is_reused_with_method_manual(directory, geocoder):
    assert geocoder.geocode("Kimparana", country="Mali").raw["method"] == "alternate"
    place_id = save_manual_placement("Kimparana", 12.85, -4.93, "Mali", "Ségou", directory=directory)
    found = geocoder.geocode("KIMPARANA", country="ML")
    assert found.raw["method"] == "manual"
    assert found.raw["gazetteer_id"] == place_id
    assert (found.latitude, found.longitude) == (12.85, -4.93)
    assert found.raw["ambiguous"] is False


def test_placing_again_replaces_the_earlier_point(directory, geocoder):
    save_manual_placement("Nouveau Camp", 14.0, -3.0, "ML", "Mopti", directory=directory)
    save_manual_placement("nouveau camp", 14.1, -3.1, "ML", "Mopti", directory=directory)
    assert len(read_layer("manual", directory)) == 1
    assert geocoder.geocode("Nouveau-Camp").latitude == 14.1


def test_manual_placement_validates_input(directory):
    with pytest.raises(GeocodeError):
        save_manual_placement("X", 95.0, 0.0, directory=directory)
    with pytest.raises(GeocodeError):
        save_manual_placement(" ", 10.0, 0.0, directory=directory)


def test_imported_copy_of_a_bundled_place_wins(directory, geocoder, tmp_path_factory):
    source = tmp_path_factory.mktemp("in") / "ML.txt"
    source.write_text(_geonames_row(2455456, "Kinmparana", "Kimparana", 12.8422, -4.9246, "P", "PPLA3",
                                    "ML", "05", "", 6500) + "\n", encoding="utf-8")
    import_layer(source, directory=directory)
    found = geocoder.geocode("Kimparana", country="Mali")
    assert found.raw["population"] == 6500
    assert found.raw["ambiguous"] is False
