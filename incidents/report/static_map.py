"""The report's map: exactly the filtered incidents over the bundled boundaries, with
a legend, a scale bar and the attribution, drawn by matplotlib (no tiles, no network).

Symbols follow the dashboard's map (``incidents.maps.style``): colour by event type,
area by fatalities, a filled disc for an exact place, a ring for a nearby place and
a translucent square for an incident known only to its region.
"""

from __future__ import annotations

import math
import threading
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import to_rgba_array
from matplotlib.lines import Line2D

from incidents.maps import style
from incidents.report.words import words

SAHEL_EXTENT = (-18.0, 4.0, 16.0, 24.0)  # west, south, east, north
LAND = "#f3f1ec"
REGION_EDGE = "#b9b6ad"
COUNTRY_EDGE = "#5e5e5e"
WATER = "#dfe9f1"
SIMPLIFY_DEGREES = 0.01
NICE_KM = (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000)
# Above this many symbols the map's incidents are drawn into the PDF as one image
# (at ``render.PDF_RASTER_DPI``) rather than as one vector path each: 100,000 vector
# symbols made a 15 MB PDF and took about 20 s to write, for the same picture.
RASTER_ABOVE = 2_000
REGION_ALPHA = 0.25  # a square for an incident known only to its region
EXACT_ALPHA = 0.9


_boundaries_lock = threading.Lock()


def _boundaries() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Admin-1 regions of the active set and the countries they make up, prepared once
    per process: a report asked for while a warm-up prepares them waits for it."""
    with _boundaries_lock:
        return _prepared_boundaries()


@lru_cache(maxsize=1)
def _prepared_boundaries() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    from incidents.regions.sets import region_polygons

    regions = region_polygons(None, "admin1")[["country", "admin1", "geometry"]].copy()
    # A printed page needs no more than a hundredth of a degree (about 1 km).
    regions["geometry"] = regions.geometry.simplify(SIMPLIFY_DEGREES, preserve_topology=True)
    countries = regions.dissolve(by="country", as_index=False)
    return regions, countries


def warm_up() -> None:
    """Prepare the boundaries every report map draws (about 2 s, once per process) and
    load matplotlib, ahead of the first report."""
    import incidents.report.render  # noqa: F401 - matplotlib (Agg) is what is warmed

    _boundaries()


def _extent(incidents: pd.DataFrame) -> tuple[float, float, float, float]:
    """West, south, east, north around the placed incidents, padded, at least 1.5 degrees."""
    placed = incidents.dropna(subset=["latitude", "longitude"])
    if placed.empty:
        return SAHEL_EXTENT
    west, east = placed["longitude"].min(), placed["longitude"].max()
    south, north = placed["latitude"].min(), placed["latitude"].max()
    pad = max(east - west, north - south, 1.5) * 0.12
    centre_x, centre_y = (west + east) / 2, (south + north) / 2
    half_x = max(east - west, 1.5) / 2 + pad
    half_y = max(north - south, 1.5) / 2 + pad
    return centre_x - half_x, centre_y - half_y, centre_x + half_x, centre_y + half_y


def _scale_bar(ax: Axes, extent: tuple[float, float, float, float]) -> None:
    """A bar of a round number of kilometres, about a fifth of the map's width."""
    west, south, east, north = extent
    latitude = (south + north) / 2
    km_per_degree = 111.32 * math.cos(math.radians(latitude))
    target = (east - west) * km_per_degree / 5
    length = max((n for n in NICE_KM if n <= target), default=NICE_KM[0])
    degrees = length / km_per_degree
    x0 = west + (east - west) * 0.04
    y0 = south + (north - south) * 0.05
    ax.plot([x0, x0 + degrees], [y0, y0], color="#222", linewidth=3, solid_capstyle="butt")
    ax.text(x0 + degrees / 2, y0 + (north - south) * 0.015, f"{length} km", ha="center",
            va="bottom", fontsize=7, parse_math=False)


def _symbols(ax: Axes, incidents: pd.DataFrame) -> None:
    placed = incidents.dropna(subset=["latitude", "longitude"])
    if placed.empty:
        return
    radius = style.marker_radius(placed["fatalities"].fillna(0).to_numpy(dtype=float))
    symbols = pd.DataFrame({
        "x": placed["longitude"].to_numpy(), "y": placed["latitude"].to_numpy(),
        "size": (radius * 0.9) ** 2,
        "colour": [style.event_colour(e) for e in placed["event_type"]],
        "precision": placed["geo_precision"].fillna(style.UNKNOWN_PRECISION).to_numpy(),
    })
    raster = len(symbols) > RASTER_ABOVE
    region = stacked(symbols[symbols["precision"] == 3])
    nearby = stacked(symbols[symbols["precision"] == 2])
    exact = stacked(symbols[symbols["precision"] == 1])
    ax.scatter(region["x"], region["y"], s=region["size"] * 2.2, marker="s",
               c=_rgba(region, REGION_ALPHA), edgecolors=_rgba(region, REGION_ALPHA),
               linewidths=1, zorder=3, rasterized=raster)
    ax.scatter(nearby["x"], nearby["y"], s=nearby["size"], marker="o", facecolors="none",
               edgecolors=_rgba(nearby, 1.0), linewidths=1.6, zorder=4, rasterized=raster)
    ax.scatter(exact["x"], exact["y"], s=exact["size"], marker="o", c=_rgba(exact, EXACT_ALPHA),
               edgecolors=_rgba(exact, EXACT_ALPHA, "#222"), linewidths=0.5, zorder=5,
               rasterized=raster)


def stacked(symbols: pd.DataFrame) -> pd.DataFrame:
    """One row per distinct symbol (place, size, colour), in the order last drawn, with
    ``count``: how many incidents draw exactly that symbol.

    Incidents placed at the same gazetteer point with the same toll draw the same
    symbol; drawing it once with the opacity of ``count`` stacked copies (see ``_rgba``)
    gives the same picture for a third of the work on 100,000 synthetic incidents.
    """
    ordered = symbols.assign(order=np.arange(len(symbols)))
    grouped = ordered.groupby(["x", "y", "size", "colour"], sort=False)["order"]
    distinct = grouped.agg(["size", "max"]).rename(columns={"size": "count"})
    # Drawn where the last copy was: that is the one that showed on top.
    return distinct.sort_values("max").reset_index()


def _rgba(symbols: pd.DataFrame, alpha: float, colour: str | None = None) -> np.ndarray:
    """Each symbol's colour (or ``colour`` for all) with the opacity of ``count`` copies
    of it drawn one over the other at ``alpha``: 1 - (1 - alpha) ** count."""
    colours = [colour] * len(symbols) if colour else list(symbols["colour"])
    rgba = to_rgba_array(colours) if len(symbols) else np.zeros((0, 4))
    rgba[:, 3] = 1 - (1 - alpha) ** symbols["count"].to_numpy(dtype=float)
    return rgba


def _legend(ax: Axes, incidents: pd.DataFrame, language: str) -> None:
    w = words(language)
    from incidents import model

    types = sorted(str(e) for e in incidents["event_type"].dropna().unique())
    handles = [Line2D([], [], marker="o", linestyle="", markersize=6,
                      markerfacecolor=style.event_colour(e), markeredgecolor="#222",
                      label=model.label(e, language)) for e in types]
    handles += [
        Line2D([], [], marker="o", linestyle="", markersize=6, markerfacecolor="#555",
               markeredgecolor="#222", label=w["precision_1"]),
        Line2D([], [], marker="o", linestyle="", markersize=6, markerfacecolor="none",
               markeredgecolor="#555", markeredgewidth=1.5, label=w["precision_2"]),
        Line2D([], [], marker="s", linestyle="", markersize=7, markerfacecolor="#55555540",
               markeredgecolor="#555", label=w["precision_3"]),
    ]
    legend = ax.legend(handles=handles, loc="lower right", fontsize=6.5, framealpha=0.92,
                       title=f"{w['legend_types']} · {w['legend_precision']}",
                       title_fontsize=6.5, borderpad=0.6)
    for text in legend.get_texts():
        text.set_parse_math(False)


def draw_map(ax: Axes, incidents: pd.DataFrame, language: str) -> None:
    """The filtered incidents on ``ax``, framed on them (the Sahel when none is placed)."""
    w = words(language)
    extent = _extent(incidents)
    west, south, east, north = extent
    ax.set_facecolor(WATER)
    regions, countries = _boundaries()
    window = regions.cx[west:east, south:north]
    if len(window):
        window.plot(ax=ax, facecolor=LAND, edgecolor=REGION_EDGE, linewidth=0.4, zorder=1)
        countries.cx[west:east, south:north].boundary.plot(ax=ax, color=COUNTRY_EDGE,
                                                           linewidth=0.9, zorder=2)
    _symbols(ax, incidents)
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    ax.set_aspect(1 / math.cos(math.radians((south + north) / 2)))
    ax.tick_params(labelsize=6)
    ax.set_xlabel("")
    ax.set_ylabel("")
    _scale_bar(ax, extent)
    _legend(ax, incidents, language)
    ax.text(0.005, 0.005, w["attribution"], transform=ax.transAxes, fontsize=5.5,
            ha="left", va="bottom", color="#333", parse_math=False,
            bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none", "pad": 1.5})
