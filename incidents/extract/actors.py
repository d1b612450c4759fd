"""Actor mentions normalised to canonical names, from the analysts' alias file.

The alias file is ``data/actors.json`` (see its ``_comment``); analysts extend it
without touching code. Longer aliases win over shorter ones that overlap them,
so "hommes armés non identifiés" is one mention, not "hommes armés" plus noise.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from incidents.config import DATA_DIR
from incidents.extract.text import fold

ACTORS_PATH = DATA_DIR / "actors.json"


@dataclass(frozen=True)
class ActorSpec:
    name: str
    inter: int
    country: str | None


@dataclass(frozen=True)
class ActorMention:
    spec: ActorSpec
    start: int
    end: int
    specific: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def name_for(self, country: str | None) -> str:
        """Canonical name with '{country}' filled in (or dropped when unknown).

        A generic name that has a country-specific entry ("Military Forces of Mali"
        -> "Military Forces of Mali (2021-)") takes that entry's name.
        """
        if "{country}" not in self.spec.name:
            return self.spec.name
        if country:
            filled = self.spec.name.replace("{country}", country)
            return self.specific.get(filled, filled)
        return re.sub(r"\s*\(\{country\}\)|\s*of \{country\}", "", self.spec.name)


class ActorLexicon:
    """Compiled alias patterns from one alias file."""

    def __init__(self, path: Path = ACTORS_PATH) -> None:
        entries = json.loads(Path(path).read_text("utf-8"))["actors"]
        folded: list[tuple[str, ActorSpec]] = []
        exact: list[tuple[str, ActorSpec]] = []
        for entry in entries:
            spec = ActorSpec(entry["name"], int(entry["inter"]), entry.get("country"))
            for alias in entry["aliases"]:
                if entry.get("case_sensitive"):
                    exact.append((alias, spec))
                else:
                    folded.append((fold(alias), spec))
        self._specific = {
            re.sub(r"\s*\(\d{4}-\d{0,4}\)$", "", spec.name): spec.name
            for _alias, spec in folded + exact if spec.country and re.search(r"\(\d{4}-", spec.name)
        }
        self._folded = _compile(folded)
        self._exact = _compile(exact)

    def find(self, text: str, folded: str, start: int = 0, end: int | None = None) -> list[ActorMention]:
        """Non-overlapping actor mentions in ``text[start:end]``, longest first, in text order."""
        stop = len(text) if end is None else end
        found: list[ActorMention] = []
        for pattern, lookup, haystack, key in (
            (self._folded[0], self._folded[1], folded, lambda s: s),
            (self._exact[0], self._exact[1], text, lambda s: s),
        ):
            if pattern is None:
                continue
            for match in pattern.finditer(haystack, start, stop):
                found.append(ActorMention(lookup[key(match.group(0))], match.start(), match.end(), self._specific))
        found.sort(key=lambda m: (m.start, -(m.end - m.start)))
        kept: list[ActorMention] = []
        for mention in found:
            if kept and mention.start < kept[-1].end:
                if mention.end - mention.start > kept[-1].end - kept[-1].start:
                    kept[-1] = mention
                continue
            kept.append(mention)
        return kept


def _compile(pairs: list[tuple[str, ActorSpec]]) -> tuple[re.Pattern[str] | None, dict[str, ActorSpec]]:
    lookup: dict[str, ActorSpec] = {}
    for alias, spec in pairs:
        lookup.setdefault(alias, spec)
    if not lookup:
        return None, lookup
    alternatives = "|".join(re.escape(a) for a in sorted(lookup, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])"), lookup


@lru_cache(maxsize=4)
def lexicon(path: Path = ACTORS_PATH) -> ActorLexicon:
    return ActorLexicon(path)
