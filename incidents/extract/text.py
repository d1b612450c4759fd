"""Text helpers whose outputs keep character offsets aligned with the article.

Every extractor reports evidence as ``(start, end)`` spans into the text the
analyst pasted, so nothing here may change the length of the text: folding
maps each character to exactly one character.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from incidents.text import fold_in_place


def fold(text: str) -> str:
    """Lower-case, accent-free, same-length copy of ``text`` for matching."""
    return fold_in_place(text)


def fold_name(name: str) -> str:
    """Key used to compare place or actor names: folded, single-spaced, no hyphens."""
    return re.sub(r"[\s\-']+", " ", fold(name)).strip()


@dataclass(frozen=True)
class Segment:
    """A sentence of the article with its offsets and paragraph number."""

    start: int
    end: int
    paragraph: int

    def text(self, article: str) -> str:
        return article[self.start : self.end]


_SENTENCE_END = re.compile(r"(?<=[.!?])[\"»”)]*\s+(?=[\"«“(]?[A-ZÀ-ÖØ-Þ0-9])")
_ABBREVIATIONS = ("M.", "Mr.", "Dr.", "St.", "Gen.", "Col.", "Lt.", "Sgt.", "Capt.", "cf.", "No.",
                  "Jan.", "Feb.", "Mar.", "Apr.", "Aug.", "Sep.", "Sept.", "Oct.", "Nov.", "Dec.",
                  "janv.", "févr.", "avr.", "juil.", "déc.")


def sentences(text: str) -> list[Segment]:
    """Split into sentences, remembering which paragraph each belongs to.

    A regex splitter rather than spaCy's parser: it is an order of magnitude
    faster, and news prose rarely needs more than full stops and paragraphs.
    """
    segments: list[Segment] = []
    paragraph = 0
    for block in re.finditer(r"[^\n]+(?:\n(?![ \t]*\n)[^\n]+)*", text):
        block_start = block.start()
        body = block.group(0)
        if not body.strip():
            continue
        cut = 0
        for match in _SENTENCE_END.finditer(body):
            before = body[:match.start()]
            if before.endswith(_ABBREVIATIONS):
                continue
            segments.append(Segment(block_start + cut, block_start + match.start(), paragraph))
            cut = match.end()
        segments.append(Segment(block_start + cut, block_start + len(body.rstrip()), paragraph))
        paragraph += 1
    return [s for s in segments if text[s.start : s.end].strip()]


_CAPITAL_DATELINES = {"bamako", "ouagadougou", "niamey", "dakar", "abidjan", "nouakchott", "paris", "lome"}
_DATELINE = re.compile(
    r"^\s*(?P<place>[A-ZÀ-ÖØ-Þ][\w'\-]{2,30}(?: [A-ZÀ-ÖØ-Þ][\w'\-]*){0,2})\s*(?:,\s*[A-Za-zÀ-ÿ .]+)?"
    r"\s*(?:\((?:AFP|Reuters|AP|APA|ANP|AIB|Xinhua|MAP|RFI)\))?\s*[-–—:]\s+"
)


def dateline_span(text: str) -> tuple[int, int] | None:
    """Where a wire-style dateline ("BAMAKO (AFP) -") names the reporter's city."""
    first_line_start = len(text) - len(text.lstrip())
    body = text[first_line_start:]
    lines = body.split("\n", 1)
    if headline_span(text) is not None and len(lines) > 1:
        offset = first_line_start + len(lines[0]) + 1
        rest = text[offset:]
        offset += len(rest) - len(rest.lstrip())
    else:
        offset = first_line_start
    match = _DATELINE.match(text[offset:])
    if not match:
        return None
    place = match.group("place")
    # An upper-case city, an agency in brackets or ", Country" after the name mark a dateline;
    # a plain capitalised word before a dash ("Mali - ...") does not.
    if not place.isupper() and "(" not in match.group(0) and "," not in match.group(0) \
            and fold_name(place) not in _CAPITAL_DATELINES:
        return None
    return offset + match.start("place"), offset + match.start("place") + len(place.rstrip())


def headline_span(text: str) -> tuple[int, int] | None:
    """The first line, when it reads like a headline: short, and not ending a sentence."""
    start = len(text) - len(text.lstrip())
    line_end = text.find("\n", start)
    if line_end == -1:
        return None
    line = text[start:line_end].rstrip()
    if not line or len(line) > 160 or line.endswith((".", "!", "?", ":", ";", ",")):
        return None
    return start, start + len(line)
