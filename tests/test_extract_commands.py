"""``python -m incidents extract``: text output, JSON in the canonical schema, saving to the store."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from incidents.cli import cli

ARTICLE = ("Le 3 mars 2024, des hommes armés ont attaqué la localité de Djibo, tuant cinq civils. "
           "Le lendemain, une mine a tué deux soldats près de Dori.")


def test_json_lists_geocoded_candidates_with_evidence(incidents_home: Path, tmp_path: Path) -> None:
    article = tmp_path / "article.txt"
    article.write_text(ARTICLE, "utf-8")
    result = CliRunner().invoke(cli, ["extract", str(article), "--published", "2024-03-06", "--json"])
    assert result.exit_code == 0, result.output
    candidates = json.loads(result.stdout)
    assert [c["location"] for c in candidates] == ["Djibo", "Dori"]
    assert candidates[0]["latitude"] and candidates[0]["geo_precision"] == 1
    assert candidates[1]["event_date"] == "2024-03-04"
    start, end = candidates[0]["evidence"]["location"]["spans"][0]
    assert ARTICLE[start:end] == "Djibo"


def test_save_imports_into_the_store(incidents_home: Path, tmp_path: Path) -> None:
    article = tmp_path / "article.txt"
    article.write_text(ARTICLE, "utf-8")
    store = tmp_path / "store.sqlite"
    result = CliRunner().invoke(cli, ["extract", str(article), "--published", "2024-03-06",
                                      "--save", "--store", str(store)])
    assert result.exit_code == 0, result.output
    from incidents.store import open_store

    saved = open_store(store).load()
    assert len(saved) == 2
    assert set(saved["language"]) == {"fr"}
    assert (saved["source_text"] == ARTICLE).all()


def test_month_only_publication_is_accepted_and_a_bad_one_refused(incidents_home: Path, tmp_path: Path) -> None:
    article = tmp_path / "article.txt"
    article.write_text("Le 3 mars, des hommes armés ont attaqué la localité de Djibo, tuant cinq civils.", "utf-8")
    result = CliRunner().invoke(cli, ["extract", str(article), "--published", "2024-04", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["event_date"] == "2024-03-03"
    refused = CliRunner().invoke(cli, ["extract", str(article), "--published", "April 2024"])
    assert refused.exit_code != 0 and "YYYY-MM" in refused.output
