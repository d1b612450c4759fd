"""Every incident row of an SQLite store as Arrow, read by ADBC in a process of its own.

The snapshot of a store is rebuilt from all its rows when it is missing or behind
(a store copied without it, made by another version, or whose directory cannot be
written). Through Python's ``sqlite3`` driver and ``pandas.read_sql`` a million rows
took 43-48 s and 3.9 GB (fifty million Python values, then a frame built from
tuples); through ADBC, which reads them into typed Arrow columns, 14-15 s and 1.5 GB
here, 0.8 GB in the child (``bench/store_read.py``, 2026-12-03). ADBC runs in a
child process (``sqlite_export.py``, which says why), hands its rows over as an
Arrow IPC stream through a pipe (no temporary file), and the rows are sorted here as
the store's ``ORDER BY`` would.

ADBC gives a column the Arrow type of its values. A value of another storage class
than the column's declared type (text in an INTEGER column, written by hand) would
come out otherwise than the ``sqlite3`` driver gives it: such a read, text Arrow
cannot take (bytes that are not UTF-8, which the driver reports as the store's
error), or any failure of the child returns None, and the store reads through
``sqlite3`` as before.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

LOGGER = logging.getLogger(__name__)
EXPORT_SCRIPT = Path(__file__).with_name("sqlite_export.py")
# Below this many rows the driver is quicker: the child's start (a Python importing
# Arrow) costs about 0.3 s, about what the driver takes for 15,000 rows (measured on
# the real exports: 3,010 rows 0.08 s against 0.32 s, 12,106 rows 0.37 s against 0.44 s).
MIN_ROWS = 20_000
# The Arrow type ADBC gives the values of each declared SQLite type.
ARROW_TYPES = {"INTEGER": pa.int64(), "REAL": pa.float64(), "TEXT": pa.string()}


def read_rows(uri: str, first_sql: str, rows_sql: str, declared: dict[str, str],
              order: list[str]) -> tuple[list[str], pd.DataFrame] | None:
    """(the one row of ``first_sql`` as text, the rows of ``rows_sql`` sorted by
    ``order`` with missing values first), both from one state of the file at ``uri``
    (opened read-only); None when ADBC could not read them as the ``sqlite3`` driver
    would. ``declared``: each column's SQLite type."""
    table = _exported(uri, first_sql, rows_sql)
    if table is None:
        return None
    odd = unexpected_types(table, declared)
    if odd:
        LOGGER.info("values of another type than declared in %s; reading through sqlite3",
                    ", ".join(odd))
        return None
    first = (table.schema.metadata or {}).get(b"first", b"").decode().split("\t")
    try:
        table.validate(full=True)  # text that is not UTF-8 fails here, not in a later use
        if len(table):
            table = table.take(pc.sort_indices(
                table, sort_keys=[(name, "ascending", "at_start") for name in order]))
        return first, table.to_pandas()
    except (pa.ArrowException, ValueError) as error:
        LOGGER.warning("the fast read's rows could not be taken (%s); reading through sqlite3",
                       error)
        return None


def _exported(uri: str, first_sql: str, rows_sql: str) -> pa.Table | None:
    """What ``sqlite_export.py`` wrote, or None (logged) when it could not run, failed
    or wrote nothing readable. Its error output goes to a small anonymous file, never
    a second pipe that could fill while this side reads the first."""
    try:
        with tempfile.TemporaryFile() as errors, subprocess.Popen(
                # -P: the script's folder (this package's) is not put on the child's path.
                [sys.executable, "-P", str(EXPORT_SCRIPT), uri, first_sql, rows_sql],
                stdout=subprocess.PIPE, stderr=errors) as child:
            try:
                table = pa.ipc.open_stream(child.stdout).read_all()
            except pa.ArrowException:
                table = None
            child.stdout.close()  # a child still writing then stops instead of blocking
            if child.wait() or table is None:
                errors.seek(0)
                problem = errors.read().decode("utf-8", errors="replace").strip()
                LOGGER.warning("the fast read failed; reading through sqlite3: %s",
                               problem.splitlines()[-1:] or child.returncode)
                return None
            return table
    except OSError as error:
        LOGGER.warning("the fast read could not start (%s); reading through sqlite3", error)
        return None


def unexpected_types(table: pa.Table, declared: dict[str, str]) -> list[str]:
    """The columns of ``table`` whose values are not all of their declared type (a
    column of missing values only comes as int64: that is fine)."""
    odd = []
    for name, sql_type in declared.items():
        column = table.column(name)
        if column.type == ARROW_TYPES[sql_type]:
            continue
        if column.null_count == len(column) and column.type in (pa.int64(), pa.null()):
            continue
        odd.append(name)
    return odd
