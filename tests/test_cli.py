"""incidents.cli: the click group, its pipeline commands and its error handling."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from incidents.cli import cli
from incidents.filters import fold_text

PROJECT_DIR = Path(__file__).resolve().parent.parent


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("INCIDENTS_HOME", str(tmp_path / "home"))
    return CliRunner()


@pytest.fixture
def demo_csv(runner: CliRunner, tmp_path: Path) -> Path:
    path = tmp_path / "demo.csv"
    result = runner.invoke(cli, ["demo", "--n", "200", "--seed", "4", "-o", str(path)])
    assert result.exit_code == 0, result.output
    return path


def ingest(runner: CliRunner, path: Path, store: Path) -> dict:
    result = runner.invoke(cli, ["ingest", str(path), "--store", str(store), "--no-geocode"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_demo_writes_the_requested_rows(demo_csv: Path) -> None:
    frame = pd.read_csv(demo_csv)
    assert len(frame) == 200 and frame["synthetic"].all()


def test_demo_geojson_by_extension(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "demo.geojson"
    assert runner.invoke(cli, ["demo", "--n", "30", "-o", str(path)]).exit_code == 0
    collection = json.loads(path.read_text(encoding="utf-8"))
    assert collection["type"] == "FeatureCollection" and len(collection["features"]) == 30


def test_demo_refuses_an_unknown_extension(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["demo", "-o", str(tmp_path / "demo.txt")])
    assert result.exit_code == 2 and ".csv" in result.stderr


def test_ingest_prints_a_json_summary(runner: CliRunner, demo_csv: Path, tmp_path: Path) -> None:
    summary = ingest(runner, demo_csv, tmp_path / "s.sqlite")
    assert summary["accepted"] == 200 and summary["quarantined"] == 0
    assert summary["geocoding"] == "skipped"


def test_expected_errors_are_one_line_and_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("who,what\nme,it\n", encoding="utf-8")
    result = runner.invoke(cli, ["ingest", str(bad), "--store", str(tmp_path / "s.sqlite")])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: bad.csv: missing required column")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_a_corrupt_store_is_reported_not_raised(runner: CliRunner, demo_csv: Path, tmp_path: Path) -> None:
    store = tmp_path / "broken.sqlite"
    store.write_bytes(b"garbage" * 200)
    result = runner.invoke(cli, ["ingest", str(demo_csv), "--store", str(store), "--no-geocode"])
    assert result.exit_code == 2 and result.stderr.startswith("error: cannot open store")


def test_export_applies_the_filters(runner: CliRunner, demo_csv: Path, tmp_path: Path) -> None:
    store = tmp_path / "s.sqlite"
    ingest(runner, demo_csv, store)
    out = tmp_path / "mali_battles.csv"
    result = runner.invoke(cli, ["export", "--store", str(store), "--format", "csv",
                                 "--country", "MALI", "--type", "Battles",
                                 "--start", "2022-01-01", "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    exported = pd.read_csv(out)
    source = pd.read_csv(demo_csv, parse_dates=["event_date"])
    expected = source[(source["country"] == "Mali") & (source["event_type"] == "Battles")
                      & (source["event_date"] >= "2022-01-01")]
    assert len(exported) == len(expected) > 0
    assert f"wrote {len(expected)} incidents" in result.stderr


def test_export_geojson_by_region(runner: CliRunner, demo_csv: Path, tmp_path: Path) -> None:
    store = tmp_path / "s.sqlite"
    ingest(runner, demo_csv, store)
    out = tmp_path / "out.geojson"
    result = runner.invoke(cli, ["export", "--store", str(store), "--format", "geojson",
                                 "--region", "segou", "--region", "Mopti", "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    features = json.loads(out.read_text(encoding="utf-8"))["features"]
    # Ingest takes admin1 from the region polygons ("Ségou"); the filter ignores accents.
    assert features and set(fold_text(pd.Series([f["properties"]["admin1"] for f in features]))) <= {"segou", "mopti"}


def test_load_samples_without_geocoding(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["load-samples", "--store", str(tmp_path / "s.sqlite"), "--no-geocode"])
    assert result.exit_code == 0, result.stderr
    summaries = json.loads(result.stdout)
    assert [s["source"] for s in summaries] == ["seed_incident.csv", "sahel_sample.csv", "bad_rows.csv"]
    assert summaries[2]["quarantined"] == 10


def test_other_stages_commands_are_registered() -> None:
    assert {"ingest", "export", "demo", "load-samples", "gazetteer", "geocode"} <= set(cli.commands)
    assert "build" not in cli.commands, "subcommands of a stage's group stay inside it"


def test_python_dash_m_incidents_runs() -> None:
    result = subprocess.run([sys.executable, "-m", "incidents", "--help"], cwd=PROJECT_DIR,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert "ingest" in result.stdout and "load-samples" in result.stdout


def test_export_choices_match_the_writers() -> None:
    from incidents.cli import EXPORT_FORMATS
    from incidents.io.writers import FORMATS

    assert set(EXPORT_FORMATS) == set(FORMATS)


def test_ingest_refuses_a_file_over_max_mb_and_takes_it_when_raised(
    runner: CliRunner, tmp_path: Path
) -> None:
    from incidents.store import open_store

    big = tmp_path / "big.csv"
    result = runner.invoke(cli, ["demo", "--n", "4000", "--seed", "2", "-o", str(big)])
    assert result.exit_code == 0, result.output
    assert big.stat().st_size > 1024 * 1024
    store = tmp_path / "s.sqlite"
    refused = runner.invoke(cli, ["ingest", str(big), "--store", str(store), "--no-geocode",
                                  "--max-mb", "1"])
    assert refused.exit_code != 0
    assert "limit" in refused.output
    taken = runner.invoke(cli, ["ingest", str(big), "--store", str(store), "--no-geocode",
                                "--max-mb", "50"])
    assert taken.exit_code == 0, taken.output
    assert open_store(store).count() == 4000


def test_setup_is_a_command_that_checks_what_is_installed(incidents_home: Path) -> None:
    """After ``make setup`` nothing is fetched again: every part reports up to date."""
    result = CliRunner().invoke(cli, ["setup"])
    assert result.exit_code == 0, result.output
    assert "map assets: up to date" in result.output
    assert "tiles: up to date" in result.output
    assert "gazetteer: " in result.output


def test_every_stage_command_module_exists() -> None:
    import importlib

    from incidents.cli import STAGE_COMMAND_MODULES

    for name in STAGE_COMMAND_MODULES:
        importlib.import_module(name)


def test_ingest_maps_columns_and_remembers_the_mapping_for_the_header(
    runner: CliRunner, tmp_path: Path
) -> None:
    log = tmp_path / "journal.csv"
    log.write_text("Date,Lieu,Morts\n07/12/2024,Djibo,3\n08/12/2024,Arbinda,0\n", encoding="utf-8")
    store = tmp_path / "s.sqlite"
    plain = runner.invoke(cli, ["ingest", str(log), "--store", str(store), "--no-geocode"])
    assert plain.exit_code == 2 and "--map" in plain.output
    mapped = runner.invoke(cli, [
        "ingest", str(log), "--store", str(store), "--no-geocode", "--map", "Date=event_date",
        "--map", "Lieu=location", "--map", "morts=fatalities",
        "--set", "event_type=Violence against civilians",
    ])
    assert mapped.exit_code == 0, mapped.output
    assert json.loads(mapped.output)["accepted"] == 2
    again = tmp_path / "journal_janvier.csv"
    again.write_text("Date,Lieu,Morts\n03/01/2025,Djibo,1\n", encoding="utf-8")
    summary = ingest(runner, again, store)
    assert summary["accepted"] == 1 and summary["reader"]["mapping"] == "user (remembered)"


def test_ingest_reads_a_saved_mapping_file_and_a_named_sheet(runner: CliRunner, tmp_path: Path) -> None:
    book = tmp_path / "log.xlsx"
    with pd.ExcelWriter(book) as writer:
        pd.DataFrame({"x": [1]}).to_excel(writer, sheet_name="notes", index=False)
        pd.DataFrame({"Quand": ["2024-12-07"], "Quoi": ["Battles"]}).to_excel(
            writer, sheet_name="incidents", index=False)
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"rename": {"Quand": "event_date", "Quoi": "event_type"}}))
    result = runner.invoke(cli, ["ingest", str(book), "--store", str(tmp_path / "s.sqlite"),
                                 "--no-geocode", "--mapping", str(mapping), "--sheet", "incidents"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["accepted"] == 1


def test_ingest_refuses_a_map_to_an_unknown_column(runner: CliRunner, tmp_path: Path) -> None:
    log = tmp_path / "journal.csv"
    log.write_text("Date,Type\n2024-12-07,Battles\n", encoding="utf-8")
    result = runner.invoke(cli, ["ingest", str(log), "--store", str(tmp_path / "s.sqlite"),
                                 "--map", "Jour=event_date"])
    assert result.exit_code == 2 and "no column 'Jour'" in result.output


def test_verify_reports_an_intact_store_then_a_rewritten_history(tmp_path) -> None:
    import sqlite3

    from incidents import model
    from incidents.store import open_store

    path = tmp_path / "store.sqlite"
    store = open_store(path)
    store.import_records(model.conform(pd.DataFrame([
        {"event_id_cnty": "MLI1", "event_date": "2024-01-01", "event_type": "Battles"}])),
        source_name="x.csv")
    store.update("MLI1", {"fatalities": 2}, user="awa")
    runner = CliRunner()
    intact = runner.invoke(cli, ["verify", "--store", str(path)])
    assert intact.exit_code == 0 and "edit history intact (1 edits)" in intact.output
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE edits SET user = 'someone else'")
    broken = runner.invoke(cli, ["verify", "--store", str(path)])
    assert broken.exit_code == 1
    assert "broken at edit 1" in broken.output and "outside the program" in broken.output
