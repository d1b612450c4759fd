"""``GazetteerGeocoder``: the offline geopy geocoder over the local gazetteer.

Resolution order for one query (name + optional country, admin1, admin2):

1. exact key match on a place's name or one of its alternate names, narrowed by
   the country and then by admin1/admin2 when those narrow it (context that would
   eliminate every candidate is treated as a reporting error, not as a veto);
   a manual placement that matches wins over everything else;
2. otherwise a fuzzy match (rapidfuzz ratio over the name keys of the country,
   or of the world when no country is given), scored 0..1, above a threshold;
3. otherwise, when admin context is given, the admin unit stands in: the admin2
   unit's seat (precision 2) or the admin1 unit's centre (precision 3).

An admin unit's point is its seat: the gazetteer place named like the unit inside
it (Ségou region -> the town of Ségou), else its most populous place. A seat is a
real settlement, whereas a population-weighted centroid can land in empty bush.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from geopy.geocoders.base import DEFAULT_SENTINEL, Geocoder
from geopy.location import Location
from rapidfuzz import fuzz, process

from incidents.geocode.gazetteer import AdminUnit, Gazetteer, admin_key, load_gazetteer
from incidents.geocode.normalize import normalise_name
from incidents.model import GeocodeMethod, GeoPrecision

FUZZY_THRESHOLD = 85.0
# Homonyms closer than this are taken to be duplicate entries of one place, not a real choice.
AMBIGUITY_KM = 10.0
MAX_CANDIDATES = 10
RESULT_CACHE_SIZE = 100_000


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(a)))


def split_query(query: Any, country: str | None, admin1: str | None, admin2: str | None) -> tuple[str, ...]:
    """Accept a plain string or a geopy-style dict {"query"/"location", "country", "admin1", "admin2"}."""
    if isinstance(query, Mapping):
        text = query.get("query") or query.get("location") or query.get("name") or ""
        country = query.get("country") or country
        admin1 = query.get("admin1") or query.get("state") or admin1
        admin2 = query.get("admin2") or query.get("county") or admin2
    else:
        text = "" if query is None else str(query)
    clean = [v.strip() if isinstance(v, str) else "" for v in (text, country, admin1, admin2)]
    return tuple(clean)


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

    @property
    def gazetteer(self) -> Gazetteer:
        return load_gazetteer(self.directory)

    def geocode(
        self,
        query: Any,
        *,
        exactly_one: bool = True,
        timeout: Any = DEFAULT_SENTINEL,
        country: str | None = None,
        admin1: str | None = None,
        admin2: str | None = None,
    ) -> Location | list[Location] | None:
        """Place a name; see the module docstring for the order of attempts."""
        text, country, admin1, admin2 = split_query(query, country, admin1, admin2)
        raws = self.resolve(text, country, admin1, admin2)
        if not raws:
            return None
        locations = [Location(self._address(r), (r["latitude"], r["longitude"]), r) for r in raws]
        return locations[0] if exactly_one else locations

    def resolve(self, text: str, country: str = "", admin1: str = "", admin2: str = "") -> list[dict[str, Any]]:
        """Raw result dicts, best first (memoised per gazetteer version)."""
        gazetteer = self.gazetteer
        if gazetteer is not self._results_of:
            self._results, self._results_of = {}, gazetteer
        key = (normalise_name(text), normalise_name(country), admin_key(admin1), admin_key(admin2))
        cached = self._results.get(key)
        if cached is None:
            cached = _Resolution(gazetteer, self.fuzzy_threshold, text, country, admin1, admin2).run()
            if len(self._results) >= RESULT_CACHE_SIZE:
                self._results.clear()
            self._results[key] = cached
        return [dict(r) for r in cached]

    @staticmethod
    def _address(raw: Mapping[str, Any]) -> str:
        return ", ".join(str(raw[k]) for k in ("name", "admin2", "admin1", "country") if raw.get(k))


class _Resolution:
    """One query's resolution against one gazetteer (a small object so each step stays readable)."""

    def __init__(self, gazetteer: Gazetteer, threshold: float, text: str, country: str, admin1: str, admin2: str):
        self.g = gazetteer
        self.threshold = threshold
        self.text = text
        self.key = normalise_name(text)
        self.country_code = gazetteer.country_code_of(country)
        self.admin1 = admin1
        self.admin2 = admin2
        self.admin1_keys = self._admin_keys(1, admin1)
        self.admin2_keys = self._admin_keys(2, admin2)

    def _admin_keys(self, level: int, text: str) -> set[str]:
        """The typed admin name's key plus the canonical names it is an alias of."""
        if not text:
            return set()
        return {admin_key(text)} | {admin_key(u.name) for u in self._admin_units(level, text)}

    def _admin_units(self, level: int, text: str) -> list[AdminUnit]:
        """Admin units named ``text``; for admin-1, also the region whose seat is called ``text``.

        Sahel regions mostly carry their capital's name, and sources often use the
        capital's other spelling (ACLED's "Timbuktu" for the region GeoNames calls
        "Tombouctou"), so a region name that matches no unit is tried as a town name.
        """
        units = self.g.admin_units(self.country_code, level, text)
        if units or level != 1:
            return units
        towns = [row for row, _primary in self.g.rows_named(admin_key(text))
                 if self.g.admin1[row] and (not self.country_code or self.g.country_code[row] == self.country_code)]
        if not towns:
            return []
        town = max(towns, key=lambda row: self.g.population[row])
        return self.g.admin_units(self.g.country_code[town], 1, self.g.admin1[town])

    def run(self) -> list[dict[str, Any]]:
        if self.key:
            rows = self.g.rows_named(self.key)
            if rows:
                found = self._ranked([(row, 1.0, primary) for row, primary in rows])
                if found:
                    return found
            found = self._fuzzy()
            if found:
                return found
        return self._fallback()

    def _narrow(self, matches: list[tuple[int, float, bool]]) -> list[tuple[int, float, bool]]:
        if self.country_code:
            matches = [m for m in matches if self.g.country_code[m[0]] == self.country_code]
        for keys, values in ((self.admin1_keys, self.g.admin1), (self.admin2_keys, self.g.admin2)):
            if keys:
                narrowed = [m for m in matches if admin_key(values[m[0]]) in keys]
                matches = narrowed or matches
        manual = [m for m in matches if self.g.layer[m[0]] == "manual"]
        return manual or matches

    def _ranked(self, matches: list[tuple[int, float, bool]], fuzzy: bool = False) -> list[dict[str, Any]]:
        matches = self._narrow(matches)
        best: dict[str, tuple[int, float, bool]] = {}
        for row, score, primary in matches:
            pid = self.g.place_id[row]
            # ">=": a user layer's copy of a bundled place (same id, loaded later) wins.
            if pid not in best or (score, primary) >= best[pid][1:]:
                best[pid] = (row, score, primary)
        ordered = sorted(best.values(), key=lambda m: (-m[1], not m[2], -int(self.g.population[m[0]])))
        if not ordered:
            return []
        top = ordered[0][0]
        ambiguous = any(
            _km(self.g.latitude[top], self.g.longitude[top], self.g.latitude[r], self.g.longitude[r]) > AMBIGUITY_KM
            for r, _s, _p in ordered[1:]
        )
        results = [self._raw(row, score, self._method(row, primary, fuzzy), GeoPrecision.PLACE)
                   for row, score, primary in ordered[:MAX_CANDIDATES]]
        results[0]["ambiguous"] = ambiguous
        if ambiguous:
            results[0]["candidates"] = [_summary(r) for r in results]
        return results

    def _method(self, row: int, primary: bool, fuzzy: bool) -> GeocodeMethod:
        if self.g.layer[row] == "manual":
            return GeocodeMethod.MANUAL
        if fuzzy:
            return GeocodeMethod.FUZZY
        return GeocodeMethod.EXACT if primary else GeocodeMethod.ALTERNATE

    def _fuzzy(self) -> list[dict[str, Any]]:
        if len(self.key) < 4:
            return []
        choices = self.g.fuzzy_keys(self.country_code, self.key, self.threshold)
        hits = process.extract(self.key, choices, scorer=fuzz.ratio, score_cutoff=self.threshold, limit=5)
        matches = [(row, score / 100.0, primary) for key, score, _ in hits for row, primary in self.g.rows_named(key)]
        return self._ranked(matches, fuzzy=True)

    def _fallback(self) -> list[dict[str, Any]]:
        """The admin unit given as context, or else the query itself read as an admin unit name."""
        if self.admin1 or self.admin2:
            attempts = ((2, self.admin2, GeoPrecision.NEARBY), (1, self.admin1, GeoPrecision.REGION))
        else:
            attempts = ((2, self.text, GeoPrecision.NEARBY), (1, self.text, GeoPrecision.REGION))
        for level, text, precision in attempts:
            if not text:
                continue
            units = self._admin_units(level, text)
            if level == 2 and self.admin1_keys:
                units = [u for u in units if admin_key(u.admin1) in self.admin1_keys] or units
            for unit in units:
                seat = self._seat(unit)
                if seat is not None:
                    raw = self._raw(seat, 1.0, GeocodeMethod.FALLBACK, precision)
                    raw.update(name=unit.name, admin1=unit.admin1, admin2=unit.name if level == 2 else None,
                               seat=self.g.name[seat], ambiguous=False)
                    return [raw]
        return []

    def _seat(self, unit: AdminUnit) -> int | None:
        """The place named like the unit inside it, else the unit's most populous place."""
        values = self.g.admin2 if unit.level == 2 else self.g.admin1
        unit_key = admin_key(unit.name)
        named = [row for row, _p in self.g.rows_named(unit_key)
                 if self.g.country_code[row] == unit.country_code
                 and admin_key(self.g.admin1[row]) in ("", admin_key(unit.admin1))]
        if named:
            return max(named, key=lambda r: self.g.population[r])
        inside = [r for r in self.g.rows_in_country(unit.country_code) if admin_key(values[r]) == unit_key]
        return max(inside, key=lambda r: self.g.population[r]) if inside else None

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
            "precision": int(precision),
            "method": str(method),
            "score": round(float(score), 3),
            "gazetteer_id": self.g.place_id[row],
            "population": int(self.g.population[row]),
            "ambiguous": False,
        }


def _summary(raw: Mapping[str, Any]) -> dict[str, Any]:
    keys = ("name", "latitude", "longitude", "country_code", "admin1", "admin2", "population", "gazetteer_id", "score")
    return {k: raw.get(k) for k in keys}
