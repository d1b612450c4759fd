"""The reference layer at village zoom: gazetteer places in view as labelled points.

Past zoom 6 the bundled tiles are a blur; from ``REFERENCE_MIN_ZOOM`` the map
labels the places the offline gazetteer knows (the bundled GeoNames places and any
country file imported with ``gazetteer import``) inside the analyst's view, the
most populous first, at most ``MAX_PLACES``. Labels use the base map's town style.
Under them, the outlines of the finer admin units bundled in
``data/boundaries/fine_admin.parquet`` (Mali's cercles, Burkina Faso's communes:
``scripts/build_fine_boundaries.py``) that cross the view, as thin dashed lines that
take no clicks.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import folium
import pandas as pd
import shapely

from incidents import config
from incidents.maps.escape import escape_text
from incidents.regions.boundaries import BOUNDARIES_DIR

REFERENCE_MIN_ZOOM = 9
MAX_PLACES = 300
COLUMNS = ["name", "latitude", "longitude", "population"]
FINE_ADMIN_FILE = BOUNDARIES_DIR / "fine_admin.parquet"
OUTLINE_STYLE = {"color": "#6b6b6b", "weight": 1, "opacity": 0.8, "dashArray": "4 3",
                 "fill": False}


@lru_cache(maxsize=2)
def _places(directory: str, stamp: float) -> pd.DataFrame:
    from pyarrow import feather

    from incidents.geocode.build import PLACES_FILE
    from incidents.geocode.gazetteer import layer_files

    folder = Path(directory)
    index = feather.read_table(folder / PLACES_FILE, memory_map=True)
    kept = [name for name in (*COLUMNS, "feature") if name in index.schema.names]
    frames = [_populated(index.select(kept).to_pandas())]
    for path in layer_files(folder):
        layer = pd.read_parquet(path)
        if set(COLUMNS) <= set(layer.columns) and len(layer):
            frames.append(_populated(layer))
    places = pd.concat(frames, ignore_index=True)
    places["population"] = pd.to_numeric(places["population"], errors="coerce").fillna(0)
    return places.sort_values("population", ascending=False, kind="stable")


def _populated(places: pd.DataFrame) -> pd.DataFrame:
    """Towns and villages only: the gazetteer also holds streams, wadis and wells, found
    by the geocoder but misleading as one labelled dot (GeoNames feature codes PPL*;
    an entry without a code comes from a list of populated places)."""
    if "feature" not in places.columns:
        return places[COLUMNS]
    feature = places["feature"].fillna("").astype(str)
    return places.loc[(feature == "") | feature.str.startswith("PPL"), COLUMNS]


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


@lru_cache(maxsize=1)
def _fine_admin(path: str) -> object:
    import geopandas as gpd

    return gpd.read_parquet(path)


def outlines_in_view(south: float, west: float, north: float, east: float) -> object:
    """The bundled cercle/commune outlines crossing the bounds (a GeoDataFrame of
    name, level, iso_a3 and geometry; empty when the file is not bundled)."""
    import geopandas as gpd

    if not FINE_ADMIN_FILE.is_file():
        return gpd.GeoDataFrame({"name": [], "level": [], "iso_a3": []}, geometry=[],
                                crs="EPSG:4326")
    units = _fine_admin(str(FINE_ADMIN_FILE))
    return units.iloc[sorted(units.sindex.query(shapely.box(west, south, east, north)))]


def reference_layer(south: float, west: float, north: float, east: float, *,
                    name: str) -> folium.FeatureGroup:
    """The places in the bounds as labels that neither take clicks nor hide incidents."""
    group = folium.FeatureGroup(name=name, overlay=True, control=True, show=True)
    outlines = outlines_in_view(south, west, north, east)
    if len(outlines):
        folium.GeoJson(outlines[["geometry"]].__geo_interface__, name=None, interactive=False,
                       style_function=lambda _feature: OUTLINE_STYLE,
                       control=False).add_to(group)
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
