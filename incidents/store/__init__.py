"""The incident store: one contract, two backends.

``open_store(location)`` gives the store at ``location``: a file path (or
nothing, for the default file in the state directory) opens the embedded
SQLite backend; a ``postgresql://`` URL opens the PostGIS backend for a team.
Both fulfil :class:`Store` and share their rules (``incidents.store.rules``:
stable ids, edit precedence, quarantine rows; ``incidents.store.duplicates``:
possible duplicates) and their map snapshot (``incidents.snapshot.SnapshotCache``).
"""

from __future__ import annotations

import os
from pathlib import Path

from typing import TYPE_CHECKING, Any

from incidents import config
from incidents.store.protocol import EditConflictError, ImportSummary, Store
from incidents.store.rules import assign_incident_ids
from incidents.store.sqlite import SQLiteStore

if TYPE_CHECKING:
    from incidents.store.guard import SignedInStore

# The SQLite backend under the name every caller used before there were two.
IncidentStore = SQLiteStore
STORE_ENV = "INCIDENTS_STORE"
READ_ONLY_ENV = "INCIDENTS_STORE_READ_ONLY"
URL_SCHEMES = ("postgresql://", "postgres://")

__all__ = [
    "EditConflictError", "ImportSummary", "IncidentStore", "SQLiteStore", "SignedInStore",
    "Store",
    "assign_incident_ids", "default_location", "is_database_url", "open_store",
]


def __getattr__(name: str) -> Any:
    """``SignedInStore`` imported when first asked for: it brings the users module, whose
    import hashes a decoy password (half a second an import from the CLI never needs)."""
    if name == "SignedInStore":
        from incidents.store.guard import SignedInStore

        return SignedInStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def is_database_url(location: str | os.PathLike[str] | None) -> bool:
    """Whether ``location`` names a PostgreSQL server rather than a file."""
    return isinstance(location, str) and location.startswith(URL_SCHEMES)


def default_location() -> str:
    """``$INCIDENTS_STORE`` when set, else the default SQLite file in the state directory."""
    return os.environ.get(STORE_ENV) or str(config.default_store_path())


def open_store(location: str | os.PathLike[str] | None = None, *,
               read_only: bool | None = None) -> Store:
    """The store at ``location``: a path (SQLite) or a ``postgresql://`` URL (PostGIS).

    Without a location, ``$INCIDENTS_STORE`` is used when set, else the default
    SQLite file in the state directory. A SQLite store is opened read-only when
    ``read_only`` says so, else when ``$INCIDENTS_STORE_READ_ONLY`` is set (to
    anything but 0), else when its file or folder cannot be written (a shared
    archive): reading, the map and exports then work, and writes raise
    ``StoreError`` saying why.
    """
    if location is None or location == "":
        location = default_location()
    if is_database_url(location):
        from incidents.store.postgis import PostgisStore

        return PostgisStore(str(location))
    if read_only is None and os.environ.get(READ_ONLY_ENV, "0") not in ("", "0"):
        read_only = True
    return SQLiteStore(Path(location), read_only=read_only)
