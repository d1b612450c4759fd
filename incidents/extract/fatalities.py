"""Fatality counts: who died, who was wounded, who was "neutralised".

Counts are tied to the nearest casualty word in the same sentence, each count
used at most once, so "12 morts et 5 blessés" gives 12 dead and 5 wounded.
Attackers reported "neutralisés" (a military euphemism that usually means
killed) are counted as fatalities, as ACLED counts every reported death, but
kept apart so the note and the confidence can say so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from incidents.extract.numbers import VAGUE, Count, iter_counts

DEAD = re.compile(
    r"\b(?:tue(?:e|s|es)?|tuant|tuerie|morts?|ont peri|perdu la vie|deces|victimes?|abattus?|"
    r"execute(?:e|s|es)?|egorge(?:e|s|es)?|corps sans vie|cadavres?|"
    r"killed|killing|dead|died|deaths?|death toll|lost their lives|executed|bodies|massacred|slain)\b"
)
NEUTRALISED = re.compile(r"\bneutrali[sz](?:e|es|ee|ees|ed|ing)?\b")
WOUNDED = re.compile(r"\b(?:blesse(?:e|s|es)?|blessant|blessures?|wounded|wounding|injured|injuring|injuries)\b")
NO_DEATHS = re.compile(
    r"\b(?:sans faire de (?:victimes?|morts?)|aucune? (?:victimes?|mort|perte)|pas de (?:victimes?|morts?)|"
    r"no (?:casualties|deaths|fatalities|one was (?:killed|hurt))|nobody was killed|without casualties)\b"
)
TOTAL = re.compile(r"\b(?:au total|bilan|total|in all|toll)\b")
_GROUP = re.compile(
    r"\b(?:soldats?|militaires?|elements?|civils?|villageois|personnes|habitants|assaillants|attaquants|"
    r"bergers?|eleveurs?|cultivateurs?|paysans?|enfants?|femmes?|passagers?|fideles|"
    r"herders?|farmers?|children|women|passengers?|worshippers|"
    r"terroristes|jihadistes|djihadistes|hommes|soldiers|troops|civilians|people|villagers|attackers|"
    r"militants|fighters|assailants|terrorists|gunmen)\b"
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


@dataclass
class Casualties:
    mentions: list[CasualtyMention] = field(default_factory=list)
    zero_spans: list[tuple[int, int]] = field(default_factory=list)

    def of_kind(self, *kinds: str) -> list[CasualtyMention]:
        return [m for m in self.mentions if m.kind in kinds]

    def fatalities(self) -> tuple[int | None, int | None, int | None]:
        """(coded value, low, high) over dead and neutralised, or Nones when not reported.

        Distinct groups add up; a repeated (count, group) pair is one report said
        twice; a stated total wins when it is larger than the sum of parts.
        """
        deaths = self.of_kind("dead", "neutralised")
        if not deaths:
            return (0, 0, 0) if self.zero_spans else (None, None, None)
        seen: set[tuple[int, str | None]] = set()
        value = low = 0
        high: int | None = 0
        for mention in deaths:
            key = (mention.count.value, mention.group)
            if key in seen or mention.is_total:
                continue
            seen.add(key)
            value += mention.count.value
            low += mention.count.low
            high = None if high is None or mention.count.high is None else high + mention.count.high
        totals = [m for m in deaths if m.is_total]
        for total in totals:
            if total.count.value >= value:
                value, low, high = total.count.value, total.count.low, total.count.high
        return value, low, high

    def wounded(self) -> int | None:
        hurt = self.of_kind("wounded")
        return sum(m.count.value for m in hurt) if hurt else None


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
    cues.sort(key=lambda item: item[1].start())
    for kind, cue in cues:
        if any(z[0] <= cue.start() < z[1] for z in result.zero_spans):
            continue
        chosen = _nearest_count(counts, used, cue.start(), cue.end(), folded)
        if chosen is None:
            plural = _uncounted_plural(folded, start, cue.start(), cue.end()) if kind == "dead" else None
            if plural is not None:
                result.mentions.append(CasualtyMention(kind, plural, cue.span(), None, False))
            continue
        used.add(chosen)
        count = counts[chosen]
        group = _GROUP.search(folded, count.end, min(count.end + 35, end)) or _GROUP.search(
            folded, cue.end(), min(cue.end() + 25, end)
        )
        before = folded[max(start, count.start - 25) : count.start]
        result.mentions.append(
            CasualtyMention(
                kind=kind,
                count=count,
                cue=cue.span(),
                group=group.group(0).rstrip("s") if group else None,
                is_total=bool(TOTAL.search(before)) or bool(TOTAL.search(folded[cue.start() - 20 : cue.start()])),
            )
        )
    return result


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
            if re.search(r"[;.,]", gap):
                continue
            active = bool(_ACTIVE_CUE.fullmatch(folded[cue_start:cue_end]))
            distance = (count.start - cue_end) + (0 if active else LOOK_BEHIND)
        else:
            continue
        if best is None or distance < best[0]:
            best = (distance, index)
    return None if best is None else best[1]


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
    if folded[cue_start:cue_end] in ("morts", "mort", "dead", "deces", "victimes", "victime", "deaths", "death"):
        return None
    if not _PLURAL_SUBJECT.search(folded, max(start, cue_start - 45), cue_start):
        return None
    value, low, high = VAGUE["plusieurs"]
    return Count(value, low, high, True, cue_start, cue_end)


def _is_article(folded: str, count: Count) -> bool:
    """"un convoi", "une attaque": the indefinite article, unless it counts a person."""
    if folded[count.start : count.end] not in ("un", "une", "one"):
        return False
    return not _GROUP.match(folded, count.end + 1) and not _PERSON.match(folded, count.end + 1)


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
