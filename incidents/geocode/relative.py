"""Relative place phrases: "Gao 50km W", "30 km au nord de Douentza", "near Mopti".

``parse_relative`` splits such a phrase into the anchor's name, a distance and a
bearing; ``offset_point`` moves the anchor's point. A phrase without a direction
("à 20 km de Mopti", "near Mopti") keeps the anchor's point. The geocoder places
the anchor with the row's context and answers at precision 2, method ``offset``.
"""

from __future__ import annotations

import math
import re
from typing import NamedTuple

from unidecode import unidecode

_BEARINGS = {
    "n": 0, "nne": 22.5, "ne": 45, "ene": 67.5, "e": 90, "ese": 112.5, "se": 135, "sse": 157.5,
    "s": 180, "ssw": 202.5, "sw": 225, "wsw": 247.5, "w": 270, "wnw": 292.5, "nw": 315, "nnw": 337.5,
    "north": 0, "northeast": 45, "east": 90, "southeast": 135, "south": 180, "southwest": 225,
    "west": 270, "northwest": 315,
    "nord": 0, "nordest": 45, "est": 90, "sudest": 135, "sud": 180, "sudouest": 225, "ouest": 270,
    "nordouest": 315, "no": 315, "so": 225, "o": 270,
}
_DIRECTION = r"(?P<dir>(?:north|south|nord|sud)[\s-]?(?:east|west|est|ouest)|north|south|east|west|nord|sud|est|ouest" \
             r"|[ns]{1,2}[ew]{0,2}|[ew]|[ns][o]|o)"
_DISTANCE = r"(?P<km>\d+(?:[.,]\d+)?)\s*(?:km|kms|kilometres?|kilometers?)"
_PATTERNS = (
    # "Gao 50km W", "Gao 50 km north-west", "Gao (50 km W)"
    re.compile(rf"^(?P<anchor>.+?)[\s,(]+{_DISTANCE}\s*(?:to the\s+|au\s+|a l'?\s*)?{_DIRECTION}\)?$"),
    # "50 km W of Gao", "50km north-west of Gao", "30 km au nord de Douentza", "a 30 km au nord-est de X"
    re.compile(rf"^(?:a\s+|at\s+|some\s+|about\s+|environ\s+)*{_DISTANCE}\s+(?:to the\s+|au\s+|a l'?\s*|a\s+)?"
               rf"{_DIRECTION}\s+(?:of|de|du|d'|des)\s*(?P<anchor>.+)$"),
    # "a 20 km de Mopti", "20 km from Mopti" (no direction)
    re.compile(rf"^(?:a\s+|at\s+|some\s+|about\s+|environ\s+)*{_DISTANCE}\s+(?:from|of|de|du|d')\s*(?P<anchor>.+)$"),
    # "near Mopti", "pres de Mopti", "aux environs de Mopti", "outskirts of Mopti"
    re.compile(r"^(?:near|nearby|close to|around|outskirts of|on the outskirts of|vicinity of|in the vicinity of|"
               r"pres de|pres du|non loin de|aux environs de|environs de|a la peripherie de|peripherie de|"
               r"aux alentours de|alentours de)\s+(?P<anchor>.+)$"),
    # "Mopti area", "Mopti (near)", "Mopti outskirts", "Mopti environs"
    re.compile(r"^(?P<anchor>.+?)[\s,(]+(?:area|outskirts|vicinity|environs|\(?near\)?|region area)\)?$"),
)
EARTH_KM = 6371.0


class RelativePlace(NamedTuple):
    anchor: str
    km: float | None
    bearing: float | None


def parse_relative(text: str) -> RelativePlace | None:
    """The anchor, distance (km) and bearing (degrees) of a relative phrase, else None."""
    if not text or not any(ch.isdigit() for ch in text) and not _MAYBE_NEAR.search(unidecode(text).lower()):
        return None
    folded = " ".join(unidecode(text).lower().replace("’", "'").split())
    for pattern in _PATTERNS:
        match = pattern.match(folded)
        if not match:
            continue
        anchor = _original_span(text, folded, match.start("anchor"), match.end("anchor")).strip(" ,()")
        if not anchor or anchor[0].isdigit():
            return None
        groups = match.groupdict()
        km = float(groups["km"].replace(",", ".")) if groups.get("km") else None
        bearing = None
        if groups.get("dir"):
            bearing = _BEARINGS.get(re.sub(r"[\s-]", "", groups["dir"]))
            if bearing is None:
                return None
        if km is not None and km > 500:
            return None
        return RelativePlace(anchor, km, bearing)
    return None


_MAYBE_NEAR = re.compile(r"\b(near|nearby|close|around|outskirts|vicinity|pres|loin|environs|peripherie|"
                         r"alentours|area)\b")


def _original_span(original: str, folded: str, start: int, end: int) -> str:
    """The anchor as the analyst typed it (accents kept) when folding kept the lengths aligned."""
    collapsed = " ".join(original.replace("’", "'").split())
    return collapsed[start:end] if len(collapsed) == len(folded) else folded[start:end]


def offset_point(latitude: float, longitude: float, km: float | None, bearing: float | None) -> tuple[float, float]:
    """The point ``km`` away from (latitude, longitude) towards ``bearing`` (great circle)."""
    if not km or bearing is None:
        return latitude, longitude
    lat1, lon1, angle, theta = map(math.radians, (latitude, longitude, km / EARTH_KM * 180 / math.pi, bearing))
    lat2 = math.asin(math.sin(lat1) * math.cos(angle) + math.cos(lat1) * math.sin(angle) * math.cos(theta))
    lon2 = lon1 + math.atan2(math.sin(theta) * math.sin(angle) * math.cos(lat1),
                             math.cos(angle) - math.sin(lat1) * math.sin(lat2))
    return round(math.degrees(lat2), 5), round((math.degrees(lon2) + 540) % 360 - 180, 5)
