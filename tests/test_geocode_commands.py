"""The gazetteer and geocode CLI commands, against a tiny index in a temporary state dir."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from incidents.geocode.build import write_index_from_csv
from incidents.geocode.commands import gazetteer_group, geocode_command

FIXTURES = Path(__file__).parent / "fixtures" / "geocode"


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("INCIDENTS_HOME", str(tmp_path))
    write_index_from_csv(tmp_path / "gazetteer", FIXTURES)
    return tmp_path


def test_build_is_quiet_and_idempotent_when_up_to_date(home):
    stamp = home / "gazetteer" / "build.json"
    before = stamp.stat().st_mtime_ns
    result = CliRunner().invoke(gazetteer_group, ["build", "--quiet"])
    assert result.exit_code == 0
    assert result.output == ""
    assert stamp.stat().st_mtime_ns == before
    loud = CliRunner().invoke(gazetteer_group, ["build"])
    assert "up to date: 13 places" in loud.output


def test_geocode_prints_the_fields(home):
    result = CliRunner().invoke(geocode_command, ["Kimparana", "--country", "Mali", "--admin1", "Ségou"])
    assert result.exit_code == 0
    lines = dict(line.split(": ", 1) for line in result.output.strip().splitlines())
    assert lines["latitude"] == "12.84217"
    assert lines["admin1"] == "Ségou"
    assert lines["precision"] == "1"
    assert lines["method"] == "alternate"


def test_geocode_json(home):
    result = CliRunner().invoke(geocode_command, ["Koro", "--json"])
    raw = json.loads(result.output)
    assert raw["ambiguous"] is True
    assert len(raw["candidates"]) == 3


def test_no_match_exits_non_zero_with_a_message(home):
    result = CliRunner().invoke(geocode_command, ["Nulle Part", "--country", "Mali"])
    assert result.exit_code != 0
    assert "no match for 'Nulle Part' in Mali" in result.output


def test_import_then_geocode(home):
    source = home / "extra.csv"
    source.write_text("name,latitude,longitude,country\nDioura,14.83,-5.25,ML\n", encoding="utf-8")
    result = CliRunner().invoke(gazetteer_group, ["import", str(source), "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert "imported 1 places into layer user-extra" in result.output
    found = CliRunner().invoke(geocode_command, ["Dioura"])
    assert "latitude: 14.83" in found.output


def test_import_of_bad_file_fails_cleanly(home):
    source = home / "bad.csv"
    source.write_text("title\nx\n", encoding="utf-8")
    result = CliRunner().invoke(gazetteer_group, ["import", str(source)])
    assert result.exit_code != 0
    assert "missing column" in result.output


def test_module_entry_point_registers_the_commands():
    from incidents.cli import cli

    assert {"gazetteer", "geocode"} <= set(cli.commands)


def test_info_counts_layers(home):
    result = CliRunner().invoke(gazetteer_group, ["info"])
    assert result.exit_code == 0
    assert result.output.startswith("13 places, 5 alternate names")
    assert "'geonames': 13" in result.output
    assert "0 entries lie outside their own admin-1 region" in result.output
