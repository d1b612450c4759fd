"""Every word of the situation report, from the ``report.`` section of the message catalogs."""

from __future__ import annotations

from collections.abc import Mapping

from incidents import i18n


def words(language: str) -> Mapping[str, str]:
    """The report's words in ``language``."""
    return i18n.section("report", language)
