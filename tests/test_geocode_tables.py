"""Importing the gazetteers analysts have: OCHA/COD settlement lists, any CSV/XLSX of places."""

from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from incidents.errors import GeocodeError
from incidents.geocode.build import write_index_from_csv
from incidents.geocode.commands import gazetteer_group
from incidents.geocode.gazetteer_geocoder import GazetteerGeocoder
from incidents.geocode.layers import import_layer
from incidents.geocode.tables import repair_mojibake

FIXTURES = Path(__file__).parent / "fixtures" / "geocode_ranking"
OCHA_HEADER = ["id", "longitude", "latitude", "featureNam", "pcode", "featureRef", "featureAlt", "popPlace_1",
               "admin0Name", "admin0Pcod", "admin1Name", "admin1Pcod", "admin2Name", "admin2Pcod",
               "admin3Name", "admin3Pcod"]


@pytest.fixture
def directory(tmp_path):
    home = tmp_path / "gazetteer"
    write_index_from_csv(home, FIXTURES)
    return home


def _ocha_workbook(path: Path) -> Path:
    """Invented settlements laid out like an OCHA COD export, mojibake and misspelt region included."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(OCHA_HEADER)
    sheet.append([1, -3.05, 14.95, "KÃ©rÃ©na", "ML04010101", "Kerena", None, None, "Mali", "ML",
                  "Moptii", "ML04", "Douentza", "ML0401", "Dallah", "ML040101"])
    sheet.append([2, -6.1, 13.3, "Sanabougou", "ML05010101", "Sanabougou", None, "Admin3 Capital", "Mali", "ML",
                  "Segou", "ML05", "Segou", "ML0501", "Sanabougou", "ML050101"])
    sheet.append([3, None, None, "Sans Point", "ML05010102", "", None, None, "Mali", "ML",
                  "Segou", "ML05", "Segou", "ML0501", "Sanabougou", "ML050101"])
    book.save(path)
    return path


@pytest.mark.parametrize(("broken", "fixed"), [
    ("TÃ©nenkou", "Ténenkou"), ("KÃ©rÃ©na", "Kéréna"), ("SÃ©gou", "Ségou"), ("Ségou", "Ségou"),
    ("Plain", "Plain"), (None, None),
])
def test_mojibake_is_repaired(broken, fixed):
    assert repair_mojibake(broken) == fixed


def test_ocha_workbook_imports_with_p_codes_repaired_names_and_canonical_regions(directory, tmp_path):
    layer, count = import_layer(_ocha_workbook(tmp_path / "localites.xlsx"), directory=directory)
    assert (layer, count) == ("user-localites", 2)
    geocoder = GazetteerGeocoder(directory=directory)
    found = geocoder.geocode("Kéréna", country="Mali", admin1="Mopti").raw
    assert (found["name"], found["admin1"], found["admin3"], found["precision"]) == ("Kéréna", "Mopti", "Dallah", 1)
    assert geocoder.geocode("Kerena", country="ML", admin1="ML04").raw["gazetteer_id"] == "user-localites:ML04010101"
    seat = geocoder.geocode("Sanabougou", country="Mali").raw
    assert seat["feature"] == "PPLA3"


def test_any_csv_with_name_and_coordinates_imports(directory, tmp_path):
    source = tmp_path / "villages.csv"
    source.write_bytes("nom;lat;lon;adm1_name;adm2_name;pays\nKéla;14,1;-3,9;Mopti;Mopti;Mali\n".encode("cp1252"))
    layer, count = import_layer(source, directory=directory)
    assert count == 1
    found = GazetteerGeocoder(directory=directory).geocode("Kela", country="Mali", admin1="Mopti").raw
    assert (found["name"], found["latitude"], found["longitude"]) == ("Kéla", 14.1, -3.9)


@pytest.mark.parametrize(("name", "content", "message"), [
    ("nothing.csv", b"title,comment\nx,y\n", "missing column"),
    ("broken.xlsx", b"PK\x03\x04 not really a workbook", "cannot be read"),
    ("no_points.csv", b"name,latitude,longitude\nA,,\nB,north,west\n", "no row has a name and valid coordinates"),
    ("XX.txt", b"just one line of text\n", "not a GeoNames dump"),
    ("empty.csv", b"", "cannot be read"),
])
def test_unreadable_files_give_a_clear_error(directory, tmp_path, name, content, message):
    source = tmp_path / name
    source.write_bytes(content)
    with pytest.raises(GeocodeError, match=message):
        import_layer(source, directory=directory)


def test_cli_import_of_a_bad_file_has_no_traceback(tmp_path, monkeypatch):
    home = tmp_path / "home"
    write_index_from_csv(home / "gazetteer", FIXTURES)
    monkeypatch.setenv("INCIDENTS_HOME", str(home))
    source = tmp_path / "broken.xlsx"
    source.write_bytes(b"PK\x03\x04 garbage")
    result = CliRunner().invoke(gazetteer_group, ["import", str(source)])
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert "broken.xlsx" in result.output
