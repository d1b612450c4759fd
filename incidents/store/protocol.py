"""The store contract every backend (SQLite, PostGIS) fulfils, and what an import returns."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Protocol, runtime_checkable

import geopandas as gpd
import pandas as pd

from incidents.errors import StoreError
from incidents.filters import FilterSpec


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
    # Input rows folded into another row of the same import (an actor-based export's
    # second actor row, a row repeating a later row's id): rows = accepted +
    # quarantined + merged, and accepted = inserted + updated + unchanged.
    merged: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Discard:
    """Quarantined rows an analyst discarded: who, when, how many, for which reasons."""

    discard_id: int
    user: str
    discarded_at: str
    rows: int
    reasons: dict[str, int]  # quarantine reason: how many of the rows had it
    note: str | None = None


@dataclass(frozen=True)
class Verification:
    """What ``Store.verify`` found: the edit-history chain and writes made outside the program."""

    edits: int
    first_broken_edit: int | None
    direct_writes: int

    @property
    def ok(self) -> bool:
        return self.first_broken_edit is None and self.direct_writes == 0

    def messages(self) -> list[str]:
        """One sentence per finding, for the command line and the admin view."""
        found = []
        if self.first_broken_edit is not None:
            found.append(f"edit history broken at edit {self.first_broken_edit}: that edit or"
                         " one before it was changed, removed or added outside the program")
        if self.direct_writes:
            found.append(f"{self.direct_writes} write(s) to incidents or edits were made outside"
                         " the program")
        return found or [f"edit history intact ({self.edits} edits); no write outside the program"]


@runtime_checkable
class Store(Protocol):
    """Incidents, quarantined rows, imports and edits, kept by one backend.

    Every write (an import, an edit) is one transaction that bumps
    :meth:`generation`; readers key their caches on it.
    """

    location: str

    def import_records(
        self, records: pd.DataFrame, quarantine: pd.DataFrame | None = None, *,
        source_name: str, folded_rows: int = 0,
    ) -> ImportSummary:
        """Store one source's accepted records and quarantined rows, all or nothing
        (``folded_rows``: input rows the reader folded into others, counted as merged)."""
        ...

    def import_parts(self, parts: Iterable[Any], *, source_name: str) -> ImportSummary:
        """Store one source read in parts, each (records, quarantine) or already prepared
        (``rules.prepared_parts``), all in one transaction, so memory stays a part's."""
        ...

    def load(self) -> gpd.GeoDataFrame:
        """Every stored incident as a canonical GeoDataFrame (EPSG:4326), oldest first."""
        ...

    def load_map_snapshot(self) -> pd.DataFrame:
        """``load()`` without geometry, with H3 cell columns and categorical filter columns."""
        ...

    def load_quarantine(self) -> pd.DataFrame:
        """Quarantined rows still pending (not discarded): quarantine_id, import_id,
        source_name, imported_at, row_number, reason, original_json."""
        ...

    def discard_quarantined(self, quarantine_ids: Sequence[int], *, user: str,
                            note: str | None = None) -> Discard:
        """Stop counting these quarantined rows as pending; the discard is recorded."""
        ...

    def discards(self) -> pd.DataFrame:
        """Every discard, newest first: id, user, discarded_at, rows, reasons (JSON), note."""
        ...

    def imports(self) -> pd.DataFrame:
        """One row per import, newest first, with ``discarded``: how many of its
        quarantined rows were discarded since."""
        ...

    def count(self) -> int:
        """How many incidents are stored."""
        ...

    def generation(self) -> int:
        """A counter that grows with every write transaction."""
        ...

    def refresh_snapshot(self) -> None:
        """Bring the map snapshot up to the current generation."""
        ...

    def update(
        self, incident_id: str, changes: dict[str, Any], *, user: str,
        seen: dict[str, Any] | None = None,
    ) -> dict[str, tuple]:
        """Change fields of one incident, recorded in its history; ``{field: (old, new)}``.

        With ``seen`` (the values the editor was shown for the fields they
        change), a field someone else changed since is refused with
        ``EditConflictError``: no silent overwrite.
        """
        ...

    def history(self, incident_id: str) -> pd.DataFrame:
        """Edits of one incident, oldest first: edit_id, incident_id, user, edited_at,
        field, old_value, new_value (decoded)."""
        ...

    def revert(self, incident_id: str, field: str, *, user: str) -> dict[str, tuple]:
        """Undo the latest edit of one field, recorded as a new edit by ``user``."""
        ...

    def revert_edit(self, edit_id: int, *, user: str) -> dict[str, tuple]:
        """Undo every field of the save edit ``edit_id`` belongs to, as one new edit by
        ``user``; refused when one of them was edited since."""
        ...

    def edit_log(self, limit: int = 500) -> pd.DataFrame:
        """The newest edits of every incident, newest first (the audit log): edit_id,
        incident_id, user, edited_at, field, old_value, new_value, latest."""
        ...

    def keep_apart(self, incident_ids: Sequence[str], *, user: str,
                   seen: dict[str, dict[str, Any]] | None = None) -> dict[str, dict[str, tuple]]:
        """Clear the possible-duplicate flags within a group (edits by ``user``)."""
        ...

    def merge(self, survivor_id: str, absorbed_ids: Sequence[str], *, user: str,
              seen: dict[str, dict[str, Any]] | None = None) -> dict[str, dict[str, tuple]]:
        """Merge incidents into a survivor that keeps every source (edits by ``user``)."""
        ...

    def unmerge(self, survivor_id: str, *, user: str) -> dict[str, dict[str, tuple]]:
        """Undo the latest merge into ``survivor_id`` (new edits by ``user``)."""
        ...

    def count_matching(self, spec: FilterSpec) -> int:
        """How many incidents ``spec`` selects (PostGIS: counted by the server)."""
        ...

    def select(self, spec: FilterSpec, columns: Sequence[str] | None = None, *,
               limit: int | None = None) -> pd.DataFrame:
        """The incidents ``spec`` selects, newest first, at most ``limit``."""
        ...

    def region_counts(self, spec: FilterSpec, column: str = "admin1") -> pd.DataFrame:
        """Incidents per (country, region) among those selected: country, region, incidents."""
        ...

    def cell_counts(self, spec: FilterSpec, resolution: int) -> pd.DataFrame:
        """Incidents per H3 cell among those selected: cell (uint64), incidents, latitude,
        longitude (means)."""
        ...

    def verify(self) -> Verification:
        """Check the edit history's hash chain and count writes made outside the program."""
        ...


class EditConflictError(StoreError):
    """An edit was refused: someone changed the incident since the editor read it.

    ``changes`` lists what they changed (user, edited_at, field, old, new), so
    the message can show it.
    """

    def __init__(self, incident_id: str, changes: list[dict[str, Any]]) -> None:
        shown = "; ".join(
            f"{c['user']} set {c['field']} from {c['old_value']!r} to {c['new_value']!r}"
            f" at {c['edited_at']}" for c in changes
        ) or "the incident was re-imported"
        super().__init__(
            f"{incident_id} was changed by someone else since you opened it ({shown});"
            " nothing was saved: reload it and apply your change again"
        )
        self.incident_id = incident_id
        self.changes = changes
