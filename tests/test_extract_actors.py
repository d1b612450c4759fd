"""incidents.extract.actors: aliases from the data file, normalised names, longest match wins."""

from __future__ import annotations

import json
from pathlib import Path

from incidents.extract.actors import ActorLexicon, lexicon
from incidents.extract.text import fold


def names(text: str, country: str | None = "Mali", lex: ActorLexicon | None = None) -> list[str]:
    found = (lex or lexicon()).find(text, fold(text))
    return [m.name_for(country) for m in found]


def test_aliases_in_both_languages_meet_on_one_name() -> None:
    for text in ("les FAMa", "les forces armées maliennes", "the Malian army", "l'armée malienne"):
        assert names(text) == ["Military Forces of Mali (2021-)"], text


def test_jihadist_groups() -> None:
    assert names("le GSIM") == names("JNIM") == ["JNIM: Group for Support of Islam and Muslims"]
    assert names("l'EIGS") == names("ISGS fighters") == names("l'État islamique au Sahel")
    assert names("ISGS")[0] == "Islamic State Sahel Province"


def test_longest_alias_wins_and_unidentified_group_takes_the_country() -> None:
    assert names("des hommes armés non identifiés") == ["Unidentified Armed Group (Mali)"]
    assert names("unidentified gunmen", "Niger") == ["Unidentified Armed Group (Niger)"]


def test_generic_army_becomes_the_country_specific_entry() -> None:
    assert names("des soldats", "Burkina Faso") == ["Military Forces of Burkina Faso (2022-)"]


def test_dozo_and_foreign_forces() -> None:
    assert names("des chasseurs dozos") == ["Dozo Communal Militia (Mali)"]
    assert names("Wagner Group mercenaries") == ["Wagner Group"]


def test_acronyms_are_case_sensitive() -> None:
    assert names("Fama est un prénom") == []


def test_analysts_can_extend_the_file(tmp_path: Path) -> None:
    path = tmp_path / "actors.json"
    path.write_text(json.dumps({"actors": [{"name": "Katiba Macina", "inter": 2, "aliases": ["katiba Macina"]}]}))
    assert names("la katiba Macina a revendiqué", lex=ActorLexicon(path)) == ["Katiba Macina"]
