"""Fatality counts: who died, who was wounded, who was "neutralised".

Counts are tied to the nearest casualty word in the same sentence, each count
used at most once, so "12 morts et 5 blessés" gives 12 dead and 5 wounded.
Attackers reported "neutralisés" (a military euphemism that usually means
killed) are counted as fatalities, as ACLED counts every reported death, but
kept apart so the note and the confidence can say so.

Reconciling, not summing: each count is put on a *side* (victims, security
forces, attackers, or "any" when the words do not say whose dead they are).
Within a side the figures are restatements of one toll: the first (the lead's)
stands unless a later one is marked as a revision ("nouveau bilan", "rose to");
a breakdown ("dont 5 femmes", "including") is never added. The sides then add
up, and a figure for "any" side is a total that the sides' sum may not exceed
unless the sides say more.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from incidents.extract.numbers import VAGUE, Count, iter_counts

DEAD = re.compile(
    r"\b(?:tue(?:e|s|es)?|tuant|tuerie|morts?|ont peri|perdu la vie|deces|victimes?|abattus?|"
    r"execute(?:e|s|es)?|egorge(?:e|s|es)?|corps sans vie|cadavres?|decede(?:e|s|es)?|succombe(?:r|nt)?|"
    r"pertes? en vies? humaines?|tombe(?:s|es)? (?:au front|au combat|sur le champ d'honneur|les armes a la main)|"
    r"fallen|succumbed|perished|"
    r"killed|killing|dead|died|deaths?|death toll|lost their lives|executed|bodies|massacred|slain)\b"
)
NEUTRALISED = re.compile(r"\bneutrali[sz](?:e|es|ee|ees|ed|ing)?\b")
WOUNDED = re.compile(r"\b(?:blesse(?:e|s|es)?|blessant|blessures?|wounded|wounding|injured|injuring|injuries|hurt)\b")
NO_DEATHS = re.compile(
    r"\b(?:sans faire de (?:victimes?|morts?)|aucune? (?:victimes?|mort|perte)|pas de (?:victimes?|morts?)|"
    r"no (?:casualties|deaths|fatalities|one was (?:killed|hurt))|nobody was killed|without casualties)\b"
)
TOTAL = re.compile(r"\b(?:au total|bilan|total|in all|toll)\b")
REVISION = re.compile(
    r"\b(?:nouveau bilan|dernier bilan|bilan officiel|bilan provisoire officiel|s'est alourdi|revu a la hausse|"
    r"passe a|porte a|revised|rose to|risen to|climbed to|hits|latest toll|new toll|official toll)\b"
)
BREAKDOWN = re.compile(r"\b(?:dont|parmi eux|parmi lesquels|including|among them|of whom)\s*(?:au moins |at least )?$")
FORCES = {"soldat", "militaire", "element", "gendarme", "policier", "garde", "soldier", "troop", "supplétif",
          "suppletif", "policemen", "policeman", "officer"}
ATTACKERS = {"assaillant", "attaquant", "terroriste", "jihadiste", "djihadiste", "attacker", "militant", "fighter",
             "assailant", "terrorist", "gunmen", "jihadist", "insurgent"}
_GROUP = re.compile(
    r"\b(?:soldats?|militaires?|elements?|civils?|villageois|personnes|habitants|assaillants|attaquants|"
    r"bergers?|eleveurs?|cultivateurs?|paysans?|enfants?|femmes?|passagers?|fideles|"
    r"herders?|farmers?|children|women|passengers?|worshippers|"
    r"terroristes|jihadistes|djihadistes|hommes|soldiers|troops|civilians|people|villagers|attackers|"
    r"militants|fighters|assailants|terrorists|gunmen|jihadists|insurgents|gendarmes?|policiers?|"
    r"suppletifs?|policemen|officers)\b"
)

LOOK_BEHIND = 70
LOOK_AHEAD = 45


@dataclass
class CasualtyMention:
    kind: str  # "dead", "neutralised" or "wounded"
    count: Count
    cue: tuple[int, int]
    group: str | None
    is_total: bool
    revision: bool = False
    breakdown: bool = False

    @property
    def side(self) -> str:
        """Whose dead: "attackers", "forces", "victims" or "any" (the words do not say)."""
        if self.kind == "neutralised" or self.group in ATTACKERS:
            return "attackers"
        if self.group in FORCES:
            return "forces"
        if self.group is None or self.group in ("personne", "people", "homme", "victime"):
            return "any"
        return "victims"


@dataclass
class Casualties:
    mentions: list[CasualtyMention] = field(default_factory=list)
    zero_spans: list[tuple[int, int]] = field(default_factory=list)

    def of_kind(self, *kinds: str) -> list[CasualtyMention]:
        return [m for m in self.mentions if m.kind in kinds]

    def fatalities(self) -> tuple[int | None, int | None, int | None]:
        """(coded value, low, high) over dead and neutralised, or Nones when not reported.

        Figures of one side are one toll restated (the lead's stands unless a later one is a
        revision); sides add up; an unattributed total stands when the sides add up to less.
        """
        deaths = [m for m in self.of_kind("dead", "neutralised") if not m.breakdown]
        if not deaths:
            return (0, 0, 0) if self.zero_spans else (None, None, None)
        chosen = {side: _one_toll([m for m in deaths if m.side == side]) for side in ("victims", "forces", "attackers")}
        parts = [m for m in chosen.values() if m is not None]
        value = sum(m.count.value for m in parts)
        low = sum(m.count.low for m in parts)
        high = None if any(m.count.high is None for m in parts) else sum(m.count.high or 0 for m in parts)
        total = _one_toll([m for m in deaths if m.side == "any"])
        revised_last = total is not None and total.revision and all(m.cue[0] < total.cue[0] for m in parts)
        if total is not None and (total.count.value > value or revised_last):
            # a total above the sides' sum stands; so does an official or revised total given after them
            value, low, high = total.count.value, total.count.low, total.count.high
        return value, low, high

    def by_side(self) -> dict[str, int]:
        """The reconciled figure of each side that has one (for the notes)."""
        deaths = [m for m in self.of_kind("dead", "neutralised") if not m.breakdown]
        found = {side: _one_toll([m for m in deaths if m.side == side])
                 for side in ("victims", "forces", "attackers", "any")}
        return {side: m.count.value for side, m in found.items() if m is not None}

    def wounded(self) -> int | None:
        hurt = self.of_kind("wounded")
        return sum(m.count.value for m in hurt) if hurt else None


def _one_toll(mentions: list[CasualtyMention]) -> CasualtyMention | None:
    """One side's figure: the last one marked as a revision, else the first (the lead's)."""
    revised = [m for m in mentions if m.revision]
    if revised:
        return revised[-1]
    return mentions[0] if mentions else None


def find_casualties(folded: str, start: int, end: int) -> Casualties:
    """Casualty mentions in ``folded[start:end]`` (one sentence or a few)."""
    result = Casualties()
    result.zero_spans = [m.span() for m in NO_DEATHS.finditer(folded, start, end)]
    counts = [c for c in iter_counts(folded, start, end)
              if not _is_date_or_time(folded, c) and not _is_article(folded, c)]
    used: set[int] = set()
    cues = [("wounded", m) for m in WOUNDED.finditer(folded, start, end)]
    cues += [("neutralised", m) for m in NEUTRALISED.finditer(folded, start, end)]
    cues += [("dead", m) for m in DEAD.finditer(folded, start, end)]
    cues += [("toll", m) for m in re.finditer(r"\b(?:bilan|toll)\b", folded[:end]) if m.start() >= start
             and not DEAD.match(folded, max(0, m.start() - 6))]
    cues.sort(key=lambda item: item[1].start())
    for kind, cue in cues:
        if any(z[0] <= cue.start() < z[1] for z in result.zero_spans):
            continue
        if kind == "toll":  # "le bilan s'élève à 12": a figure only when put at one, and not of the wounded
            chosen = _toll_put_at(counts, used, cue.end(), folded)
            if chosen is None or WOUNDED.match(folded, counts[chosen].end + 1):
                continue
            kind = "dead"
        else:
            chosen = _nearest_count(counts, used, cue.start(), cue.end(), folded)
        if chosen is None and folded[cue.start():cue.end()] in ("death toll", "deaths", "death"):
            chosen = _toll_put_at(counts, used, cue.end(), folded)
        if chosen is None:
            plural = _uncounted_plural(folded, start, cue.start(), cue.end()) if kind == "dead" else None
            if plural is not None:
                result.mentions.append(CasualtyMention(kind, plural, cue.span(), None, False))
            continue
        used.add(chosen)
        count = _with_named_person(folded, cue.end(), counts[chosen])
        if cue.start() >= count.end:
            # "15 civils tués", "15 morts": whose dead is said between the figure and the cue word
            after = re.match(r"\s+(?:of |de |d'|des |du |among |parmi (?:les )?)?", folded[cue.end():cue.end() + 20])
            group = _GROUP.search(folded, count.end, cue.start()) or _GROUP.match(
                folded, cue.end() + (after.end() if after else 0), min(cue.end() + 25, end))
        else:  # "tuant 15 civils", "killed 15 soldiers"
            group = _GROUP.search(folded, count.end, min(count.end + 25, end))
        before = folded[max(start, count.start - 25) : count.start]
        first = min(count.start, cue.start())
        result.mentions.append(
            CasualtyMention(
                kind=kind,
                count=count,
                cue=cue.span(),
                group=_group_name(group.group(0)) if group else None,
                is_total=bool(TOTAL.search(before)) or bool(TOTAL.search(folded[cue.start() - 20 : cue.start()])),
                revision=bool(REVISION.search(folded, max(start, first - 60), max(count.end, cue.end()))),
                breakdown=bool(BREAKDOWN.search(folded[max(start, count.start - 25) : count.start])),
            )
        )
    return result


# "killing the driver and three passengers", "tuant le chef du village et deux de ses fils": one
# person named before the count is one more death.
_ONE_PERSON_AND = re.compile(
    r"\s+(?:the|a|an|le|la|l'|un|une|son|sa|leur|their|his|her)\s*(?P<who>[a-z']+)"
    r"(?:\s+(?:du|de la|de|d'|of the|of)\s*[a-z']+)?\s+(?:et|and)\s+"
)
_ROLES = re.compile(r"(?:driver|chauffeur|chef|chief|imam|maire|mayor|conseiller|councillor|teacher|enseignant|"
                    r"guide|commandant|commander|capitaine|captain|pasteur|pastor|pretre|priest|notable|elder)$")


def _with_named_person(folded: str, cue_end: int, count: Count) -> Count:
    if count.start < cue_end:
        return count
    person = _ONE_PERSON_AND.fullmatch(folded, cue_end, count.start)
    if person is None or not (_PERSON.match(person.group("who")) or _ROLES.match(person.group("who"))):
        return count
    high = None if count.high is None else count.high + 1
    return Count(count.value + 1, count.low + 1, high, count.vague, count.start, count.end)


def _group_name(word: str) -> str:
    """"soldats" -> "soldat", "gunmen" stays: the singular the side tables use."""
    return word if word in ("gunmen", "policemen", "people") else word.rstrip("s")


def _nearest_count(
    counts: list[Count], used: set[int], cue_start: int, cue_end: int, folded: str
) -> int | None:
    best: tuple[int, int] | None = None
    for index, count in enumerate(counts):
        if index in used:
            continue
        if count.end <= cue_start and cue_start - count.end <= LOOK_BEHIND:
            gap = folded[count.end : cue_start]
            if re.search(r"[;.]|\b(?:et|and|dont|including)\b \d", gap):
                continue
            distance = cue_start - count.end
        elif count.start >= cue_end and count.start - cue_end <= LOOK_AHEAD and _looks_forward(folded, cue_start, cue_end):
            gap = folded[cue_end : count.start]
            if re.search(r"[;.,]", gap) or WOUNDED.search(gap):
                continue  # "killing a soldier and wounding three": the three are the wounded
            active = bool(_ACTIVE_CUE.fullmatch(folded[cue_start:cue_end]))
            distance = (count.start - cue_end) + (0 if active else LOOK_BEHIND)
        else:
            continue
        if best is None or distance < best[0]:
            best = (distance, index)
    return None if best is None else best[1]


def _toll_put_at(counts: list[Count], used: set[int], cue_end: int, folded: str) -> int | None:
    """"put the death toll from Sunday's attack on X at 23", "le bilan ... s'élève à 23"."""
    for index, count in enumerate(counts):
        if index in used or count.start < cue_end or count.start - cue_end > 110:
            continue
        between = folded[cue_end : count.start]
        if re.search(r"[.;]", between) or not re.search(r"\b(?:at|to|a|est de|s'eleve a|passe a)\s+$", between):
            continue
        return index
    return None


_ACTIVE_CUE = re.compile(r"tuant|killing|blessant|wounding|injuring|faisant|executing|claiming")
_MONTH_OR_TIME = re.compile(
    r"\s*(?:janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre|january|"
    r"february|march|april|may|june|july|august|september|october|november|december|h\d|heures|hours|km|"
    r"kilometres|kilometers|ans|years|jours|days|%)"
)


def _is_date_or_time(folded: str, count: Count) -> bool:
    """Day numbers, years, clock times and distances are not casualty counts."""
    if not count.vague and 1900 <= count.value <= 2100:
        return True
    return bool(_MONTH_OR_TIME.match(folded, count.end))


_PLURAL_SUBJECT = re.compile(
    r"\b(?:des|les|plusieurs)\s+[a-z']+(?:\s+[a-z']+)?\s+(?:ont ete|ont|sont)\s*$"
    r"|\b[a-z]+s\s+(?:were|have been|had been)\s*$"
)


def _uncounted_plural(folded: str, start: int, cue_start: int, cue_end: int) -> Count | None:
    """"des civils ont été exécutés": deaths without a figure, coded like "several"."""
    cue = folded[cue_start:cue_end]
    if cue.startswith("perte"):  # "des pertes en vies humaines": deaths, no figure
        value, low, high = VAGUE["plusieurs"]
        return Count(value, low, high, True, cue_start, cue_end)
    if cue in ("succombe", "succumbed") and re.search(r"\b(?:le|la|un|une|the|a)\s+[a-z']+\s+(?:a|has|had)?\s*$",
                                                       folded[max(start, cue_start - 40) : cue_start]):
        return Count(1, 1, 1, False, cue_start, cue_end)  # "le blessé a succombé": one death
    if cue in ("morts", "mort", "dead", "deces", "victimes", "victime", "deaths", "death"):
        return None
    if not _PLURAL_SUBJECT.search(folded, max(start, cue_start - 45), cue_start):
        return None
    value, low, high = VAGUE["plusieurs"]
    return Count(value, low, high, True, cue_start, cue_end)


def _is_article(folded: str, count: Count) -> bool:
    """"un convoi", "une attaque": the indefinite article, unless it counts a person or a death ("un mort")."""
    if folded[count.start : count.end] not in ("un", "une", "one"):
        return False
    return not _GROUP.match(folded, count.end + 1) and not _PERSON.match(folded, count.end + 1) \
        and not re.match(r"(?:mort|tue|blesse|dead)\b", folded[count.end + 1 : count.end + 8])


_PERSON = re.compile(r"(?:soldat|civil|militaire|gendarme|policier|enfant|femme|homme|berger|eleveur|"
                     r"villageois|passager|soldier|civilian|child|woman|man|herder|passenger|person)\b")


def _looks_forward(folded: str, cue_start: int, cue_end: int) -> bool:
    """Active cues ("tuant 5", "killed 12", "ont tué 3") and "la mort de 4" take the count after them."""
    cue = folded[cue_start:cue_end]
    if _ACTIVE_CUE.fullmatch(cue) or cue in ("killed", "tue", "tues", "wounded", "injured"):
        return True
    if re.search(r"\b(?:ont|a|avoir|have|has)\s+$", folded[max(0, cue_start - 8) : cue_start]):
        return True
    return bool(re.match(r"\s+(?:de|d'|of)\b", folded[cue_end : cue_end + 5]))
