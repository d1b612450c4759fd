"""The message catalogs (incidents/locale/<lang>/LC_MESSAGES/incidents.po) and incidents.i18n.

Every catalog translates every message of the English one, with the same placeholders and
no fuzzy entry; every key the code asks for is in the catalogs; stored English reasons
and errors read in French; numbers follow the locale; the porting script adds an old
table's strings.
"""

from __future__ import annotations

import re
import string
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from incidents import i18n
from incidents.errors import FileTooLargeError, IngestError, describe
from incidents.io import read_incidents

PROJECT_DIR = Path(__file__).resolve().parent.parent
CODE_DIRS = [PROJECT_DIR / "incidents", PROJECT_DIR / "ui", PROJECT_DIR / "dashboard.py"]
# Where a module reads a catalog section as a dict: the section it reads.
SECTION_READERS = {
    "incidents/maps/legend.py": "legend", "incidents/maps/incident_layer.py": "legend",
    "incidents/maps/cells.py": "legend", "incidents/maps/build.py": "legend",
    "incidents/maps/base.py": "basemap", "incidents/maps/choropleth.py": "choropleth",
    "incidents/report/render.py": "report", "incidents/report/content.py": "report",
    "incidents/report/static_map.py": "report",
}
LITERAL_KEY = re.compile(r"""\b(t|translate|_t)\(\s*(f?)"([^"]+)\"""")
SECTION_KEY = re.compile(r"""\b(?:w|text|words\(\w*(?:\.\w+)?\)|_words\(\w*\)|strings\(\w*\))\["(\w+)"\]""")


def catalog(language: str):
    with i18n.po_path(language).open("rb") as handle:
        return read_po(handle, locale=language)


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def forms(message) -> list[str]:
    return list(message.string) if isinstance(message.string, (tuple, list)) else [message.string]


def translation_problems(english_catalog, translated_catalog) -> list[str]:
    """Keys missing or extra, fuzzy or empty entries, placeholders that differ."""
    english = {message.id: message for message in english_catalog if message.id}
    translated = {message.id: message for message in translated_catalog if message.id}
    problems = [f"{key}: missing" for key in english if key not in translated]
    problems += [f"{key}: not in English" for key in translated if key not in english]
    for key, message in translated.items():
        if key not in english:
            continue
        if message.fuzzy:
            problems.append(f"{key}: fuzzy")
        if not all(text.strip() for text in forms(message)):
            problems.append(f"{key}: empty")
        expected = set().union(*(placeholders(text) for text in forms(english[key])))
        if any(placeholders(text) - expected for text in forms(message)):
            problems.append(f"{key}: a placeholder English lacks")
        if not isinstance(message.id, tuple) and placeholders(message.string) != expected:
            problems.append(f"{key}: placeholders differ")
    return problems


@pytest.mark.parametrize("language", i18n.available_languages())
def test_every_message_is_translated_with_the_same_placeholders(language: str) -> None:
    assert translation_problems(catalog("en"), catalog(language)) == []


def test_a_missing_or_fuzzy_translation_is_found(tmp_path: Path) -> None:
    french = i18n.po_path("fr").read_text(encoding="utf-8")
    broken = french.replace('msgstr "Filtres"', 'msgstr ""', 1)
    broken = broken.replace('msgid "period"', '#, fuzzy\nmsgid "period"', 1)
    broken = broken.replace('msgid "country"\nmsgstr "Pays"', '', 1)
    broken = broken.replace('Fond de carte {name} importé', 'Fond de carte {nom} importé', 1)
    path = tmp_path / "broken.po"
    path.write_text(broken, encoding="utf-8")
    with path.open("rb") as handle:
        problems = translation_problems(catalog("en"), read_po(handle, locale="fr"))
    assert sorted(problems) == ["basemap_imported: a placeholder English lacks",
                                "basemap_imported: placeholders differ", "country: missing",
                                "filters: empty", "period: fuzzy"]


def _code_files() -> list[Path]:
    files = []
    for place in CODE_DIRS:
        files.extend([place] if place.is_file() else sorted(place.rglob("*.py")))
    return files


def test_every_key_the_code_uses_is_in_the_catalog() -> None:
    keys = {message.id if isinstance(message.id, str) else message.id[0]
            for message in catalog("en") if message.id}
    missing = []
    for path in _code_files():
        source = path.read_text(encoding="utf-8")
        relative = path.relative_to(PROJECT_DIR).as_posix()
        for function, is_template, key in LITERAL_KEY.findall(source):
            prefix = "signin." if relative == "ui/signin.py" and function == "_t" else ""
            if is_template:
                lead = key.split("{", 1)[0]
                if not any(known.startswith(prefix + lead) for known in keys):
                    missing.append(f"{relative}: {key}")
            elif " " not in key and prefix + key not in keys:
                missing.append(f"{relative}: {key}")
        section = SECTION_READERS.get(relative)
        if section:
            missing += [f"{relative}: {section}.{key}" for key in SECTION_KEY.findall(source)
                        if f"{section}.{key}" not in keys]
    assert missing == [], "keys used in code but absent from the catalog"


def test_catalogs_compile_and_every_language_loads(tmp_path: Path) -> None:
    assert i18n.available_languages()[0] == "en" and "fr" in i18n.available_languages()
    assert i18n.language_names() == {"en": "English", "fr": "Français"}
    assert i18n.catalogs_are_compiled()
    assert i18n.translate("filters", "fr") == "Filtres"
    assert i18n.translate("filters", "de") == i18n.translate("filters", "en")  # no catalog: English
    with pytest.raises(KeyError):
        i18n.translate("no_such_key", "fr")


def test_a_language_is_one_more_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for language in ("en", "fr"):
        target = i18n.po_path(language, tmp_path)
        target.parent.mkdir(parents=True)
        target.write_bytes(i18n.po_path(language).read_bytes())
    spanish = i18n.po_path("es", tmp_path)
    spanish.parent.mkdir(parents=True)
    spanish.write_text(i18n.po_path("fr").read_text(encoding="utf-8")
                       .replace("Language: fr", "Language: es")
                       .replace('msgstr "Filtres"', 'msgstr "Filtros"'), encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    for cached in (i18n._catalog, i18n._section, i18n._plural_index):
        cached.cache_clear()
    try:
        i18n.compile_catalogs(tmp_path)
        assert i18n.available_languages() == ["en", "es", "fr"]
        assert i18n.language_names()["es"] == "Español"
        assert i18n.translate("filters", "es") == "Filtros"
        assert i18n.format_number(20000, "es") == "20.000"
    finally:
        for cached in (i18n._catalog, i18n._section, i18n._plural_index):
            cached.cache_clear()


def test_a_missing_compiled_catalog_is_an_error_not_english(monkeypatch: pytest.MonkeyPatch,
                                                            tmp_path: Path) -> None:
    source = i18n.po_path("fr")
    target = i18n.po_path("fr", tmp_path)
    target.parent.mkdir(parents=True)
    target.write_bytes(source.read_bytes())
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n._catalog.cache_clear()
    try:
        with pytest.raises(i18n.CatalogNotCompiledError, match="make messages"):
            i18n._catalog("fr")
        i18n.compile_catalogs()
        assert target.with_suffix(".mo").exists()
    finally:
        i18n._catalog.cache_clear()


@pytest.mark.parametrize(("count", "english", "french"), [
    (0, "Week of x: 0 incidents", "Semaine du x : 0 incident"),
    (1, "Week of x: 1 incident", "Semaine du x : 1 incident"),
    (2, "Week of x: 2 incidents", "Semaine du x : 2 incidents"),
    (20000, "Week of x: 20,000 incidents", "Semaine du x : 20\u202f000 incidents"),
    (1_000_000, "Week of x: 1,000,000 incidents", "Semaine du x : 1\u202f000\u202f000 incidents"),
])
def test_plurals_and_grouping_follow_the_catalog_and_locale(count: int, english: str, french: str) -> None:
    assert i18n.translate("week_of", "en", start="x", count=count) == english
    assert i18n.translate("week_of", "fr", start="x", count=count) == french


def test_numbers_and_days_per_locale() -> None:
    from datetime import date

    assert i18n.format_number(20000, "en") == "20,000"
    assert i18n.format_number(20000, "fr") == "20\u202f000"
    assert i18n.format_day(date(2024, 3, 4), "fr") == "4 mars 2024"
    assert i18n.format_day(date(2024, 3, 4), "en") == "Mar 4, 2024"


def test_taxonomy_labels_come_from_the_catalogs() -> None:
    from incidents import model
    from incidents.io import codes

    assert model.label("Armed clash", "fr") == "Affrontement armé"
    assert model.label("Armed clash", "en") == "Armed clash"
    assert model.label("Not a term", "fr") == "Not a term"
    assert codes.event_type_name("Affrontements") == "Battles"
    assert codes.sub_event_type_name("affrontement arme") == "Armed clash"
    every_term = {t for spec in model.taxonomy()["event_types"].values() for t in spec["sub_event_types"]}
    every_term |= set(model.taxonomy()["event_types"])
    assert every_term == set(i18n.section("taxonomy", "fr"))


BAD_FILE = (
    "event_date,event_type,country,location,latitude,longitude,fatalities,geo_precision\n"
    "31/02/2024,Battles,Mali,Gao,16.27,-0.04,1,1\n"
    "2024-03-04,Battles,Mali,Gao,abc,-0.04,0,1\n"
    "2024-03-05,Battles,Mali,Gao,16.27,-0.04,-3,1\n"
    "2024-03-06,Skirmish,Mali,Gao,16.27,-0.04,1,1\n"
    "2024-03-07,Battles,Mali,Gao,16.27,,1,1\n"
    "2024-03-08,Battles,Mali,Gao,16.27,-0.04,1,7\n"
    "2024-03-09,Battles,Mali,Gao,16.27,-0.04,many,1\n"
    ",Battles,Mali,Gao,16.27,-0.04,1,1\n"
    "2024-03-10,,Mali,Gao,16.27,-0.04,1,1\n"
    "2024-03-11,Battles,Mali,Gao,123.4,-0.04,1,1\n"
    "2024-03-12,Battles,Mali,Gao,16.27,-0.04\n"
)


def test_every_quarantine_reason_of_a_bad_file_reads_in_french() -> None:
    result = read_incidents(BAD_FILE.encode(), filename="bad.csv")
    reasons = list(result.quarantine["reason"])
    assert len(reasons) == 11
    for reason in reasons:
        french = i18n.translate_stored(reason, "fr")
        for part in french.split(" ; "):
            assert part not in reason.split("; "), f"untranslated: {part!r}"
        assert i18n.translate_stored(reason, "en") == reason


def test_stored_reason_keeps_its_values_and_unknown_parts() -> None:
    reason = "latitude 'abc' is not a number; a reason nobody declared"
    assert i18n.translate_stored(reason, "fr") == (
        "latitude « abc » n'est pas un nombre ; a reason nobody declared")


def test_errors_read_in_the_analysts_language() -> None:
    error = IngestError("the file has no header row", filename="a.csv", row=3, column="x")
    assert str(error) == "a.csv, row 3, column 'x': the file has no header row"
    assert describe(error, "fr") == "a.csv, ligne 3, colonne 'x' : le fichier n'a pas de ligne d'en-tête"
    assert describe(FileTooLargeError(300_000_000, 200_000_000), "fr").startswith("le fichier fait 300")
    assert describe(ValueError("polygon must be a Polygon or MultiPolygon"), "fr") == (
        "le polygone doit être un Polygon ou un MultiPolygon")


def test_draw_tool_words_follow_the_map_language() -> None:
    import folium

    from incidents.maps.draw import add_draw_control

    fmap = folium.Map()
    add_draw_control(fmap, language="fr")
    page = fmap.get_root().render()
    assert "Dessiner un polygone" in page and "Draw a polygon" not in page
    assert page.index("L.drawLocal") < page.index("L.Control.Draw")


def test_page_script_rules_cover_streamlit_words() -> None:
    from ui.layout import _script_rules

    assert _script_rules("en") == []
    rules = dict(_script_rules("fr"))
    assert rules["Upload"] == "Importer"
    pattern = next(regex for regex, text in rules.items() if text == "{size} Mo par fichier")
    assert re.fullmatch(pattern.replace("(?<", "(?P<"), "200MB per file")


def test_port_script_adds_an_old_tables_strings(tmp_path: Path) -> None:
    sys.path.insert(0, str(PROJECT_DIR / "scripts"))
    try:
        import port_strings
    finally:
        sys.path.pop(0)
    old = tmp_path / "old_i18n.py"
    old.write_text(
        'STRINGS: dict[str, tuple[str, str]] = {\n'
        '    "new_key": ("New words", "Mots nouveaux"),\n'
        '    "rows_kept": ("{count} rows kept", "{count} lignes gardées"),\n'
        '    "rows_kept_one": ("{count} row kept", "{count} ligne gardée"),\n'
        '}\n', encoding="utf-8")
    locale = tmp_path / "locale"
    added = port_strings.add(port_strings.read_table(old, "STRINGS"), locale_dir=locale)
    assert added == ["new_key", "rows_kept"]
    assert port_strings.add(port_strings.read_table(old, "STRINGS"), locale_dir=locale) == []
    i18n.compile_catalogs(locale)
    with i18n.po_path("fr", locale).open("rb") as handle:
        french = read_po(handle, locale="fr")
    assert french.get("new_key").string == "Mots nouveaux"
    assert french.get("rows_kept").string[0] == "{count} ligne gardée"
    assert all(french.get("rows_kept").string)
