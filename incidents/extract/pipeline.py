"""Article text -> candidate incidents.

The article is cut into sentences. A sentence with an event cue and a date or
a place *anchors* an incident; the sentences after it (up to two paragraphs
on) feed that incident until a background sentence ("depuis plusieurs années",
"regularly", ...), a longer gap or a new anchor with another place or day. Each incident then
gets its date, place, actors, event type and casualties from its own sentences
only, so context paragraphs about the wider conflict add nothing to it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlparse

from incidents import model
from incidents.extract import actors as actor_lookup
from incidents.extract.candidate import Candidate, Evidence
from incidents.extract.dates import DateMention, Publication, find_dates, is_statement_day, parse_publication
from incidents.extract.events import classify, has_event_cue
from incidents.extract.fields import fill_date, fill_fatalities, fill_place, rank_actors
from incidents.extract.fatalities import Casualties, find_casualties
from incidents.extract.language import detect_language, pipeline
from incidents.extract.notes import write_notes
from incidents.extract.places import (
    CAPITALS, PlaceContext, PlaceMention, PlaceResolver, build_context, countries_mentioned, country_mentions,
    find_place_mentions, is_neighbouring_unit, is_reporting_place, mark_distance_cue,
)
from incidents.extract.text import Segment, dateline_span, fold, fold_name, headline_span, sentences

BACKGROUND = re.compile(
    r"\b(?:depuis (?:plusieurs|des|de nombreuses|quelques) (?:annees|mois)|depuis 20\d\d|depuis le debut|"
    r"regulierement|souvent|serie de|serie d'|longue serie|recurrent(?:e|s|es)?|en general|ces dernieres annees|"
    r"le (?:1er|\d{1,2}) [a-z]+ dernier|en [a-z]+ dernier|l'an dernier|l'annee derniere|last year|"
    r"since 20\d\d|for years|regularly|often|frequently|series of|in recent (?:years|months)|recurring|"
    r"earlier this (?:month|year)|plus tot (?:ce mois|cette annee|dans le mois)|"
    # the French pluperfect of an attack or a toll tells an earlier incident ("avaient été massacrées")
    # (passive, or marked by deja/aussi; "les assaillants, qui avaient attaqué..." may be the same attack)
    r"avai(?:t|ent) (?:deja |aussi |egalement )?ete (?:tue|massacre|attaque|cible|vise)(?:e|s|es)?|"
    r"avai(?:t|ent) (?:deja|aussi|egalement) (?:tue|massacre|attaque|cible|vise|fait)(?:e|s|es)?|"
    r"avai(?:t|ent) multiplie)\b"
)
# "L'assaut a eu lieu ... dans le village de X": says where the incident already read about happened.
LOCATION_STATEMENT = re.compile(
    r"\b(?:a eu lieu|ont eu lieu|s'est produite?|s'est deroulee?|se sont deroulees|took place|happened|occurred|"
    r"village de|village d'|villages de|village of|localite de|in the village)\b"
)
_ABSOLUTE = ("dmy", "mdy", "night", "iso", "numeric")
# An event dated this many days before publication is context the article recalls, not its news.
BACKGROUND_DAYS = 10
NEXT_DAY = re.compile(r"\b(?:le lendemain|the next day|the following day|a day later)\b")
# How many paragraphs on a later sentence may still add to an incident (wire copy puts a
# quote paragraph between the lead and the army's toll).
PARAGRAPH_REACH = 2
CIVILIAN_GROUPS = {
    "civil", "villageoi", "personne", "habitant", "civilian", "people", "villager", "berger", "eleveur",
    "cultivateur", "paysan", "enfant", "femme", "passager", "fidele", "herder", "farmer", "children",
    "women", "passenger", "worshipper",
}
CASUALTY_HINT = re.compile(r"\b(?:tue|tues|morts?|blesses?|neutralises?|killed|dead|wounded|injured|bilan|toll)\b")


@dataclass
class _Group:
    anchor: Segment
    segments: list[Segment] = field(default_factory=list)
    date: DateMention | None = None
    place_key: str | None = None
    # Set on the second and later places of "attacked Koro and Bankass": the toll is the first's.
    sibling_of: _Group | None = None
    # Every place of such a list (folded), so no candidate of it is placed at another's town.
    chain: tuple[str, ...] = ()
    # Nearby places named with this one under one toll ("les villages de X et de Y"): one incident.
    joint_places: list[str] = field(default_factory=list)
    # No place of its own and "des attaques" / "two attacks": a total over the incidents that follow.
    summary: bool = False


def extract_incidents(text: str, published: date | datetime | str | None = None, url: str | None = None,
                      *, geocoder: Any = None, language: str | None = None) -> list[Candidate]:
    """Candidate incidents in ``text``; see the package README for the rules.

    ``geocoder`` defaults to the offline ``GazetteerGeocoder``.
    """
    published_date = parse_publication(published)
    if geocoder is None:
        from incidents.geocode import GazetteerGeocoder

        geocoder = GazetteerGeocoder()
    lang = language or detect_language(text)
    folded = fold(text)
    doc = pipeline(lang)(text)
    entities = [(e.start_char, e.end_char, e.label_) for e in doc.ents]

    headline = headline_span(text)
    dateline = dateline_span(text)
    lexicon = actor_lookup.lexicon()
    all_actors = lexicon.find(text, folded)
    excluded = ([dateline] if dateline else []) + [(m.start, m.end) for m in all_actors]
    found = [m for m in find_place_mentions(text, folded, entities, excluded) if not is_reporting_place(folded, m)]
    # A region named as a neighbour still says which country the article is about, but is no context.
    neighbours = [m for m in found if is_neighbouring_unit(folded, m)]
    mentions = [m for m in found if m not in neighbours]
    for mention in mentions:
        mark_distance_cue(folded, mention)
    resolver = PlaceResolver(geocoder)
    for mention in mentions:
        if mention.role == "admin1" and mention.source == "kind" and not resolver.region_owners(mention.name) \
                and not resolver.is_region_seat(mention.name):
            mention.role = "admin2"  # "la région de Tilya": no Sahel region is called so; a smaller unit is
    body_mentions = [m for m in mentions if not headline or m.start >= headline[1]]
    headline_admins = [m for m in mentions if m not in body_mentions and m.role.startswith("admin")]
    context_mentions = (body_mentions or mentions) + headline_admins
    context = resolver.regions_of_country(build_context(
        context_mentions, countries_mentioned(text, folded) + resolver.region_votes(context_mentions + neighbours)))
    segments = _after_headline(sentences(text), text, headline)
    if not segments and headline:
        segments = sentences(text)

    actor_starts = [m.start for m in all_actors]
    groups = _group(segments, folded, body_mentions, published_date, actor_starts)
    def build(group: _Group) -> Candidate:
        return _candidate(group, text, folded, lang, published_date, url, mentions, body_mentions, context,
                          resolver, all_actors, headline)

    built = _join_nearby_siblings([(group, build(group)) for group in groups], folded, build)
    merged: list[tuple[_Group, Candidate]] = []
    for group, candidate in built:
        same = next((i for i, (_g, kept) in enumerate(merged) if _told_twice(kept, candidate)), None)
        if same is None:
            merged.append((group, candidate))
            continue
        first = merged[same][0]
        first.segments = sorted(set(first.segments) | set(group.segments), key=lambda s: s.start)
        merged[same] = (first, build(first))
    return [candidate for _group, candidate in merged]


# "deux attaques à X et à Y", "attaques simultanées contre les camps de X, Y et Z": the text
# counts separate attacks, so each place named is its own incident whatever the distance.
SEPARATE_ATTACKS = re.compile(
    r"\b(?:(?:deux|trois|quatre|cinq|two|three|four|five|\d) (?:attaques|attacks|assauts|raids|embuscades|ambushes)|"
    r"simultane\w*|simultaneous\w*|coordinated attacks|attaques coordonnees)\b"
)
# Places named together under one toll and at most this far apart are one incident (neighbouring
# villages hit in one raid); farther apart, one candidate each.
JOINT_PLACES_KM = 50


def _join_nearby_siblings(built: list[tuple[_Group, Candidate]], folded: str,
                          build: Any) -> list[tuple[_Group, Candidate]]:
    """"Les villages de Gangafani et de Yoro ont été attaqués, 38 morts": neighbouring villages
    under one toll are one incident at the first, the others named in its review note, unless
    the text counts separate attacks. A place the gazetteer does not know stays its own candidate."""
    kept: list[tuple[_Group, Candidate]] = []
    firsts = {id(group): (group, candidate) for group, candidate in built}
    for group, candidate in built:
        first = firsts.get(id(group.sibling_of)) if group.sibling_of is not None else None
        if first is None or SEPARATE_ATTACKS.search(folded, group.anchor.start, group.anchor.end) \
                or not _near(first[1].record, candidate.record, JOINT_PLACES_KM):
            kept.append((group, candidate))
            continue
        first[0].joint_places.append(candidate.record.get("location") or group.place_key or "")
    return [(group, build(group) if group.joint_places else candidate) for group, candidate in kept]


def _near(a: dict[str, Any], b: dict[str, Any], km: float) -> bool:
    if any(r.get(k) is None for r in (a, b) for k in ("latitude", "longitude")):
        return False
    dlat = math.radians(b["latitude"] - a["latitude"])
    dlon = math.radians(b["longitude"] - a["longitude"]) * math.cos(math.radians((a["latitude"] + b["latitude"]) / 2))
    return 6371 * math.hypot(dlat, dlon) <= km


def _told_twice(first: Candidate, later: Candidate) -> bool:
    """Two candidates placed at the same spot whose dates do not tell them apart: one incident.

    Places resolve only after grouping, so "la zone de Tillia" and "le département de Tillia"
    (or two sentences naming no place at all) are only seen to be one place here.
    """
    a, b = first.record, later.record
    if _placed_name(a) != _placed_name(b):
        return False
    if "one toll was reported for several places; it is coded on the first" in later.problems:
        return False

    def firm(candidate: Candidate) -> date | None:
        evidence = candidate.evidence.get("event_date")
        if evidence is None or not evidence.spans or evidence.confidence < 0.6:
            return None
        return candidate.record.get("event_date")

    return firm(first) is None or firm(later) is None or firm(first) == firm(later)


def _placed_name(record: dict[str, Any]) -> str:
    """The folded location of a placed candidate; "" for one left unplaced (an unknown name says
    too little to tell two incidents apart)."""
    return fold_name(record.get("location") or "") if record.get("latitude") is not None else ""


def _places_in(segment: Segment, mentions: list[PlaceMention]) -> list[PlaceMention]:
    return [m for m in mentions if segment.start <= m.start < segment.end and m.role == "place"]


def _group(segments: list[Segment], folded: str, mentions: list[PlaceMention],
           published: Publication | None, actor_starts: list[int]) -> list[_Group]:
    groups: list[_Group] = []
    current: _Group | None = None
    pending: tuple[Segment, list[DateMention], str | None] | None = None
    lead: list[Segment] = []  # event sentences before the first anchor: the article's lead
    for segment in segments:
        start, end = segment.start, segment.end
        if BACKGROUND.search(folded, start, end):
            current = pending = None
            continue
        dates = [d for d in find_dates(folded, start, end, published) if not is_statement_day(folded, d)]
        if (groups or lead) and dates and dates[0].kind in ("month", "last_month") \
                and find_casualties(folded, start, end).of_kind("dead"):
            # Once the article has its incident, a toll dated only by a month ("a hotel attack that
            # killed 29 people in January") is an earlier incident recalled, publication day or not.
            current = pending = None
            continue
        if groups and _recalled(dates, published):
            # Only once the article has its incident: a lead dated long before the
            # publication day given is the news itself (an old article, or a wrong
            # publication day), never an incident moved to the publication day.
            current = pending = None
            continue
        places = _places_in(segment, mentions)
        if not places and _regions_listed(segment, mentions) >= 3:
            current = pending = None  # "dans les régions du Nord, du Centre-Nord et du Sahel": a summary
            continue
        if groups:
            # "à 50 km au sud de Djibo": a distance describes where things are; it opens no new incident
            places = [p for p in places if p.offset_km is None]
        place_key = fold_name(places[0].name) if places else None
        cue = has_event_cue(folded, start, end)
        if current is not None and NEXT_DAY.search(folded, start, end) and current.date and current.date.value:
            base = current.date
            dates = [DateMention(start, end, "next_day", base.value + timedelta(days=1), base.precision,
                                 base.confidence * 0.9)]
        if current is not None and current.place_key is None and not places \
                and SEVERAL_ATTACKS.search(folded, start, end):
            current.summary = True
        if current is not None and current.summary and places:
            # "Deux attaques ont fait dix morts dans la commune. ... le village de X": X's own incident
            current = _Group(segment, [segment], dates[0] if dates else None, place_key)
            groups.append(current)
            continue
        if not groups and current is None and not (dates or places) and segment.paragraph <= 1 \
                and (cue or CASUALTY_HINT.search(folded, start, end)):
            lead.append(segment)
            continue
        if cue and not (dates or places) and current is None and pending is not None \
                and pending[0].paragraph == segment.paragraph:
            anchor, dates, place_key = pending
            current = _Group(anchor, [*lead, anchor, segment], dates[0] if dates else None, place_key)
            lead = []
            groups.append(current)
            pending = None
            continue
        if not cue and (dates or places) and current is None:
            pending = (segment, dates, place_key)
        if current is not None and current.date is not None and current.date.kind in _ABSOLUTE \
                and dates and dates[0].kind in ("today", "yesterday"):
            dates = []  # "ce matin" in a quote after "le vendredi 8 avril": the day already stated
        if cue and (dates or places):
            date_key = dates[0].value if dates else None
            if _states_place_of(current, segment, folded, dates, place_key):
                current.segments.append(segment)
                if LOCATION_STATEMENT.search(folded, start, end) or current.place_key is None:
                    current.place_key = place_key
                current.date = current.date or (dates[0] if dates else None)
                continue
            same = _matching(groups, current, date_key, place_key, bool(dates))
            if same is not None:
                same.segments.append(segment)
                same.date = same.date or (dates[0] if dates else None)
                same.place_key = same.place_key or place_key
                current = same
                continue
            current = _Group(segment, [*lead, segment], dates[0] if dates else None, place_key)
            current.summary = place_key is None and any(SEVERAL_ATTACKS.search(folded, s.start, s.end)
                                                        for s in current.segments)
            lead = []
            groups.append(current)
            chain = _coordinated(places, folded)
            if len(chain) > 1:
                current.chain = tuple(fold_name(m.name) for m in chain)
            for other in chain[1:]:
                groups.append(_Group(segment, [segment], current.date, fold_name(other.name), current,
                                     current.chain))
        elif current is not None and segment.paragraph - current.segments[-1].paragraph <= PARAGRAPH_REACH and (
            cue or CASUALTY_HINT.search(folded, start, end) or places
            or any(start <= a < end for a in actor_starts)
        ):
            current.segments.append(segment)
            current.place_key = current.place_key or place_key
        elif current is not None and segment.paragraph - current.segments[-1].paragraph > PARAGRAPH_REACH:
            current = None
    if not groups and lead and any(has_event_cue(folded, s.start, s.end) for s in lead):
        groups.append(_Group(lead[0], lead))  # no place or day anywhere: the lead is the incident
    detailed = [g for g in groups if not g.summary]
    if len(detailed) >= 2:
        groups = detailed  # the lead's total over the attacks the article then tells one by one
    elif len(detailed) == 1 and len(groups) > 1:
        # only one attack told in detail: the lead is its lead, one incident as before
        only = detailed[0]
        for summary in (g for g in groups if g.summary):
            only.segments = sorted(set(only.segments) | set(summary.segments), key=lambda s: s.start)
            only.date = summary.date or only.date
        groups = detailed
    fresh = [g for g in groups if not _recalled([g.date] if g.date else [], published)]
    if fresh:
        groups = fresh  # a photo caption or a first paragraph about an old attack is context
    return _merge_same_place(groups)


# A sentence about several attacks at once ("dans des attaques", "deux attaques se sont déroulées").
SEVERAL_ATTACKS = re.compile(
    r"\b(?:deux|trois|quatre|cinq|plusieurs|des|ces|multiple|several|two|three|four|five|a series of|une serie d')"
    r"\s+(?:\w+\s+)?(?:attaques|attacks|raids|assauts|incursions)\b"
)


def _merge_same_place(groups: list[_Group]) -> list[_Group]:
    """Two groups at one place on one day (or one of them undated) are one incident told twice."""
    merged: list[_Group] = []
    for group in groups:
        same = next((g for g in merged if group.place_key and g.place_key == group.place_key
                     and group.sibling_of is None and g.sibling_of is None
                     and (g.date is None or group.date is None or g.date.value == group.date.value)), None)
        if same is None:
            merged.append(group)
            continue
        same.segments.extend(s for s in group.segments if s not in same.segments)
        same.date = same.date or group.date
    return merged


def _after_headline(segments: list[Segment], text: str, headline: tuple[int, int] | None) -> list[Segment]:
    """The body's sentences: the headline is cut off, even when the splitter ran it into the lead."""
    if headline is None:
        return segments
    body = []
    for segment in segments:
        if segment.end <= headline[1]:
            continue
        if segment.start < headline[1]:
            start = headline[1] + len(text[headline[1]:segment.end]) - len(text[headline[1]:segment.end].lstrip())
            segment = Segment(start, segment.end, segment.paragraph)
        body.append(segment)
    return body


def _regions_listed(segment: Segment, mentions: list[PlaceMention]) -> int:
    return len({fold_name(m.name) for m in mentions
                if segment.start <= m.start < segment.end and m.role == "admin1"})


def _recalled(dates: list[DateMention], published: Publication | None) -> bool:
    """A sentence dated well before publication recalls an earlier incident (context)."""
    if published is None or not dates or dates[0].value is None:
        return False
    latest = dates[0].value  # the latest day the expression can mean: month and week dates sit mid-period
    if dates[0].precision == model.TimePrecision.MONTH:
        latest = latest.replace(day=28) + timedelta(days=4)
        latest -= timedelta(days=latest.day)
    elif dates[0].precision == model.TimePrecision.WEEK:
        latest += timedelta(days=3)
    return (published.last - latest).days > BACKGROUND_DAYS + (0 if published.day_known else 61)


def _states_place_of(current: _Group | None, segment: Segment, folded: str, dates: list[DateMention],
                     place_key: str | None) -> bool:
    """A sentence naming a new place but no toll of its own tells where the current incident was."""
    if current is None or place_key is None or place_key == current.place_key or current.sibling_of is not None:
        return False
    if segment.paragraph - current.segments[-1].paragraph > PARAGRAPH_REACH:
        return False
    if dates and current.date is not None and dates[0].value != current.date.value:
        return False
    if ANOTHER_EVENT.search(folded[segment.start:segment.end]):
        return False  # "Et à Gossi, une patrouille est tombée dans une embuscade": another incident
    return not find_casualties(folded, segment.start, segment.end).of_kind("dead", "neutralised")


# A sentence that announces another event, though it gives no toll of its own.
ANOTHER_EVENT = re.compile(
    r"\b(?:une? autre attaque|d'autres attaques|another attack|other attacks|a separate attack|in a separate|"
    r"par ailleurs|meanwhile|elsewhere)\b|^\W*(?:et|also|de meme)\s+(?:a|au|aux|in|at)\s"
)


_COORDINATION = re.compile(r"\s*(?:,|et|and|ainsi que|puis|then)\s*(?:(?:a|au|in|at|near|pres de|de)\s+)?")


def _coordinated(places: list[PlaceMention], folded: str) -> list[PlaceMention]:
    """The first place and those joined to it by "et", "and" or commas ("Koro et Bankass")."""
    chain = places[:1]
    before = folded[max(0, chain[0].start - 12) : chain[0].start] if chain else ""
    if re.search(r"\b(?:entre|between|from)\s+(?:les? |l')?$", before):
        return chain  # "entre Niono et Sokolo": a road between two towns, one incident
    for mention in places[1:]:
        if not _COORDINATION.fullmatch(folded, chain[-1].end, mention.start):
            break
        if fold_name(mention.name) != fold_name(chain[-1].name):
            chain.append(mention)
    return chain


def _matching(groups: list[_Group], current: _Group | None, date_key: date | None, place_key: str | None,
              has_date: bool) -> _Group | None:
    """The group this anchor-like sentence continues, if any (same day and place, or no new facts)."""
    if current is not None:
        current_date = current.date.value if current.date else None
        new_date = has_date and current.date is not None and date_key != current_date
        new_place = place_key is not None and current.place_key is not None and place_key != current.place_key
        if not new_date and not new_place:
            return current
    for group in groups:
        group_date = group.date.value if group.date else None
        if place_key and group.place_key == place_key and (not has_date or group_date == date_key):
            return group
    return None


def _own_units_first(context: PlaceContext, in_group: list[PlaceMention], resolver: PlaceResolver) -> PlaceContext:
    """Context for an incident that names its own place.

    A commune or cercle named in another incident's sentences says nothing about it ("lundi dans
    la province de X" for a second attack must not pull the first attack's town towards X's
    homonyms). A region its own sentences name, or a place of them named like a region of the
    country ("the incident occurred in Tillaberi"), beats the article's first-named region (a
    neighbouring region where another attack happened); else the article's regions stay context.
    """
    own_regions = [m for m in in_group if m.role == "admin1"]
    return PlaceContext(context.country, context.other_countries, own_regions or context.admin1,
                        [m for m in in_group if m.role == "admin2"],
                        [m for m in in_group if m.role == "admin3"])


def _candidate(group: _Group, text: str, folded: str, lang: str, published: Publication | None, url: str | None,
               mentions: list[PlaceMention], body_mentions: list[PlaceMention], context: Any,
               resolver: PlaceResolver, all_actors: list[actor_lookup.ActorMention],
               headline: tuple[int, int] | None) -> Candidate:
    spans = [(s.start, s.end) for s in group.segments]
    evidence: dict[str, Evidence] = {}
    problems: list[str] = []
    record: dict[str, Any] = {"language": lang, "source_text": text, "source_url": url}
    if url:
        record["source"] = urlparse(url).netloc or url

    fill_date(group.date, published, record, evidence, problems)
    in_group = [m for m in body_mentions if any(a <= m.start < b for a, b in spans)]
    anchor_first = sorted(in_group, key=lambda m: (fold_name(m.name) != group.place_key,
                                                   not (group.anchor.start <= m.start < group.anchor.end), m.start))
    if group.chain:
        # "les camps de Sévaré, Bapho et Niono": Bapho's candidate is at Bapho or unplaced, never
        # at the town of a sibling it shares the sentence with (nor Sévaré's at Bapho's).
        anchor_first = [m for m in anchor_first if m.role != "place" or fold_name(m.name) == group.place_key
                        or fold_name(m.name) not in group.chain]
    if not any(m.role == "place" for m in anchor_first) and headline:
        anchor_first += [m for m in mentions if m.start < headline[1] and m.role == "place"]
    only_capitals = all(fold_name(m.name) in CAPITALS for m in anchor_first if m.role == "place")
    own_units = [m for m in in_group if m.role in ("admin1", "admin2", "admin3")]
    if own_units and not any(m.role == "place" for m in in_group):
        # No place of its own: the units its own sentences name ("the Tahoua region, where last
        # week...") place it, not those of the article's main incident.
        context = PlaceContext(context.country, context.other_countries,
                               [m for m in own_units if m.role == "admin1"],
                               [m for m in own_units if m.role == "admin2"],
                               [m for m in own_units if m.role == "admin3"])
    elif any(m.role == "place" for m in in_group):
        context = _own_units_first(context, in_group, resolver)
    place = resolver.resolve(anchor_first, context, folded, capitals_allowed=only_capitals)
    unknown = next((m for m in anchor_first if m.role == "place" and m.source != "ner" and not m.name.isupper()
                    and m.offset_km is None and fold_name(m.name) not in CAPITALS), None)
    fill_place(place, context, record, evidence, problems, unknown)

    country = record.get("country") or context.country
    country_spans = [span for name, span in country_mentions(folded) if name == country]
    evidence["country"] = Evidence(country, country_spans, 0.9 if country_spans else 0.6 if country else 0.0)
    found = [m for m in all_actors if any(a <= m.start < b for a, b in spans)]
    actor_rows = rank_actors(found, country)
    inters = [row[1] for row in actor_rows]
    for index, (name, inter, mention_spans) in enumerate(actor_rows[:2], start=1):
        record[f"actor{index}"] = name
        record[f"inter{index}"] = inter
        evidence[f"actor{index}"] = Evidence(name, mention_spans, 0.8 if "Unidentified" not in name else 0.7)
    record["interaction"] = model.interaction_code(record.get("inter1"), record.get("inter2"))
    if not actor_rows:
        problems.append("no actor recognised")

    casualties = Casualties()
    if group.sibling_of is not None:
        problems.append("one toll was reported for several places; it is coded on the first")
    if group.joint_places:
        problems.append("one toll for nearby places named together (" + ", ".join(group.joint_places)
                        + "); coded as one incident at the first")
    for a, b in spans if group.sibling_of is None else []:
        part = find_casualties(folded, a, b)
        casualties.mentions += part.mentions
        casualties.zero_spans += part.zero_spans
    victims = inters[:2] + ([7] if any(m.group in CIVILIAN_GROUPS for m in casualties.mentions) else [])
    call = classify(folded, spans, victims, casualties.by_side())
    record["event_type"], record["sub_event_type"] = call.event_type, call.sub_event_type
    record["disorder_type"] = model.disorder_type_of(call.event_type) if call.event_type else None
    evidence["event_type"] = Evidence(call.event_type, list(call.spans), call.confidence)
    evidence["sub_event_type"] = Evidence(call.sub_event_type, list(call.spans), call.confidence)
    if call.event_type is None:
        problems.append("no event type cue found")
    if call.event_type == "Violence against civilians" and 7 in victims:
        record["civilian_targeting"] = "Civilian targeting"

    basis = fill_fatalities(casualties, text, record, evidence, problems)

    record["notes"] = write_notes(
        folded, spans, when=record.get("event_date"), sub_event_type=record.get("sub_event_type"),
        actor1=record.get("actor1"), actor2=record.get("actor2"), location=record.get("location"),
        admin1=record.get("admin1"), country=record.get("country"), casualties=casualties, fatalities_basis=basis,
    )
    record["status"] = str(model.Status.NEEDS_REVIEW) if problems else str(model.Status.OK)
    record["status_reason"] = "; ".join(problems) if problems else "extracted from article"
    return Candidate(record, evidence, problems)
