"""Typed errors, so callers (CLI, dashboard) can tell the analyst what went wrong."""

from __future__ import annotations


class IncidentsError(Exception):
    """Base class of every error this package raises on purpose."""


class IngestError(IncidentsError):
    """A whole file could not be read (row-level problems go to quarantine instead)."""


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
