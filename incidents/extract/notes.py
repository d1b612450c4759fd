"""The ``notes`` column, written from extracted cues rather than copied from the article."""

from __future__ import annotations

import re
from datetime import date

from incidents.extract.fatalities import Casualties

_CUE_PHRASES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b(?:motos?|motocyclettes?|motorbikes?|motorcycles?)\b"), "motorcycles"),
    (re.compile(r"\btricycles?\b"), "tricycles"),
    (re.compile(r"\b(?:pick-ups?|pickups?|vehicules?|vehicles?)\b"), "vehicles"),
]
_SEIZED = re.compile(r"\b(?:saisi(?:e|s|es)?|recupere(?:e|s|es)?|seized|captured|recovered)\b")
_MILITARY_KIT = re.compile(r"\b(?:equipements? militaires?|armes|munitions|military equipment|weapons|ammunition)\b")
_REPELLED = re.compile(r"\b(?:empeche|repousse(?:e|s)?|dejoue(?:e)?|mis en deroute|repelled|foiled|thwarted|fought off)\b")
_BURNED = re.compile(r"\b(?:incendie(?:e|s|es|nt)?|brule(?:e|s|es|nt)?|burned|burnt|torched|set fire)\b")
_LOOTED = re.compile(r"\b(?:pille(?:e|s|es|nt)?|emporte|betail|looted|stole|livestock|cattle)\b")


def write_notes(folded: str, spans: list[tuple[int, int]], *, when: date | None, sub_event_type: str | None,
                actor1: str | None, actor2: str | None, location: str | None, admin1: str | None,
                country: str | None, casualties: Casualties, fatalities_basis: str | None) -> str:
    """A short English summary of what the extractor found, one clause per cue."""
    text = " ".join(folded[a:b] for a, b in spans)
    where = ", ".join(p for p in (location, admin1, country) if p)
    actors = " and ".join(a for a in (actor1, actor2) if a) or "unidentified actors"
    opening = f"On {when.day} {when:%B %Y}" if when else "On an unstated date"
    parts = [f"{opening}, {(sub_event_type or 'an incident').lower()} involving {actors}"
             + (f" in {where}." if where else ".")]
    transport = [label for pattern, label in _CUE_PHRASES if pattern.search(text)]
    if transport:
        parts.append("The assailants reportedly moved on " + " and ".join(transport) + ".")
    if _REPELLED.search(text):
        parts.append("The attack was reported as repelled.")
    if _SEIZED.search(text):
        kind = "military equipment" if _MILITARY_KIT.search(text) else "equipment"
        parts.append(f"Security forces reported seizing {kind}.")
    if _BURNED.search(text):
        parts.append("Property was reported burned.")
    if _LOOTED.search(text):
        parts.append("Looting or theft of goods or livestock was reported.")
    neutralised = casualties.of_kind("neutralised")
    if neutralised:
        parts.append("Attackers were reported 'neutralised' (counted as killed).")
    if fatalities_basis:
        parts.append(fatalities_basis)
    wounded = casualties.wounded()
    if wounded:
        parts.append(f"{wounded} reported wounded.")
    return " ".join(parts)
