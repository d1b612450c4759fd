"""The dashboard's words: ``t(key, language)`` over the message catalogs of ``incidents.i18n``.

Every label, legend and message lives in ``incidents/locale/<lang>/LC_MESSAGES/incidents.po``
under its key; a key missing from the catalog is a bug, so :func:`t` raises instead of
showing the key to the analyst. A message about ``count`` things is a plural entry; the
catalog's plural rule picks the form, so callers pass ``count=``.
"""

from __future__ import annotations

from incidents import i18n
from incidents.i18n import DEFAULT_LANGUAGE, format_day, format_number, format_percent, translate_stored

LANGUAGES: dict[str, str] = i18n.language_names()

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "column_label", "format_day", "format_number",
           "format_percent", "grouped", "t",
           "translate_stored"]


def t(key: str, language: str = DEFAULT_LANGUAGE, /, **values: object) -> str:
    """The string ``key`` in ``language``, formatted with ``values`` (counts grouped per locale)."""
    return i18n.translate(key, language, **values)


def column_label(name: str, language: str = DEFAULT_LANGUAGE) -> str:
    """A column's label (``column.<name>`` in the catalog), or its name when it has none."""
    key = f"column.{name}"
    return t(key, language) if i18n.has_key(key, language) else name


def grouped(number: int, language: str = DEFAULT_LANGUAGE) -> str:
    """``20,000`` in English, ``20 000`` in French."""
    return format_number(number, language)
