"""Scoring of extracted candidates against the real-news labels (bench/realnews/articles.json).

Kept apart from extract_eval.py so the pairing and field rules read in one place.
Every labelled incident whose role is ``main`` or ``secondary`` is expected as one
candidate; ``background`` incidents are not. Expected incidents are paired with
candidates first by place name, then in order.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, field
from datetime import date

FIELDS = ("location", "point_25km", "admin1", "event_type", "date", "fatalities")
POINT_KM = 25


def fold(value: object) -> str:
    text = unicodedata.normalize("NFKD", str(value or ""))
    return "".join(c for c in text if c.isalnum() and not unicodedata.combining(c)).lower()


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    dlat = math.radians(b[0] - a[0])
    dlon = math.radians(b[1] - a[1]) * math.cos(math.radians((a[0] + b[0]) / 2))
    return 6371 * math.hypot(dlat, dlon)


@dataclass
class Tally:
    hits: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    totals: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    count_right: int = 0
    articles: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, name: str, ok: bool | None) -> None:
        if ok is None:
            return
        self.totals[name] += 1
        self.hits[name] += bool(ok)


def expected(article: dict) -> list[dict]:
    return [i for i in article["incidents"] if i["role"] in ("main", "secondary")]


def name_matches(truth: dict, record: dict) -> bool:
    got = fold(record.get("location"))
    return bool(got) and any(fold(name) == got for name in truth["names"])


def pair(truths: list[dict], records: list[dict]) -> list[dict | None]:
    """One record (or None) per expected incident: same place name first, then the rest in order."""
    free = list(range(len(records)))
    chosen: list[int | None] = [None] * len(truths)
    for t, truth in enumerate(truths):
        for r in free:
            if name_matches(truth, records[r]):
                chosen[t] = r
                free.remove(r)
                break
    for t in range(len(truths)):
        if chosen[t] is None and free:
            chosen[t] = free.pop(0)
    return [records[r] if r is not None else None for r in chosen]


def location_ok(truth: dict, record: dict) -> bool:
    if truth["location"] is None:
        # Only a region or the country is named: the right answer is no village or town.
        got = fold(record.get("location"))
        return got in ("", fold(truth.get("admin1")), fold(truth["country"])) or (record.get("geo_precision") or 0) >= 3
    return name_matches(truth, record)


def score_article(article: dict, records: list[dict], tally: Tally, verbose: bool) -> None:
    truths = expected(article)
    tally.articles += 1
    tally.count_right += len(records) == len(truths)
    if verbose and len(records) != len(truths):
        got = [r.get("location") for r in records]
        tally.misses.append(f"{article['id']}: {len(records)} candidates for {len(truths)} ({got})")
    for truth, record in zip(truths, pair(truths, records)):
        record = record or {}
        got_date = record.get("event_date")
        got_date = got_date.isoformat() if isinstance(got_date, date) else None
        point = truth.get("point")
        point_ok = None
        if point:
            point_ok = record.get("latitude") is not None and km(
                (point["lat"], point["lon"]), (record["latitude"], record["longitude"])) <= POINT_KM
        row = {
            "location": location_ok(truth, record),
            "point_25km": point_ok,
            "admin1": (fold(record.get("admin1")) == fold(truth["admin1"])) if truth["admin1"] else
                      (not record.get("admin1") or None),
            "event_type": record.get("event_type") == truth["event_type"],
            "date": (got_date == truth["date"]) if truth["date"] else None,
            "fatalities": (record.get("fatalities") == truth["fatalities"]) if truth["fatalities"] is not None else None,
        }
        if truth["admin1"] is None and row["admin1"] is None:
            row["admin1"] = None  # no region stated and one guessed: not scored either way
        for name, ok in row.items():
            tally.add(name, ok)
        if verbose:
            misses = [name for name, ok in row.items() if ok is False]
            if misses:
                shown = {k: record.get(k) for k in ("location", "admin1", "event_type", "event_date", "fatalities")}
                tally.misses.append(f"{article['id']} [{truth['role']} {truth['location']}]: {misses} got {shown}")
