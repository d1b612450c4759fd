"""How a row's context (country, admin1/admin2/admin3) ranks gazetteer candidates.

Rules, in order of weight:

- a candidate in another country than the row's is dropped;
- a candidate whose admin-1 region contradicts the row's stated region is set
  aside: it never wins over a fallback inside the row's region;
- a populated place wins over an admin-area feature of the same name ("Gao" the
  town over "Gao Cercle"), unless the row's text names an admin unit ("cercle de Gao");
- then agreement with the row's admin2/admin3: by name (names, aliases, codes/P-codes),
  else by distance to the seat of the finest unit the row names (gazetteers' admin-2/3
  codes are often of an older division, e.g. Niger's 36 departments before the 63);
  a candidate far from that seat loses to the seat itself (the fallback); other named
  features (a well, then a wadi or a stream) come after places, unless the place is the
  one that lies far from that seat;
- then entries whose point lies inside their own region, primary names over
  alternate ones, seats over plain villages, larger population, nearer to the seat.

Candidates the context cannot separate and that lie apart are homonyms: the best
is chosen and flagged ambiguous, unless it is a seat (a chief town) and they are not. Names compare through ``context_key`` (accents,
case, spaces and kind words such as "Région de" fold away); regions also through
the crosswalk (aliases, and regions carved out of others such as Ménaka from Gao).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from incidents.geocode.gazetteer import Gazetteer, context_key
from incidents.geocode.geonames import SPRAWLING_FEATURES
from incidents.geocode.normalize import normalise_name

AGREE, UNKNOWN, DISAGREE = 1, 0, -1
# (near, far) km from the seat of the row's admin3 / admin2: nearer agrees, farther contradicts.
# Where villages are sparse (the desert), units are larger: both grow with the distance
# from the seat to its SPARSITY_NEIGHBOURS-th nearest place (times SPARSITY_FACTOR).
SEAT_RADIUS_KM = {3: (30.0, 75.0), 2: (60.0, 150.0)}
SPARSITY_NEIGHBOURS = 20
SPARSITY_FACTOR = 5.0
ADMIN_WORDS = {"region", "province", "cercle", "commune", "departement", "department", "prefecture",
               "district", "arrondissement", "canton", "circle", "county", "wilaya"}
# A commune seat this far from a town is another place than the town (whose own seat it is).
SEAT_ELSEWHERE_KM = 10.0
# GeoNames feature codes of seats, best first; anything else ranks after them.
SEAT_RANK = {"PPLC": 0, "PPLA": 1, "PPLA2": 2, "PPLA3": 3, "PPLA4": 4, "PPL": 5}


def km_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(a)))


@lru_cache(maxsize=65536)
def _same_region(row_admin1: str, place_admin1: str, country: str | None) -> bool:
    """The crosswalk's verdict (aliases, successor regions), once per pair of region keys."""
    from incidents.regions.crosswalk import same_region

    return same_region(row_admin1, place_admin1, country=country)


def seat_radii(gazetteer: Gazetteer, row: int, level: int) -> tuple[float, float]:
    """(near, far) km around a seat, widened where places are sparse."""
    near, far = SEAT_RADIUS_KM[level]
    spacing = gazetteer.neighbour_km(row, SPARSITY_NEIGHBOURS)
    scale = max(1.0, SPARSITY_FACTOR * spacing / far)
    return near * scale, far * scale


_LEVEL_WORDS = {1: {"region", "wilaya"}, 2: {"cercle", "province", "departement", "department", "prefecture",
                                             "circle", "county"},
                3: {"commune", "arrondissement", "canton", "district"}}


def levels_named(text: str) -> tuple[int, ...]:
    """Admin levels a bare query may name: the one its kind word says, else admin2 then admin1."""
    words = set(normalise_name(text).split())
    said = tuple(level for level, kinds in _LEVEL_WORDS.items() if words & kinds)
    return said or (2, 1)


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
    # Finds (latitude, longitude, level, near km, far km) around the seat of the finest unit
    # the row names; called once, and only when a candidate's admin names cannot decide.
    seat_finder: Callable[[], tuple[float, float, int, float, float] | None] | None = None
    _anchor: tuple | None = field(init=False, default=None)
    _anchor_done: bool = field(init=False, default=False)

    def __post_init__(self) -> None:
        self.keys = tuple(self._keys(level, text) for level, text in zip((1, 2, 3), self.admin_texts))
        text1 = self.admin_texts[0]
        self.admin1_known = bool(text1) and bool(self.gazetteer.admin_units(self.country_code, 1, text1))

    @property
    def anchor(self) -> tuple[float, float, int, float, float] | None:
        if not self._anchor_done:
            self._anchor_done = True
            self._anchor = self.seat_finder() if self.seat_finder is not None else None
        return self._anchor

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
        if level == 1 and name and _same_region(context_key(self.admin_texts[0]), context_key(name), g.country_code[row]):
            return AGREE
        return DISAGREE

    def finer(self, row: int) -> int:
        """Agreement below the region: by admin2/admin3 name, else by distance to the row's seat."""
        by_name = (self.agreement(row, 2), self.agreement(row, 3))
        if AGREE in by_name:
            return AGREE
        if self.anchor is not None:
            lat, lon, _level, near, far = self.anchor
            g = self.gazetteer
            km = km_between(lat, lon, float(g.latitude[row]), float(g.longitude[row]))
            if km <= near:
                return AGREE
            if km > far:
                return DISAGREE
            return UNKNOWN
        return DISAGREE if DISAGREE in by_name else UNKNOWN

    def seat_km(self, row: int) -> float:
        """Distance to the seat of the row's commune or cercle (0 when the row names none):
        the last tie-break between homonyms, the nearer being likelier inside the unit."""
        if not any(self.admin_texts[1:]) or self.anchor is None:
            return 0.0
        lat, lon = self.anchor[:2]
        g = self.gazetteer
        return round(km_between(lat, lon, float(g.latitude[row]), float(g.longitude[row])), 1)

    def contradicts_region(self, row: int) -> bool:
        """The place states another region than the row's (and the row's region is a known one)."""
        return self.admin1_known and self.agreement(row, 1) == DISAGREE


def is_seat(feature: str) -> bool:
    """A capital or the seat of an admin unit (GeoNames PPLC, PPLA to PPLA4, or a layer's seat column)."""
    return SEAT_RANK.get(feature, 9) < SEAT_RANK["PPL"]


def feature_kind(feature: str) -> int:
    """0 populated place (or a user layer's entry), 1 admin unit, 2 any other named feature."""
    if feature.startswith("ADM"):
        return 1
    return 0 if not feature or feature.startswith("PPL") else 2


def unit_rank(feature: str, prefer_admin: bool) -> int:
    """0 for the kind the query means (a town, or an admin unit when it names one), else 1."""
    kind = feature_kind(feature)
    if kind == 2:
        return 0
    return kind if not prefer_admin else 1 - kind


def site_rank(feature: str) -> int:
    """0 for a place or an admin unit, 1 for a point-like feature (a well, a hill), 2 for a long or
    wide one (a wadi, a stream, a dune field), whose one point says least."""
    if feature_kind(feature) < 2:
        return 0
    return 2 if feature in SPRAWLING_FEATURES else 1


def rank_key(context: Context, row: int, primary: bool, score: float, prefer_admin: bool) -> tuple:
    """Sort key (smaller is better) of one candidate."""
    g = context.gazetteer
    finer = context.finer(row)
    return (
        -context.agreement(row, 1),
        unit_rank(g.feature[row], prefer_admin),
        finer == DISAGREE,
        site_rank(g.feature[row]),
        -finer,
        -context.agreement(row, 2),
        -context.agreement(row, 3),
        bool(g.outside_admin1[row]),
        -round(score, 2),
        g.layer[row] != "manual",
        not primary,
        SEAT_RANK.get(g.feature[row], 6 + feature_kind(g.feature[row])),
        -int(g.population[row]),
        context.seat_km(row),
    )


def tier(key: tuple) -> tuple:
    """The part of a rank key the row's context decides: candidates equal on it are homonyms to it."""
    return key[:5]


def context_agrees(context: Context, row: int) -> bool:
    """The row names a region and the place is in it, and its commune/cercle confirms it:
    by name, or by lying within the plain (unwidened) near radius of the row's seat."""
    if not context.keys[0] or context.agreement(row, 1) != AGREE:
        return False
    if AGREE in (context.agreement(row, 2), context.agreement(row, 3)):
        return True
    if context.anchor is None:
        return not any(context.admin_texts[1:])
    lat, lon, level, _near, _far = context.anchor
    g = context.gazetteer
    return km_between(lat, lon, float(g.latitude[row]), float(g.longitude[row])) <= SEAT_RADIUS_KM[level][0]


def seat_of_another_unit(context: Context, row: int) -> bool:
    """The place is a seat (a town that is its own commune) and the row names another commune.

    A row's commune comes from where its source put the event: when it is neither the
    town's name nor its cercle's, and that commune's own seat lies elsewhere, the event is
    in that commune, not in the town, even when the town is near (Zinder and Gouna, 29 km).
    Only decided where the gazetteer gives the place no commune or cercle of its own, and
    where places are dense enough for communes to be small: in the desert, sources' units
    are coarse and hold towns that are not their seat (Agadez in "ZR Tchirozerine").
    """
    g = context.gazetteer
    if not is_seat(g.feature[row]) or not context.keys[2] or context.anchor is None:
        return False
    if AGREE in (context.agreement(row, 2), context.agreement(row, 3)):
        return False
    if context_key(g.name[row]) in context.keys[1] | context.keys[2]:
        return False
    lat, lon, level, near, _far = context.anchor
    if level != 3 or near > SEAT_RADIUS_KM[3][0]:
        return False
    return km_between(lat, lon, float(g.latitude[row]), float(g.longitude[row])) > SEAT_ELSEWHERE_KM
