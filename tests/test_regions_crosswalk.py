"""The crosswalk: aliases, Mali's successive divisions, and analysts' own additions."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from incidents.regions import crosswalk as cw


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("INCIDENTS_HOME", str(tmp_path))
    return tmp_path


@pytest.mark.parametrize(
    ("raw", "key"),
    [("Ségou", "segou"), ("SEGOU", "segou"), ("Région de Ségou", "segou"), ("Segou Region", "segou"),
     ("Nioro-du-Sahel", "nioro du sahel"), ("Province de la Comoé", "comoe"), (None, ""), (pd.NA, "")],
)
def test_region_key_absorbs_spelling_noise(raw: object, key: str) -> None:
    assert cw.region_key(raw) == key


def test_aliases_go_both_ways() -> None:
    assert {"Tombouctou", "Timbuktu"} <= cw.expand_admin1(["Timbuktu"])
    assert "Timbuktu" in cw.expand_admin1(["Tombouctou"])


def test_successors_only_when_asked() -> None:
    assert "San" not in cw.expand_admin1(["Ségou"])
    assert cw.expand_admin1(["Ségou"], include_successors=True) == {"Ségou", "San"}
    # The successor's own aliases come along: Taoudénit is also written Taoudeni.
    assert {"Taoudénit", "Taoudeni"} <= cw.expand_admin1(["Timbuktu"], include_successors=True)


def test_mali_2023_reform_is_recorded() -> None:
    lineage = cw.lineage_table("ML")
    parents = dict(zip(lineage["successor"], lineage["predecessor"]))
    assert parents["San"] == "Ségou"
    assert parents["Bougouni"] == parents["Koutiala"] == "Sikasso"
    assert parents["Douentza"] == parents["Bandiagara"] == "Mopti"
    assert parents["Ménaka"] == "Gao"
    assert len(lineage) == 11


def test_same_region_knows_lineage_in_both_directions() -> None:
    assert cw.same_region("Ségou", "San")
    assert cw.same_region("San", "Segou")
    assert cw.same_region("Tombouctou", "Timbuktu")
    assert not cw.same_region("Kayes", "San")
    assert not cw.same_region("Mopti", "Ségou")


def test_country_scopes_the_lookup() -> None:
    assert "San" not in cw.expand_admin1(["Ségou"], country="BF", include_successors=True)


def test_admin1_mask_is_spelling_insensitive() -> None:
    values = pd.Series(["SEGOU", "San", "Mopti", None, "Région de Ségou"], dtype="string")
    assert cw.admin1_mask(values, ["Ségou"]).tolist() == [True, False, False, False, True]
    assert cw.admin1_mask(values, ["Ségou"], include_successors=True).tolist() == [
        True, True, False, False, True]


def test_rule_text_names_every_matched_region_in_both_languages() -> None:
    en = cw.rule_text(["Ségou"], include_successors=True)
    fr = cw.rule_text(["Ségou"], include_successors=True, language="fr")
    assert "San" in en and "2023" in en and "carved out" in en
    assert "San" in fr and "créée en 2023" in fr


def test_analyst_crosswalk_extends_the_bundled_one(home: Path) -> None:
    own = home / "regions" / "crosswalk.csv"
    own.parent.mkdir(parents=True)
    own.write_text("country,name,relation,target,since,source\nML,Segu,alias,Ségou,,analyst\n", "utf-8")
    assert "Segu" in cw.expand_admin1(["Ségou"])
    assert cw.same_region("Segu", "San")


def test_bad_relation_is_reported_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("country,name,relation,target,since,source\nML,A,twin_of,B,,x\n", "utf-8")
    with pytest.raises(ValueError, match="bad.csv:2"):
        cw.read_crosswalk_rows(path)


def test_burkina_2025_names_and_new_regions() -> None:
    assert cw.same_region("Liptako", "Sahel", country="BF")
    assert "Soum" in cw.expand_admin1(["Sahel"], country="BF", include_successors=True)
    assert "Soum" not in cw.expand_admin1(["Sahel"], country="BF")
    assert cw.same_region("Soum", "Liptako")
