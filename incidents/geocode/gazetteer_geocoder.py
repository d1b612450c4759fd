"""``GazetteerGeocoder``: the offline geopy geocoder over the local gazetteer.

Resolution of one query (name + optional country, admin1, admin2, admin3); the
rules are in ``ranking.py`` and the README of this package:

1. a relative phrase ("Gao 50km W", "30 km au nord de Douentza", "near Mopti")
   places its anchor with the same context and moves it: precision 2, ``offset``;
2. exact key matches on a place's name or alternate names, ranked by the row's
   context (``ranking.rank``); a candidate in another region than the row's never
   wins over a fallback inside the row's region;
3. otherwise close fuzzy matches inside the row's region, ranked the same way;
4. otherwise the finest admin unit the row names stands in: the commune's seat
   (admin3), then the cercle's (admin2), then the region's (admin1), precision
   2, 2, 3 and ``fallback_level`` saying which.

An admin unit's point is its seat: the populated place named like the unit inside
it (Ségou region -> the town of Ségou), else the unit's own GeoNames point, else
its most populous place. A seat is a real settlement, whereas a centroid can land
in empty bush.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from geopy.geocoders.base import DEFAULT_SENTINEL, Geocoder
from geopy.location import Location
from rapidfuzz import fuzz, process

from incidents import config
from incidents.geocode import ranking
from incidents.geocode.gazetteer import AdminUnit, Gazetteer, admin_key, context_key, load_gazetteer
from incidents.geocode.geonames import SPRAWLING_FEATURES
from incidents.geocode.normalize import feature_word_variants, normalise_name
from incidents.geocode.relative import offset_point, parse_relative
from incidents.model import GeocodeMethod, GeoPrecision

FUZZY_THRESHOLD = 85.0
# A fuzzy match this close, inside the row's context, is as good as an exact one.
CLOSE_FUZZY = 0.9
# Homonyms closer than this are taken to be duplicate entries of one place, not a real choice.
AMBIGUITY_KM = 10.0
MAX_CANDIDATES = 10
RESULT_CACHE_SIZE = 100_000
FALLBACK_LEVELS = ((3, GeoPrecision.NEARBY), (2, GeoPrecision.NEARBY), (1, GeoPrecision.REGION))

Match = tuple[int, float, bool]  # place row, score 0..1, matched the primary name


_km = ranking.km_between


def split_query(
    query: Any, country: str | None, admin1: str | None, admin2: str | None, admin3: str | None = None
) -> tuple[str, ...]:
    """Accept a plain string or a geopy-style dict {"query"/"location", "country", "admin1", "admin2", "admin3"}.

    Returns (text, country, admin1, admin2) and, when ``admin3`` is passed (even None), admin3 too.
    """
    with_admin3 = admin3 is not None
    if isinstance(query, Mapping):
        text = query.get("query") or query.get("location") or query.get("name") or ""
        country = query.get("country") or country
        admin1 = query.get("admin1") or query.get("state") or admin1
        admin2 = query.get("admin2") or query.get("county") or admin2
        admin3 = query.get("admin3") or query.get("municipality") or admin3
    else:
        text = "" if query is None else str(query)
    values = (text, country, admin1, admin2, admin3) if with_admin3 else (text, country, admin1, admin2)
    return tuple(v.strip() if isinstance(v, str) else "" for v in values)


class GazetteerGeocoder(Geocoder):
    """Offline geocoder; safe to instantiate often (the gazetteer is loaded once per process)."""

    def __init__(
        self,
        *,
        directory: str | Path | None = None,
        fuzzy_threshold: float = FUZZY_THRESHOLD,
        timeout: Any = DEFAULT_SENTINEL,
        user_agent: str | None = None,
    ) -> None:
        super().__init__(timeout=timeout, user_agent=user_agent or "incidents-gazetteer")
        self.directory = directory
        self.fuzzy_threshold = fuzzy_threshold
        self._results: dict[tuple, list[dict[str, Any]]] = {}
        self._results_of: Gazetteer | None = None
        self._directory: Path | None = None

    @property
    def gazetteer(self) -> Gazetteer:
        if self._directory is None:
            self._directory = Path(self.directory) if self.directory else config.gazetteer_dir()
        return load_gazetteer(self._directory)

    def geocode(
        self,
        query: Any,
        *,
        exactly_one: bool = True,
        timeout: Any = DEFAULT_SENTINEL,
        country: str | None = None,
        admin1: str | None = None,
        admin2: str | None = None,
        admin3: str | None = None,
    ) -> Location | list[Location] | None:
        """Place a name; see the module docstring for the order of attempts."""
        text, country, admin1, admin2, admin3 = split_query(query, country, admin1, admin2, admin3 or "")
        raws = self.resolve(text, country, admin1, admin2, admin3)
        if not raws:
            return None
        locations = [Location(self._address(r), (r["latitude"], r["longitude"]), r) for r in raws]
        return locations[0] if exactly_one else locations

    def resolve(
        self, text: str, country: str = "", admin1: str = "", admin2: str = "", admin3: str = ""
    ) -> list[dict[str, Any]]:
        """Raw result dicts, best first (memoised per gazetteer version)."""
        gazetteer = self.gazetteer
        if gazetteer is not self._results_of:
            self._results, self._results_of = {}, gazetteer
        key = (normalise_name(text), normalise_name(country), admin_key(admin1), admin_key(admin2), admin_key(admin3))
        cached = self._results.get(key)
        if cached is None:
            cached = _Resolution(gazetteer, self.fuzzy_threshold, text, country, (admin1, admin2, admin3)).run()
            if len(self._results) >= RESULT_CACHE_SIZE:
                self._results.clear()
            self._results[key] = cached
        return [dict(r) for r in cached]

    @staticmethod
    def _address(raw: Mapping[str, Any]) -> str:
        return ", ".join(str(raw[k]) for k in ("name", "admin2", "admin1", "country") if raw.get(k))


class _Resolution:
    """One query's resolution against one gazetteer (a small object so each step stays readable)."""

    def __init__(self, gazetteer: Gazetteer, threshold: float, text: str, country: str,
                 admin_texts: tuple[str, str, str]):
        self.g = gazetteer
        self.threshold = threshold
        self.text = text
        self.key = normalise_name(text)
        self.country = country
        self.country_code = gazetteer.country_code_of(country)
        self.admin_texts = admin_texts
        self.context = ranking.Context(gazetteer, self.country_code, admin_texts)
        self.prefer_admin = ranking.names_admin_unit(text)
        # The best answer when every candidate lies in another region, kept for when no fallback exists.
        self._contradicting: list[dict[str, Any]] = []

    def run(self) -> list[dict[str, Any]]:
        relative = parse_relative(self.text) if self.key else None
        if relative is not None:
            found = self._offset(relative)
            if found:
                return found
        if self.key:
            self.context.seat_finder = self._anchor
            found = self._ranked([(row, 1.0, primary) for row, primary in self.g.rows_named(self.key)])
            if found:
                return found
            found = self._ranked([(row, 1.0, primary) for key in feature_word_variants(self.key)
                                  for row, primary in self.g.rows_named(key)])
            if found:
                return found
            found = self._fuzzy()
            if found:
                return found
        fallback = self._fallback()
        return fallback or self._contradicting

    def _offset(self, relative: Any) -> list[dict[str, Any]]:
        anchor = _Resolution(self.g, self.threshold, relative.anchor, self.country, self.admin_texts)
        found = anchor._ranked([(row, 1.0, primary) for row, primary in self.g.rows_named(anchor.key)]) \
            or anchor._fuzzy()
        if not found or found[0]["precision"] != int(GeoPrecision.PLACE):
            return []
        raw = dict(found[0])
        raw["latitude"], raw["longitude"] = offset_point(raw["latitude"], raw["longitude"], relative.km, relative.bearing)
        raw.update(method=str(GeocodeMethod.OFFSET), precision=int(GeoPrecision.NEARBY), anchor=raw["name"],
                   offset_km=relative.km, bearing=relative.bearing)
        return [raw]

    def _anchor(self) -> tuple[float, float, int, float, float] | None:
        """The seat of the finest unit below the region that the row names (admin3, else admin2)."""
        for level in (3, 2):
            text = self.admin_texts[level - 1]
            seat = self._seat(level, text, marked_first=True) if text else None
            if seat is not None:
                row = seat[0]
                near, far = ranking.seat_radii(self.g, row, level)
                return float(self.g.latitude[row]), float(self.g.longitude[row]), level, near, far
        return None

    def _in_country(self, matches: list[Match]) -> list[Match]:
        if not self.country_code:
            return matches
        return [m for m in matches if self.g.country_code[m[0]] == self.country_code]

    def _ranked(self, matches: list[Match], fuzzy: bool = False) -> list[dict[str, Any]]:
        best: dict[str, tuple[tuple, Match]] = {}
        for match in self._in_country(matches):
            row, score, primary = match
            key = ranking.rank_key(self.context, row, primary, score, self.prefer_admin)
            pid = self.g.place_id[row]
            # "<=": a user layer's copy of a bundled place (same id, loaded later) wins a tie.
            if pid not in best or key <= best[pid][0]:
                best[pid] = (key, match)
        ordered = sorted(best.values(), key=lambda item: item[0])
        if not ordered:
            return []
        top_row = ordered[0][1][0]
        if self.context.contradicts_region(top_row):
            # Every candidate lies in another region than the row's: a fallback inside the
            # row's region is better; this answer is kept only for when there is none.
            self._contradicting = self._answers(ordered, fuzzy, review="the only places of this name lie in "
                                                "another region than the row's")
            return []
        if self.context.anchor is not None and self.context.finer(top_row) == ranking.DISAGREE:
            far = "the only places of this name in the row's region lie far from its commune or cercle"
            in_region = [m[0] for _key, m in ordered if not self.context.contradicts_region(m[0])]
            # A close spelling is kept only within twice the unit's far radius: farther than
            # any commune or cercle reaches, it is more likely another village's name.
            reach = 2 * self.context.anchor[4]
            close = not fuzzy or (ordered[0][1][1] >= CLOSE_FUZZY and self.context.seat_km(top_row) <= reach)
            if close and self._distinct_places(in_region) == 1:
                # The one place of this name (or of a close spelling) in the row's region:
                # sources often code a wider commune or cercle than the place's own, so it
                # stays, unconfirmed.
                return self._answers(ordered, fuzzy, review=far)
            # Several, or a spelling that is not close: that unit's seat is the safer point.
            self._contradicting = self._answers(ordered, fuzzy, review=far)
            return []
        top_key, (top, _score, _primary) = ordered[0]
        # A seat (a cercle's or commune's chief town) is what a bare name means next to
        # villages that share it, so only other seats are homonyms to a seat.
        top_seat = ranking.is_seat(self.g.feature[top])
        homonyms = [m for key, m in ordered[1:] if ranking.tier(key) == ranking.tier(top_key)
                    and ranking.is_seat(self.g.feature[m[0]]) == top_seat
                    and _km(self.g.latitude[top], self.g.longitude[top],
                            self.g.latitude[m[0]], self.g.longitude[m[0]]) > AMBIGUITY_KM]
        return self._answers(ordered, fuzzy, ambiguous=bool(homonyms))

    def _distinct_places(self, rows: list[int]) -> int:
        """How many different places these entries stand for.

        A well, a camp or a mosque named like a village is that village's feature, so
        populated places alone count when there are any; entries within ``AMBIGUITY_KM``
        of one already counted are duplicates of it (GeoNames often has two).
        """
        towns = [r for r in rows if ranking.feature_kind(self.g.feature[r]) == 0] or rows
        counted: list[int] = []
        for row in towns:
            if all(_km(self.g.latitude[row], self.g.longitude[row], self.g.latitude[c], self.g.longitude[c])
                   > AMBIGUITY_KM for c in counted):
                counted.append(row)
        return len(counted)

    def _answers(self, ordered: list[tuple[tuple, Match]], fuzzy: bool, *, ambiguous: bool = False,
                 review: str | None = None) -> list[dict[str, Any]]:
        results = [self._raw(row, score, self._method(row, primary, fuzzy), GeoPrecision.PLACE)
                   for _key, (row, score, primary) in ordered[:MAX_CANDIDATES]]
        top, score, primary = ordered[0][1]
        first = results[0]
        first["ambiguous"] = ambiguous
        if ambiguous:
            first["candidates"] = [_summary(r) for r in results]
        rivals = sum(1 for _key, (row, _s, _p) in ordered[1:]
                     if ranking.feature_kind(self.g.feature[row]) == 0
                     and _km(self.g.latitude[top], self.g.longitude[top],
                             self.g.latitude[row], self.g.longitude[row]) > AMBIGUITY_KM)
        reason = review or self._doubt(top, score, primary, fuzzy, ambiguous, rivals)
        if reason:
            first["precision"] = int(GeoPrecision.NEARBY)
            first["review"] = reason
        return results

    def _doubt(self, row: int, score: float, primary: bool, fuzzy: bool, ambiguous: bool, rivals: int) -> str | None:
        """Why this answer is not precise enough for precision 1, or None when it is.

        A spelling that differs is trusted when it is close and the row's context confirms
        it; a row naming no region (a news text, often) confirms nothing, so there the close
        spelling must also be the only place within reach of it.
        """
        if self.g.layer[row] == "manual":
            return None
        if ambiguous:
            return "ambiguous: several places of this name fit the row's context"
        if self.g.outside_admin1[row]:
            return "the gazetteer entry lies outside its own region"
        if self.g.feature[row] in SPRAWLING_FEATURES:
            return f"{self.g.name[row]} is a long or wide feature ({self.g.feature[row]}): its point is approximate"
        if ranking.seat_of_another_unit(self.context, row):
            return (f"{self.g.name[row]} is the seat of its own unit, and the row names another commune "
                    f"({self.admin_texts[2]})")
        confirmed = ranking.context_agrees(self.context, row) if any(self.admin_texts) else rivals == 0
        if fuzzy and (score < CLOSE_FUZZY or not confirmed):
            return f"spelling differs ({self.g.name[row]}, score {score:.2f}) and the context does not confirm it"
        if not primary and self.context.keys[0] and self.context.agreement(row, 1) != ranking.AGREE:
            return f"matched an alternate name of {self.g.name[row]}, not confirmed by the row's region"
        return None

    def _method(self, row: int, primary: bool, fuzzy: bool) -> GeocodeMethod:
        if self.g.layer[row] == "manual":
            return GeocodeMethod.MANUAL
        if fuzzy:
            return GeocodeMethod.FUZZY
        return GeocodeMethod.EXACT if primary else GeocodeMethod.ALTERNATE

    def _fuzzy(self) -> list[dict[str, Any]]:
        """Close spellings; with a region given, only candidates inside it count."""
        if len(self.key) < 4:
            return []
        regions = self._region_names() if self.country_code and self.context.keys[0] else None
        choices = self.g.fuzzy_keys(self.country_code, self.key, self.threshold, regions)
        hits = process.extract(self.key, choices, scorer=fuzz.ratio, score_cutoff=self.threshold, limit=5)
        matches = [(row, score / 100.0, primary) for key, score, _ in hits for row, primary in self.g.rows_named(key)]
        if self.context.keys[0]:
            matches = [m for m in matches if self.context.agreement(m[0], 1) == ranking.AGREE]
        return self._ranked(matches, fuzzy=True)

    def _region_names(self) -> list[str]:
        """The admin-1 names, as places of the row's country carry them, that agree with the row's region."""
        return [name for name in self.g.admin1_names(self.country_code)
                if context_key(name) in self.context.keys[0]
                or ranking._same_region(context_key(self.admin_texts[0]), context_key(name), self.country_code)]

    def _fallback(self) -> list[dict[str, Any]]:
        """The finest admin unit the row names, or else the query itself read as an admin unit name."""
        if any(self.admin_texts):
            attempts = [(level, self.admin_texts[level - 1], precision) for level, precision in FALLBACK_LEVELS]
        else:
            levels = ranking.levels_named(self.text)
            attempts = [(level, self.text, precision) for level, precision in FALLBACK_LEVELS
                        if level in levels and self._units(level, self.text)]
        for level, text, precision in attempts:
            if not text:
                continue
            seat = self._seat(level, text)
            if seat is None:
                continue
            row, unit_name = seat
            raw = self._raw(row, 1.0, GeocodeMethod.FALLBACK, precision)
            raw.update(name=unit_name, seat=self.g.name[row], ambiguous=False, fallback_level=f"admin{level}")
            if level == 1:
                raw.update(admin1=unit_name, admin2=None, admin3=None)
            elif level == 2:
                raw.update(admin2=unit_name, admin3=None)
            else:
                raw["admin3"] = unit_name
            return [raw]
        return []

    def _seat(self, level: int, text: str, marked_first: bool = False) -> tuple[int, str] | None:
        """(place row, unit name) standing for the admin unit ``text`` of ``level`` in the row's context.

        The populated place named like the unit and consistent with the row's coarser
        levels first; then the unit's own gazetteer point; then the most populous place
        recorded inside it. With ``marked_first`` (the anchor of the context's distance
        test) the seat GeoNames marks for the unit comes before all of them: a PPLA2 coded
        in that province, Djibo for Soum, not a hamlet called Soum. The fallback point
        keeps the order above: on real rows a province's capital, often off-centre, made
        fallbacks farther than the unit's own point.
        """
        units = self._units(level, text)
        unit_name = units[0].name if units else text
        names = {admin_key(text)} | {admin_key(u.name) for u in units}
        upper = ranking.Context(self.g, self.country_code, tuple(
            t if lvl < level else "" for lvl, t in zip((1, 2, 3), self.admin_texts)))
        if marked_first and units and level > 1:
            unit = units[0]
            marked = [row for row in self.g.unit_seats(unit.country_code, level, unit.name)
                      if not upper.contradicts_region(row)]
            if marked:
                best = min(marked, key=lambda r: (ranking.SEAT_RANK[self.g.feature[r]], -self.g.population[r]))
                return best, unit_name
        named = [(row, primary) for key in names if key for row, primary in self.g.rows_named(key)]
        named = [(row, p) for row, p in named
                 if (not self.country_code or self.g.country_code[row] == self.country_code)
                 and not upper.contradicts_region(row)
                 and all(upper.agreement(row, lvl) != ranking.DISAGREE for lvl in range(2, level))]
        if units or level == 1 or named:
            towns = [(row, p) for row, p in named if ranking.feature_kind(self.g.feature[row]) == 0]
            if towns:
                best = min(towns, key=lambda m: ranking.rank_key(upper, m[0], m[1], 1.0, False))
                return best[0], unit_name
            own = [row for row, _p in named if self.g.feature[row] == f"ADM{level}"]
            if own:
                return own[0], unit_name
        if not units:
            return None
        unit = units[0]
        values = (self.g.admin1, self.g.admin2, self.g.admin3)[level - 1]
        unit_key = context_key(unit.name)
        inside = [r for r in self.g.rows_in_country(unit.country_code) if context_key(values[r]) == unit_key]
        return (max(inside, key=lambda r: self.g.population[r]), unit_name) if inside else None

    def _units(self, level: int, text: str) -> list[AdminUnit]:
        """Admin units named ``text`` in the row's country, those under the row's coarser levels first.

        For admin-1, also the region whose seat is called ``text``: Sahel regions mostly carry
        their capital's name and sources often use its other spelling ("Timbuktu").
        """
        units = self.g.admin_units(self.country_code, level, text)
        if level > 1 and self.context.keys[0]:
            units.sort(key=lambda u: context_key(u.admin1) not in self.context.keys[0]
                       and not ranking._same_region(context_key(self.admin_texts[0]), context_key(u.admin1),
                                                    u.country_code))
        if units or level != 1:
            return units
        towns = [row for row, _primary in self.g.rows_named(admin_key(text))
                 if self.g.admin1[row] and (not self.country_code or self.g.country_code[row] == self.country_code)]
        if not towns:
            return []
        town = max(towns, key=lambda row: self.g.population[row])
        return self.g.admin_units(self.g.country_code[town], 1, self.g.admin1[town])

    def _raw(self, row: int, score: float, method: GeocodeMethod, precision: GeoPrecision) -> dict[str, Any]:
        code = self.g.country_code[row]
        return {
            "name": self.g.name[row],
            "latitude": float(self.g.latitude[row]),
            "longitude": float(self.g.longitude[row]),
            "country": self.g.country_names.get(code) if code else None,
            "country_fr": self.g.country_names_fr.get(code) if code else None,
            "country_code": code,
            "iso": self.g.country_numeric.get(code) if code else None,
            "admin1": self.g.admin1[row],
            "admin2": self.g.admin2[row],
            "admin3": self.g.admin3[row],
            "precision": int(precision),
            "method": str(method),
            "score": round(float(score), 3),
            "gazetteer_id": self.g.place_id[row],
            "population": int(self.g.population[row]),
            "feature": self.g.feature[row],
            "ambiguous": False,
        }


def _summary(raw: Mapping[str, Any]) -> dict[str, Any]:
    keys = ("name", "latitude", "longitude", "country_code", "admin1", "admin2", "population", "gazetteer_id", "score")
    return {k: raw.get(k) for k in keys}
