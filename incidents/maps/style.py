"""Colours, sizes and precision styles shared by every map layer and the legend.

Event-type colours follow the Okabe-Ito palette, which stays distinguishable
for the common forms of colour blindness. Cell colours are a sequential ramp
on fixed breaks (not quantiles), so a cell keeps its colour when the analyst
pans and the set in view changes.
"""

from __future__ import annotations

import numpy as np

EVENT_COLOURS: dict[str, str] = {
    "Battles": "#D55E00",
    "Violence against civilians": "#CC79A7",
    "Explosions/Remote violence": "#E69F00",
    "Strategic developments": "#009E73",
    "Protests": "#0072B2",
    "Riots": "#56B4E9",
}
OTHER_COLOUR = "#777777"

# Radius in pixels: small for zero fatalities, growing with the square root so
# a marker's area is proportional to the death toll, capped to keep the map readable.
MIN_RADIUS = 4.0
MAX_RADIUS = 18.0
RADIUS_PER_SQRT_FATALITY = 1.5

# Leaflet path options by ACLED geo_precision (see model.GeoPrecision).
# 1: solid disc. 2: hollow ring (a nearby/containing place). 3: the admin-1
# region itself, dashed outline and a translucent fill.
PRECISION_STYLE: dict[int, dict[str, object]] = {
    1: {"stroke": True, "weight": 1, "color": "#222222", "fill": True, "fillOpacity": 0.85},
    2: {"stroke": True, "weight": 2.5, "fill": True, "fillOpacity": 0.0},
    3: {"stroke": True, "weight": 2, "dashArray": "6 4", "fill": True, "fillOpacity": 0.08},
}
# Incidents with no precision code are drawn like code 2: we cannot vouch for the exact spot.
UNKNOWN_PRECISION = 2

# Region-level incidents whose admin-1 polygon is unknown: a dashed circle of this radius.
UNMATCHED_REGION_RADIUS_M = 60_000

CELL_BREAKS: tuple[int, ...] = (1, 5, 20, 100, 500, 2_000, 10_000)
CELL_RAMP: tuple[str, ...] = (
    "#fee5d9",
    "#fcbba1",
    "#fc9272",
    "#fb6a4a",
    "#ef3b2c",
    "#cb181d",
    "#99000d",
)
CELL_OUTLINE = "#67000d"


def event_colour(event_type: object) -> str:
    return EVENT_COLOURS.get(str(event_type), OTHER_COLOUR)


def marker_radius(fatalities: np.ndarray) -> np.ndarray:
    """Pixel radius per incident; missing fatalities count as zero."""
    deaths = np.nan_to_num(np.asarray(fatalities, dtype="float64"), nan=0.0).clip(min=0)
    return np.minimum(MIN_RADIUS + RADIUS_PER_SQRT_FATALITY * np.sqrt(deaths), MAX_RADIUS)


def cell_bin(counts: np.ndarray) -> np.ndarray:
    """Index into ``CELL_RAMP`` for each incident count."""
    return np.searchsorted(np.asarray(CELL_BREAKS), np.asarray(counts), side="right") - 1


def cell_style(count: int) -> dict[str, object]:
    """Leaflet style of one hexagon holding ``count`` incidents."""
    colour = CELL_RAMP[int(max(cell_bin(np.array([count]))[0], 0))]
    return {
        "color": CELL_OUTLINE,
        "weight": 0.6,
        "fillColor": colour,
        "fillOpacity": 0.7,
        "className": "incidents-cell",
    }


def precision_style(precision: int, colour: str) -> dict[str, object]:
    """Path options for one marker or region of ``colour`` at ``precision``."""
    style = dict(PRECISION_STYLE.get(precision, PRECISION_STYLE[UNKNOWN_PRECISION]))
    style.setdefault("color", colour)
    style["fillColor"] = colour
    return style
