"""The store as one signed-in user may use it: every call checks the user's role.

The dashboard never writes through a bare store: it wraps the one it opened in
:class:`SignedInStore` with the signed-in :class:`~incidents.users.User` (or,
with no users configured, :func:`~incidents.users.local_user`). Hiding a button
is only a convenience; this is where a viewer's import or correction is
refused, whichever page or code path makes the call. Edits are recorded under
the user's own name: a different ``user=`` is refused, never written.

Each method names the action it needs (``incidents.users.ROLES``); methods not
listed here are not offered at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import geopandas as gpd
import pandas as pd

from incidents.filters import FilterSpec
from incidents.store.protocol import ImportSummary, Store, Verification
from incidents.users import NotAllowedError, User


class SignedInStore:
    """``store`` seen by ``user``: reads need ``explore``; imports and quarantine discards
    ``upload``; edits ``correct``; duplicate decisions ``merge``; reverts ``revert``; the
    audit log and chain check ``audit``."""

    def __init__(self, store: Store, user: User) -> None:
        self._store = store
        self.user = user

    @property
    def location(self) -> str:
        return self._store.location

    def _allowed(self, action: str) -> Store:
        self.user.require(action)
        return self._store

    def _own_name(self, user: str | None) -> str:
        if user is not None and user != self.user.name:
            raise NotAllowedError(f"{self.user.name} may not record an edit under the name"
                                  f" {user!r}")
        return self.user.name

    # -- writes ---------------------------------------------------------------------

    def import_records(self, records: pd.DataFrame, quarantine: pd.DataFrame | None = None,
                       *, source_name: str, folded_rows: int = 0) -> ImportSummary:
        return self._allowed("upload").import_records(records, quarantine,
                                                      source_name=source_name,
                                                      folded_rows=folded_rows)

    def import_parts(self, parts: Iterable[Any], *, source_name: str) -> ImportSummary:
        return self._allowed("upload").import_parts(parts, source_name=source_name)

    def update(self, incident_id: str, changes: dict[str, Any], *, user: str | None = None,
               seen: dict[str, Any] | None = None) -> dict[str, tuple]:
        return self._allowed("correct").update(incident_id, changes,
                                               user=self._own_name(user), seen=seen)

    def revert(self, incident_id: str, field: str, *, user: str | None = None
               ) -> dict[str, tuple]:
        return self._allowed("revert").revert(incident_id, field, user=self._own_name(user))

    def revert_edit(self, edit_id: int, *, user: str | None = None) -> dict[str, tuple]:
        return self._allowed("revert").revert_edit(edit_id, user=self._own_name(user))

    def keep_apart(self, incident_ids: Sequence[str], *, user: str | None = None,
                   seen: dict[str, dict[str, Any]] | None = None) -> dict[str, dict[str, tuple]]:
        return self._allowed("merge").keep_apart(incident_ids, user=self._own_name(user),
                                                 seen=seen)

    def merge(self, survivor_id: str, absorbed_ids: Sequence[str], *, user: str | None = None,
              seen: dict[str, dict[str, Any]] | None = None) -> dict[str, dict[str, tuple]]:
        return self._allowed("merge").merge(survivor_id, absorbed_ids,
                                            user=self._own_name(user), seen=seen)

    def unmerge(self, survivor_id: str, *, user: str | None = None
                ) -> dict[str, dict[str, tuple]]:
        return self._allowed("merge").unmerge(survivor_id, user=self._own_name(user))

    def discard_quarantined(self, quarantine_ids: Sequence[int], *, user: str | None = None,
                            note: str | None = None) -> Any:
        return self._allowed("upload").discard_quarantined(
            quarantine_ids, user=self._own_name(user), note=note)

    # -- the audit ------------------------------------------------------------------

    def edit_log(self, limit: int = 500) -> pd.DataFrame:
        return self._allowed("audit").edit_log(limit)

    def verify(self) -> Verification:
        return self._allowed("audit").verify()

    # -- reads ----------------------------------------------------------------------

    def load(self) -> gpd.GeoDataFrame:
        return self._allowed("explore").load()

    def load_map_snapshot(self) -> pd.DataFrame:
        return self._allowed("explore").load_map_snapshot()

    def load_quarantine(self) -> pd.DataFrame:
        return self._allowed("explore").load_quarantine()

    def imports(self) -> pd.DataFrame:
        return self._allowed("explore").imports()

    def discards(self) -> pd.DataFrame:
        return self._allowed("explore").discards()

    def count(self) -> int:
        return self._allowed("explore").count()

    def generation(self) -> int:
        return self._allowed("explore").generation()

    def refresh_snapshot(self) -> None:
        self._allowed("explore").refresh_snapshot()

    def history(self, incident_id: str) -> pd.DataFrame:
        return self._allowed("explore").history(incident_id)

    def count_matching(self, spec: FilterSpec) -> int:
        return self._allowed("explore").count_matching(spec)

    def select(self, spec: FilterSpec, columns: Sequence[str] | None = None, *,
               limit: int | None = None) -> pd.DataFrame:
        return self._allowed("explore").select(spec, columns, limit=limit)

    def region_counts(self, spec: FilterSpec, column: str = "admin1") -> pd.DataFrame:
        return self._allowed("explore").region_counts(spec, column)

    def cell_counts(self, spec: FilterSpec, resolution: int) -> pd.DataFrame:
        return self._allowed("explore").cell_counts(spec, resolution)
