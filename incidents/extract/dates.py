"""Event dates from French and English news text, with ACLED time precision.

Absolute dates ("le 7 décembre", "7 December 2024", "December 7") take their
year from the text, else from the publication date (the most recent such day
not after publication). Relative expressions ("hier", "lundi", "last week")
need the publication date. Without it, or without any year, the date is left
empty and the reason is reported, so nothing is invented silently.

Week precision dates sit on the Thursday, the middle of a Monday-Sunday week,
and month precision dates on the 15th, so that the point is never further than
half the period from the truth.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from incidents.model import TimePrecision

MONTHS = {
    "janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
    "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12,
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "fev": 2, "apr": 4, "avr": 4, "jul": 7, "juil": 7, "aug": 8,
    "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}
WEEKDAYS = {
    "lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5, "dimanche": 6,
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
}

_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_WEEKDAY = "|".join(WEEKDAYS)
_DAY = r"(?:1er|\d{1,2})(?:st|nd|rd|th)?"

PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("night", re.compile(
        rf"\b(?:dans )?la nuit (?:du |de )?(?:(?P<wd>{_WEEKDAY}) )?(?P<d1>{_DAY}) (?:au|a) "
        rf"(?:(?:{_WEEKDAY}) )?(?P<d2>{_DAY}) (?P<m>{_MONTH})\b\.?(?: (?P<y>\d{{4}}))?"
    )),
    ("night", re.compile(
        rf"\bnight of (?:(?P<wd>{_WEEKDAY}) )?(?:the )?(?P<d1>{_DAY})(?: (?P<m1>{_MONTH}))? "
        rf"(?:to|into) (?:(?:{_WEEKDAY}) )?(?:the )?(?P<d2>{_DAY}) (?P<m>{_MONTH})\b\.?(?:,? (?P<y>\d{{4}}))?"
    )),
    ("dmy", re.compile(
        rf"\b(?:(?P<wd>{_WEEKDAY}),? )?(?:le |the )?(?P<d>{_DAY}) (?:of )?(?P<m>{_MONTH})\b\.?(?:,? (?P<y>\d{{4}}))?"
    )),
    ("mdy", re.compile(
        rf"\b(?:(?P<wd>{_WEEKDAY}),? )?(?P<m>{_MONTH})\.? (?P<d>{_DAY})\b(?:,? (?P<y>\d{{4}}))?"
    )),
    ("iso", re.compile(r"\b(?P<y>20\d\d)-(?P<m>\d\d)-(?P<d>\d\d)\b")),
    ("numeric", re.compile(r"\b(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>20\d\d)\b")),
    ("yesterday", re.compile(
        rf"\b(?:(?P<before>avant-hier|avant hier|day before yesterday)|hier|yesterday)"
        rf"(?: \(?(?P<wd>{_WEEKDAY})\)?)?\b"
    )),
    ("today", re.compile(r"\b(?:aujourd'hui|ce matin|cet apres-midi|ce soir|today|this morning|tonight)\b")),
    ("last_weekend", re.compile(r"\b(?:le )?(?:week-end|weekend|week end) dernier\b|\blast weekend\b|\bover the weekend\b")),
    ("last_week", re.compile(r"\bla semaine (?:derniere|passee)\b|\blast week\b|\bearlier this week\b|\bcette semaine\b|\bthis week\b")),
    ("last_month", re.compile(r"\ble mois (?:dernier|passe)\b|\blast month\b")),
    ("month", re.compile(rf"\b(?:en|in|au cours du mois de|debut|fin|early|late|mi-)\s*(?P<m>{_MONTH})\b(?: (?P<y>\d{{4}}))?")),
    ("weekday", re.compile(
        rf"\b(?:(?:ce |le |last |on |this |dans la nuit de |la nuit de |nuit de |dans la nuit du |overnight )?)"
        rf"(?P<wd>{_WEEKDAY})(?: (?:dernier|passe|soir|matin|night|morning|evening|afternoon))?\b"
    )),
]


@dataclass(frozen=True)
class Publication:
    """When the article appeared: a day, or only a month (``2022-04``).

    ``last`` is the latest day the article can have appeared on (the month's last day when only
    the month is known): dates without a year are placed on or before it. Weekdays and
    "yesterday" need the day itself, so with a month only they are not resolved to a day.
    """

    last: date
    precision: TimePrecision = TimePrecision.DAY

    @property
    def day_known(self) -> bool:
        return self.precision == TimePrecision.DAY

    @property
    def stand_in(self) -> date:
        """The date an undated incident gets: the day, or the 15th of the month."""
        return self.last if self.day_known else self.last.replace(day=15)


def parse_publication(value: object) -> Publication | None:
    """``date``, ``datetime``, ``"YYYY-MM-DD"`` (or longer ISO text) or ``"YYYY-MM"``; empty gives None."""
    if value is None or value == "":
        return None
    if isinstance(value, Publication):
        return value
    if isinstance(value, datetime):
        return Publication(value.date())
    if isinstance(value, date):
        return Publication(value)
    text = str(value).strip()
    month_only = re.fullmatch(r"(\d{4})-(\d{1,2})", text)
    if month_only:
        year, month = int(month_only.group(1)), int(month_only.group(2))
        if not 1 <= month <= 12:
            raise ValueError(f"not a month: {text!r}")
        return Publication(date(year, month, calendar.monthrange(year, month)[1]), TimePrecision.MONTH)
    return Publication(date.fromisoformat(text[:10]))


@dataclass(frozen=True)
class DateMention:
    """One date expression resolved as far as the text and publication date allow."""

    start: int
    end: int
    kind: str
    value: date | None
    precision: TimePrecision
    confidence: float
    problem: str | None = None
    partial: str | None = None  # e.g. "--12-07" when the year is unknown


# "a annoncé lundi", "told AFP on Sunday": the day a statement was made, not the day of the event.
_STATEMENT_BEFORE = re.compile(
    r"\b(?:a|ont|avait|a-t-on|on a)?\s*(?:annonce|indique|declare|rapporte|appris|confirme|precise|affirme|"
    r"communique|publie|said|told(?: [a-z]+)?|announced|reported|confirmed|added|stated)(?:\s+(?:ce|on|le|this))?\s*$"
)


def is_statement_day(folded: str, mention: DateMention) -> bool:
    """True for a weekday or relative day that dates a statement ("a indiqué mardi")."""
    if mention.kind not in ("weekday", "yesterday", "today"):
        return False
    return bool(_STATEMENT_BEFORE.search(folded[max(0, mention.start - 40) : mention.start]))


def find_dates(folded: str, start: int, end: int, published: Publication | date | str | None) -> list[DateMention]:
    """All date expressions in ``folded[start:end]``, in text order, overlaps removed."""
    published = parse_publication(published)
    mentions: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in PATTERNS:
        for match in pattern.finditer(folded, start, end):
            span = match.span()
            if any(span[0] < b and a < span[1] for a, b in taken):
                continue
            mention = _resolve(kind, match, published)
            if mention is not None:
                taken.append(span)
                mentions.append(mention)
    return sorted(mentions, key=lambda m: m.start)


def _day(text: str) -> int:
    return int(re.match(r"\d+", text.replace("1er", "1")).group(0))


def _month(text: str) -> int:
    return int(text) if text.isdigit() else MONTHS[text.rstrip(".")]


def _resolve(kind: str, match: re.Match[str], publication: Publication | None) -> DateMention | None:
    span = match.span()
    groups = match.groupdict()
    if kind in ("dmy", "mdy", "night", "iso", "numeric"):
        day = _day(groups["d1"] if kind == "night" else groups["d"])
        month = _month(groups["m"])
        if kind == "night" and groups.get("m1"):
            month = _month(groups["m1"])
        weekday = WEEKDAYS[groups["wd"]] if groups.get("wd") else None
        return _absolute(span, kind, day, month, groups.get("y"), publication, weekday)
    if publication is None:
        return DateMention(*span, kind, None, TimePrecision.DAY, 0.0,
                           problem="a relative date needs the publication date")
    published = publication.last
    if kind in ("yesterday", "today", "weekday", "last_weekend", "last_week") and not publication.day_known:
        return DateMention(*span, kind, None, TimePrecision.DAY, 0.0,
                           problem="a weekday or relative day needs the publication day; only its month is known")
    if kind == "yesterday":
        delta = 2 if groups.get("before") else 1
        value = published - timedelta(days=delta)
        confidence = 0.9
        if groups.get("wd") and WEEKDAYS[groups["wd"]] != value.weekday():
            confidence = 0.5
        return DateMention(*span, kind, value, TimePrecision.DAY, confidence)
    if kind == "today":
        return DateMention(*span, kind, published, TimePrecision.DAY, 0.8)
    if kind == "weekday":
        back = (published.weekday() - WEEKDAYS[groups["wd"]]) % 7
        return DateMention(*span, kind, published - timedelta(days=back), TimePrecision.DAY, 0.75)
    if kind == "last_weekend":
        back = (published.weekday() - 5) % 7 or 7
        return DateMention(*span, kind, published - timedelta(days=back), TimePrecision.WEEK, 0.7)
    if kind == "last_week":
        monday = published - timedelta(days=published.weekday())
        if "this" not in match.group(0) and "cette" not in match.group(0):
            monday -= timedelta(days=7)
        return DateMention(*span, kind, monday + timedelta(days=3), TimePrecision.WEEK, 0.6)
    if kind == "last_month":
        first = published.replace(day=1) - timedelta(days=1)
        return DateMention(*span, kind, first.replace(day=15), TimePrecision.MONTH, 0.6)
    if kind == "month":
        month = MONTHS[groups["m"]]
        year = int(groups["y"]) if groups.get("y") else published.year - (month > published.month)
        return DateMention(*span, kind, date(year, month, 15), TimePrecision.MONTH, 0.6)
    return None


def _absolute(span: tuple[int, int], kind: str, day: int, month: int, year_text: str | None,
              publication: Publication | None, weekday: int | None = None) -> DateMention | None:
    """A day and month, with the year from the text or else the latest fitting year up to publication.

    When the text also names the weekday ("samedi 7 décembre"), a year is inferred only if
    that day falls on that weekday; otherwise the year is left empty and the reason given.
    """
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    if year_text:
        try:
            return DateMention(*span, kind, date(int(year_text), month, day), TimePrecision.DAY, 0.95)
        except ValueError:
            return None
    partial = f"--{month:02d}-{day:02d}"
    if publication is None:
        return DateMention(*span, kind, None, TimePrecision.DAY, 0.0,
                           problem="the date has no year and no publication date was given",
                           partial=partial)
    published = publication.last
    for year in (published.year, published.year - 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate <= published:
            if weekday is not None and kind != "night" and candidate.weekday() != weekday:
                return DateMention(*span, kind, None, TimePrecision.DAY, 0.0,
                                   problem="the weekday does not fit the date in the publication year; year left empty",
                                   partial=partial)
            return DateMention(*span, kind, candidate, TimePrecision.DAY, 0.85)
    return None
