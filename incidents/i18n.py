"""Every word the program shows, in every language: gettext catalogs read through Babel.

One catalog per language, ``incidents/locale/<lang>/LC_MESSAGES/incidents.po``, holds
every message under a stable key (its msgid): the English catalog is a catalog like the
others, so adding a language is adding one ``.po`` file. ``python -m incidents setup``
(``make messages``) compiles them to ``.mo``, which is what the program reads; a
missing compiled catalog raises :class:`CatalogNotCompiledError` rather than showing
another language.

Keys are grouped by prefix: plain keys for the dashboard (``ui.i18n.t``), ``legend.``,
``basemap.``, ``choropleth.`` and ``report.`` for the map and the report (read as a
section with :func:`section`), ``taxonomy.`` for event types (:func:`term`), and
``reason.`` / ``error.`` for the English texts the readers store with a quarantined
row or raise, which :func:`translate_stored` turns into another language for display
while the stored text stays English and stable.

A message about ``count`` things is a plural entry; the catalog's ``Plural-Forms``
header chooses the form, so callers pass ``count=`` and never choose it themselves.
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.numbers import format_percent as format_percent_

LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "incidents"
DEFAULT_LANGUAGE = "en"
# Prefixes of the catalog's stored-text templates (see translate_stored).
STORED_TEXT_PREFIXES = ("reason.", "error.")
# Placeholders that hold a number of incidents or rows: written with the locale's grouping.
COUNT_VALUES = frozenset({"count", "total", "shown", "new", "updated", "duplicates",
                          "quarantined", "done", "rows", "unchanged", "merged"})


class CatalogNotCompiledError(RuntimeError):
    """A language's ``.po`` has no compiled ``.mo`` next to it (or an older one)."""


def po_path(language: str, locale_dir: Path | None = None) -> Path:
    return (locale_dir or LOCALE_DIR) / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def available_languages(locale_dir: Path | None = None) -> list[str]:
    """Language codes that have a catalog, the default first."""
    return list(_languages_in(locale_dir or LOCALE_DIR))


@lru_cache(maxsize=None)
def _languages_in(locale_dir: Path) -> tuple[str, ...]:
    found = sorted(path.parent.parent.name for path in locale_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return tuple(sorted(found, key=lambda code: code != DEFAULT_LANGUAGE))


def language_names() -> dict[str, str]:
    """Each catalog's language in its own words ("English", "Français"), for a language picker."""
    names = {}
    for code in available_languages():
        name = Locale.parse(code).get_display_name(code) or code
        names[code] = name[:1].upper() + name[1:]
    return names


def compile_catalogs(locale_dir: Path | None = None) -> list[Path]:
    """Write each ``.po`` as a ``.mo`` beside it; fuzzy entries are left out. Returns the ``.mo`` paths."""
    written = []
    for language in available_languages(locale_dir):
        source = po_path(language, locale_dir)
        with source.open("rb") as handle:
            catalog = read_po(handle, locale=language, domain=DOMAIN)
        target = source.with_suffix(".mo")
        temporary = target.with_suffix(".mo.tmp")
        with temporary.open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)
        temporary.replace(target)
        written.append(target)
    for cached in (_languages_in, _catalog, _plural_index, _section, _stored_patterns):
        cached.cache_clear()
    return written


def catalogs_are_compiled(locale_dir: Path | None = None) -> bool:
    """Whether every ``.po`` has a ``.mo`` at least as new."""
    for language in available_languages(locale_dir):
        source = po_path(language, locale_dir)
        target = source.with_suffix(".mo")
        if not target.exists() or target.stat().st_mtime < source.stat().st_mtime:
            return False
    return True


@lru_cache(maxsize=None)
def _catalog(language: str) -> Catalog:
    compiled = po_path(language).with_suffix(".mo")
    if not compiled.exists():
        raise CatalogNotCompiledError(
            f"no compiled message catalog for {language!r} ({compiled}): run "
            "`python -m incidents setup` or `make messages`")
    with compiled.open("rb") as handle:
        return read_mo(handle)


@lru_cache(maxsize=None)
def _plural_index(language: str):
    return gettext.c2py(_catalog(language).plural_expr)


def _language(language: str) -> str:
    return language if language in available_languages() else DEFAULT_LANGUAGE


def has_key(key: str, language: str = DEFAULT_LANGUAGE) -> bool:
    return key in _catalog(_language(language))


def count_number(count: object) -> int | None:
    """The whole number a count stands for (an int, or a figure such as "1,204" or "1 204")."""
    if isinstance(count, bool):
        return None
    if isinstance(count, int):
        return count
    digits = re.sub(r"[\s,.\u202f\u00a0']", "", str(count))
    return int(digits) if digits.isdigit() else None


def format_number(number: int | float, language: str) -> str:
    """``20,000`` in English, ``20 000`` (narrow no-break space) in French."""
    return format_decimal(number, locale=_language(language))


def format_percent(share: float, language: str) -> str:
    """``84%`` in English, ``84 %`` in French."""
    return format_percent_(share, locale=_language(language))


def format_day(day: date, language: str, form: str = "medium") -> str:
    """A calendar day in the language's words ("Mar 4, 2024", "4 mars 2024")."""
    return format_date(day, format=form, locale=_language(language))


def message(key: str, language: str = DEFAULT_LANGUAGE) -> str | list[str]:
    """The raw catalog text of ``key`` (a list of forms for a plural entry); KeyError if absent."""
    entry = _catalog(_language(language)).get(key)
    if entry is None or not entry.string:
        raise KeyError(f"{key!r} is not in the {language!r} message catalog")
    return entry.string


def translate(key: str, language: str = DEFAULT_LANGUAGE, /, **values: object) -> str:
    """The message ``key`` in ``language``, formatted with ``values``.

    A plural entry picks its form from ``count`` by the catalog's plural rule. Integer
    counts (``COUNT_VALUES``) are written with the language's digit grouping.
    """
    language = _language(language)
    text = message(key, language)
    if isinstance(text, (tuple, list)):
        number = count_number(values.get("count"))
        index = _plural_index(language)(number if number is not None else 2)
        text = text[min(index, len(text) - 1)]
    values = {name: format_number(value, language)
              if name in COUNT_VALUES and type(value) is int else value
              for name, value in values.items()}
    return text.format(**values) if values else text


def section(prefix: str, language: str = DEFAULT_LANGUAGE) -> Mapping[str, str]:
    """Every message whose key starts with ``prefix.``, keyed by the rest (the map's words)."""
    return _section(prefix, _language(language))


@lru_cache(maxsize=None)
def _section(prefix: str, language: str) -> dict[str, str]:
    lead = f"{prefix}."
    return {entry.id[len(lead):]: entry.string for entry in _catalog(language)
            if isinstance(entry.id, str) and entry.id.startswith(lead) and entry.string}


def term(name: str, language: str = DEFAULT_LANGUAGE) -> str:
    """The label of a taxonomy term (event or sub-event type) in ``language``; the term itself if unknown."""
    entry = _catalog(_language(language)).get(f"taxonomy.{name}")
    return entry.string if entry is not None and entry.string else name


def term_labels() -> dict[str, str]:
    """Every label of every taxonomy term in every language, mapped to the term (for reading input)."""
    labels = {}
    for language in available_languages():
        for name, label in section("taxonomy", language).items():
            labels[label] = name
    return labels


def template_pattern(template: str, dialect: str = "python") -> str:
    """A regular expression (Python's, or JavaScript's with ``dialect="js"``) matching the
    texts ``template`` formats to, each ``{name}`` a named group."""
    pieces = re.split(r"\{(\w+)\}", template)
    group = "(?P<{}>.*?)" if dialect == "python" else "(?<{}>.*?)"
    return "".join(re.sub(r"[.*+?^$(){}|[\]\\/-]", r"\\\g<0>", piece) if i % 2 == 0
                   else group.format(piece) for i, piece in enumerate(pieces))


@lru_cache(maxsize=None)
def _stored_patterns() -> list[tuple[str, re.Pattern[str]]]:
    """(key, regex) for every stored-text template of the default catalog, most specific first."""
    patterns = []
    for entry in _catalog(DEFAULT_LANGUAGE):
        if not (isinstance(entry.id, str) and entry.id.startswith(STORED_TEXT_PREFIXES) and entry.string):
            continue
        patterns.append((entry.id, re.compile(template_pattern(entry.string) + r"\Z", re.DOTALL)))
    return sorted(patterns, key=lambda item: -len(item[1].pattern))


def translate_stored(text: str, language: str = DEFAULT_LANGUAGE) -> str:
    """An English reason or error the program stored (``; ``-joined parts), in ``language``.

    Each part that matches a ``reason.``/``error.`` template of the English catalog is
    rewritten with that key's template in ``language`` (its values carried over); a part
    that matches none stays as stored.
    """
    language = _language(language)
    if language == DEFAULT_LANGUAGE or not text:
        return text
    separator = translate("stored.separator", language)
    return separator.join(_translate_part(part, language) for part in str(text).split("; "))


def _translate_part(part: str, language: str) -> str:
    for key, pattern in _stored_patterns():
        found = pattern.match(part)
        if found:
            values = {name: translate_stored(value, language) if name == "detail" else value
                      for name, value in found.groupdict().items()}
            return translate(key, language, **values)
    return part
