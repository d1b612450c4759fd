"""Counts written in digits, in French or English words, as ranges or vaguely.

Vague quantities follow a conservative convention (see README.md in this
package): ACLED codes "tens" as 10, "dozens" as 12 and "hundreds" as 100 and
takes the lowest figure when sources differ; "several"-like words, which give no
figure at all, are coded as 3 with ``fatalities_low`` 2 and no upper bound, the
convention of data/samples/README.md — and every such candidate is flagged for review.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

UNITS = {
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7,
    "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14,
    "quinze": 15, "seize": 16, "vingt": 20, "trente": 30, "quarante": 40, "cinquante": 50,
    "soixante": 60, "cent": 100,
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
    "dix-sept": 17, "dix-huit": 18, "dix-neuf": 19, "soixante-dix": 70,
    "quatre-vingt": 80, "quatre-vingts": 80, "quatre-vingt-dix": 90,
}

# Vague quantities: (coded value, low, high). High is None where the words set no ceiling.
VAGUE = {
    "plusieurs": (3, 2, None), "several": (3, 2, None), "quelques": (3, 2, None),
    "some": (3, 2, None), "a few": (3, 2, None), "few": (3, 2, None),
    "nombreux": (3, 2, None), "de nombreux": (3, 2, None), "de nombreuses": (3, 2, None),
    "many": (3, 2, None), "numerous": (3, 2, None),
    "une dizaine": (10, 10, None), "dizaines": (10, 10, None), "des dizaines": (10, 10, None),
    "une quinzaine": (15, 15, None), "une vingtaine": (20, 20, None),
    "une trentaine": (30, 30, None), "une quarantaine": (40, 40, None), "une cinquantaine": (50, 50, None),
    "une soixantaine": (60, 60, None), "plusieurs dizaines": (10, 10, None), "several dozen": (12, 12, None),
    "une centaine": (100, 100, None), "des centaines": (100, 100, None), "centaines": (100, 100, None),
    "tens": (10, 10, None), "dozens": (12, 12, None), "a dozen": (12, 12, None),
    "une douzaine": (12, 12, None), "douzaines": (12, 12, None), "des douzaines": (12, 12, None),
    "hundreds": (100, 100, None), "scores": (20, 20, None),
}

ZERO_WORDS = ("aucun", "aucune", "no one", "nobody", "none", "no ", "sans faire de")


@dataclass(frozen=True)
class Count:
    value: int
    low: int
    high: int | None
    vague: bool
    start: int
    end: int


_WORD_NUMBER = "|".join(
    sorted((re.escape(w) for w in UNITS), key=len, reverse=True)
)
_VAGUE_WORDS = "|".join(sorted((re.escape(w) for w in VAGUE), key=len, reverse=True))
_ONE = rf"(?:\d{{1,4}}|(?:{_WORD_NUMBER})(?:[- ](?:et[- ])?(?:{_WORD_NUMBER}))*)"
COUNT_PATTERN = re.compile(
    rf"(?<![\w-])(?:(?:entre|between)\s+(?P<lo>{_ONE})\s+(?:et|and)\s+(?P<hi>{_ONE})"
    rf"|(?P<a>\d{{1,4}})\s*-\s*(?P<b>\d{{1,4}})(?=\s)"
    rf"|(?P<a2>{_ONE})\s+(?:a|to|ou|or)\s+(?P<b2>{_ONE})(?=\s)"
    rf"|(?:au moins|at least|pas moins de|plus de|more than|over)\s+(?P<min>{_ONE})"
    rf"|(?P<vague>{_VAGUE_WORDS})"
    rf"|(?P<one>{_ONE}))(?![\w-])"
)


def word_value(token: str) -> int | None:
    """Integer value of a digit string or a (possibly compound) number word."""
    token = token.strip()
    if token.isdigit():
        return int(token)
    parts = [p for p in re.split(r"[- ]", token) if p and p != "et"]
    total = 0
    index = 0
    while index < len(parts):
        for size in range(len(parts) - index, 0, -1):
            value = UNITS.get("-".join(parts[index : index + size]))
            if value is not None:
                break
        else:
            return None
        total = total * 100 if value == 100 and total else total + value
        index += size
    return total or None


def iter_counts(folded: str, start: int = 0, end: int | None = None) -> list[Count]:
    stop = len(folded) if end is None else end
    found = []
    for match in COUNT_PATTERN.finditer(folded, start, stop):
        count = _to_count(match)
        if count is not None:
            found.append(count)
    return found


def _to_count(match: re.Match[str]) -> Count | None:
    span = match.start(), match.end()
    if match.group("lo") or match.group("a") or match.group("a2"):
        low = word_value(match.group("lo") or match.group("a") or match.group("a2"))
        high = word_value(match.group("hi") or match.group("b") or match.group("b2"))
        if low is None or high is None or high < low:
            return None
        return Count(low, low, high, False, *span)
    if match.group("min"):
        value = word_value(match.group("min"))
        return None if value is None else Count(value, value, None, False, *span)
    if match.group("vague"):
        value, low, high = VAGUE[match.group("vague")]
        return Count(value, low, high, True, *span)
    value = word_value(match.group("one"))
    if value is None or value > 5000:
        return None
    return Count(value, value, value, False, *span)
