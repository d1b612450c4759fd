"""Loading incidents for the dashboard, with Streamlit caching around the core calls.

The store's frame is cached per (path, store generation), so any write to the
store (an import, a manual correction) invalidates it without bookkeeping. It is
the store's map snapshot (categorical filter columns, H3 cell ids, no geometry), the shape
``incidents.selection`` and ``build_map`` work fastest on; samples and uploads
are brought to the same shape with :func:`as_map_frame`.
The gazetteer geocoder and the store object are shared read-only resources.

The store's frame is held with ``st.cache_resource`` rather than ``cache_data``:
cache_data hands every rerun a fresh unpickled copy, which for 100,000 incidents
costs about 0.2-0.4 s of the one-second budget. Nothing in the dashboard mutates
the frame (filters return new frames), so sharing one object is safe.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from incidents import config, model, pipeline
from incidents.geocode import GazetteerGeocoder, geocode_frame
from incidents.io import IngestResult, read_incidents
from incidents.spatial_index import map_snapshot
from incidents.store import Store, default_location, open_store
from incidents.store.queries import ServedQueries, served_queries
from incidents.store.review import without_merged


def store_path() -> str:
    """The store the dashboard works on: ``$INCIDENTS_STORE`` (a file or a
    ``postgresql://`` URL), else $INCIDENTS_HOME/incidents.sqlite or var/."""
    return default_location()


@st.cache_resource(show_spinner=False)
def get_store(path: str) -> Store:
    return open_store(path)


@st.cache_resource(show_spinner=False)
def get_geocoder() -> GazetteerGeocoder:
    return GazetteerGeocoder()


@st.cache_resource(show_spinner=False, max_entries=4)
def get_online_geocoder(provider: str, provider_url: str) -> Any:
    """An online provider chained before the gazetteer (``geocode.online.get_geocoder``),
    one per provider and address, so its pace and circuit breaker hold across reruns."""
    from incidents.geocode.online import get_geocoder as online_geocoder

    return online_geocoder(provider, provider_url=provider_url or None)


def store_version(path: str | Path) -> int:
    """Grows with every import or edit. The file's modification time is not enough:
    SQLite's write-ahead log can hold a write the main file does not show yet."""
    return get_store(str(path)).generation()


@st.cache_resource(show_spinner=False, max_entries=2)
def load_store_frame(path: str, version: int) -> pd.DataFrame:
    """Every stored incident as a map frame (no geometry); ``version`` only keys the cache.

    Incidents an analyst merged into another are left out (their sources live on in
    the survivor), so the map, table, figures and exports count each event once.
    """
    return without_merged(get_store(path).load_map_snapshot())


def served(path: str) -> ServedQueries | None:
    """The store's server answers, when the store is a server (PostGIS): the dashboard
    then asks it for each figure instead of loading the incidents."""
    return served_queries(get_store(path))


@st.cache_data(show_spinner=False, max_entries=2)
def store_choices(path: str, version: int) -> pd.DataFrame:
    """The filter choices of a server store (``ServedQueries.choices``), per generation."""
    queries = served(path)
    assert queries is not None
    return queries.choices()


def as_map_frame(records: pd.DataFrame) -> pd.DataFrame:
    """Incidents read outside the store, in the store snapshot's shape (no geometry),
    conformed as the store conforms the rows it snapshots."""
    return map_snapshot(model.conform(records))


@st.cache_data(show_spinner=False, max_entries=2)
def load_store_quarantine(path: str, version: int) -> pd.DataFrame:
    return get_store(path).load_quarantine()


def sample_files() -> list[Path]:
    """The bundled sample files, in the order the pipeline loads them."""
    return [config.SAMPLES_DIR / name for name in pipeline.SAMPLE_FILES]


def ingest_bytes(
    data: bytes,
    filename: str,
    progress: Callable[[int, int], None] | None = None,
) -> IngestResult:
    """Read, validate and geocode one file's bytes (nothing is stored)."""
    result = read_incidents(data, filename=filename, max_bytes=config.MAX_INPUT_BYTES)
    result.records = geocode_frame(result.records, get_geocoder(), progress=progress)
    return result


@st.cache_data(show_spinner=False, max_entries=4)
def ingest_upload(_data: bytes, filename: str, digest: str) -> IngestResult:
    """Cached :func:`ingest_bytes` for a file viewed in the sidebar.

    The cache is keyed on the content's ``digest``; the leading underscore keeps
    Streamlit from hashing the (up to 200 MB) bytes a second time.
    """
    return ingest_bytes(_data, filename)


@st.cache_resource(show_spinner=False, max_entries=2)
def upload_frames(_data: bytes, filename: str, digest: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """An uploaded file's incidents (as a map frame) and quarantine, cached by ``digest``."""
    result = ingest_upload(_data, filename, digest)
    return as_map_frame(result.records), result.quarantine


def content_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@st.cache_resource(show_spinner=False)
def load_samples() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The bundled samples as one map frame plus their quarantine, read in memory.

    A shared resource like the store's frame: nothing downstream mutates it."""
    records, quarantines = [], []
    for path in sample_files():
        result = ingest_bytes(path.read_bytes(), path.name)
        records.append(result.records)
        quarantine = result.quarantine.copy()
        quarantine.insert(0, "source_name", path.name)
        quarantines.append(quarantine)
    if not records:
        return as_map_frame(pd.DataFrame()), pd.DataFrame()
    return (
        as_map_frame(pd.concat(records, ignore_index=True)),
        pd.concat(quarantines, ignore_index=True),
    )


def seed_store_if_empty(store: Store) -> int:
    """Import the bundled samples into a store that never had an import.

    Returns how many files were loaded. A store the analyst emptied on purpose
    (it has imports on record), or one open read-only, is left alone.
    """
    if getattr(store, "read_only", False) or store.count() > 0 or len(store.imports()) > 0:
        return 0
    return len(pipeline.load_samples(store, geocoder=get_geocoder()))
