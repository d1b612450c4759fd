"""A columnar copy of the store's incidents, so a big store opens in a fraction of a second.

Reading a million rows out of SQLite and conforming them costs about twenty
seconds. The snapshot holds the same rows with the H3 cell ids and the
categorical filter columns already computed, as an uncompressed Arrow IPC file
that is memory-mapped rather than read: opening it costs no decoding at all
(a million rows: 0.05 s and 0.07 s of CPU, against 0.2-0.6 s and 0.4-1.1 s of
CPU for the LZ4 Parquet used before), and the text columns (notes, sources,
actors) stay on disk, paged in only when something reads them. The price is
disk: about as much as the SQLite store itself (670 MB at a million rows,
where LZ4 Parquet took 43 MB). On a two-core machine the CPU saved is what
lets the dashboard's first map be drawn while the browser is still busy.

The snapshot sits next to an SQLite store (``incidents.sqlite.snapshot.arrow``),
or in the state directory for a PostGIS one, and records the store *generation*
it was taken at: a counter every backend bumps in every write transaction
(:class:`SnapshotCache` is the one cache over any backend). A snapshot whose generation
differs from the store's, or that cannot be read at all, is simply ignored and
rebuilt from the store, so it can never serve stale or broken data. A new
snapshot replaces the old file by renaming, never by writing into it, so a
process still reading the old one through its mapping keeps seeing it whole.

Latitude/longitude columns are stored rather than geometry: the point geometry
is rebuilt from the two numbers (as ``incidents.frame`` does anyway), which is
faster than decoding WKB and keeps one source of truth.
"""

from __future__ import annotations

import gc
import glob
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import shapely
from geopandas.array import GeometryArray

from incidents import model
from incidents.atomic import atomic_path
from incidents.frame import to_records
from incidents.spatial_index import CATEGORICAL_COLUMNS, MAP_RESOLUTIONS, cell_column, map_snapshot

SNAPSHOT_SUFFIX = ".snapshot.arrow"
# Where snapshots were kept while they were Parquet; removed when a new one is written.
LEGACY_SUFFIXES = (".snapshot.parquet",)
# Bump when the snapshot's columns or dtypes change, so old files are rebuilt.
SNAPSHOT_FORMAT = "2"
_GENERATION_KEY = b"incidents.generation"
_FORMAT_KEY = b"incidents.snapshot_format"
# The snapshot is as readable as a store.
SNAPSHOT_MODE = 0o644
# A temporary snapshot this old was left by a killed writer (see _remove_stale_temporaries).
STALE_TEMPORARY_SECONDS = 600
# Rows per record batch: the file is read whole through a mapping, so this only bounds
# the memory the writer holds at once.
BATCH_ROWS = 1 << 17
MAP_COLUMNS: tuple[str, ...] = tuple(cell_column(r) for r in MAP_RESOLUTIONS)


@contextmanager
def paused_gc() -> Iterator[None]:
    """Hold Python's cyclic garbage collector while millions of objects are created.

    Decoding a million rows creates tens of millions of strings and points; each
    batch of allocations would otherwise trigger a full collection that walks
    the growing heap, which measured at 1M as 2-4x the decoding itself. Nothing
    created here forms cycles, so collecting later loses nothing.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def snapshot_path(store_path: Path) -> Path:
    """Where the snapshot of the store at ``store_path`` lives."""
    return store_path.with_name(store_path.name + SNAPSHOT_SUFFIX)


def write_snapshot(frame: pd.DataFrame, path: Path, generation: int) -> None:
    """Write ``frame`` (a ``map_snapshot`` of the canonical columns, no geometry) atomically.

    The file appears under its final name only once complete, so a reader in
    another process sees either the old snapshot or the new one.
    """
    table = pa.Table.from_pandas(
        pd.DataFrame(frame).drop(columns="geometry", errors="ignore"), preserve_index=False
    )
    metadata = dict(table.schema.metadata or {})
    metadata[_GENERATION_KEY] = str(generation).encode()
    metadata[_FORMAT_KEY] = SNAPSHOT_FORMAT.encode()
    _write_atomically(table.replace_schema_metadata(metadata), path)


def restamp(path: Path, generation: int, new_generation: int) -> bool:
    """Mark the snapshot taken at ``generation`` as taken at ``new_generation`` (for a
    write that changed no incident); False when there is no such snapshot."""
    if snapshot_generation(path) != generation:
        return False
    try:
        table = _read_table(path)
        metadata = dict(table.schema.metadata or {})
        metadata[_GENERATION_KEY] = str(new_generation).encode()
        _write_atomically(table.replace_schema_metadata(metadata), path)
    except (OSError, pa.ArrowException):
        return False
    return True


def _write_atomically(table: pa.Table, path: Path) -> None:
    """Write ``table`` so that it appears under ``path`` only once complete.

    A snapshot in an older format next to it is removed: it can never be read again.
    """
    _remove_stale_temporaries(path)
    with atomic_path(path, SNAPSHOT_MODE) as partial:
        with pa.OSFile(str(partial), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table, max_chunksize=BATCH_ROWS)
    stem = path.name.removesuffix(SNAPSHOT_SUFFIX)
    for suffix in LEGACY_SUFFIXES:
        path.with_name(stem + suffix).unlink(missing_ok=True)


def _remove_stale_temporaries(path: Path) -> None:
    """Delete half-written snapshots left by a killed process (``.<name>.<pid>.*.tmp``,
    as ``incidents.atomic.atomic_path`` names them).

    A temporary file is left when its writer's process is gone, or when it is older
    than ``STALE_TEMPORARY_SECONDS`` (a write takes seconds); another live
    process's fresh one is left alone.
    """
    cutoff = time.time() - STALE_TEMPORARY_SECONDS
    hidden = "." + path.name
    for leftover in path.parent.glob(glob.escape(hidden) + ".*.tmp"):
        try:
            if not _writer_alive(leftover.name[len(hidden):]) or (
                leftover.stat().st_mtime < cutoff
            ):
                leftover.unlink()
        except OSError:
            continue


def _writer_alive(rest: str) -> bool:
    """Whether the process named in a temporary file's ``.<pid>.`` part still runs."""
    pid = rest.split(".")[1] if rest.count(".") >= 2 else ""
    if not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def snapshot_generation(path: Path) -> int | None:
    """The store generation a snapshot file was taken at, or None if unusable."""
    try:
        with pa.memory_map(str(path)) as source:
            metadata = pa.ipc.open_file(source).schema.metadata or {}
    except (OSError, pa.ArrowException):
        return None
    if metadata.get(_FORMAT_KEY) != SNAPSHOT_FORMAT.encode():
        return None
    try:
        return int(metadata[_GENERATION_KEY])
    except (KeyError, ValueError):
        return None


def _read_table(path: Path) -> pa.Table:
    """The snapshot's table, its buffers pointing into a read-only mapping of the file.

    The mapping outlives the ``with``: Arrow keeps it open for as long as any
    buffer taken from it is referenced.
    """
    with pa.memory_map(str(path)) as source:
        table = pa.ipc.open_file(source).read_all()
    table.validate()
    return table


def read_snapshot(path: Path, generation: int) -> pd.DataFrame | None:
    """The snapshot's frame (cell ids, categorical filter columns), or None.

    None when the file is missing, was taken at another generation, or is
    damaged in any way Arrow notices; the caller then rebuilds it.
    """
    if snapshot_generation(path) != generation:
        return None
    try:
        with paused_gc():
            frame = _read_table(path).to_pandas()
    except (OSError, ValueError, pa.ArrowException):
        return None
    expected = set(model.CANONICAL_COLUMNS) | set(MAP_COLUMNS)
    if set(frame.columns) != expected:
        return None
    for column in CATEGORICAL_COLUMNS:
        values = frame[column]
        if isinstance(values.dtype, pd.CategoricalDtype):
            # Arrow hands back plain-str categories; map_snapshot makes ``string`` ones.
            categories = pd.Index(values.cat.categories, dtype="string")
            frame[column] = pd.Categorical.from_codes(values.cat.codes, categories=categories)
    return frame


def replace_rows(path: Path, generation: int, rows: pd.DataFrame) -> pd.DataFrame | None:
    """The snapshot at ``generation`` with ``rows`` (canonical, by incident_id) put in:
    a row already there is replaced, a new one added.

    Rows keep the store's order (event_date, then incident_id). None when
    there is no usable snapshot at that generation.
    """
    frame = read_snapshot(path, generation)
    if frame is None:
        return None
    fresh = map_snapshot(rows)
    for column in CATEGORICAL_COLUMNS:
        # New values become categories first, so every row keeps the categorical dtype.
        values = fresh[column].astype("string")
        missing = values.dropna().loc[~values.dropna().isin(frame[column].cat.categories)]
        frame[column] = frame[column].cat.add_categories(missing.unique())
        fresh[column] = pd.Categorical(values, categories=frame[column].cat.categories)
    positions = pd.Index(frame["incident_id"]).get_indexer(fresh["incident_id"])
    known = positions >= 0
    for column in fresh.columns:
        frame.iloc[positions[known], frame.columns.get_loc(column)] = (
            fresh[column].to_numpy()[known]
        )
    if not known.all():
        frame = pd.concat([frame, fresh.loc[~known, frame.columns]], ignore_index=True)
    return frame.sort_values(
        ["event_date", "incident_id"], na_position="first", kind="stable", ignore_index=True
    )


def with_geometry(frame: pd.DataFrame) -> gpd.GeoDataFrame:
    """``frame`` with Point geometry from its coordinates (None where not placed).

    Same rule as ``incidents.frame.to_geodataframe`` without re-conforming
    columns the snapshot already stores with canonical dtypes.
    """
    lon = frame["longitude"].to_numpy(dtype="float64", na_value=np.nan)
    lat = frame["latitude"].to_numpy(dtype="float64", na_value=np.nan)
    placed = np.isfinite(lon) & np.isfinite(lat) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    geometry = np.full(len(frame), None, dtype=object)
    with paused_gc():
        geometry[placed] = shapely.points(lon[placed], lat[placed])
    series = gpd.GeoSeries(GeometryArray(geometry, crs=model.CRS), index=frame.index)
    return gpd.GeoDataFrame(frame, geometry=series, copy=False)


def canonical_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """The snapshot frame as ``IncidentStore.load`` has always returned it.

    Cell-id columns are dropped and categorical columns go back to ``string``,
    so exports and value counts behave exactly as on a frame read from SQLite.
    """
    out = frame.drop(columns=[c for c in MAP_COLUMNS if c in frame.columns])
    for column in CATEGORICAL_COLUMNS:
        values = out[column] if column in out.columns else None
        if values is not None and isinstance(values.dtype, pd.CategoricalDtype):
            # Taking from the few distinct strings shares them instead of copying each row's.
            distinct = pd.array(values.cat.categories, dtype="string")
            out[column] = pd.Series(distinct.take(values.cat.codes.to_numpy(), allow_fill=True),
                                    index=out.index, name=column)
    return out


class SnapshotCache:
    """The map snapshot of one store, whatever its backend, kept at ``path`` and keyed
    on the store's generation.

    A backend only has to say its generation and read its rows; everything about
    the Arrow file (taking it, reading it when current, patching edited rows into
    it, re-stamping it after a write that changed no incident) lives here. A
    directory that cannot be written only costs speed: the frame still comes from
    the backend.
    """

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = path
        self.read_only = read_only  # a read-only store's directory is left as it is
        if not read_only:
            # A writer killed mid-snapshot (kill -9, power cut) left its temporary file:
            # gone as soon as the store is opened again, not at the next snapshot write.
            _remove_stale_temporaries(path)

    def read(self, generation: int) -> pd.DataFrame | None:
        """The snapshot's frame if it was taken at ``generation``, else None."""
        return read_snapshot(self.path, generation)

    def write(self, frame: pd.DataFrame, generation: int) -> bool:
        """Keep ``frame`` (a ``map_snapshot``) as the snapshot at ``generation``."""
        if self.read_only:
            return False
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_snapshot(frame, self.path, generation)
        except (OSError, pa.ArrowException):
            return False
        return True

    def take(self, records: pd.DataFrame, generation: int) -> pd.DataFrame:
        """The map snapshot of ``records`` (canonical rows as a backend reads them),
        kept at ``generation``."""
        frame = map_snapshot(model.conform(records))
        self.write(frame, generation)
        return frame

    def restamp(self, generation: int, new_generation: int) -> bool:
        """Carry the snapshot at ``generation`` over a write that changed no incident."""
        return restamp(self.path, generation, new_generation)

    def patch(self, generation: int, rows: pd.DataFrame) -> bool:
        """Put ``rows`` (canonical, as read back) into the snapshot at ``generation``,
        re-stamped ``generation + 1``; False when there was none to patch."""
        return self.catch_up(generation, generation + 1, rows) is not None

    def generation(self) -> int | None:
        """The generation the snapshot file was taken at (None when there is none)."""
        return snapshot_generation(self.path)

    def catch_up(self, generation: int, new_generation: int,
                 rows: pd.DataFrame) -> pd.DataFrame | None:
        """The snapshot at ``generation`` with ``rows`` (every row written since) put in,
        kept as the snapshot at ``new_generation``; None when there was none to patch."""
        try:
            patched = replace_rows(self.path, generation, to_records(rows))
            if patched is None:
                return None
            write_snapshot(patched, self.path, new_generation)
        except (OSError, pa.ArrowException):
            return None
        return patched
