"""The embedded backend: one SQLite file, the default store.

Only storage lives here; the rules are in ``incidents.store.rules`` and the
import flow in ``incidents.store.base``.

* **Atomic.** Everything an import writes happens in one ``BEGIN IMMEDIATE``
  transaction; on any error the store is exactly as it was.
* **WAL** lets the dashboard read while an import is being written. A first
  import into an empty store nobody else has open is the exception
  (:meth:`SQLiteStore._import_transaction`).
* **Generation.** Every write transaction bumps a counter in the ``meta``
  table; the map snapshot next to the file (``incidents.sqlite.snapshot.arrow``)
  is keyed on it.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pandas as pd
from pandas.errors import DatabaseError as PandasDatabaseError

from incidents import config, model
from incidents.errors import StoreError
from incidents.snapshot import SnapshotCache, snapshot_path
from incidents.store import rules, sqlite_read, staging
from incidents.store.base import SnapshotStore
from incidents.store.protocol import ImportSummary

LOGGER = logging.getLogger(__name__)
SCHEMA_VERSION = 1
PAGE_CACHE_KIB = 256 * 1024
BUSY_TIMEOUT_S = 30


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
# The one secondary index a query of this backend uses: the duplicate candidates of
# an import's days (``_stored_candidates``). Filters run on the snapshot, not in SQL,
# so an index on type or country was only work for every import (about 2 s of a
# 1M-row first import) and disk.
_INCIDENT_INDEXES = {
    name: f"CREATE INDEX IF NOT EXISTS {name} ON incidents ({columns})"
    for name, columns in (("incidents_date", "event_date"),)
}
# The page size of a new store (SQLite's default is 4 KiB; a store made before keeps
# its own). A 1M-row first import writes its 500 MB to the WAL and then into the file
# as it commits: with 4 KiB pages as 125,000 frames, with 32 KiB ones as 16,000. Its
# commit took 1.5-1.8 s against 2.0-2.9 s (three runs each, alternated, 2026-12-03;
# 16 and 64 KiB about the same), the import's whole 17-23 s moving more with the
# machine than with this. An edit writes a few pages to the WAL: 32 KiB each.
PAGE_SIZE = 32_768
# Indexes of stores made by earlier versions that no query uses, dropped at open.
_UNUSED_INDEXES = ("incidents_type_date", "incidents_country")
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
  inserted INTEGER, updated INTEGER, unchanged INTEGER, possible_duplicates INTEGER,
  merged INTEGER
);
CREATE TABLE IF NOT EXISTS quarantine_discards (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user TEXT NOT NULL,
  discarded_at TEXT NOT NULL,
  rows INTEGER NOT NULL,
  reasons TEXT NOT NULL,
  note TEXT
);
CREATE TABLE IF NOT EXISTS quarantine (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  import_id INTEGER NOT NULL REFERENCES imports (id),
  source_name TEXT NOT NULL,
  row_number INTEGER,
  reason TEXT NOT NULL,
  original_json TEXT NOT NULL,
  discard_id INTEGER REFERENCES quarantine_discards (id)
);
CREATE TABLE IF NOT EXISTS edits (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  incident_id TEXT NOT NULL REFERENCES incidents (incident_id),
  user TEXT NOT NULL,
  edited_at TEXT NOT NULL,
  field TEXT NOT NULL,
  old_value TEXT,
  new_value TEXT,
  chain TEXT
);
CREATE INDEX IF NOT EXISTS edits_incident ON edits (incident_id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO meta (key, value) VALUES ('generation', 0);
INSERT OR IGNORE INTO meta (key, value) VALUES ('store_write', 0);
INSERT OR IGNORE INTO meta (key, value) VALUES ('direct_writes', 0);
"""
# A write to incidents or edits outside the program's own transactions (which set
# store_write) moves the generation, so no snapshot taken before it is served again,
# and is counted for `incidents verify`.
_DIRECT_WRITE_TRIGGERS = "\n".join(
    f"CREATE TRIGGER IF NOT EXISTS {table}_{op.lower()}_outside AFTER {op} ON {table}"
    " WHEN (SELECT value FROM meta WHERE key = 'store_write') = 0"
    " BEGIN UPDATE meta SET value = value + 1 WHERE key IN ('generation', 'direct_writes');"
    " END;"
    for table in ("incidents", "edits") for op in ("INSERT", "UPDATE", "DELETE")
)
_STORE_WRITE = "UPDATE meta SET value = ? WHERE key = 'store_write'"
_BUMP_GENERATION = "UPDATE meta SET value = value + 1 WHERE key = 'generation'"
# Touches the incidents table too, so a store damaged behind our back still fails loudly
# instead of being served from its snapshot.
_GENERATION = (
    "SELECT value, (SELECT MAX(rowid) FROM incidents) FROM meta WHERE key = 'generation'"
)
_COLUMNS = ", ".join(model.CANONICAL_COLUMNS)
_DECLARED_TYPES = {c: _sql_type(c) for c in model.CANONICAL_COLUMNS}
# The order every incident is read in (oldest first; the id is unique).
_READ_ORDER = ("event_date", "incident_id")


def _read_only_base(path: Path) -> str:
    """The URI that opens ``path`` read-only (``mode=ro``)."""
    return f"file:{quote(str(path.resolve()))}?mode=ro"


def _cannot_write(path: Path) -> bool:
    """Whether an existing store file, or the folder its journal goes in, is not writable."""
    return path.is_file() and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK))


def _add_new_columns(conn: sqlite3.Connection) -> None:
    """Give a store made by an older version the columns added since."""
    present = {row[1] for row in conn.execute("PRAGMA table_info(incidents)")}
    for column in model.CANONICAL_COLUMNS:
        if column not in present:
            conn.execute(f"ALTER TABLE incidents ADD COLUMN {column} {_sql_type(column)}")
    for table, column, kind in (
        ("edits", "chain", "TEXT"), ("imports", "merged", "INTEGER"),
        ("quarantine", "discard_id", "INTEGER REFERENCES quarantine_discards (id)"),
    ):
        if column not in {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")


def _chain_old_edits(conn: sqlite3.Connection) -> None:
    """Chain the edit history of a store made before edits were chained (once)."""
    if conn.execute("SELECT NOT EXISTS (SELECT 1 FROM edits WHERE chain IS NULL)").fetchone()[0]:
        return
    rows = conn.execute(
        "SELECT id, incident_id, user, edited_at, field, old_value, new_value FROM edits"
        " ORDER BY id").fetchall()
    previous = None
    hashes = []
    for edit_id, *content in rows:
        previous = rules.chain_hash(previous, content)
        hashes.append((previous, edit_id))
    conn.execute("BEGIN IMMEDIATE")
    conn.execute(_STORE_WRITE, (1,))
    conn.executemany("UPDATE edits SET chain = ? WHERE id = ?", hashes)
    conn.execute(_STORE_WRITE, (0,))
    conn.execute("COMMIT")


class SQLiteStore(SnapshotStore):
    """Incidents, quarantined rows, imports and edits in one SQLite file."""

    _errors = (sqlite3.Error, PandasDatabaseError)

    def __init__(self, path: str | Path | None = None, *, read_only: bool | None = None) -> None:
        self.path = Path(path) if path is not None else config.default_store_path()
        self.location = str(self.path)
        self.read_only = _cannot_write(self.path) if read_only is None else read_only
        self.snapshot = SnapshotCache(snapshot_path(self.path), read_only=self.read_only)
        # The scratch file of the first import each open transaction is writing (by id
        # of its connection): ``incidents.store.staging``.
        self._stagings: dict[int, staging.Staging] = {}
        if self.read_only:
            self._uri = self._read_only_uri()
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = self._connect()
            try:
                # executescript manages its own transaction; the DDL is idempotent. The
                # page size only applies to a file without tables yet.
                conn.executescript(f"PRAGMA page_size = {PAGE_SIZE};" + SCHEMA
                                   + f"PRAGMA user_version = {SCHEMA_VERSION};"
                                   + "".join(f"DROP INDEX IF EXISTS {name};"
                                             for name in _UNUSED_INDEXES))
                _add_new_columns(conn)
                conn.executescript(_DIRECT_WRITE_TRIGGERS)
                _chain_old_edits(conn)
                conn.execute("PRAGMA journal_mode = WAL")
            finally:
                conn.close()
            staging.remove_leftovers(self.path)
        except (OSError, sqlite3.Error) as error:
            raise StoreError(f"cannot open store {self.path}: {error}") from error

    def __repr__(self) -> str:
        return f"SQLiteStore({str(self.path)!r})"

    def _read_only_uri(self) -> str:
        """The URI that reads this file without writing anything, checked once.

        ``mode=ro`` still needs the WAL's shared-memory file beside the store; in a
        directory that cannot be written (a shared archive) only ``immutable=1``
        opens it, on the promise that nobody writes the file meanwhile. Never beside a
        rollback journal (a first import's, ``_import_transaction``, killed or still
        running): ``immutable=1`` would read the file without rolling it back.
        """
        if not self.path.is_file():
            raise StoreError(f"no store at {self.path} (opened read-only, so none is made)")
        base = _read_only_base(self.path)
        unfinished = self.path.with_name(self.path.name + "-journal").exists()
        uris = [base] if unfinished else [base, base + "&immutable=1"]
        if not os.access(self.path.parent, os.W_OK):
            uris.reverse()
        failure: sqlite3.Error | None = None
        for uri in uris:
            try:
                conn = sqlite3.connect(uri, uri=True)
                try:
                    present = {row[1] for row in conn.execute("PRAGMA table_info(incidents)")}
                finally:
                    conn.close()
            except sqlite3.Error as error:
                failure = error
                continue
            if not present:
                raise StoreError(f"{self.path} is not an incident store (no incidents table)")
            if missing := [c for c in model.CANONICAL_COLUMNS if c not in present]:
                raise StoreError(
                    f"{self.path} was made by an older version (no {missing[0]} column): open it"
                    " once with write access to bring it up to date")
            return uri
        if unfinished:
            raise StoreError(
                f"cannot open store {self.path} read-only: an import into it did not finish"
                f" (its journal is beside it; {failure}); open it once with write access to"
                " roll that import back")
        raise StoreError(f"cannot open store {self.path} read-only: {failure}")

    def _connect(self) -> sqlite3.Connection:
        if self.read_only:
            conn = sqlite3.connect(self._uri, uri=True, timeout=BUSY_TIMEOUT_S,
                                   isolation_level=None)
        else:
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        conn.execute("PRAGMA foreign_keys = ON")
        # In WAL mode NORMAL still commits atomically; it only skips an fsync per commit.
        conn.execute("PRAGMA synchronous = NORMAL")
        # SQLite's default 2 MB page cache spills constantly while a large import
        # updates the primary-key index; pages are only allocated when used.
        conn.execute(f"PRAGMA cache_size = -{PAGE_CACHE_KIB}")
        return conn

    @contextmanager
    def _transaction(self, *, rollback_journal: bool = False) -> Iterator[sqlite3.Connection]:
        """A write transaction; ``rollback_journal``: see :meth:`_import_transaction`."""
        if self.read_only:
            raise StoreError(
                f"the store {self.path} is open read-only (its file or folder cannot be written,"
                " or it was opened with --read-only / INCIDENTS_STORE_READ_ONLY): the map,"
                " filters and exports work; imports and edits need write access")
        conn = self._connect()
        left_wal = False
        try:
            left_wal = rollback_journal and self._leave_wal_if_empty(conn)
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(_STORE_WRITE, (1,))
            yield conn
            conn.execute(_STORE_WRITE, (0,))
            conn.execute(_BUMP_GENERATION)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        finally:
            staged = self._stagings.pop(id(conn), None)
            if left_wal:
                self._back_to_wal(conn)
            conn.close()
            if staged is not None:
                staged.remove()

    def _import_transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        """An import's transaction; into an empty store that no other connection has
        open, under SQLite's rollback journal rather than the WAL.

        In WAL mode a first import writes its pages twice: all of them to the WAL as
        it commits, then into the file. A rollback journal keeps only the pages that
        existed before, which for an empty store is a few, so the pages are written
        once: at a million rows the commit and close took 0.65-0.87 s instead of
        1.25-1.49 s (the WAL's checkpoint included), still atomic (a killed import leaves a journal that the next
        connection rolls back). Leaving WAL needs the only connection to the file:
        when another is open (a dashboard reading it) the import keeps the WAL, at
        once and with no wait. The file is back in WAL mode when the import ends.
        """
        return self._transaction(rollback_journal=True)

    def _leave_wal_if_empty(self, conn: sqlite3.Connection) -> bool:
        if not self._is_empty(conn):
            return False
        conn.execute("PRAGMA busy_timeout = 0")
        try:
            left = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0] == "delete"
        except sqlite3.OperationalError:  # another connection has the file open
            return False
        finally:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
        if left:
            # NORMAL is safe in WAL mode only: under a rollback journal a power cut at
            # the wrong moment of the commit could corrupt the file. The journal of an
            # empty store is a few pages, so FULL's extra syncs cost next to nothing.
            conn.execute("PRAGMA synchronous = FULL")
        return left

    def _back_to_wal(self, conn: sqlite3.Connection) -> None:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
        except sqlite3.OperationalError as error:
            # Whoever opens the store for writing next puts it back (``__init__``).
            LOGGER.warning("the store %s stays in rollback-journal mode for now: %s",
                           self.path, error)

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

    # -- import -----------------------------------------------------------------------

    def _generation_in(self, conn: sqlite3.Connection) -> int:
        return int(conn.execute(_GENERATION).fetchone()[0])

    def _is_empty(self, conn: sqlite3.Connection) -> bool:
        return not conn.execute("SELECT EXISTS (SELECT 1 FROM incidents)").fetchone()[0]

    def _insert_import(self, conn: sqlite3.Connection, source_name: str,
                       imported_at: str) -> int:
        cursor = conn.execute(
            "INSERT INTO imports (source_name, imported_at) VALUES (?, ?)",
            (source_name, imported_at),
        )
        return int(cursor.lastrowid)

    def _stage_batch(self, conn: sqlite3.Connection, ids: list[str]) -> set[str]:
        self._copy_staged(conn)
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS batch (incident_id TEXT PRIMARY KEY)")
        conn.execute("DELETE FROM batch")
        conn.executemany("INSERT INTO batch VALUES (?)", ((i,) for i in ids))
        return {
            row[0]
            for row in conn.execute("SELECT incident_id FROM incidents JOIN batch USING (incident_id)")
        }

    def _stored_candidates(self, conn: sqlite3.Connection, low: str, high: str, *,
                           before: str | None = None) -> pd.DataFrame:
        return pd.read_sql(
            f"SELECT {', '.join(rules.DUPLICATE_FIELDS)} FROM incidents"
            " WHERE event_date BETWEEN ? AND ? AND coalesce(merged_into, '') = ''"
            " AND incident_id NOT IN (SELECT incident_id FROM batch)"
            + (" AND updated_at IS NOT ?" if before is not None else ""),
            conn, params=(low, high) + ((before,) if before is not None else ()),
        )

    def _rows_with_source_ids(self, conn: sqlite3.Connection,
                              source_ids: list[str]) -> pd.DataFrame:
        self._copy_staged(conn)
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS repeated (event_id_cnty TEXT)")
        conn.execute("DELETE FROM repeated")
        conn.executemany("INSERT INTO repeated VALUES (?)", ((i,) for i in source_ids))
        return pd.read_sql(
            f"SELECT {', '.join(rules.DUPLICATE_FIELDS)} FROM incidents"
            " WHERE event_id_cnty IN (SELECT event_id_cnty FROM repeated)", conn)

    def _batch_edits(self, conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
        return conn.execute(
            "SELECT incident_id, field, new_value FROM edits WHERE id IN ("
            " SELECT MAX(id) FROM edits JOIN batch USING (incident_id)"
            " GROUP BY incident_id, field)"
        ).fetchall()

    def _defer_indexes(self, conn: sqlite3.Connection) -> list[str]:
        """Drop the secondary indexes for a first import (rebuilt by ``_restore_indexes``
        in the same transaction): building an index once over sorted keys is cheaper
        than updating it row by row. The import's rows go to a scratch file until
        then (``incidents.store.staging``)."""
        for index in _INCIDENT_INDEXES:
            conn.execute(f"DROP INDEX IF EXISTS {index}")
        self._stagings[id(conn)] = staging.Staging(self.path, conn)
        return list(_INCIDENT_INDEXES.values())

    def _restore_indexes(self, conn: sqlite3.Connection, deferred: list[str]) -> None:
        self._copy_staged(conn)
        for statement in deferred:
            conn.execute(statement)

    def _copy_staged(self, conn: sqlite3.Connection) -> None:
        """Bring a first import's staged rows into the store before anything reads or
        updates them there (rows of later parts are then inserted directly)."""
        staged = self._stagings.get(id(conn))
        if staged is not None and not staged.copied:
            staged.copy_into(conn)

    def _bulk_insert(self, conn: sqlite3.Connection, frame: pd.DataFrame) -> int:
        """Insert rows whose ids are not stored: into a first import's scratch file
        while it is open (``incidents.store.staging``), else here. Here, rows become
        Python values a chunk at a time, so they are never all held as Python objects
        at once; meanwhile the cycle collector is paused (those millions of values
        hold no cycles, and its passes over them cost a quarter of the conversion)."""
        staged = self._stagings.get(id(conn))
        if staged is not None and not staged.copied:
            return staged.append(frame)
        before = conn.total_changes
        with rules.collector_paused():
            for names, rows in rules.filled_storage_chunks(frame):
                conn.executemany(
                    f"INSERT INTO incidents ({', '.join(names)})"
                    f" VALUES ({', '.join('?' * len(names))})", rows)
        return conn.total_changes - before

    def _upsert(self, conn: sqlite3.Connection, rows: Iterable[tuple[Any, ...]]) -> int:
        self._copy_staged(conn)
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

    def _rows_updated_at(self, conn: sqlite3.Connection, stamp: str) -> pd.DataFrame:
        return pd.read_sql(f"SELECT {_COLUMNS} FROM incidents WHERE updated_at = ?",
                           conn, params=(stamp,))

    def _write_quarantine(self, conn: sqlite3.Connection,
                          rows: list[tuple[int | None, str, str]],
                          import_id: int, source_name: str) -> None:
        conn.executemany(
            "INSERT INTO quarantine (import_id, source_name, row_number, reason, original_json)"
            " VALUES (?, ?, ?, ?, ?)",
            ((import_id, source_name, *row) for row in rows),
        )

    def _finish_import(self, conn: sqlite3.Connection, summary: ImportSummary) -> None:
        conn.execute(
            "UPDATE imports SET rows = ?, accepted = ?, quarantined = ?, inserted = ?,"
            " updated = ?, unchanged = ?, possible_duplicates = ?, merged = ? WHERE id = ?",
            (summary.rows, summary.accepted, summary.quarantined, summary.inserted,
             summary.updated, summary.unchanged, summary.possible_duplicates,
             summary.merged, summary.import_id),
        )

    def _cleared_flags(self, conn: sqlite3.Connection) -> list[tuple[str, str | None]]:
        return conn.execute(
            "SELECT incident_id, old_value FROM edits"
            " WHERE field = 'possible_duplicate_of' AND new_value = 'null'").fetchall()

    # -- quarantine -------------------------------------------------------------------

    def _pending_quarantine(self, conn: sqlite3.Connection,
                            ids: list[int]) -> list[tuple[int, str]]:
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS chosen (id INTEGER PRIMARY KEY)")
        conn.execute("DELETE FROM chosen")
        conn.executemany("INSERT INTO chosen VALUES (?)", ((i,) for i in ids))
        return conn.execute(
            "SELECT id, reason FROM quarantine WHERE discard_id IS NULL"
            " AND id IN (SELECT id FROM chosen) ORDER BY id").fetchall()

    def _record_discard(self, conn: sqlite3.Connection, ids: list[int],
                        discard: dict[str, Any]) -> int:
        discard_id = int(conn.execute(
            "INSERT INTO quarantine_discards (user, discarded_at, rows, reasons, note)"
            " VALUES (?, ?, ?, ?, ?)",
            (discard["user"], discard["discarded_at"], discard["rows"], discard["reasons"],
             discard["note"])).lastrowid)
        conn.executemany("UPDATE quarantine SET discard_id = ? WHERE id = ?",
                         ((discard_id, i) for i in ids))
        return discard_id

    # -- edits ------------------------------------------------------------------------

    def _incident_row(self, conn: sqlite3.Connection, incident_id: str) -> dict[str, Any] | None:
        cursor = conn.execute(f"SELECT {_COLUMNS} FROM incidents WHERE incident_id = ?",
                              (incident_id,))
        row = cursor.fetchone()
        return None if row is None else dict(zip(model.CANONICAL_COLUMNS, row))

    def _last_edits(self, conn: sqlite3.Connection, incident_id: str,
                    fields: list[str]) -> list[dict[str, Any]]:
        marks = ", ".join("?" * len(fields))
        edits = pd.read_sql(
            "SELECT user, edited_at, field, old_value, new_value FROM edits WHERE id IN ("
            f" SELECT MAX(id) FROM edits WHERE incident_id = ? AND field IN ({marks})"
            " GROUP BY field) ORDER BY id",
            conn, params=(incident_id, *fields),
        )
        return rules.decode_history(edits).to_dict(orient="records")

    def _apply_edit(self, conn: sqlite3.Connection, incident_id: str,
                    changed: dict[str, tuple], edit_rows: list[tuple], edited_at: str) -> None:
        conn.executemany(
            "INSERT INTO edits (incident_id, user, edited_at, field, old_value, new_value, chain)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            edit_rows,
        )
        assignments = ", ".join(f"{field} = ?" for field in changed)
        conn.execute(
            f"UPDATE incidents SET {assignments}, updated_at = ? WHERE incident_id = ?",
            [new for _, new in changed.values()] + [edited_at, incident_id],
        )

    def _last_chain_hash(self, conn: sqlite3.Connection) -> str | None:
        row = conn.execute("SELECT chain FROM edits ORDER BY id DESC LIMIT 1").fetchone()
        return None if row is None else row[0]

    def _chain_rows(self) -> Iterator[tuple]:
        with self._read() as conn:
            yield from conn.execute(
                "SELECT id, incident_id, user, edited_at, field, old_value, new_value, chain"
                " FROM edits ORDER BY id")

    def _direct_writes(self) -> int:
        with self._read() as conn:
            return int(conn.execute(
                "SELECT value FROM meta WHERE key = 'direct_writes'").fetchone()[0])

    # -- reads ------------------------------------------------------------------------

    def generation(self) -> int:
        """A counter that grows with every write transaction (imports, edits)."""
        with self._read() as conn:
            return self._generation_in(conn)

    def _read_incidents(self) -> tuple[int, pd.DataFrame]:
        """Many rows through ADBC in a child process (``sqlite_read``: 3 times as fast at
        a million), else, or when that cannot give what the ``sqlite3`` driver would,
        through the driver."""
        with self._read() as conn:
            rows = conn.execute("SELECT MAX(rowid) FROM incidents").fetchone()[0] or 0
        if rows >= sqlite_read.MIN_ROWS:
            uri = self._uri if self.read_only else _read_only_base(self.path)
            read = sqlite_read.read_rows(uri, _GENERATION, f"SELECT {_COLUMNS} FROM incidents",
                                         _DECLARED_TYPES, list(_READ_ORDER))
            if read is not None:
                first, frame = read
                return int(first[0]), frame
        with self._read() as conn:
            conn.execute("BEGIN")
            generation = self._generation_in(conn)
            frame = pd.read_sql(
                f"SELECT {_COLUMNS} FROM incidents ORDER BY {', '.join(_READ_ORDER)}", conn
            )
            conn.execute("COMMIT")
        return generation, frame

    def load_quarantine(self) -> pd.DataFrame:
        with self._read() as conn:
            return pd.read_sql(
                "SELECT q.id AS quarantine_id, q.import_id, q.source_name, i.imported_at,"
                " q.row_number, q.reason, q.original_json"
                " FROM quarantine q JOIN imports i ON i.id = q.import_id"
                " WHERE q.discard_id IS NULL ORDER BY q.id",
                conn,
            )

    def discards(self) -> pd.DataFrame:
        with self._read() as conn:
            return pd.read_sql("SELECT * FROM quarantine_discards ORDER BY id DESC", conn)

    def imports(self) -> pd.DataFrame:
        with self._read() as conn:
            return pd.read_sql(
                "SELECT i.*, (SELECT COUNT(*) FROM quarantine q WHERE q.import_id = i.id"
                " AND q.discard_id IS NOT NULL) AS discarded FROM imports i ORDER BY i.id DESC",
                conn)

    def count(self) -> int:
        with self._read() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM incidents").fetchone()[0])

    def history(self, incident_id: str) -> pd.DataFrame:
        with self._read() as conn:
            edits = pd.read_sql(
                "SELECT id AS edit_id, incident_id, user, edited_at, field, old_value, new_value"
                " FROM edits"
                " WHERE incident_id = ? ORDER BY id",
                conn,
                params=(incident_id,),
            )
        return rules.decode_history(edits)
