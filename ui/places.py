"""Place names typed by the analyst, found in the offline gazetteer.

The search box flies the map to a place; the "near" filter also takes a place
and a distance ("Mopti, 50 km"). Both go through the geocoder the pipeline uses
(``incidents.geocode.GazetteerGeocoder``), so names fold (case, accents,
spellings) exactly as when incidents are placed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import streamlit as st

# "Mopti, 50 km", "Mopti 50km", "Tillabéri, 25": a name (with a letter) and a distance.
NEAR_PLACE = re.compile(r"^\s*(?P<place>[^,]*?[^\W\d_][^,]*?)\s*,?\s*(?P<km>\d+(?:[.,]\d+)?)"
                        r"\s*(?:km)?\s*$", re.IGNORECASE)
# Zoom to fly to, by the found place's precision (1 a village or town, 3 a region).
ZOOM_BY_PRECISION = {1: 11, 2: 9, 3: 7}


@dataclass(frozen=True)
class Place:
    name: str
    latitude: float
    longitude: float
    precision: int

    @property
    def zoom(self) -> int:
        return ZOOM_BY_PRECISION.get(self.precision, 9)


@st.cache_resource(show_spinner=False)
def _geocoder() -> Any:
    from incidents.geocode import GazetteerGeocoder

    return GazetteerGeocoder()


@st.cache_data(max_entries=256, show_spinner=False)
def find_place(query: str) -> Place | None:
    """The gazetteer's best place for ``query``, or None."""
    if not query.strip():
        return None
    location = _geocoder().geocode(query.strip())
    if location is None:
        return None
    raw = location.raw or {}
    label = ", ".join(str(part) for part in (raw.get("name"), raw.get("admin1"),
                                             raw.get("country")) if part)
    return Place(label or query, float(location.latitude), float(location.longitude),
                 int(raw.get("precision") or 1))


def near_place(text: str) -> tuple[Place, float] | None:
    """``"Mopti, 50 km"`` as the place found and the distance, or None when ``text`` is
    not a place and a distance (e.g. already "lat,lon,km") or the place is unknown."""
    match = NEAR_PLACE.match(text or "")
    if not match:
        return None
    place = find_place(match.group("place"))
    if place is None:
        return None
    return place, float(match.group("km").replace(",", "."))


def near_value(text: str) -> str:
    """The "near" filter value for what was typed: a place and a distance become
    "lat,lon,km"; anything else is passed on as typed (the filter checks it)."""
    found = near_place(text)
    if found is None:
        return text
    place, km = found
    return f"{place.latitude:.5f},{place.longitude:.5f},{km:g}"
