"""Filling one candidate's canonical fields (and their evidence) from what was found."""

from __future__ import annotations

from typing import Any

from incidents import model
from incidents.extract.candidate import Evidence
from incidents.extract.dates import DateMention, Publication
from incidents.extract.fatalities import Casualties
from incidents.extract.places import PlaceContext, PlaceMention, ResolvedPlace


def fill_date(mention: DateMention | None, published: Publication | None, record: dict[str, Any], evidence: dict[str, Evidence],
               problems: list[str]) -> None:
    if mention is not None and mention.value is not None:
        record["event_date"] = mention.value
        record["year"] = mention.value.year
        record["time_precision"] = int(mention.precision)
        evidence["event_date"] = Evidence(mention.value, [(mention.start, mention.end)], mention.confidence)
        if mention.confidence < 0.6:
            problems.append("the date's weekday does not match; check the date")
        return
    if mention is not None:
        problems.append(mention.problem or "date could not be resolved")
        evidence["event_date"] = Evidence(mention.partial, [(mention.start, mention.end)], 0.0)
        if published is not None and not published.day_known and mention.partial is None:
            # "lundi" in an article known only by its month: the month is all that can be said.
            record["event_date"] = published.stand_in
            record["year"] = published.stand_in.year
            record["time_precision"] = int(model.TimePrecision.MONTH)
        return
    if published is not None:
        stand_in = published.stand_in
        precision = model.TimePrecision.WEEK if published.day_known else model.TimePrecision.MONTH
        record["event_date"] = stand_in
        record["year"] = stand_in.year
        record["time_precision"] = int(precision)
        evidence["event_date"] = Evidence(stand_in, [], 0.3)
        problems.append("no date in the text; the publication date stands in "
                        f"({'week' if published.day_known else 'month'} precision)")
        return
    problems.append("no date in the text and no publication date")


def fill_place(place: ResolvedPlace | None, context: PlaceContext, record: dict[str, Any], evidence: dict[str, Evidence],
                problems: list[str], unknown: PlaceMention | None = None) -> None:
    """``unknown``: the place the text names when nothing could be located; it stays the
    location, unplaced, so the analyst sees the village the article names (Tadaryat)."""
    if place is None:
        record["country"] = context.country
        record["geocode_method"] = str(model.GeocodeMethod.NONE)
        if unknown is not None:
            record["location"] = unknown.name
            evidence["location"] = Evidence(unknown.name, [(unknown.start, unknown.end)], 0.3)
            problems.append(f"the place named ({unknown.name}) is not in the gazetteer; left unplaced")
        else:
            problems.append("no place could be located")
        return
    raw = place.raw
    record.update(
        location=written_name(place) or raw.get("name"),
        latitude=raw.get("latitude"), longitude=raw.get("longitude"), country=raw.get("country"),
        country_code=raw.get("country_code"), iso=raw.get("iso"), admin1=raw.get("admin1"),
        admin2=raw.get("admin2"), geo_precision=int(place.precision), geocode_method=raw.get("method"),
        geocode_score=raw.get("score"), geocode_matched_name=raw.get("name"),
        gazetteer_id=raw.get("gazetteer_id"), admin1_reported=place.reported_admin1,
    )
    evidence["location"] = Evidence(record["location"], place.spans, place.confidence)
    evidence["admin1"] = Evidence(raw.get("admin1"), place.spans[1:], place.confidence)
    if raw.get("offset_from"):
        problems.append(f"placed from a distance cue relative to {raw['offset_from']}")
    if place.precision != model.GeoPrecision.PLACE:
        problems.append(f"place located only at precision {int(place.precision)} (containing unit)")
    if raw.get("ambiguous"):
        problems.append("several gazetteer places share this name")


def written_name(place: ResolvedPlace) -> str | None:
    """The place's name as the article writes it: ``location`` keeps the source's words, as
    the batch geocoder does for a file's rows, and ``geocode_matched_name`` the gazetteer's
    (GeoNames often lists a village under an old map spelling: Solna for Solhan, Yaro for
    Yarou). A name written all in capitals is given in title case."""
    if place.mention is None or not place.mention.name:
        return None
    name = place.mention.name
    return name.title() if name.isupper() and len(name) > 3 else name


def rank_actors(found: list[Any], country: str | None) -> list[tuple[str, int, list[tuple[int, int]]]]:
    """Distinct actors in first-mention order, armed actors before civilians."""
    rows: dict[str, tuple[int, list[tuple[int, int]], int]] = {}
    for order, mention in enumerate(found):
        name = mention.name_for(country)
        if name in rows:
            rows[name][1].append((mention.start, mention.end))
        else:
            rows[name] = (mention.spec.inter, [(mention.start, mention.end)], order)
    ranked = sorted(rows.items(), key=lambda item: (item[1][0] in (6, 7), item[1][2]))
    return [(name, inter, spans) for name, (inter, spans, _order) in ranked]


def fill_fatalities(casualties: Casualties, text: str, record: dict[str, Any], evidence: dict[str, Evidence],
                     problems: list[str]) -> str | None:
    value, low, high = casualties.fatalities()
    deaths = casualties.of_kind("dead", "neutralised")
    if value is None:
        record["fatalities"] = 0
        evidence["fatalities"] = Evidence(0, [], 0.4)
        return "No fatalities reported."
    record["fatalities"], record["fatalities_low"], record["fatalities_high"] = value, low, high
    spans = [(m.count.start, m.count.end) for m in deaths] + [m.cue for m in deaths]
    spans += casualties.zero_spans
    vague = [m for m in deaths if m.count.vague]
    confidence = 0.5 if vague else 0.85
    if casualties.of_kind("neutralised"):
        confidence = min(confidence, 0.6)
    evidence["fatalities"] = Evidence(value, spans, confidence)
    if vague:
        words = ", ".join(sorted({text[m.count.start:m.count.end] for m in vague}))
        problems.append(f"fatalities coded from a vague quantity ({words})")
        return f"Fatalities coded {value} from a vague quantity ('{words}') by the conservative convention."
    if high is not None and high != low:
        return f"Reported fatalities range from {low} to {high}; the lower figure is coded."
    return None
