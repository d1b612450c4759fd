"""How a row's context (country, admin1/admin2/admin3) ranks gazetteer candidates.

Rules, in order of weight:

- a candidate in another country than the row's is dropped;
- a candidate whose admin-1 region contradicts the row's stated region is set
  aside: it never wins over a fallback inside the row's region;
- a populated place wins over an admin-area feature of the same name ("Gao" the
  town over "Gao Cercle"), unless the row's text names an admin unit ("cercle de Gao");
- then agreement with the row's admin2, then admin3 (names, aliases, codes/P-codes);
- then entries whose point lies inside their own region, primary names over
  alternate ones, seats over plain villages, larger population.

Candidates the context cannot separate and that lie apart are homonyms: the best
is chosen and flagged ambiguous. Names compare through ``context_key`` (accents,
case, spaces and kind words such as "Région de" fold away); regions also through
the crosswalk (aliases, and regions carved out of others such as Ménaka from Gao).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from incidents.geocode.gazetteer import Gazetteer, context_key
from incidents.geocode.normalize import normalise_name

AGREE, UNKNOWN, DISAGREE = 1, 0, -1
ADMIN_WORDS = {"region", "province", "cercle", "commune", "departement", "department", "prefecture",
               "district", "arrondissement", "canton", "circle", "county", "wilaya"}
# GeoNames feature codes of seats, best first; anything else ranks after them.
SEAT_RANK = {"PPLC": 0, "PPLA": 1, "PPLA2": 2, "PPLA3": 3, "PPLA4": 4, "PPL": 5}


@lru_cache(maxsize=65536)
def _same_region(row_admin1: str, place_admin1: str, country: str | None) -> bool:
    from incidents.regions.crosswalk import same_region

    return same_region(row_admin1, place_admin1, country=country)


def names_admin_unit(text: str) -> bool:
    """True when the query itself says it is an admin unit ("Cercle de Gao", "Gao Region")."""
    return bool(set(normalise_name(text).split()) & ADMIN_WORDS)


@dataclass
class Context:
    """The row's admin context resolved against the gazetteer once per query."""

    gazetteer: Gazetteer
    country_code: str | None
    admin_texts: tuple[str, str, str]
    keys: tuple[set[str], set[str], set[str]] = field(init=False)
    admin1_known: bool = field(init=False)

    def __post_init__(self) -> None:
        self.keys = tuple(self._keys(level, text) for level, text in zip((1, 2, 3), self.admin_texts))
        text1 = self.admin_texts[0]
        self.admin1_known = bool(text1) and bool(self.gazetteer.admin_units(self.country_code, 1, text1))

    def _keys(self, level: int, text: str) -> set[str]:
        if not text:
            return set()
        units = self.gazetteer.admin_units(self.country_code, level, text)
        return {context_key(text)} | {context_key(u.name) for u in units} | {context_key(u.code) for u in units if u.code}

    def agreement(self, row: int, level: int) -> int:
        """AGREE / UNKNOWN / DISAGREE between the row's admin at ``level`` and a place's."""
        wanted = self.keys[level - 1]
        if not wanted:
            return UNKNOWN
        g = self.gazetteer
        name = (g.admin1, g.admin2, g.admin3)[level - 1][row]
        code = g.admin_codes[level - 1][row]
        if not name and not code:
            return UNKNOWN
        if context_key(name) in wanted or (code and context_key(code) in wanted):
            return AGREE
        if level == 1 and name and _same_region(self.admin_texts[0], name, g.country_code[row]):
            return AGREE
        return DISAGREE

    def contradicts_region(self, row: int) -> bool:
        """The place states another region than the row's (and the row's region is a known one)."""
        return self.admin1_known and self.agreement(row, 1) == DISAGREE


def rank_key(context: Context, row: int, primary: bool, score: float, prefer_admin: bool) -> tuple:
    """Sort key (smaller is better) of one candidate."""
    g = context.gazetteer
    is_admin = g.feature[row].startswith("ADM")
    return (
        -context.agreement(row, 1),
        is_admin != prefer_admin,
        -context.agreement(row, 2),
        -context.agreement(row, 3),
        bool(g.outside_admin1[row]),
        -round(score, 2),
        g.layer[row] != "manual",
        not primary,
        SEAT_RANK.get(g.feature[row], 6 if not is_admin else 7),
        -int(g.population[row]),
    )


def tier(key: tuple) -> tuple:
    """The part of a rank key the row's context decides: candidates equal on it are homonyms to it."""
    return key[:4]


def context_agrees(context: Context, row: int) -> bool:
    """The row names a region and the place is in it, and no finer level the row names disagrees."""
    if not context.keys[0] or context.agreement(row, 1) != AGREE:
        return False
    return all(context.agreement(row, level) != DISAGREE for level in (2, 3)) or any(
        context.agreement(row, level) == AGREE for level in (2, 3)
    )
