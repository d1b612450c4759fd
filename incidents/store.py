"""The embedded incident store: one SQLite file, atomic imports, edit history.

Decisions worth knowing:

* **Stable ids.** A record keeps the ``incident_id`` it arrives with. Otherwise
  its ACLED ``event_id_cnty`` is the id (those are unique by design); failing
  that, the id is ``h`` + a SHA-1 prefix of date, location (coordinates only
  when there is no location name), event and sub-event type, actors and source.
  Fields a geocoder fills (country, admin1, coordinates of named places) are left
  out so that geocoding a file or not gives the same ids. Rows that share an id
  within one import get ``-2``, ``-3`` ... suffixes in file order, so the same
  file always maps to the same ids.
* **Re-import updates.** A record whose id already exists replaces the stored
  one (``created_at`` is kept, ``updated_at`` moves only if something changed),
  except for fields an analyst edited through :meth:`IncidentStore.update`: those
  keep the analyst's latest value.
* **Possible duplicates are flagged, never deleted.** An incoming record with the
  same event_type, a date at most one day apart, and the same place (coordinates
  equal to 2 decimals, about 1 km, or the same country + admin1 + location, compared
  without case or accents) as an existing record, or as an earlier row of the same
  import, gets ``possible_duplicate_of`` and status ``needs_review``.
* **Atomic.** Everything an import writes happens in one transaction; on any
  error the store is exactly as it was and :class:`StoreError` is raised.
* **Canonical columns only.** Extra source columns a reader kept are not stored;
  the original file remains the record of those.
* **Columnar snapshot.** Every write transaction bumps a generation counter in
  the ``meta`` table; :meth:`IncidentStore.load` reads an Arrow snapshot taken at
  the current generation (``incidents.snapshot``) and rebuilds it from SQLite when
  it is missing, stale or damaged. An import rebuilds it straight away; an edit
  patches the edited row into it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
from pandas.errors import DatabaseError as PandasDatabaseError

from incidents import config, model
from incidents.errors import StoreError
from incidents.filters import fold_text
from incidents.frame import to_records
from incidents.snapshot import (
    canonical_columns,
    read_snapshot,
    replace_rows,
    restamp,
    snapshot_path,
    with_geometry,
    write_snapshot,
)
from incidents.spatial_index import map_snapshot
from incidents.text import content_ids

SCHEMA_VERSION = 1
PROTECTED_FIELDS = frozenset({"incident_id", "created_at", "updated_at"})
DUPLICATE_DAYS = 1
COORDINATE_DECIMALS = 2
PAGE_CACHE_KIB = 256 * 1024
STORAGE_CHUNK_ROWS = 50_000
# Up to this many inserted or changed rows, an import patches the snapshot instead of
# rebuilding it from every stored row.
SNAPSHOT_PATCH_MAX_ROWS = 100_000
_DUPLICATE_FIELDS = (
    "incident_id", "event_date", "event_type", "country", "admin1", "location",
    "latitude", "longitude",
)


def _sql_type(column: str) -> str:
    if column in model.INTEGER_COLUMNS or column in model.BOOL_COLUMNS:
        return "INTEGER"
    if column in model.FLOAT_COLUMNS:
        return "REAL"
    return "TEXT"


_INCIDENT_COLUMNS = ",\n  ".join(
    f"{c} {_sql_type(c)}" + (" PRIMARY KEY" if c == "incident_id" else "")
    for c in model.CANONICAL_COLUMNS
)
_INCIDENT_INDEXES = {
    name: f"CREATE INDEX IF NOT EXISTS {name} ON incidents ({columns})"
    for name, columns in (
        ("incidents_date", "event_date"),
        ("incidents_type_date", "event_type, event_date"),
        ("incidents_country", "country"),
    )
}
_INDEX_STATEMENTS = ";\n".join(_INCIDENT_INDEXES.values())
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS incidents (
  {_INCIDENT_COLUMNS}
);
{_INDEX_STATEMENTS};
CREATE TABLE IF NOT EXISTS imports (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  source_name TEXT NOT NULL,
  imported_at TEXT NOT NULL,
  rows INTEGER, accepted INTEGER, quarantined INTEGER,
  inserted INTEGER, updated INTEGER, unchanged INTEGER, possible_duplicates INTEGER
);
CREATE TABLE IF NOT EXISTS quarantine (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  import_id INTEGER NOT NULL REFERENCES imports (id),
  source_name TEXT NOT NULL,
  row_number INTEGER,
  reason TEXT NOT NULL,
  original_json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS edits (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  incident_id TEXT NOT NULL REFERENCES incidents (incident_id),
  user TEXT NOT NULL,
  edited_at TEXT NOT NULL,
  field TEXT NOT NULL,
  old_value TEXT,
  new_value TEXT
);
CREATE INDEX IF NOT EXISTS edits_incident ON edits (incident_id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO meta (key, value) VALUES ('generation', 0);
"""
_BUMP_GENERATION = "UPDATE meta SET value = value + 1 WHERE key = 'generation'"
# Touches the incidents table too, so a store damaged behind our back still fails loudly
# instead of being served from its snapshot.
_GENERATION = (
    "SELECT value, (SELECT MAX(rowid) FROM incidents) FROM meta WHERE key = 'generation'"
)


@dataclass(frozen=True)
class _Written:
    """What an import transaction wrote, for bringing the snapshot up to date."""

    before: int  # the generation before the transaction (it commits ``before + 1``)
    first_rows: pd.DataFrame | None  # every row, when the store was empty before
    changed_rows: pd.DataFrame | None  # the rows inserted or changed, when few enough


@dataclass(frozen=True)
class ImportSummary:
    import_id: int
    source_name: str
    imported_at: str
    rows: int
    accepted: int
    quarantined: int
    inserted: int
    updated: int
    unchanged: int
    possible_duplicates: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def assign_incident_ids(records: pd.DataFrame) -> pd.Series:
    """The stable id of every record (see the module docstring for the rule)."""
    given = records["incident_id"].astype("string").str.strip().replace("", pd.NA)
    acled = records["event_id_cnty"].astype("string").str.strip().replace("", pd.NA)
    ids = given.fillna(acled)
    unnamed = ids.isna().to_numpy()
    if unnamed.any():
        ids[unnamed] = _content_ids(records[unnamed])
    occurrence = ids.groupby(ids, sort=False).cumcount()
    suffix = ("-" + (occurrence + 1).astype("string")).where(occurrence > 0, "")
    return (ids + suffix).astype("string")


def _content_ids(records: pd.DataFrame) -> pd.Series:
    """Ids of rows with no id of their own: frozen id rule 1 (``incidents.text``)."""
    return content_ids(records)


def _place_keys(frame: pd.DataFrame) -> pd.DataFrame:
    """Long frame (position, day, event_type, place) with up to two place keys per row."""
    day = frame["event_date"].to_numpy(dtype="datetime64[D]").astype("int64")
    base = pd.DataFrame(
        {"position": frame["position"].to_numpy(), "day": day,
         "event_type": frame["event_type"].astype("string").to_numpy()}
    )
    lat = frame["latitude"].round(COORDINATE_DECIMALS)
    lon = frame["longitude"].round(COORDINATE_DECIMALS)
    coords = "c:" + lat.astype("string") + "," + lon.astype("string")
    names = "n:" + fold_text(frame["country"]).fillna("") + "|" + fold_text(
        frame["admin1"]).fillna("") + "|" + fold_text(frame["location"])
    keys = pd.concat(
        [base.assign(place=coords.to_numpy()), base.assign(place=names.to_numpy())],
        ignore_index=True,
    )
    return keys[keys["place"].notna() & keys["event_type"].notna()]


def find_possible_duplicates(incoming: pd.DataFrame, existing: pd.DataFrame) -> pd.Series:
    """For each incoming row, the id of an earlier record it may duplicate (else NA).

    ``incoming`` rows are in import order; ``existing`` are stored records that
    are not part of this import. An existing record is preferred over an
    earlier incoming row. Matching is a join on (event_type, place, day) against
    copies of the candidates shifted by -1, 0 and +1 day, so it stays linear in
    the data rather than comparing every pair.
    """
    n_existing = len(existing)
    fields = list(_DUPLICATE_FIELDS)
    candidates = pd.concat([existing[fields], incoming[fields]], ignore_index=True)
    candidates["position"] = np.arange(len(candidates))
    candidates = candidates[candidates["event_date"].notna()]
    keys = _place_keys(candidates)
    offsets = range(-DUPLICATE_DAYS, DUPLICATE_DAYS + 1)
    shifted = pd.concat(
        [keys.assign(day=keys["day"] + offset) for offset in offsets], ignore_index=True
    )
    left = keys[keys["position"] >= n_existing]
    pairs = left.merge(shifted, on=["event_type", "place", "day"], suffixes=("", "_other"))
    pairs = pairs[pairs["position_other"] < pairs["position"]]
    earliest = pairs.groupby("position")["position_other"].min()
    ids = candidates.set_index("position")["incident_id"]
    result = pd.Series(pd.NA, index=incoming.index, dtype="string")
    incoming_positions = earliest.index.to_numpy() - n_existing
    result.iloc[incoming_positions] = ids.loc[earliest.to_numpy()].to_numpy()
    return result


def pack_source_extras(frame: pd.DataFrame) -> pd.Series:
    """Non-canonical columns as one JSON object per row (None when a row has none).

    A row's existing ``source_extra`` (e.g. from a re-imported export) is merged
    under the fresh values.
    """
    extras = [c for c in frame.columns if c not in model.CANONICAL_COLUMNS and c != "geometry"]
    existing = frame["source_extra"] if "source_extra" in frame else pd.Series(None, index=frame.index)
    if not extras:
        return existing
    values = frame[extras].astype(object)
    values = values.where(values.notna(), None)
    packed = []
    for before, row in zip(existing.tolist(), values.itertuples(index=False, name=None)):
        fields = json.loads(before) if isinstance(before, str) and before else {}
        fields.update({name: value for name, value in zip(extras, row) if value is not None})
        packed.append(json.dumps(fields, ensure_ascii=False, default=str) if fields else None)
    return pd.Series(packed, index=frame.index, dtype="string")


def _add_new_columns(conn: sqlite3.Connection) -> None:
    """Give a store made by an older version the canonical columns added since."""
    present = {row[1] for row in conn.execute("PRAGMA table_info(incidents)")}
    for column in model.CANONICAL_COLUMNS:
        if column not in present:
            conn.execute(f"ALTER TABLE incidents ADD COLUMN {column} {_sql_type(column)}")


def _storage_columns(frame: pd.DataFrame) -> list[list[Any]]:
    """Column-wise Python values ready for sqlite3 (None for missing)."""
    columns: list[list[Any]] = []
    for column in model.CANONICAL_COLUMNS:
        values = frame[column]
        if column in model.DATE_COLUMNS:
            values = values.dt.strftime("%Y-%m-%d")
        elif column in model.BOOL_COLUMNS:
            values = values.astype(int)
        values = values.astype(object)
        columns.append(values.where(values.notna(), None).tolist())
    return columns


def _storage_rows(
    frame: pd.DataFrame, edits: Mapping[str, Mapping[int, Any]] | None = None
) -> Iterator[tuple[Any, ...]]:
    """The rows of :func:`_storage_columns`, converted ``STORAGE_CHUNK_ROWS`` at a time,
    with ``edits`` ({incident_id: {column position: value}}) written over them."""
    ids_at = model.CANONICAL_COLUMNS.index("incident_id")
    for start in range(0, len(frame), STORAGE_CHUNK_ROWS):
        chunk = frame.iloc[start:start + STORAGE_CHUNK_ROWS]
        columns = _storage_columns(chunk)
        if edits:
            for position in np.flatnonzero(chunk["incident_id"].isin(list(edits)).to_numpy()):
                for column, value in edits[columns[ids_at][position]].items():
                    columns[column][position] = value
        yield from zip(*columns)


def _as_read_back(frame: pd.DataFrame) -> pd.DataFrame:
    """The canonical columns as SQLite will give them back once :func:`_storage_columns`
    has written them: dates keep only their day, everything else is unchanged."""
    stored = frame[list(model.CANONICAL_COLUMNS)].copy()
    for column in model.DATE_COLUMNS:
        stored[column] = stored[column].dt.floor("D")
    return stored


def _to_storage(column: str, value: Any) -> Any:
    """One value (e.g. from an analyst edit) in the form the incidents table keeps."""
    if value is None or (not isinstance(value, (list, dict)) and pd.isna(value)):
        return None
    try:
        if column in model.DATE_COLUMNS:
            return pd.Timestamp(value).strftime("%Y-%m-%d")
        if column in model.BOOL_COLUMNS:
            return int(bool(value))
        if column in model.INTEGER_COLUMNS:
            return int(value)
        if column in model.FLOAT_COLUMNS:
            return float(value)
    except (TypeError, ValueError) as error:
        raise StoreError(f"{column}: {value!r} is not a valid value") from error
    return str(value)


class IncidentStore:
    """Incidents, quarantined rows, imports and edits in one SQLite file."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else config.default_store_path()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = self._connect()
            try:
                # executescript manages its own transaction; the DDL is idempotent.
                # WAL lets the dashboard read while an import is being written.
                conn.executescript(SCHEMA + f"PRAGMA user_version = {SCHEMA_VERSION};")
                _add_new_columns(conn)
                conn.execute("PRAGMA journal_mode = WAL")
            finally:
                conn.close()
        except (OSError, sqlite3.Error) as error:
            raise StoreError(f"cannot open store {self.path}: {error}") from error

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        conn.execute("PRAGMA foreign_keys = ON")
        # In WAL mode NORMAL still commits atomically; it only skips an fsync per commit.
        conn.execute("PRAGMA synchronous = NORMAL")
        # SQLite's default 2 MB page cache spills constantly while a large import
        # updates the primary-key index; pages are only allocated when used.
        conn.execute(f"PRAGMA cache_size = -{PAGE_CACHE_KIB}")
        return conn

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            yield conn
            conn.execute(_BUMP_GENERATION)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        finally:
            conn.close()

    def import_records(
        self,
        records: pd.DataFrame,
        quarantine: pd.DataFrame | None = None,
        *,
        source_name: str,
    ) -> ImportSummary:
        """Store accepted records and quarantined rows of one source, atomically."""
        frame = model.conform(records.drop(columns="geometry", errors="ignore"))
        frame = frame.reset_index(drop=True)
        frame["source_extra"] = pack_source_extras(frame)
        frame["incident_id"] = assign_incident_ids(frame)
        # Only an explicit id clashing with a suffixed one can repeat; the later row wins.
        frame = frame.drop_duplicates("incident_id", keep="last").reset_index(drop=True)
        quarantine = quarantine if quarantine is not None else pd.DataFrame()
        imported_at = _now()
        try:
            with self._transaction() as conn:
                summary, written = self._import(conn, frame, quarantine, source_name,
                                                imported_at)
        except (sqlite3.Error, PandasDatabaseError) as error:
            raise StoreError(f"import of {source_name} failed, nothing stored: {error}") from error
        before = written.before
        if written.first_rows is not None:
            kept = self._snapshot_of_first_rows(before, written.first_rows)
        elif summary.inserted == 0 and summary.updated == 0:
            # Re-importing a file already stored changes no incident: the snapshot taken
            # before is still right (re-reading a million rows would take 15 s).
            kept = restamp(snapshot_path(self.path), before, before + 1)
        elif written.changed_rows is not None:
            kept = self._patch_snapshot(before, written.changed_rows)
        else:
            kept = False
        if not kept:
            self.refresh_snapshot()
        return summary

    def _import(
        self,
        conn: sqlite3.Connection,
        frame: pd.DataFrame,
        quarantine: pd.DataFrame,
        source_name: str,
        imported_at: str,
    ) -> tuple[ImportSummary, _Written]:
        """The summary, and what :meth:`import_records` needs to bring the snapshot up
        to date without reading the whole store back."""
        was_empty = not conn.execute("SELECT EXISTS (SELECT 1 FROM incidents)").fetchone()[0]
        cursor = conn.execute(
            "INSERT INTO imports (source_name, imported_at) VALUES (?, ?)",
            (source_name, imported_at),
        )
        import_id = int(cursor.lastrowid)
        existing_ids: set[str] = set()
        if not was_empty:
            # Nothing stored can clash with (or duplicate, or carry edits for) the
            # first import, so only later imports need the batch of incoming ids.
            conn.execute("CREATE TEMP TABLE IF NOT EXISTS batch (incident_id TEXT PRIMARY KEY)")
            conn.execute("DELETE FROM batch")
            conn.executemany(
                "INSERT INTO batch VALUES (?)", ((i,) for i in frame["incident_id"].tolist())
            )
            existing_ids = {
                row[0]
                for row in conn.execute(
                    "SELECT incident_id FROM incidents JOIN batch USING (incident_id)"
                )
            }
        frame = self._flag_duplicates(conn, frame, read_stored=not was_empty)
        frame["created_at"] = imported_at
        frame["updated_at"] = imported_at
        first_rows = changed_rows = None
        if was_empty:
            changed = self._bulk_insert(conn, frame)
            first_rows = _as_read_back(frame)
        else:
            changed = self._upsert(conn, _storage_rows(frame, self._analyst_edits(conn)))
            if 0 < changed <= SNAPSHOT_PATCH_MAX_ROWS:
                # Inserted or changed rows, and only those, now carry this import's time
                # (rows of another import in the same second may come along: harmless).
                changed_rows = pd.read_sql(
                    f"SELECT {', '.join(model.CANONICAL_COLUMNS)} FROM incidents"
                    " WHERE updated_at = ?", conn, params=(imported_at,),
                )
        written = _Written(int(conn.execute(_GENERATION).fetchone()[0]), first_rows, changed_rows)
        inserted = len(frame) - len(existing_ids)
        updated = changed - inserted
        self._write_quarantine(conn, quarantine, import_id, source_name)
        summary = ImportSummary(
            import_id=import_id,
            source_name=source_name,
            imported_at=imported_at,
            rows=len(frame) + len(quarantine),
            accepted=len(frame),
            quarantined=len(quarantine),
            inserted=inserted,
            updated=updated,
            unchanged=len(existing_ids) - updated,
            possible_duplicates=int(frame["possible_duplicate_of"].notna().sum()),
        )
        conn.execute(
            "UPDATE imports SET rows = ?, accepted = ?, quarantined = ?, inserted = ?,"
            " updated = ?, unchanged = ?, possible_duplicates = ? WHERE id = ?",
            (summary.rows, summary.accepted, summary.quarantined, summary.inserted,
             summary.updated, summary.unchanged, summary.possible_duplicates, import_id),
        )
        return summary, written

    def _snapshot_of_first_rows(self, before: int, written: pd.DataFrame) -> bool:
        """Snapshot a store's first import from the rows just written (False if it cannot).

        They are the store's whole content, as sqlite3 was handed them, so they are
        put in the store's order and conformed exactly as rows read back would be,
        without reading a million rows back out of SQLite (about 15 s). The
        committing transaction took the generation from ``before`` to ``before + 1``.
        """
        ordered = written.sort_values(["event_date", "incident_id"], na_position="first",
                                      kind="stable", ignore_index=True)
        frame = map_snapshot(model.conform(ordered))
        try:
            write_snapshot(frame, snapshot_path(self.path), before + 1)
        except (OSError, pa.ArrowException):
            return False
        return True

    def _flag_duplicates(
        self, conn: sqlite3.Connection, frame: pd.DataFrame, *, read_stored: bool
    ) -> pd.DataFrame:
        dates = frame["event_date"].dropna()
        existing = model.empty_frame()[list(_DUPLICATE_FIELDS)]
        if read_stored and len(dates):
            low = (dates.min() - pd.Timedelta(days=DUPLICATE_DAYS)).strftime("%Y-%m-%d")
            high = (dates.max() + pd.Timedelta(days=DUPLICATE_DAYS)).strftime("%Y-%m-%d")
            existing = model.conform(pd.read_sql(
                "SELECT incident_id, event_date, event_type, country, admin1, location,"
                " latitude, longitude FROM incidents WHERE event_date BETWEEN ? AND ?"
                " AND incident_id NOT IN (SELECT incident_id FROM batch)",
                conn, params=(low, high),
            ))
        duplicate_of = find_possible_duplicates(frame, existing)
        flagged = duplicate_of.notna()
        frame["possible_duplicate_of"] = duplicate_of
        frame.loc[flagged, "status"] = model.Status.NEEDS_REVIEW.value
        frame.loc[flagged, "status_reason"] = "possible duplicate of " + duplicate_of[flagged]
        unplaced = frame["status"].isna() & frame["latitude"].isna()
        frame.loc[unplaced, "status"] = model.Status.NEEDS_REVIEW.value
        frame.loc[unplaced, "status_reason"] = "not placed on the map"
        frame["status"] = frame["status"].fillna(model.Status.OK.value)
        return frame

    def _analyst_edits(self, conn: sqlite3.Connection) -> dict[str, dict[int, Any]]:
        """The latest analyst edit of each field of the incoming incidents, as
        {incident_id: {column position: stored value}}: these win over the file."""
        latest = conn.execute(
            "SELECT incident_id, field, new_value FROM edits WHERE id IN ("
            " SELECT MAX(id) FROM edits JOIN batch USING (incident_id)"
            " GROUP BY incident_id, field)"
        ).fetchall()
        column_index = {c: i for i, c in enumerate(model.CANONICAL_COLUMNS)}
        edits: dict[str, dict[int, Any]] = {}
        for incident_id, field, new_value in latest:
            edits.setdefault(incident_id, {})[column_index[field]] = json.loads(new_value)
        return edits

    def _bulk_insert(self, conn: sqlite3.Connection, frame: pd.DataFrame) -> int:
        """Fill an empty incidents table: rows first, then its secondary indexes.

        Building an index once over sorted keys is cheaper than updating it row by
        row; at a million rows this and the larger page cache take the insert from
        about 16 s to 11 s. Rows become Python values a chunk at a time, so they
        are never all held as Python objects at once. It all happens inside the
        import's transaction.
        """
        for index in _INCIDENT_INDEXES:
            conn.execute(f"DROP INDEX IF EXISTS {index}")
        names = list(model.CANONICAL_COLUMNS)
        before = conn.total_changes
        conn.executemany(
            f"INSERT INTO incidents ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
            _storage_rows(frame),
        )
        inserted = conn.total_changes - before
        for statement in _INCIDENT_INDEXES.values():
            conn.execute(statement)
        return inserted

    def _upsert(self, conn: sqlite3.Connection, rows: Iterable[tuple[Any, ...]]) -> int:
        """Insert or update rows; returns how many rows were inserted or changed."""
        names = list(model.CANONICAL_COLUMNS)
        refreshed = [c for c in names if c not in ("incident_id", "created_at", "updated_at")]
        differs = " OR ".join(f"incidents.{c} IS NOT excluded.{c}" for c in refreshed)
        sets = ", ".join(f"{c} = excluded.{c}" for c in refreshed + ["updated_at"])
        sql = (
            f"INSERT INTO incidents ({', '.join(names)})"
            f" VALUES ({', '.join('?' * len(names))})"
            f" ON CONFLICT (incident_id) DO UPDATE SET {sets} WHERE {differs}"
        )
        before = conn.total_changes
        conn.executemany(sql, rows)
        return conn.total_changes - before

    def _write_quarantine(
        self,
        conn: sqlite3.Connection,
        quarantine: pd.DataFrame,
        import_id: int,
        source_name: str,
    ) -> None:
        if quarantine.empty:
            return
        originals = quarantine.drop(columns=["row_number", "reason"], errors="ignore")
        originals = originals.astype(object).where(originals.notna(), None)
        row_numbers = (
            quarantine["row_number"].astype(object).where(quarantine["row_number"].notna(), None)
            if "row_number" in quarantine
            else [None] * len(quarantine)
        )
        reasons = (
            quarantine["reason"].fillna("invalid row").astype(str)
            if "reason" in quarantine
            else ["invalid row"] * len(quarantine)
        )
        rows = (
            (import_id, source_name, None if n is None else int(n), str(reason),
             json.dumps(original, ensure_ascii=False, default=str))
            for n, reason, original in zip(
                row_numbers, reasons, originals.to_dict(orient="records")
            )
        )
        conn.executemany(
            "INSERT INTO quarantine (import_id, source_name, row_number, reason, original_json)"
            " VALUES (?, ?, ?, ?, ?)",
            rows,
        )

    def load(self) -> gpd.GeoDataFrame:
        """Every stored incident as a canonical GeoDataFrame, oldest first."""
        return with_geometry(canonical_columns(self._snapshot_frame()))

    def load_map_snapshot(self) -> pd.DataFrame:
        """Every stored incident with H3 cell-id columns and categorical filter columns,
        without geometry: what the map and filters keep in memory.

        This is ``incidents.spatial_index.map_snapshot(store.load())`` without
        recomputing anything and without the point objects: the map, the filters
        and the exports read the latitude and longitude columns, and a million
        shapely points cost 0.25 s to build and over a million objects for Python's
        collector to walk. ``incidents.selection.Selection`` adds points to the
        rows it hands out as incidents.
        """
        return self._snapshot_frame()

    def generation(self) -> int:
        """A counter that grows with every write transaction (imports, edits)."""
        with self._read() as conn:
            return int(conn.execute(_GENERATION).fetchone()[0])

    def refresh_snapshot(self) -> None:
        """Make sure the Arrow snapshot matches the store (rebuilt if it does not)."""
        self._snapshot_frame()

    def _snapshot_frame(self) -> pd.DataFrame:
        path = snapshot_path(self.path)
        frame = read_snapshot(path, self.generation())
        if frame is not None:
            return frame
        generation, records = self._read_incidents()
        frame = map_snapshot(model.conform(records))
        try:
            write_snapshot(frame, path, generation)
        except (OSError, pa.ArrowException):
            # A read-only directory only costs speed: the data still comes from SQLite.
            pass
        return frame

    def _read_incidents(self) -> tuple[int, pd.DataFrame]:
        """(generation, every incident row), read in one consistent transaction."""
        columns = ", ".join(model.CANONICAL_COLUMNS)
        with self._read() as conn:
            conn.execute("BEGIN")
            generation = int(conn.execute(_GENERATION).fetchone()[0])
            frame = pd.read_sql(
                f"SELECT {columns} FROM incidents ORDER BY event_date, incident_id", conn
            )
            conn.execute("COMMIT")
        return generation, frame

    def load_quarantine(self) -> pd.DataFrame:
        """Quarantined rows with their import, reason and original fields (as JSON)."""
        with self._read() as conn:
            return pd.read_sql(
                "SELECT q.import_id, q.source_name, i.imported_at, q.row_number, q.reason,"
                " q.original_json FROM quarantine q JOIN imports i ON i.id = q.import_id"
                " ORDER BY q.id",
                conn,
            )

    def imports(self) -> pd.DataFrame:
        """One row per import, newest first."""
        with self._read() as conn:
            return pd.read_sql("SELECT * FROM imports ORDER BY id DESC", conn)

    def count(self) -> int:
        with self._read() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM incidents").fetchone()[0])

    def update(self, incident_id: str, changes: dict[str, Any], *, user: str) -> dict[str, tuple]:
        """Change fields of one incident, recording old and new values in ``edits``.

        Returns ``{field: (old, new)}`` for the fields that actually changed.
        """
        unknown = set(changes) - set(model.CANONICAL_COLUMNS)
        if unknown:
            raise StoreError(f"unknown field(s): {', '.join(sorted(unknown))}")
        protected = set(changes) & PROTECTED_FIELDS
        if protected:
            raise StoreError(f"field(s) set by the store: {', '.join(sorted(protected))}")
        if not user or not user.strip():
            raise StoreError("an edit needs a user name")
        new_values = {field: _to_storage(field, value) for field, value in changes.items()}
        edited_at = _now()
        try:
            with self._transaction() as conn:
                conn.row_factory = sqlite3.Row
                row = conn.execute(
                    "SELECT * FROM incidents WHERE incident_id = ?", (incident_id,)
                ).fetchone()
                if row is None:
                    raise StoreError(f"no incident with id {incident_id!r}")
                changed = {f: (row[f], v) for f, v in new_values.items() if row[f] != v}
                if not changed:
                    return {}
                conn.executemany(
                    "INSERT INTO edits (incident_id, user, edited_at, field, old_value, new_value)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    [
                        (incident_id, user.strip(), edited_at, field,
                         json.dumps(old, ensure_ascii=False), json.dumps(new, ensure_ascii=False))
                        for field, (old, new) in changed.items()
                    ],
                )
                assignments = ", ".join(f"{field} = ?" for field in changed)
                conn.execute(
                    f"UPDATE incidents SET {assignments}, updated_at = ? WHERE incident_id = ?",
                    [new for _, new in changed.values()] + [edited_at, incident_id],
                )
                before = int(conn.execute(_GENERATION).fetchone()[0])
                edited = pd.read_sql(
                    f"SELECT {', '.join(model.CANONICAL_COLUMNS)} FROM incidents"
                    " WHERE incident_id = ?", conn, params=(incident_id,),
                )
        except sqlite3.Error as error:
            raise StoreError(f"edit of {incident_id} failed, nothing changed: {error}") from error
        self._patch_snapshot(before, edited)
        return changed

    def _patch_snapshot(self, before: int, rows: pd.DataFrame) -> bool:
        """Carry an edit, or the rows an import changed, into the snapshot taken just
        before (seconds, not a full rebuild); False when there was none to patch.

        The committing transaction bumped the generation from ``before`` to
        ``before + 1``; any other snapshot is left for :meth:`load` to rebuild.
        """
        path = snapshot_path(self.path)
        try:
            patched = replace_rows(path, before, to_records(rows))
            if patched is None:
                return False
            write_snapshot(patched, path, before + 1)
        except (OSError, pa.ArrowException):
            return False
        return True

    def history(self, incident_id: str) -> pd.DataFrame:
        """Edits of one incident, oldest first, with old/new values decoded."""
        with self._read() as conn:
            edits = pd.read_sql(
                "SELECT incident_id, user, edited_at, field, old_value, new_value FROM edits"
                " WHERE incident_id = ? ORDER BY id",
                conn,
                params=(incident_id,),
            )
        for column in ("old_value", "new_value"):
            decoded = [json.loads(v) if v is not None else None for v in edits[column]]
            edits[column] = pd.Series(decoded, index=edits.index, dtype=object)
        return edits

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        try:
            conn = self._connect()
        except sqlite3.Error as error:
            raise StoreError(f"cannot open store {self.path}: {error}") from error
        try:
            yield conn
        except (sqlite3.Error, PandasDatabaseError) as error:
            raise StoreError(f"cannot read store {self.path}: {error}") from error
        finally:
            conn.close()
