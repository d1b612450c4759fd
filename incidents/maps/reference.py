"""The reference layer at village zoom: gazetteer places in view as labelled points.

Past zoom 6 the bundled tiles are a blur; from ``REFERENCE_MIN_ZOOM`` the map
labels the places the offline gazetteer knows (the bundled GeoNames places and any
country file imported with ``gazetteer import``) inside the analyst's view, the
most populous first, at most ``MAX_PLACES``. Labels use the base map's town style.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import folium
import pandas as pd

from incidents import config
from incidents.maps.escape import escape_text

REFERENCE_MIN_ZOOM = 9
MAX_PLACES = 300
COLUMNS = ["name", "latitude", "longitude", "population"]


@lru_cache(maxsize=2)
def _places(directory: str, stamp: float) -> pd.DataFrame:
    from pyarrow import feather

    from incidents.geocode.build import PLACES_FILE
    from incidents.geocode.gazetteer import layer_files

    folder = Path(directory)
    frames = [feather.read_table(folder / PLACES_FILE, columns=COLUMNS, memory_map=True).to_pandas()]
    for path in layer_files(folder):
        layer = pd.read_parquet(path)
        if set(COLUMNS) <= set(layer.columns) and len(layer):
            frames.append(layer[COLUMNS])
    places = pd.concat(frames, ignore_index=True)
    places["population"] = pd.to_numeric(places["population"], errors="coerce").fillna(0)
    return places.sort_values("population", ascending=False, kind="stable")


def places_in_view(south: float, west: float, north: float, east: float,
                   limit: int = MAX_PLACES) -> pd.DataFrame:
    """Gazetteer places inside the bounds, the most populous first (empty without an index)."""
    from incidents.geocode.build import PLACES_FILE

    folder = config.gazetteer_dir()
    index = folder / PLACES_FILE
    if not index.is_file():
        return pd.DataFrame(columns=COLUMNS)
    places = _places(str(folder), index.stat().st_mtime)
    inside = places["latitude"].between(south, north) & places["longitude"].between(west, east)
    return places[inside].head(limit)


def reference_layer(south: float, west: float, north: float, east: float, *,
                    name: str) -> folium.FeatureGroup:
    """The places in the bounds as labels that neither take clicks nor hide incidents."""
    group = folium.FeatureGroup(name=name, overlay=True, control=True, show=True)
    for place in places_in_view(south, west, north, east).itertuples():
        folium.Marker(
            location=(float(place.latitude), float(place.longitude)),
            icon=folium.DivIcon(
                html=f'<div class="incidents-town-label">{escape_text(place.name)}</div>',
                icon_size=(140, 14), icon_anchor=(-4, 7),
                class_name="incidents-town incidents-reference-place"),
            interactive=False, keyboard=False,
        ).add_to(group)
    return group
