"""Typed errors, so callers (CLI, dashboard) can tell the analyst what went wrong."""

from __future__ import annotations


class IncidentsError(Exception):
    """Base class of every error this package raises on purpose."""


class IngestError(IncidentsError):
    """A whole file could not be read (row-level problems go to quarantine instead).

    ``filename``, ``row`` and ``column`` say where, when known; ``str()`` leads
    with them, so every message names the file it is about.
    """

    def __init__(
        self,
        message: str,
        *,
        filename: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.filename = filename
        self.row = row
        self.column = column

    def __str__(self) -> str:
        where = [self.filename] if self.filename else []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class FileTooLargeError(IngestError):
    def __init__(self, size: int, limit: int) -> None:
        super().__init__(
            f"file is {size / 1e6:.1f} MB, over the {limit / 1e6:.0f} MB limit"
        )
        self.size = size
        self.limit = limit


class GeocodeError(IncidentsError):
    """A geocoder failed in a way the caller should know about."""


class StoreError(IncidentsError):
    """The embedded store could not complete an operation; it is left unchanged."""


class ExportError(IncidentsError):
    """An export format was unknown or could not be written."""
