"""Run as a script by ``incidents.store.sqlite_read``: one read transaction on an
SQLite file through ADBC, its answers written to standard output as an Arrow IPC
stream.

    python -P sqlite_export.py URI FIRST_SQL ROWS_SQL

``FIRST_SQL`` is asked first and its one row is kept as text in the stream's schema
metadata (key ``first``, values joined by tabs); ``ROWS_SQL`` is asked in the same
transaction, so both see one state of the file, and every row comes as one Arrow
batch (ADBC infers a column's type from a batch: one batch means from all rows).

A process of its own because ADBC brings its own SQLite library: two SQLite libraries
in one process, both with the same file open, release each other's POSIX locks
(SQLite's "How To Corrupt An SQLite Database File", section 2.2). This script imports
nothing but Arrow and ADBC, and only reads (the URI is opened ``mode=ro``).
"""

from __future__ import annotations

import sys

import adbc_driver_manager
import adbc_driver_sqlite
import pyarrow as pa

_AUTOCOMMIT = "adbc.connection.autocommit"
_BATCH_ROWS = "adbc.sqlite.query.batch_rows"


def _query(statement: adbc_driver_manager.AdbcStatement, sql: str) -> pa.Table:
    statement.set_sql_query(sql)
    stream, _ = statement.execute_query()
    return pa.RecordBatchReader._import_from_c(stream.address).read_all()


def export(uri: str, first_sql: str, rows_sql: str) -> None:
    database = adbc_driver_sqlite.connect(uri)
    connection = adbc_driver_manager.AdbcConnection(database)
    statement = None
    try:
        connection.set_options(**{_AUTOCOMMIT: "false"})  # one read transaction
        statement = adbc_driver_manager.AdbcStatement(connection)
        first = _query(statement, first_sql).to_pylist()[0]
        count = _query(statement, f"SELECT COUNT(*) AS n FROM ({rows_sql})")["n"][0].as_py()
        statement.set_options(**{_BATCH_ROWS: str(max(count, 1))})
        rows = _query(statement, rows_sql)
        metadata = {"first": "\t".join("" if v is None else str(v) for v in first.values())}
        rows = rows.replace_schema_metadata(metadata)
        with pa.ipc.new_stream(sys.stdout.buffer, rows.schema) as writer:
            writer.write_table(rows)
    finally:
        if statement is not None:
            statement.close()
        connection.rollback()
        connection.close()
        database.close()


if __name__ == "__main__":
    export(*sys.argv[1:4])
