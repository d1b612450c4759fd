"""Which place an article's incident happened at, and where that is.

Place names come from spaCy's entities and from patterns around them ("à X",
"near X", "village de X", "cercle de X"), then go through a geocoder with the
country and admin context the text gives. The geocoder is passed in (any geopy
``Geocoder`` honouring the project contract), so tests can use a small fake.

What is *not* the incident's place: a wire dateline ("BAMAKO (AFP) -"), a city
only named as where someone spoke or reported from, a country, and a region
named in the headline when the body names a town. A village the gazetteer does
not know falls back to its commune or cercle (precision 2) or region
(precision 3), which the geocoder does given the admin context.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from incidents.extract.text import fold, fold_name
from incidents.model import GeocodeMethod, GeoPrecision

COUNTRIES = {
    "mali": "Mali", "burkina faso": "Burkina Faso", "burkina": "Burkina Faso", "niger": "Niger",
    "tchad": "Chad", "chad": "Chad", "mauritanie": "Mauritania", "mauritania": "Mauritania",
    "senegal": "Senegal", "nigeria": "Nigeria", "benin": "Benin", "togo": "Togo", "ghana": "Ghana",
    "cote d'ivoire": "Côte d'Ivoire", "ivory coast": "Côte d'Ivoire", "guinee": "Guinea",
    "guinea": "Guinea", "algerie": "Algeria", "algeria": "Algeria", "cameroun": "Cameroon",
    "cameroon": "Cameroon", "libye": "Libya", "libya": "Libya", "france": "France", "russie": "Russia",
    "russia": "Russia", "maroc": "Morocco", "morocco": "Morocco", "soudan": "Sudan", "sudan": "Sudan",
    "etats-unis": "United States", "united states": "United States", "suisse": "Switzerland",
    "switzerland": "Switzerland",
}
# "près de la frontière avec le Mali", "venus du Mali": a neighbour named, not where it happened.
_NEIGHBOUR_BEFORE = re.compile(
    r"(?:frontiere|frontieres|border|borders|proche du|proche de la|pres du|near|nearby|voisin|voisine|neighbou?ring|"
    r"bordered by|nations of|"
    r"venus? du|venaient du|from|straddl\w*|avec le|avec la|with)\W*(?:\w+\W+){0,2}$"
)
_DEMONYMS = {
    "malien": "Mali", "malienne": "Mali", "maliens": "Mali", "maliennes": "Mali", "malian": "Mali",
    "burkinabe": "Burkina Faso", "nigerien": "Niger", "nigerienne": "Niger", "nigeriens": "Niger",
    "nigeriennes": "Niger", "tchadien": "Chad", "tchadienne": "Chad", "chadian": "Chad",
}
# Tried in this order when an article names no country: the project covers the Sahel first.
DEFAULT_COUNTRIES = ("Mali", "Burkina Faso", "Niger")
# What one region named in the text weighs in deciding the article's country (a country named
# outright counts 1, a neighbour at a border a quarter).
REGION_VOTE = 1.5
CAPITALS = {"bamako", "ouagadougou", "niamey", "n'djamena", "ndjamena", "nouakchott", "dakar", "abuja"}

_NAME = r"[A-ZÀ-ÖØ-Þ][\w'’\-]*(?:[ \-](?:[A-ZÀ-ÖØ-Þ][\w'’\-]*))*"
_NAME_RE = re.compile(_NAME)
_ADMIN_KINDS = {
    "region": "admin1", "regions": "admin1", "province": "admin2", "cercle": "admin2", "circle": "admin2",
    "departement": "admin2", "department": "admin2", "prefecture": "admin2", "district": "admin2",
    "commune": "admin3", "arrondissement": "admin3", "municipality": "admin3",
    "village": "place", "villages": "place", "localite": "place", "localites": "place", "ville": "place",
    "hameau": "place", "town": "place", "hamlet": "place", "city": "place", "secteur": "place",
}
# Peoples a village is often described by ("les villages peuls de X"), singular forms.
_PEOPLES = ("peul", "peulh", "dogon", "bambara", "touareg", "songhai", "songhay", "mossi", "fulani", "bella",
            "dozo", "arabe", "haoussa", "djerma", "zarma")
_KIND_BEFORE = re.compile(
    r"\b(?P<kind>" + "|".join(_ADMIN_KINDS) + r")\s+(?:rurale?\s+|urbaine?\s+)?"
    r"(?:(?:ouest|est|nord|sud|centre|nord-ouest|nord-est|sud-ouest|sud-est)\s+)?"
    r"(?:(?:" + "|".join(_PEOPLES) + r")s?\s*,?\s+)?"  # "les villages peuls de Bidi", "villages dogons, X"
    r"(?:de\s+|d'|du\s+|des\s+|of\s+)?(?=[a-z])"
)
_KIND_AFTER = re.compile(r"\s+(?P<kind>region|province|circle|cercle|district|commune|department|area|village|town)\b")
_PLACE_PREPOSITION = re.compile(
    r"(?:\b(?:a|au|pres de|pres d'|non loin de|non loin d'|aux environs de|vers|entre|dans|sur l'axe|"
    r"devant|(?:camp|base|poste|marche|route|axe|sortie|entree|environs)(?: militaire)? (?:de|d'|du)|"
    r"in|near|at|outside|around|between|close to|village of|town of|"
    r"attaque|attaquer|attaquant|attaque de|assailli|cible|vise|visant|attacked|attacking|raided|stormed|struck|hit|"
    r"targeted|targeting)\s+)"
)
_POSSESSIVE = re.compile(r"[A-ZÀ-ÖØ-Þ][\w\-]*(?: [A-Z][\w\-]*)?['’]s ")
_KIND_SUFFIX = re.compile(r" (Region|Province|Circle|Cercle|Department|District)$", re.IGNORECASE)
_JOINED_REGION = re.compile(r"\s*(?:,|et|and|ainsi que)\s*(?:du |de la |de l'|des |d'|the |in the )?")
_JOINED_NAME = re.compile(r"\s*(?:,|et|and|ainsi que)\s*(?:(?:a|in|at)\s+)?")
_REPORTED_FROM = re.compile(
    r"(?:appris|annonce|indique|declare|joint|interroge|depuis|selon [^,.]{0,40}|said|told|reported|"
    r"announced|speaking|according to [^,.]{0,40}|officials? in|sources? in|de source [^,.]{0,30})\s*(?:a|in|from|,)?\s*$"
)
_NOT_PLACES = {
    "le", "la", "les", "l", "un", "une", "des", "ce", "cette", "ces", "il", "ils", "elle", "elles", "on",
    "the", "a", "an", "this", "these", "he", "she", "they", "it", "in", "at", "on", "dans", "selon",
    "mais", "but", "et", "and", "al", "etat", "state", "afp", "reuters", "ap", "rfi", "onu", "un",
    "tuareg", "touareg", "peul", "peuls", "fulani", "dogon", "dogons", "bambara", "songhai", "arabe", "arab",
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche", "monday", "tuesday", "wednesday",
    "thursday", "friday", "saturday", "sunday", "minusma", "barkhane", "wagner", "fama",
    "arabic", "french", "english", "francais", "anglais", "sahara", "belga", "xinhua", "apa", "anp", "aib",
    # months and armed movements come after "in" / "à" as often as places do ("affiliés à Al-Qaïda")
    "janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout", "septembre", "octobre", "novembre",
    "decembre", "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "al qaida", "al qaeda", "daech", "daesh", "isis", "etat islamique",
    "islamic state",
}
_HIDEOUT = re.compile(r"\s+(?:forest|foret)\b")
# Where the name is not where it happened: someone went, fled or was taken there, or the
# speaker is from there ("le maire de Bankass"); checked on the words just before the name.
_DESTINATION = re.compile(
    r"(?:\bvers|\btowards?|\bfled to|\btaken to|\bevacuated to|\btransferes? a|\bevacues? a|\brefugies? a|"
    r"\bfled into)\s+(?:la ville (?:voisine )?(?:de |d')|the (?:nearby |neighbouring )?(?:town|city) of )?$"
)
_SPEAKER = re.compile(
    r"\b(?:maire|mayor|habitant|resident|ressortissant|elu|gouverneur|governor|prefet|depute|chef)\s+"
    r"(?:de la (?:ville|commune|localite)(?: (?:proche|voisine))? (?:de |d')|of the (?:nearby |neighbouring )?"
    r"(?:town|city|commune|village) of |de |d'|du |of )$"
)
_WOUNDED_TAKEN_THERE = re.compile(r"\s*,?\s*(?:ou|where) (?:la plupart des |les |the |most of the )?(?:blesses|wounded|injured)")
_DISTANCE = re.compile(
    r"(?:\b(?P<count>(?:une |about |some |environ |around |quelque )?(?:\d{1,4}|[a-z]+))(?: de)?\s*"
    r"(?:km|kilometres?|kilometers?|kms)\b(?:\s*\(\d+ miles\))?\s*)?"
    r"(?:(?:au |a l'|a |to the |)(?P<dir>nord-est|nord-ouest|sud-est|sud-ouest|nord|sud|est|ouest|"
    r"northeast|northwest|southeast|southwest|north|south|east|west)\s+(?:de |d'|du |of )|"
    r"(?<=m )(?:de |d'|du |from |of )|(?<=s )(?:de |d'|du |from |of ))"
    r"(?:la (?:ville|localite|commune|capitale regionale|capitale) (?:de |d')?|the (?:town|city|village) of |)$"
)
NER_LABELS = {"LOC", "GPE", "FAC"}


@dataclass
class PlaceMention:
    name: str
    start: int
    end: int
    role: str  # "place", "admin1", "admin2", "admin3" or "country"
    source: str  # "ner", "pattern" or "kind"
    # Set when the text places the incident relative to this name ("à 30 km au nord de X").
    offset_km: float | None = None
    bearing: str | None = None


@dataclass
class PlaceContext:
    """Country and admin names the article states, used to narrow and to fall back."""

    country: str | None = None
    # Other countries the article names, most mentioned first: tried when nothing resolves in ``country``.
    other_countries: list[str] = field(default_factory=list)
    admin1: list[PlaceMention] = field(default_factory=list)
    admin2: list[PlaceMention] = field(default_factory=list)
    admin3: list[PlaceMention] = field(default_factory=list)


@dataclass
class ResolvedPlace:
    mention: PlaceMention | None
    raw: dict[str, Any]
    precision: GeoPrecision
    confidence: float
    spans: list[tuple[int, int]]
    reported_admin1: str | None = None


_COUNTRY_WORDS = re.compile(
    r"\b(?:" + "|".join(sorted((re.escape(k) for k in (*COUNTRIES, *_DEMONYMS)), key=len, reverse=True)) + r")\b"
)


def country_mentions(folded: str) -> list[tuple[str, tuple[int, int]]]:
    """(country, span) for each country name or demonym ("malienne") in the text."""
    found = []
    for match in _COUNTRY_WORDS.finditer(folded):
        key = match.group(0)
        if key == "niger" and re.match(r"\s*(?:river|\(fleuve\))", folded[match.end():]):
            continue
        found.append((COUNTRIES.get(key) or _DEMONYMS[key], match.span()))
    return found


def countries_mentioned(text: str, folded: str) -> Counter[str]:
    """Country weights: a neighbour named near "border", "proche du", "from" counts a quarter."""
    weights: Counter[str] = Counter()
    for country, (start, _end) in country_mentions(folded):
        neighbour = _NEIGHBOUR_BEFORE.search(folded[max(0, start - 40) : start])
        weights[country] += 0.25 if neighbour else 1.0
    return weights


def find_place_mentions(text: str, folded: str, entities: list[tuple[int, int, str]],
                        excluded: list[tuple[int, int]]) -> list[PlaceMention]:
    """Candidate places in text order; ``entities`` are spaCy (start, end, label)."""
    mentions: dict[tuple[int, int], PlaceMention] = {}

    def add(start: int, end: int, role: str, source: str) -> None:
        possessive = _POSSESSIVE.match(text, start, end)
        if possessive:  # "Mali's Mopti region": the country is not part of the name
            start = possessive.end()
        suffix = _KIND_SUFFIX.search(text, start, end)
        if suffix:  # "the Bankass Circle": the unit word says what kind of name it is
            role = _ADMIN_KINDS.get(fold(suffix.group(1)).lower(), role)
            end = suffix.start()
        owner = re.search(r"['’]s$", text[start:end])
        if owner:  # "Burkina Faso’s northern neighbour": the name without its possessive
            end -= 2
        name = text[start:end].strip(" -'’")
        key = fold_name(name)
        if not name or key in _NOT_PLACES or key in _DEMONYMS or len(key) < 3 \
                or any(a <= start < b for a, b in excluded):
            return
        if key in COUNTRIES or re.sub(r"^(?:northern|southern|eastern|western|central|north|south|east|west) ",
                                      "", key) in COUNTRIES:
            role = "country"
        span = (start, start + len(name))
        existing = mentions.get(span)
        if existing is None or existing.source == "ner":
            mentions[span] = PlaceMention(name, span[0], span[1], role, source)

    for match in _KIND_BEFORE.finditer(folded):
        name = _NAME_RE.match(text, match.end())
        if name:
            add(name.start(), name.end(), _ADMIN_KINDS[match.group("kind")], "kind")
    for name in _NAME_RE.finditer(text):
        after = _KIND_AFTER.match(folded, name.end())
        if after:
            kind = after.group("kind")
            role = "place" if kind in ("area", "village", "town") else _ADMIN_KINDS.get(kind, "admin2")
            add(name.start(), name.end(), role, "kind")
    for match in _PLACE_PREPOSITION.finditer(folded):
        article = re.match(r"(?:the|le|la|les) (?=[A-ZÀ-ÖØ-Þ])", text[match.end() : match.end() + 5])
        name = _NAME_RE.match(text, match.end() + (article.end() if article else 0))
        if name:
            add(name.start(), name.end(), "place", "pattern")
    for start, end, label in entities:
        if label in NER_LABELS and text[start:start + 1].isupper():
            add(start, end, "place", "ner")
    for mention in mentions.values():
        if text[mention.start - 1 : mention.start] == "(" and text[mention.end : mention.end + 1] == ")" \
                and re.search(r"\w\s*$", text[max(0, mention.start - 25) : mention.start - 1]) \
                and mention.role in ("place", "admin2", "admin3"):
            mention.role = "admin1"  # "Soumpi (Tombouctou)": the bracket names the region
    by_start = {m.start: m for m in mentions.values()}
    for mention in sorted(mentions.values(), key=lambda m: m.start):
        # "les régions du Nord, du Centre-Nord et du Sahel": names listed after a region are regions
        joined = _JOINED_REGION.match(folded, mention.end) if mention.role == "admin1" else None
        following = by_start.get(joined.end()) if joined else None
        if following is not None and following.role == "place":
            following.role = "admin1"
    for mention in sorted(mentions.values(), key=lambda m: m.start):
        if mention.role != "place":
            continue
        joined = _JOINED_NAME.match(folded, mention.end)
        name = _NAME_RE.match(text, joined.end()) if joined else None
        if name and joined.group(0).strip() == "," and not re.match(r"\s*(?:,|et\b|and\b)", folded[name.end():]):
            name = None  # "the town of Bankass, Moulaye Guindo told": a comma alone does not make a list
        if name:
            add(name.start(), name.end(), "place", "pattern")
    return sorted(_drop_nested(list(mentions.values())), key=lambda m: m.start)


def _drop_nested(mentions: list[PlaceMention]) -> list[PlaceMention]:
    kept = []
    for mention in mentions:
        inside = [o for o in mentions if o is not mention and o.start <= mention.start and mention.end <= o.end
                  and (o.end - o.start) > (mention.end - mention.start)]
        if inside and all(o.source != "ner" or mention.source == "ner" for o in inside):
            continue
        kept.append(mention)
    return kept


def is_reporting_place(folded: str, mention: PlaceMention) -> bool:
    """True when the name only says where a statement was made or reported from, where people
    went or were taken, or where a speaker comes from: never the incident's place."""
    before = folded[max(0, mention.start - 60) : mention.start]
    after = folded[mention.end : mention.end + 40]
    if _REPORTED_FROM.search(before):
        return True
    if mention.role == "place" and (_DESTINATION.search(before) or _SPEAKER.search(before)
                                    or _WOUNDED_TAKEN_THERE.match(after) or _HIDEOUT.match(after)
                                    or re.search(r"\bforet (?:de |du |d')$", before)):
        return True
    return mention.role == "place" and bool(
        re.match(r"\s*,?\s*(?:a-t-on appris|ont indique|a indique|said|told|officials said)", after))


_NEAR_UNIT = re.compile(
    r"\b(?:close to|near|next to|bordering|borders|adjacent to|neighbou?ring|proche de|pres de|voisine? de|"
    r"limitrophe de|a la frontiere de|a cheval sur)\s+(?:the |la |le |l'|du |des )?$"
)


def is_neighbouring_unit(folded: str, mention: PlaceMention) -> bool:
    """"The area is close to the Tahoua region": a unit named as a neighbour is not where it happened."""
    if mention.role != "admin1":
        return False  # "près de la commune de X" is the incident's vicinity; only a region is a neighbour
    before = folded[max(0, mention.start - 40) : mention.start]
    before = re.sub(r"(?:region|province|cercle|commune|department|departement) (?:de |du |d'|of )?$", "", before)
    return bool(_NEAR_UNIT.search(before))


def mark_distance_cue(folded: str, mention: PlaceMention) -> None:
    """"à 30 km au nord de X", "about 20 kilometers from X": X is an anchor, not the place."""
    before = folded[max(0, mention.start - 70) : mention.start]
    match = _DISTANCE.search(before)
    if match is None or (match.group("count") is None and match.group("dir") is None):
        return
    mention.bearing = match.group("dir")
    mention.offset_km = (_kilometres(match.group("count")) or 0.0) if match.group("count") else 0.0


def _kilometres(words: str) -> float | None:
    from incidents.extract.numbers import iter_counts

    counts = list(iter_counts(words, 0, len(words)))
    return float(counts[-1].value) if counts else None


class PlaceResolver:
    """Picks and geocodes the incident's place among the mentions of its sentences."""

    def __init__(self, geocoder: Any) -> None:
        self.geocoder = geocoder

    def lookup(self, name: str, country: str | None, admin1: str | None = None,
               admin2: str | None = None) -> dict[str, Any] | None:
        """Geocode with context; with no country stated, the Sahel countries are tried first and
        the strongest answer among them wins (a town's seat over a homonym hamlet next door)."""
        if country is None:
            answers = [raw for guess in DEFAULT_COUNTRIES
                       if (raw := self._geocode(name, guess, admin1, admin2)) is not None
                       and raw.get("method") != str(GeocodeMethod.FUZZY)]
            if answers:
                return min(answers, key=answer_strength)
        return self._geocode(name, country, admin1, admin2)

    def lookup_variant(self, name: str, country: str | None, admin1: str | None,
                       admin2: str | None) -> dict[str, Any] | None:
        """Try the usual transliteration swaps when the name as written is unknown."""
        for variant in spelling_variants(name):
            raw = self.lookup(variant, country, admin1, admin2)
            if raw is not None and int(raw.get("precision") or 1) == GeoPrecision.PLACE \
                    and raw.get("method") != str(GeocodeMethod.FUZZY):
                raw["method"] = str(GeocodeMethod.FUZZY)
                raw["score"] = min(float(raw.get("score") or 1.0), 0.9)
                return raw
        return None

    def _geocode(self, name: str, country: str | None, admin1: str | None,
                 admin2: str | None) -> dict[str, Any] | None:
        location = self.geocoder.geocode(name, exactly_one=True, country=country, admin1=admin1, admin2=admin2)
        if location is None:
            return None
        raw = dict(location.raw)
        if country and raw.get("country") and fold_name(raw["country"]) != fold_name(country):
            return None
        return raw

    def resolve(self, candidates: list[PlaceMention], context: PlaceContext, folded: str,
                capitals_allowed: bool) -> ResolvedPlace | None:
        """The incident's place; when nothing resolves as a place in the most named country,
        the other Sahel countries the article names are tried ("near the Mali border" in a Niger story)."""
        found = self._resolve_in(candidates, context, folded, capitals_allowed)
        if found is not None and (found.precision == GeoPrecision.PLACE or is_homonym_answer(found.raw)):
            return found
        for country in context.other_countries:
            other = PlaceContext(country, [], context.admin1, context.admin2, context.admin3)
            again = self._resolve_in(candidates, other, folded, capitals_allowed)
            if again is not None and (found is None or again.precision < found.precision):
                return again
        return found

    def _resolve_in(self, candidates: list[PlaceMention], context: PlaceContext, folded: str,
                    capitals_allowed: bool) -> ResolvedPlace | None:
        admin1 = context.admin1[0].name if context.admin1 else None
        admin2 = context.admin2[0].name if context.admin2 else None
        if admin1 and admin2:
            admin1 = self._region_of_unit(admin2, context.country) or admin1
        places = [c for c in candidates if c.role == "place"]
        anchors = [c for c in places if c.offset_km is not None]
        places = [c for c in places if c.offset_km is None]
        if not capitals_allowed:
            places = [c for c in places if fold_name(c.name) not in CAPITALS] or places
        region_names = {fold_name(m.name) for m in context.admin1}
        others = [c for c in places if fold_name(c.name) not in region_names]
        if others:
            # "the village of Dioura ... Mopti region ... Mopti city": a name the article also uses
            # for the region is the regional seat, never preferred to the place the text names.
            places = others
        seats: list[tuple[PlaceMention, dict[str, Any]]] = []
        for mention in places:
            raw = self.lookup(mention.name, context.country, admin1, admin2)
            if (raw is None or raw.get("method") == str(GeocodeMethod.FALLBACK) or _doubtful_spelling(raw)) \
                    and mention.source != "ner":
                # "Yaru": the gazetteer's close spelling (Yaro) is doubtful, its alternate Yarou is not
                raw = self.lookup_variant(mention.name, context.country, admin1, admin2) or raw
            if raw is not None and raw.get("method") == str(GeocodeMethod.FALLBACK) and admin1 and not admin2:
                raw = self._seat_elsewhere(mention.name, context.country) or raw
            if (raw is None or raw.get("method") == str(GeocodeMethod.FALLBACK)) and admin1 and not admin2 \
                    and mention.source != "ner" and not _stated_together(folded, mention, context.admin1[0]):
                raw = self._known_in_country(mention.name, context.country) or raw
            if (raw is None or raw.get("method") == str(GeocodeMethod.FALLBACK)) and is_road(folded, mention):
                road = self._road_start(mention, context.country, admin1, admin2)
                if road is not None:
                    return self._placed(*road, context, admin1, GeoPrecision.NEARBY)
            if mention is places[0] and mention.source == "kind" and raw is not None \
                    and raw.get("method") == str(GeocodeMethod.FUZZY) and admin1 \
                    and fold_name(raw.get("admin1") or "") == fold_name(admin1):
                # "dans le village de Sobame Da ... région de Mopti": the text said where; a close
                # spelling inside the region it names is that village, unconfirmed (precision 2),
                # not another town named for other reasons (where the rescuers came from).
                return self._placed(mention, raw, context, admin1, GeoPrecision.NEARBY)
            if raw is not None and is_homonym_answer(raw):
                return self._placed(mention, raw, context, admin1, GeoPrecision.NEARBY)
            if raw is None or int(raw.get("precision") or 1) != GeoPrecision.PLACE:
                continue
            if mention.source == "ner" and raw.get("method") == str(GeocodeMethod.FUZZY) \
                    and not same_letters(raw.get("name"), mention.name):
                continue
            if admin1 and raw.get("admin1") and fold_name(raw["admin1"]) != fold_name(admin1) \
                    and raw.get("method") == str(GeocodeMethod.FUZZY):
                continue
            between = re.search(r"\b(?:entre|between)\s+(?:les? |l'|the )?$", folded[max(0, mention.start - 14):mention.start])
            units_named = bool(context.admin2 or context.admin3)
            if same_letters(raw.get("name"), raw.get("admin1")) and (len(places) > 1 or units_named) \
                    and not between:
                seats.append((mention, raw))  # "in Tillabéri": the region's seat, if nothing nearer is named
                continue
            return self._placed(mention, raw, context, admin1)
        if seats:
            # A named commune or cercle says more than the regional seat named with it.
            return self._unit_fallback(places[:0], context, admin1) or self._placed(*seats[0], context, admin1)
        found = self._unit_fallback(places, context, admin1) or self._offset(anchors, places, context, admin1)
        if found is None and admin1 is None:
            region = self._region_named_as_place(places, context.country)
            if region is not None:  # "dans le Centre-Nord du Burkina Faso": a region without the word
                others = [p for p in places if p is not region]
                context = PlaceContext(context.country, context.other_countries, [region],
                                       context.admin2, context.admin3)
                return self._region_fallback(others, context, region.name)
        return found or self._region_fallback(places, context, admin1)

    def region_votes(self, mentions: list[PlaceMention]) -> Counter[str]:
        """Each distinct region the text names ("the region of Tillaberi") votes for the one Sahel
        country that has a region of that name: refugees "from Mali" or a border "with Mali"
        named often must not move an attack in Niger's Tillabéri region to Mali."""
        votes: Counter[str] = Counter()
        for key in {fold_name(m.name): m for m in mentions if m.role == "admin1"}:
            owners = self.region_owners(key)
            if len(owners) == 1:
                votes[owners[0]] += REGION_VOTE
        return votes

    def region_owners(self, name: str) -> list[str]:
        """The Sahel countries that have a region called ``name``."""
        key = fold_name(name).replace("y", "i")
        return [country for country in DEFAULT_COUNTRIES
                if (raw := self._geocode("", country, name, None)) is not None
                and same_letters(str(raw.get("admin1")).replace("y", "i"), key)]

    def is_region_seat(self, name: str) -> bool:
        """"Timbuktu region": a regional seat's name used for its region (the gazetteer has Tombouctou)."""
        raw = self.lookup(name, None)
        return raw is not None and raw.get("feature") == "PPLA"

    def regions_of_country(self, context: PlaceContext) -> PlaceContext:
        """Drop the regions named that belong to another Sahel country than the article's:
        "the Sahel region" of a Niger story is the wider Sahel, not Burkina Faso's region."""
        if context.country not in DEFAULT_COUNTRIES:
            return context
        kept = []
        for mention in context.admin1:
            owners = self.region_owners(mention.name)
            if not owners or context.country in owners:
                kept.append(mention)
        return PlaceContext(context.country, context.other_countries, kept, context.admin2, context.admin3)

    def _road_start(self, mention: PlaceMention, country: str | None, admin1: str | None,
                    admin2: str | None) -> tuple[PlaceMention, dict[str, Any]] | None:
        """"l'axe Kwala-Mourdiah-Nara", "the Bandiagara-Bankass road": an unknown hyphenated name
        the text calls a road, whose every part is a known place, is placed at its first town
        (precision 2). The road cue is required: the Sahel gazetteer knows so many hamlets that
        both halves of a hyphenated village name (Tiguila-Sogou) are often places too."""
        parts = [p for p in re.split(r"\s*[-–]\s*", mention.name)]
        if len(parts) < 2 or any(len(p) < 3 or not p[:1].isupper() for p in parts):
            return None
        def known(answers: list[dict[str, Any] | None]) -> bool:
            return all(raw is not None and raw.get("method") in (str(GeocodeMethod.EXACT), str(GeocodeMethod.ALTERNATE))
                       for raw in answers)

        answers = [self.lookup(part, country, admin1, admin2) for part in parts]
        if not known(answers) and admin2:
            # "la province de Dialo, sur l'axe Bandiagara-Bankass": the road's towns say more than
            # a unit the gazetteer may not know (or knows elsewhere)
            answers = [self.lookup(part, country, admin1) for part in parts]
        if not known(answers):
            return None
        first = PlaceMention(parts[0], mention.start, mention.start + len(parts[0]), mention.role, mention.source)
        return first, answers[0]

    def _region_of_unit(self, unit: str, country: str | None) -> str | None:
        """The region of a province or cercle the text names: where it contradicts the region the
        text names ("Loroum province" with "the Centre-Nord region" named for a nearby attack),
        the finer unit is the more specific statement."""
        raw = self._geocode("", country, None, unit)
        if raw is None or raw.get("fallback_level") != "admin2" or not raw.get("admin1"):
            return None
        return str(raw["admin1"])

    def _seat_elsewhere(self, name: str, country: str | None) -> dict[str, Any] | None:
        """A town the text names that is the one seat of that name, though outside the region the
        text names: articles name a neighbouring region's town ("a rocket at the city of Timbuktu"
        in a story about the Mopti region), and a seat is no hamlet to be confused with."""
        raw = self.lookup(name, country)
        if raw is None or raw.get("method") != str(GeocodeMethod.EXACT) or raw.get("ambiguous") \
                or int(raw.get("precision") or 1) != GeoPrecision.PLACE or raw.get("feature") not in _SEATS:
            return None
        return raw

    def _known_in_country(self, name: str, country: str | None) -> dict[str, Any] | None:
        """The one place of that name in the country, when the region the article names in
        another sentence does not hold it ("une base à Toeni, dans le nord du pays" in a story
        that later names "la région du Sahel"): a region named apart is context, not a constraint."""
        raw = self.lookup(name, country)
        if raw is None or raw.get("ambiguous") or int(raw.get("precision") or 1) != GeoPrecision.PLACE \
                or raw.get("method") not in (str(GeocodeMethod.EXACT), str(GeocodeMethod.ALTERNATE)):
            return None
        return raw

    def _region_named_as_place(self, places: list[PlaceMention], country: str | None) -> PlaceMention | None:
        """A name taken for a place that is the name of one of the country's regions."""
        if country is None:
            return None
        for mention in places:
            raw = self._geocode("", country, mention.name, None)
            if raw is not None and same_letters(str(raw.get("admin1")).replace("y", "i"),
                                                mention.name.replace("y", "i")):
                return mention
        return None

    @staticmethod
    def _placed(mention: PlaceMention, raw: dict[str, Any], context: PlaceContext,
                admin1: str | None, precision: GeoPrecision = GeoPrecision.PLACE) -> ResolvedPlace:
        confidence = 0.9 if raw.get("method") in ("exact", "alternate", "manual") else 0.7
        if raw.get("ambiguous"):
            confidence -= 0.2
        spans = [(mention.start, mention.end)] + [(m.start, m.end) for m in context.admin1[:1]]
        return ResolvedPlace(mention, raw, precision, confidence, spans, admin1)

    def _offset(self, anchors: list[PlaceMention], places: list[PlaceMention], context: PlaceContext,
                admin1: str | None) -> ResolvedPlace | None:
        """"à 30 km au nord de X": X's point moved by the distance and bearing given, precision 2."""
        for anchor in anchors:
            raw = self.lookup(anchor.name, context.country)
            if raw is None or int(raw.get("precision") or 1) != GeoPrecision.PLACE:
                continue
            raw["latitude"], raw["longitude"] = offset_point(
                float(raw["latitude"]), float(raw["longitude"]), anchor.offset_km or 0.0, anchor.bearing)
            raw["method"] = str(GeocodeMethod.FALLBACK)
            raw["precision"] = int(GeoPrecision.NEARBY)
            raw["offset_from"] = raw.get("name")
            mention = places[0] if places else anchor
            spans = [(m.start, m.end) for m in places[:1]] + [(anchor.start, anchor.end)]
            return ResolvedPlace(mention, raw, GeoPrecision.NEARBY, 0.5, spans, admin1)
        return None

    def _unit_fallback(self, places: list[PlaceMention], context: PlaceContext,
                       admin1: str | None) -> ResolvedPlace | None:
        """The containing commune or cercle stands in (precision 2).

        With no place named, a smaller unit the gazetteer does not know ("the Koutougou
        department in Soum province") still names the location.
        """
        unknown: PlaceMention | None = None
        for level_mentions, precision in ((context.admin3, GeoPrecision.NEARBY),
                                          (context.admin2, GeoPrecision.NEARBY)):
            for unit in level_mentions:
                raw = self.lookup(unit.name, context.country, admin1)
                if raw is not None and raw.get("method") == str(GeocodeMethod.FUZZY) \
                        and not same_letters(raw.get("name"), unit.name):
                    raw = None  # a unit one letter away is another unit (Koutougou is not Koudougou)
                if raw is None and unit.role == "admin2":
                    raw = self.lookup("", context.country, admin1, unit.name)
                if raw is None:
                    unknown = unknown or unit
                    continue
                raw["method"] = str(GeocodeMethod.FALLBACK)
                raw["precision"] = int(precision)
                named = places[0] if places else (unknown or unit)
                spans = [(named.start, named.end)] + [(unit.start, unit.end)]
                return ResolvedPlace(named, raw, precision, 0.5, spans, admin1)
        return None

    def _region_fallback(self, places: list[PlaceMention], context: PlaceContext,
                         admin1: str | None) -> ResolvedPlace | None:
        """The region stands in (precision 3) when nothing nearer is known."""
        if admin1:
            raw = self.lookup("", context.country, admin1)
            if raw is not None:
                raw["precision"] = int(GeoPrecision.REGION)
                mention = context.admin1[0]
                named = places[0] if places else next(iter(context.admin3 + context.admin2), mention)
                spans = [(named.start, named.end)] + [(mention.start, mention.end)]
                return ResolvedPlace(named, raw, GeoPrecision.REGION, 0.4, spans, admin1)
        return None


def _doubtful_spelling(raw: dict[str, Any]) -> bool:
    return raw.get("method") == str(GeocodeMethod.FUZZY) and int(raw.get("precision") or 1) != GeoPrecision.PLACE


def _stated_together(folded: str, mention: PlaceMention, unit: PlaceMention) -> bool:
    """The place and the unit are named in one sentence ("à X, dans la région de Y")."""
    start, end = sorted((mention.start, unit.start))
    return not re.search(r"[.!?\n]", folded[start:end])


_SEATS = ("PPLC", "PPLA", "PPLA2", "PPLA3", "PPLA4")


def answer_strength(raw: dict[str, Any]) -> tuple:
    """Sort key (smaller is stronger) between one name's answers in different countries.

    With the Sahel gazetteer every town has homonym hamlets in the neighbouring countries
    ("Nouna", "Kaya", "Gorom Gorom" are also Malian villages): a precise, unambiguous answer
    beats a doubtful one, a seat or a place with a known population beats a plain village,
    the name itself beats an alternate name; the country order decides the rest (stable min).
    """
    return (
        int(raw.get("precision") or 1) != GeoPrecision.PLACE or bool(raw.get("ambiguous")),
        raw.get("feature") not in _SEATS,
        not int(raw.get("population") or 0),
        raw.get("method") not in (str(GeocodeMethod.EXACT), str(GeocodeMethod.MANUAL)),
    )


_ROAD_BEFORE = re.compile(r"\b(?:axe|axis|route|road|troncon|highway)\b[^.]{0,24}$")
_ROAD_AFTER = re.compile(r"\s*(?:road|highway|axis)\b")


def is_road(folded: str, mention: PlaceMention) -> bool:
    """The name is introduced as a road ("l'axe routier X-Y", "the X-Y road")."""
    return bool(_ROAD_BEFORE.search(folded[max(0, mention.start - 40) : mention.start])
                or _ROAD_AFTER.match(folded, mention.end))


def is_homonym_answer(raw: dict[str, Any]) -> bool:
    """The name as written is in the gazetteer, but at several places the context cannot tell
    apart (the Sahel gazetteer holds a dozen hamlets called Sokolo besides the town): it is still
    the place the text names, at the best-ranked homonym, precision 2 and flagged."""
    return bool(raw.get("ambiguous")) and raw.get("method") == str(GeocodeMethod.EXACT)


def same_letters(a: object, b: object) -> bool:
    """"Bani Bangou" and "Banibangou": the same letters, only spacing or hyphens differ."""
    return re.sub(r"[^a-z]", "", fold(str(a or ""))) == re.sub(r"[^a-z]", "", fold(str(b or "")))


_BEARINGS = {"nord": 0, "north": 0, "nord-est": 45, "northeast": 45, "est": 90, "east": 90, "sud-est": 135,
             "southeast": 135, "sud": 180, "south": 180, "sud-ouest": 225, "southwest": 225, "ouest": 270,
             "west": 270, "nord-ouest": 315, "northwest": 315}


def offset_point(latitude: float, longitude: float, km: float, bearing: str | None) -> tuple[float, float]:
    """The point ``km`` from (latitude, longitude) towards ``bearing``; unchanged with no bearing."""
    if not km or bearing not in _BEARINGS:
        return latitude, longitude
    angle = math.radians(_BEARINGS[bearing])
    moved_lat = latitude + km * math.cos(angle) / 111.2
    moved_lon = longitude + km * math.sin(angle) / (111.2 * math.cos(math.radians(latitude)))
    return round(moved_lat, 5), round(moved_lon, 5)


def build_context(mentions: list[PlaceMention], country_counts: Counter[str]) -> PlaceContext:
    ranked = [country for country, _weight in country_counts.most_common()]
    context = PlaceContext(country=ranked[0] if ranked else None,
                           other_countries=[c for c in ranked[1:] if c in DEFAULT_COUNTRIES])
    for mention in mentions:
        if mention.role in ("admin1", "admin2", "admin3"):
            getattr(context, mention.role).append(mention)
    return context



# French and English transliterations of the same Sahel name differ in these ways.
_SWAPS = (("y", "i"), ("i", "y"), ("ou", "u"), ("u", "ou"), ("dj", "j"), ("j", "dj"), ("k", "c"),
          ("c", "k"), ("ss", "s"), ("s", "ss"), ("ee", "e"), ("w", "ou"), ("ou", "w"), ("gu", "g"))


def spelling_variants(name: str, limit: int = 24) -> list[str]:
    """Single-swap respellings of ``name`` (Torody -> Torodi, Bankas -> Bankass), lowercase."""
    base = fold_name(name)
    variants: list[str] = []
    for old, new in _SWAPS:
        start = base.find(old)
        while start != -1 and len(variants) < limit:
            candidate = base[:start] + new + base[start + len(old):]
            if candidate != base and candidate not in variants:
                variants.append(candidate)
            start = base.find(old, start + 1)
    doubled = re.sub(r"(.)\1", r"\1", base)
    if doubled != base:
        variants.append(doubled)
    return variants
