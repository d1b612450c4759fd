"""ACLED event and sub-event type from French and English cue words plus the actors.

Cues are checked most specific first: the weapon (IED, drone, shelling,
suicide bomb) decides before the generic "attack". An attack is a battle
("Armed clash") when armed actors are on both sides, and violence against
civilians when the only target named is civilians.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ACLED_CUES: list[tuple[str, str, str]] = [
    ("Explosions/Remote violence", "Suicide bomb",
     r"kamikazes?|attentat-suicide|attentat suicide|attaques? suicides?|suicide (?:bomber|bombing|attack|car bomb)|"
     r"vehicules? piege(?:s)?|voitures? piegee(?:s)?|car bombs?|vehicle-borne"),
    ("Explosions/Remote violence", "Air/drone strike",
     r"frappes? (?:aeriennes?|de drones?|d'un drone)|drones?|bombardements? aeriens?|aviation|"
     r"air ?strikes?|drone strikes?|aerial (?:strike|bombardment)s?|helicopter gunship"),
    ("Explosions/Remote violence", "Remote explosive/landmine/IED",
     r"engins? explosifs?(?: improvises?)?|eei|mines?(?! d'or)(?: artisanales?| antipersonnel)?|"
     r"improvised explosive devices?|ieds?|landmines?|roadside bombs?|explosive devices?|a saute sur"),
    ("Explosions/Remote violence", "Shelling/artillery/missile attack",
     r"obus|tirs de mortiers?|mortiers?|roquettes?|shelling|mortars?|rockets?|artillery"),
    ("Violence against civilians", "Abduction/forced disappearance",
     r"enleve(?:e|s|es)?|enlevements?|kidnappe(?:e|s|es)?|kidnappings?|pris en otages?|otages?|"
     r"abducted|abductions?|kidnapped|taken hostage|hostages?"),
    ("Violence against civilians", "Sexual violence", r"violees?|viols?|raped|sexual violence"),
    ("Riots", "Violent demonstration", r"emeutes?|emeutiers|riots?|rioters|saccage"),
    ("Protests", "Protest", r"manifestations?|manifestants|manifeste(?:nt)?|ont marche|marche de protestation|"
     r"sit-in|protests?|protested|protesters|demonstrations?|demonstrated|demonstrators|rallied|rally"),
    ("Battles", "Armed clash",
     r"affrontements?|affronte(?:s|e|es|nt)?|accrochages?|combats?|combattu|echanges? de tirs|embuscades?|riposte|repousse|repoussee|"
     r"ont reagi|neutralise(?:s)?|clash(?:es|ed)?|fighting|firefight|ambush(?:ed)?|repelled|fought|"
     r"exchange of fire|gun ?battle"),
    ("Battles", "Attack",
     r"attaque(?:s|nt|e|es)?|attaquer|assaut|s'emparer|incursion|offensive|ont tente d'attaquer|pris pour cible|"
     r"tue(?:e|s|es)?|tuant|massacres?|tueries?|s'en (?:sont|est) pris|"
     r"execute(?:s|es)?|abattu(?:s|es)?|egorge(?:s|es)?|ont ouvert le feu|executed|attack(?:s|ed|ing)?|raid(?:s|ed)?|stormed|opened fire|killed|killing|massacred|"
     r"assault"),
    ("Strategic developments", "Looting/property destruction",
     r"pille(?:s|e|es|nt)?|pillages?|incendie(?:s|e|es|nt)?|emporte(?:s|e|es|nt)?|emportant|vol de betail|"
     r"looted|looting|torched|set (?:on )?fire|burned|burnt|stole|cattle rustling|rustled"),
    ("Strategic developments", "Arrests",
     r"arrete(?:s|e|es)?|interpelle(?:s|e|es)?|arrestations?|arrested|detained|arrests?"),
    ("Strategic developments", "Disrupted weapons use", r"desamorce(?:e|s)?|defused|neutralized an ied"),
]

CUES = [(event, sub, re.compile(rf"\b(?:{pattern})\b")) for event, sub, pattern in _ACLED_CUES]
_PROTEST_INTERVENTION = re.compile(r"\b(?:disperse(?:e|s|es)?|gaz lacrymogenes?|tear ?gas|dispersed|arrested)\b")
_PROTEST_KILLED = re.compile(r"\b(?:tue(?:s|es)?|killed|morts?|dead)\b")
ARMED_INTERS = {1, 2, 3, 4, 8}


@dataclass(frozen=True)
class EventCall:
    event_type: str | None
    sub_event_type: str | None
    confidence: float
    spans: tuple[tuple[int, int], ...]


def event_cue_spans(folded: str, start: int, end: int) -> list[tuple[str, str, tuple[int, int]]]:
    """Every cue in ``folded[start:end]`` as (event_type, sub_event_type, span)."""
    return [(event, sub, m.span()) for event, sub, pattern in CUES for m in pattern.finditer(folded, start, end)]


def has_event_cue(folded: str, start: int, end: int) -> bool:
    return any(pattern.search(folded, start, end) for _, _sub, pattern in CUES)


def classify(folded: str, spans: list[tuple[int, int]], inters: list[int],
             dead: dict[str, int] | None = None) -> EventCall:
    """Event and sub-event type over the incident's sentences, given its actors' inter codes.

    ``dead`` is the reconciled toll per side (``Casualties.by_side``). For an attack, who died
    decides before the order of the cue words: soldiers or attackers killed make it a battle,
    only civilians killed violence against civilians.
    """
    found = [hit for start, end in spans for hit in event_cue_spans(folded, start, end)]
    if not found:
        return EventCall(None, None, 0.0, ())
    order = [sub for _, sub, _ in _ACLED_CUES]
    found.sort(key=lambda hit: order.index(hit[1]))
    event, sub, _ = found[0]
    evidence = tuple(span for _, s, span in found if s == sub)
    armed = [i for i in inters if i in ARMED_INTERS]
    state_and_other = len(set(armed)) >= 2 or armed.count(1) >= 1 and len(armed) >= 2
    confidence = 0.8
    if sub in ("Armed clash", "Attack"):
        clash = any(s == "Armed clash" for _, s, _ in found)
        civilians = 7 in inters
        dead = dead or {}
        armed_dead = dead.get("forces", 0) + dead.get("attackers", 0)
        if armed_dead and armed_dead >= dead.get("victims", 0):
            return EventCall("Battles", "Armed clash", 0.75,
                             tuple(span for _, s, span in found if s in ("Armed clash", "Attack")))
        if dead.get("victims") and not armed_dead:
            return EventCall("Violence against civilians", "Attack", 0.75,
                             tuple(span for _, s, span in found if s == "Attack") or evidence)
        if clash and armed and not (civilians and len(armed) == 1) or state_and_other and not civilians:
            event, sub = "Battles", "Armed clash"
            evidence = tuple(span for _, s, span in found if s in ("Armed clash", "Attack"))
        elif civilians or not armed:
            event, sub = "Violence against civilians", "Attack"
            confidence = 0.7 if 7 in inters else 0.5
        else:
            event, sub = "Battles", "Armed clash"
            confidence = 0.6
    elif sub == "Protest":
        text = " ".join(folded[a:b] for a, b in spans)
        if _PROTEST_KILLED.search(text):
            sub = "Excessive force against protesters"
        elif _PROTEST_INTERVENTION.search(text):
            sub = "Protest with intervention"
        else:
            sub = "Peaceful protest"
    return EventCall(event, sub, confidence, evidence)
