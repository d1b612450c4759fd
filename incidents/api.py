"""The library face of the package, for notebooks and scripts.

Each function is a thin, typed door onto one stage; they are re-exported from
``incidents`` itself::

    import incidents
    frame, quarantine = incidents.read(incidents.sample("sahel_sample.csv"))
    placed = incidents.geocode(frame)
    chosen = incidents.select(placed, countries=["Mali"], start="2024-06-01")
    incidents.to_map(chosen)          # a folium.Map; in Jupyter it draws with no network

Heavy modules (pandas, geopandas, folium, spaCy) are imported inside the functions,
so ``import incidents`` and the command line start quickly.

The examples below are run by ``tests/test_api.py`` (doctest) against a temporary
state directory.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from incidents import config
from incidents.io.writers import FORMATS as WRITER_FORMATS

if TYPE_CHECKING:
    import folium
    import geopandas as gpd
    import pandas as pd
    from geopy.geocoders.base import Geocoder

    from incidents.extract import Candidate
    from incidents.filters import FilterSpec
    from incidents.io.writers import ExportSummary
    from incidents.selection import Selection
    from incidents.store import Store

# What export() writes: the data formats of incidents.io.writers plus a standalone map.
EXPORT_FORMATS = (*WRITER_FORMATS, "html")


def sample(name: str = "sahel_sample.csv") -> Path:
    """The path of a bundled sample file (``seed_incident.csv``, ``sahel_sample.csv``,
    ``bad_rows.csv``), wherever the package is installed.

    >>> sample("seed_incident.csv").name
    'seed_incident.csv'
    """
    path = config.SAMPLES_DIR / name
    if not path.is_file():
        known = ", ".join(sorted(p.name for p in config.SAMPLES_DIR.glob("*.csv")))
        raise FileNotFoundError(f"no bundled sample {name!r}; the samples are {known}")
    return path


def read(path: str | os.PathLike | bytes | IO[bytes], **options: Any) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Read an incident file into ``(incidents, quarantine)``.

    CSV, XLSX, JSON, GeoJSON or GeoPackage, in ACLED, UCDP GED or our own columns.
    ``incidents`` is a GeoDataFrame (EPSG:4326) of canonical columns, one row per
    accepted input row; ``quarantine`` holds every other row with its ``reason``.
    ``options`` go to ``incidents.io.read_incidents`` (``filename``, ``max_bytes``,
    ``sheet``). A file that cannot be used at all raises ``IngestError``.

    >>> frame, quarantine = read(sample("bad_rows.csv"))
    >>> len(frame) + len(quarantine) == 10, frame.crs.to_epsg()
    (True, 4326)
    >>> quarantine["reason"].iloc[0].startswith("event_date '2024-13-45' is not a real date")
    True
    """
    from incidents.frame import to_geodataframe
    from incidents.io import read_incidents

    result = read_incidents(path, **options)
    return to_geodataframe(result.records), result.quarantine


def geocode(
    frame_or_names: pd.DataFrame | Iterable[str] | str,
    *,
    geocoder: Geocoder | None = None,
    country: str | None = None,
) -> gpd.GeoDataFrame:
    """Place incidents, or place names, with the offline gazetteer (or ``geocoder``).

    Given an incident frame, rows without coordinates are placed from their
    location, admin2, admin1 and country; rows that came with coordinates keep
    them (see ``incidents.geocode.geocode_frame``). Given names, one row per name
    comes back, like ``geopandas.tools.geocode``: ``query``, ``address``,
    ``precision`` (1 place, 2 district, 3 region, 4 country), ``method``,
    ``score`` and a point geometry (missing when nothing matched). ``country``
    narrows name lookups.

    >>> places = geocode(["Kimparana", "Nowhere-at-all-xyz"], country="Mali")
    >>> places["address"].iloc[0]  # GeoNames spells it Kinmparana; the match is fuzzy
    'Kinmparana, Ségou, Mali'
    >>> places["precision"].tolist()
    [1, <NA>]
    """
    import pandas as pd

    if isinstance(frame_or_names, pd.DataFrame):
        return _geocode_frame(frame_or_names, geocoder)
    names = [frame_or_names] if isinstance(frame_or_names, str) else list(frame_or_names)
    return _geocode_names(names, geocoder, country)


def _default_geocoder(geocoder: Geocoder | None) -> Geocoder:
    if geocoder is not None:
        return geocoder
    from incidents.geocode import GazetteerGeocoder

    return GazetteerGeocoder()


def _geocode_frame(frame: pd.DataFrame, geocoder: Geocoder | None) -> gpd.GeoDataFrame:
    from incidents.frame import to_geodataframe, to_records
    from incidents.geocode import geocode_frame

    return to_geodataframe(geocode_frame(to_records(frame), _default_geocoder(geocoder)))


def _geocode_names(names: list[str], geocoder: Geocoder | None, country: str | None) -> gpd.GeoDataFrame:
    import geopandas as gpd
    import pandas as pd
    import shapely

    chosen = _default_geocoder(geocoder)
    rows = []
    for name in names:
        location = chosen.geocode(name, country=country) if name and name.strip() else None
        raw = dict(location.raw) if location is not None else {}
        rows.append({
            "query": name,
            "address": location.address if location is not None else None,
            "precision": raw.get("precision"),
            "method": raw.get("method"),
            "score": raw.get("score"),
            "latitude": location.latitude if location is not None else None,
            "longitude": location.longitude if location is not None else None,
        })
    table = pd.DataFrame(rows, columns=["query", "address", "precision", "method", "score",
                                        "latitude", "longitude"])
    table = table.astype({"query": "string", "address": "string", "precision": "Int64",
                          "method": "string", "score": "Float64"})
    geometry = shapely.points(table["longitude"].astype(float), table["latitude"].astype(float))
    geometry[table["latitude"].isna().to_numpy()] = None
    return gpd.GeoDataFrame(table.drop(columns=["latitude", "longitude"]), geometry=geometry,
                            crs="EPSG:4326")


def open_store(location: str | os.PathLike | None = None) -> Store:
    """The incident store at ``location``: an SQLite file (created when missing) or a
    ``postgresql://`` URL (a PostGIS server).

    Without a location: ``$INCIDENTS_STORE``, else ``incidents.sqlite`` in the state
    directory (``$INCIDENTS_HOME``, else ``var/``). ``store.import_records(...)`` adds
    incidents, ``store.load()`` gives them back as a GeoDataFrame.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     store = open_store(Path(folder) / "example.sqlite")
    ...     len(store.load())
    0
    """
    from incidents.store import open_store as open_backend

    return open_backend(location)


def select(frame: pd.DataFrame, spec: FilterSpec | None = None, **filters: Any) -> gpd.GeoDataFrame:
    """The incidents of ``frame`` that meet a filter, as a new GeoDataFrame.

    Give a ``FilterSpec`` or its fields as keywords: ``start``/``end`` (dates or
    ``YYYY-MM-DD``), ``preset`` (``last_7``, ``last_30``...), ``countries``,
    ``admin1s``, ``admin2s``, ``event_types``, ``sub_event_types``, ``statuses``,
    ``actor``, ``min_fatalities``, ``max_geo_precision``, ``text``, ``near``
    (``"lat,lon,km"``), ``polygon`` (WKT or GeoJSON). Names are compared without
    case or accents.

    >>> frame, _ = read(sample())
    >>> len(select(frame, countries=["mali"], event_types="Battles")) <= len(frame)
    True
    >>> select(frame, countries=["Niger"])["country"].unique().tolist()
    ['Niger']
    """
    from incidents.filters import FilterSpec, apply_filters
    from incidents.frame import to_geodataframe

    if spec is None:
        spec = FilterSpec(**filters)
    elif filters:
        raise TypeError("give either a FilterSpec or filter keywords, not both")
    chosen = apply_filters(frame, spec)
    return chosen if _is_geo(chosen) else to_geodataframe(chosen)


def _is_geo(frame: Any) -> bool:
    import geopandas as gpd

    return isinstance(frame, gpd.GeoDataFrame)


def extract(
    text: str,
    published: date | datetime | str | None = None,
    url: str | None = None,
    *,
    geocoder: Geocoder | None = None,
    language: str | None = None,
) -> list[Candidate]:
    """Candidate incidents in a French or English news article.

    Each candidate has ``.record`` (canonical columns, geocoded offline),
    ``.evidence[field]`` (the spans of ``text`` each value came from, with a
    confidence) and ``.problems``. ``incidents.extract.candidates_frame(found)``
    turns them into records for a store. Loads a spaCy pipeline on first use.

    >>> found = extract("Trois civils ont été tués à Kimparana, dans la région "
    ...                 "de Ségou, le 7 décembre 2024.", published="2024-12-08")
    >>> found[0].record["fatalities"], found[0].record["admin1"]
    (3, 'Ségou')
    """
    from incidents.extract import extract_incidents

    return extract_incidents(text, published, url, geocoder=geocoder, language=language)


def to_map(
    selection: pd.DataFrame | Selection,
    *,
    language: str = "en",
    layers: Iterable[str] = ("incidents", "heat"),
) -> folium.Map:
    """A folium map of the incidents, drawn with no network.

    Markers (hexagons above 5,000 incidents), precision drawn honestly, a legend
    and a heat layer, on the offline base map. In Jupyter the map shows inline
    with every script, stylesheet and base-map tile embedded in the cell's HTML,
    and ``map.save("file.html")`` writes the same self-contained page. Needs the
    map assets installed once (``incidents setup``; ``make setup`` in a checkout).

    >>> frame, _ = read(sample())
    >>> fmap = to_map(frame)
    >>> "cdn.jsdelivr" in fmap._repr_html_(), "leaflet" in fmap._repr_html_().lower()
    (False, True)
    """
    from incidents.notebook import notebook_map

    return notebook_map(selection, language=language, layers=tuple(layers))


def export(frame: pd.DataFrame | Selection, fmt: str, dest: str | os.PathLike | IO[bytes]) -> ExportSummary:
    """Write incidents to ``dest`` as ``geojson``, ``csv``, ``gpkg``, ``kml`` or ``html``
    (a standalone map); returns the rows written and skipped.

    GeoJSON is RFC 7946; CSV uses ACLED's column order and neutralises formulas;
    KML skips incidents without coordinates (counted in ``rows_skipped``).

    >>> import io
    >>> frame, _ = read(sample("seed_incident.csv"))
    >>> buffer = io.BytesIO()
    >>> export(frame, "geojson", buffer).rows_written
    1
    """
    from incidents.io.writers import ExportSummary, export as write
    from incidents.selection import Selection

    if isinstance(frame, Selection):
        frame = frame.incidents()
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    if fmt != "html":
        return write(frame, fmt, dest)
    from incidents.notebook import standalone_page

    page = standalone_page(frame)
    if hasattr(dest, "write"):
        dest.write(page)
    else:
        from incidents.atomic import write_bytes_atomically

        write_bytes_atomically(dest, page)
    placed = int(frame["latitude"].notna().sum()) if "latitude" in frame else len(frame)
    return ExportSummary("html", placed, len(frame) - placed)
