"""A first import into an empty SQLite store, written by C code instead of row tuples.

Python's ``sqlite3`` driver binds every value of every row from a Python object: at
a million rows, making the tuples and binding them was more than half of an import's
time. Here the rows of a first import are appended, a part at a time, as Arrow
columns (``rules.storage_table``, in the form the driver would have stored) to a
scratch SQLite file beside the store by the ADBC SQLite driver
(``adbc_driver_sqlite``, which binds Arrow arrays in C), under the store's own
definition of the ``incidents`` table. Before the import commits, the store's
connection attaches the scratch file and copies it with one
``INSERT INTO incidents SELECT * FROM staging.incidents``: into an empty table of
the same definition and without triggers, SQLite copies the records and the
primary-key index as they are, in key order (its "transfer optimisation"), so the
store's side is a copy. The ``incidents`` triggers (``sqlite._DIRECT_WRITE_TRIGGERS``)
are dropped for that one statement and created again in the same transaction:
nobody else sees the table without them.

Atomicity is unchanged: the store's file is written only in the import's
transaction, and the scratch file is never part of the store. It is removed when
the transaction ends; one left by a killed import (its name carries the pid) goes
when the store is next opened for writing (:func:`remove_leftovers`).

ADBC brings its own SQLite library: the two never have the scratch file open at
once (the ADBC connection is closed before the store's connection attaches it), and
ADBC never opens the store's file in this process (``incidents.store.sqlite_read``
reads a store through ADBC in a child process). It writes in a thread of its own,
one part at a time, ended before the copy (:meth:`Staging.append`).
"""

from __future__ import annotations

import glob
import os
import secrets
import sqlite3
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from incidents import model
from incidents.store import rules

SUFFIX = ".staging"
# ADBC's ingestion options (the ADBC specification's names).
_TARGET_TABLE, _MODE, _APPEND = ("adbc.ingest.target_table", "adbc.ingest.mode",
                                 "adbc.ingest.mode.append")


class Staging:
    """The scratch file of one first import into the store at ``store_path``, whose
    connection ``conn`` holds the import's transaction."""

    def __init__(self, store_path: Path, conn: sqlite3.Connection) -> None:
        self.path = store_path.with_name(
            f".{store_path.name}.{os.getpid()}.{secrets.token_hex(4)}{SUFFIX}")
        self._definition = conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'incidents'"
        ).fetchone()[0]
        # The table's own column order: a store made by an older version has its later
        # columns at the end (ALTER TABLE ADD COLUMN), and the copy is by position.
        self._columns = [row[1] for row in conn.execute("PRAGMA table_info(incidents)")]
        # The store's page size: the copy then moves records between pages of one size.
        self._page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
        self._statement: Any = None
        self._handles: list[Any] = []
        self._writer: ThreadPoolExecutor | None = None
        self._pending: Future[None] | None = None
        self.rows = 0
        self.copied = False

    def append(self, frame: pd.DataFrame) -> int:
        """Append the canonical rows of ``frame`` (ids not stored yet); how many.

        The rows are written by a thread of their own while the caller goes on (ADBC
        writes without Python's lock), so reading the next part and flagging its
        duplicates overlap the writing of this one; at most one part is being written,
        and its error is raised by the next call."""
        table = _stored_form(frame, self._columns)
        self._wait()
        if self._writer is None:
            self._writer = ThreadPoolExecutor(1, thread_name_prefix="incidents-staging")
        self._pending = self._writer.submit(self._write, table)
        self.rows += len(frame)
        return len(frame)

    def _write(self, table: pa.Table) -> None:
        if self._statement is None:
            self._open()
        self._statement.set_options(**{_TARGET_TABLE: "incidents", _MODE: _APPEND})
        self._statement.bind_stream(table)
        self._statement.execute_update()

    def _wait(self) -> None:
        """Wait for the part being written; raise its error."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def _open(self) -> None:
        """The scratch file with the store's table (ADBC's own objects: its DB-API
        layer adds nothing needed here)."""
        import adbc_driver_manager
        import adbc_driver_sqlite

        database = adbc_driver_sqlite.connect(str(self.path))
        connection = adbc_driver_manager.AdbcConnection(database)  # in autocommit mode
        self._statement = adbc_driver_manager.AdbcStatement(connection)
        self._handles = [self._statement, connection, database]
        # A scratch file: nothing to recover after a crash, so no journal.
        for sql in (f"PRAGMA page_size = {self._page_size}", "PRAGMA journal_mode = OFF",
                    "PRAGMA synchronous = OFF", self._definition):
            self._statement.set_sql_query(sql)
            self._statement.execute_update()

    def copy_into(self, conn: sqlite3.Connection) -> None:
        """Copy every appended row into the store's (empty) ``incidents`` table, in the
        transaction ``conn`` holds. Appending is over once copied."""
        self.copied = True
        self._close()
        if not self.rows:
            return
        conn.execute("ATTACH DATABASE ? AS staging", (str(self.path),))
        triggers = conn.execute(
            "SELECT name, sql FROM main.sqlite_master"
            " WHERE type = 'trigger' AND tbl_name = 'incidents'").fetchall()
        for name, _ in triggers:
            conn.execute(f'DROP TRIGGER main."{name}"')
        conn.execute("INSERT INTO main.incidents SELECT * FROM staging.incidents")
        for _, definition in triggers:
            conn.execute(definition)

    def remove(self) -> None:
        """Delete the scratch file (once the store's connection is closed). A part
        still being written after a failed import is waited for, its error dropped:
        the import's own error is the one raised."""
        try:
            self._close(raising=False)
        finally:
            self.path.unlink(missing_ok=True)

    def _close(self, *, raising: bool = True) -> None:
        """Wait for the writing thread (raising its error) and end it, then close ADBC."""
        try:
            self._wait()
        except Exception:
            if raising:
                raise
        finally:
            if self._writer is not None:
                self._writer.shutdown()
                self._writer = None
            for handle in self._handles:
                handle.close()
            self._handles, self._statement = [], None


def _stored_form(frame: pd.DataFrame, columns: list[str]) -> pa.Table:
    """``rules.storage_table`` with dates as ``YYYY-MM-DD`` text, as the ``sqlite3``
    driver stores them, in the table's column order."""
    table = rules.storage_table(frame)
    arrays = [pc.cast(table[c], pa.large_string()) if c in model.DATE_COLUMNS else table[c]
              for c in columns]
    return pa.table(arrays, names=columns)


def remove_leftovers(store_path: Path) -> None:
    """Delete the scratch files of imports into ``store_path`` whose process is gone."""
    hidden = f".{store_path.name}."
    for leftover in store_path.parent.glob(f"{glob.escape(hidden)}*{SUFFIX}"):
        pid = leftover.name[len(hidden):].split(".", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            leftover.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True
