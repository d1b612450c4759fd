"""What every backend does the same way: the order of an import, the edit, the snapshot.

A backend subclasses :class:`SnapshotStore` and fills in the small storage
methods (``_transaction``, ``_stage_batch``, ``_upsert`` ...) in its own SQL;
the decisions (ids, duplicates, edit precedence, quarantine rows) come from
``incidents.store.rules`` and the map snapshot from
``incidents.snapshot.SnapshotCache``, so both backends behave the same.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from incidents import model
from incidents.errors import StoreError
from incidents.filters import FilterSpec, filter_mask
from incidents.snapshot import SnapshotCache, canonical_columns, with_geometry
from incidents.spatial_index import cell_column, map_snapshot
from incidents.store import review, rules
from incidents.store.decisions import ReviewDecisions
from incidents.store.protocol import EditConflictError, ImportSummary, Verification

# Up to this many inserted or changed rows, an import patches the snapshot instead of
# rebuilding it from every stored row.
SNAPSHOT_PATCH_MAX_ROWS = 100_000
EDIT_LOG_COLUMNS = ("edit_id", "incident_id", "user", "edited_at", "field", "old_value",
                    "new_value", "latest")


@dataclass(frozen=True)
class _Written:
    """What an import transaction wrote, for bringing the snapshot up to date."""

    before: int  # the generation before the transaction (it commits ``before + 1``)
    first_rows: pd.DataFrame | None  # every row, when the store was empty before
    changed_rows: pd.DataFrame | None  # the rows inserted or changed, when few enough


class SnapshotStore(ReviewDecisions, ABC):
    """The shared half of a store; see the module docstring (the analyst's review
    decisions come from :class:`incidents.store.decisions.ReviewDecisions`)."""

    location: str
    snapshot: SnapshotCache
    # The backend's own errors, turned into StoreError.
    _errors: tuple[type[BaseException], ...] = ()

    # -- storage a backend provides ---------------------------------------------------

    @abstractmethod
    def _transaction(self) -> AbstractContextManager[Any]:
        """A write transaction that bumps the generation on commit, rolled back on error."""

    def _import_transaction(self) -> AbstractContextManager[Any]:
        """The transaction of an import: :meth:`_transaction`, unless the backend
        writes a first import another way."""
        return self._transaction()

    @abstractmethod
    def _generation_in(self, tx: Any) -> int: ...

    @abstractmethod
    def _is_empty(self, tx: Any) -> bool: ...

    @abstractmethod
    def _insert_import(self, tx: Any, source_name: str, imported_at: str) -> int: ...

    @abstractmethod
    def _stage_batch(self, tx: Any, ids: list[str]) -> set[str]:
        """Remember this import's ids for the queries below; return those already stored."""

    @abstractmethod
    def _stored_candidates(self, tx: Any, low: str, high: str, *,
                           before: str | None = None) -> pd.DataFrame:
        """Stored records (``rules.DUPLICATE_FIELDS``) dated in [low, high], batch excluded
        (and, with ``before``, those written at that time: the import's own rows)."""

    @abstractmethod
    def _rows_with_source_ids(self, tx: Any, source_ids: list[str]) -> pd.DataFrame:
        """Stored records (``rules.DUPLICATE_FIELDS``) with one of these event_id_cnty."""

    @abstractmethod
    def _batch_edits(self, tx: Any) -> list[tuple[str, str, str]]:
        """(incident_id, field, new_value JSON) of the latest edit of each field of the batch."""

    @abstractmethod
    def _bulk_insert(self, tx: Any, frame: pd.DataFrame) -> int: ...

    @abstractmethod
    def _upsert(self, tx: Any, rows: Iterable[tuple[Any, ...]]) -> int:
        """Insert or update rows; how many were inserted or changed."""

    @abstractmethod
    def _rows_updated_at(self, tx: Any, stamp: str) -> pd.DataFrame: ...

    @abstractmethod
    def _write_quarantine(self, tx: Any, rows: list[tuple[int | None, str, str]],
                          import_id: int, source_name: str) -> None: ...

    @abstractmethod
    def _finish_import(self, tx: Any, summary: ImportSummary) -> None: ...

    @abstractmethod
    def _cleared_flags(self, tx: Any) -> list[tuple[str, str | None]]:
        """(incident_id, old_value JSON) of every edit that cleared a possible_duplicate_of."""

    @abstractmethod
    def _pending_quarantine(self, tx: Any, ids: Sequence[int]) -> list[tuple[int, str]]:
        """(id, reason) of the quarantined rows among ``ids`` not yet discarded."""

    @abstractmethod
    def _record_discard(self, tx: Any, ids: Sequence[int], discard: dict[str, Any]) -> int:
        """Write one discard (user, discarded_at, rows, reasons JSON, note), mark ``ids``
        as discarded by it; its id."""

    def _remember_values(self, tx: Any, frame: pd.DataFrame) -> None:
        """Keep what a backend needs to know about the values just written (nothing here)."""

    @abstractmethod
    def _incident_row(self, tx: Any, incident_id: str) -> dict[str, Any] | None: ...

    @abstractmethod
    def _last_edits(self, tx: Any, incident_id: str, fields: list[str]) -> list[dict[str, Any]]:
        """The latest edit (user, edited_at, field, old_value, new_value) of each field."""

    @abstractmethod
    def _apply_edit(self, tx: Any, incident_id: str, changed: dict[str, tuple],
                    edit_rows: list[tuple], edited_at: str) -> None: ...

    @abstractmethod
    def _last_chain_hash(self, tx: Any) -> str | None:
        """The chain hash of the newest edit-history row (None when there is none)."""

    @abstractmethod
    def _chain_rows(self) -> Iterable[tuple]:
        """(id, incident_id, user, edited_at, field, old_value, new_value, hash) in id order."""

    @abstractmethod
    def _direct_writes(self) -> int:
        """How many writes to incidents or edits were made outside this program."""

    @abstractmethod
    def _read_incidents(self) -> tuple[int, pd.DataFrame]:
        """(generation, every incident row), read in one consistent transaction."""

    @abstractmethod
    def generation(self) -> int: ...

    # -- the shared flow --------------------------------------------------------------

    def import_records(
        self,
        records: pd.DataFrame,
        quarantine: pd.DataFrame | None = None,
        *,
        source_name: str,
        folded_rows: int = 0,
    ) -> ImportSummary:
        """Store accepted records and quarantined rows of one source, atomically.

        ``folded_rows``: input rows the reader already folded into another row
        (an actor-based export's second actor row), counted as merged.
        """
        frame = rules.prepare_incoming(records)
        # Rows of the file that share an explicit id with a later row are folded into it.
        merged = folded_rows + len(records) - len(frame)
        quarantine = quarantine if quarantine is not None else pd.DataFrame()
        imported_at = rules.now()
        try:
            with self._import_transaction() as tx:
                summary, written = self._import(tx, frame, quarantine, source_name,
                                                imported_at, merged)
        except self._errors as error:
            raise StoreError(f"import of {source_name} failed, nothing stored: {error}") from error
        before = written.before
        if written.first_rows is not None:
            kept = self._snapshot_of_first_rows(before, written.first_rows)
        elif summary.inserted == 0 and summary.updated == 0:
            # Re-importing a file already stored changes no incident: the snapshot taken
            # before is still right (re-reading a million rows would take 15 s).
            kept = self.snapshot.restamp(before, before + 1)
        elif written.changed_rows is not None:
            kept = self.snapshot.patch(before, written.changed_rows)
        else:
            kept = False
        if not kept:
            self.refresh_snapshot()
        return summary

    def import_parts(self, parts: Iterable[tuple[pd.DataFrame, pd.DataFrame]
                                           | rules.PreparedPart], *,
                     source_name: str) -> ImportSummary:
        """Store one source read in parts (records, quarantine), in one transaction
        (or parts ``rules.prepared_parts`` already prepared, e.g. in a reading process).

        The peak memory is a part's, whatever the file's size: ids continue from
        part to part (``rules.assign_incident_ids``), each part is compared for
        possible duplicates with what was stored before the import, with its own
        rows, and with the earlier parts' rows that carry no source id or the same
        source id as one of its rows (rows with distinct ids of one family are never
        duplicates of each other, so no other earlier row is needed). One difference
        from a whole read: on a re-import, a stored row of this very file that a later
        part brings again is still a candidate for the earlier parts (a file repeating
        one source id may see that pair flagged the other way round). The map
        snapshot is not rebuilt here (that would read every row back): it is
        rebuilt from the store when next read.
        """
        imported_at = rules.now()
        carried = model.empty_frame()[list(rules.DUPLICATE_FIELDS)]
        totals = dict.fromkeys(("rows", "accepted", "quarantined", "merged", "inserted",
                                "updated", "unchanged", "possible_duplicates"), 0)
        try:
            with self._import_transaction() as tx:
                import_id = self._insert_import(tx, source_name, imported_at)
                # Into an empty store every part is part of a first import: nothing stored
                # before to compare with, stage or overlay; only its own earlier parts count.
                first = self._is_empty(tx)
                deferred = self._defer_indexes(tx) if first else None
                for part in rules.prepared_parts(parts):
                    frame = part.frame
                    earlier = carried
                    if part.repeated_source_ids:
                        rows = model.conform(self._rows_with_source_ids(
                            tx, part.repeated_source_ids))
                        rows = rows[~rows["incident_id"].isin(frame["incident_id"])]
                        earlier = pd.concat([carried, rows[list(rules.DUPLICATE_FIELDS)]],
                                            ignore_index=True)
                    counts, _ = self._import_part(
                        tx, frame, part.quarantine, import_id, source_name, imported_at,
                        carried=earlier, written_before=part.written_before if first else None)
                    # Rows sharing an explicit id with a later row are folded into it.
                    counts["merged"] = part.merged
                    counts["rows"] += counts["merged"]
                    for key, value in counts.items():
                        totals[key] += value
                    unnamed = frame[frame["event_id_cnty"].isna()]
                    if len(unnamed):
                        carried = pd.concat([carried, unnamed[list(rules.DUPLICATE_FIELDS)]],
                                            ignore_index=True)
                if first:
                    self._restore_indexes(tx, deferred)
                summary = ImportSummary(import_id=import_id, source_name=source_name,
                                        imported_at=imported_at, **totals)
                self._finish_import(tx, summary)
        except self._errors as error:
            raise StoreError(f"import of {source_name} failed, nothing stored: {error}") from error
        return summary

    def _import(self, tx: Any, frame: pd.DataFrame, quarantine: pd.DataFrame,
                source_name: str, imported_at: str,
                merged: int = 0) -> tuple[ImportSummary, _Written]:
        import_id = self._insert_import(tx, source_name, imported_at)
        counts, written = self._import_part(tx, frame, quarantine, import_id, source_name,
                                            imported_at)
        counts["rows"] += merged
        counts["merged"] = merged
        summary = ImportSummary(import_id=import_id, source_name=source_name,
                                imported_at=imported_at, **counts)
        self._finish_import(tx, summary)
        return summary, written

    def _import_part(self, tx: Any, frame: pd.DataFrame, quarantine: pd.DataFrame,
                     import_id: int, source_name: str, imported_at: str, *,
                     carried: pd.DataFrame | None = None,
                     written_before: np.ndarray | None = None
                     ) -> tuple[dict[str, int], _Written]:
        """Write one frame of an import; its counts (ImportSummary's) and what it wrote.
        ``carried``: rows of earlier parts of the same import to compare with;
        ``written_before``: when the store was empty before the import, whether an
        earlier part of it had each row's id (``rules.PreparedPart``)."""
        was_empty = written_before is not None or self._is_empty(tx)
        existing_ids: set[str] = set()
        existing = model.empty_frame()[list(rules.DUPLICATE_FIELDS)]
        kept_apart: set[frozenset[str]] = set()
        if not was_empty:
            kept_apart = review.kept_apart_pairs(self._cleared_flags(tx))
            # Nothing stored can clash with (or duplicate, or carry edits for) the
            # first import, so only later imports need the batch of incoming ids.
            existing_ids = self._stage_batch(tx, frame["incident_id"].tolist())
            window = rules.duplicate_window(frame)
            if window is not None:
                existing = model.conform(self._stored_candidates(
                    tx, *window, before=imported_at if carried is not None else None))[
                    list(rules.DUPLICATE_FIELDS)]
        if carried is not None and len(carried):
            existing = pd.concat([existing, carried], ignore_index=True)
        frame = rules.flag_statuses(frame, existing, kept_apart)
        frame["created_at"] = imported_at
        frame["updated_at"] = imported_at
        first_rows = changed_rows = None
        flagged = frame["possible_duplicate_of"].notna()
        in_parts = carried is not None  # no snapshot patch: see import_parts
        if was_empty:
            existing_ids, changed = self._first_write(tx, frame, written_before)
            first_rows = None if in_parts else rules.as_read_back(frame)
        else:
            edits = rules.latest_edits(self._batch_edits(tx))
            # A row an analyst already reviewed keeps their decision (the edit wins), so
            # it is not counted as a new possible duplicate.
            flagged &= ~frame["incident_id"].isin(rules.reviewed_ids(edits))
            changed = self._upsert(tx, rules.storage_rows(frame, edits))
            if not in_parts and 0 < changed <= SNAPSHOT_PATCH_MAX_ROWS:
                # Inserted or changed rows, and only those, now carry this import's time
                # (rows of another import in the same second may come along: harmless).
                changed_rows = self._rows_updated_at(tx, imported_at)
        self._remember_values(tx, frame)
        written = _Written(self._generation_in(tx), first_rows, changed_rows)
        inserted = len(frame) - len(existing_ids)
        updated = changed - inserted
        self._write_quarantine(tx, rules.quarantine_rows(quarantine), import_id, source_name)
        return {
            "rows": len(frame) + len(quarantine),
            "accepted": len(frame),
            "quarantined": len(quarantine),
            "merged": 0,
            "inserted": inserted,
            "updated": updated,
            "unchanged": len(existing_ids) - updated,
            "possible_duplicates": int(flagged.sum()),
        }, written

    def _first_write(self, tx: Any, frame: pd.DataFrame,
                     written_before: np.ndarray | None) -> tuple[set[str], int]:
        """Store rows into a store that was empty before this import: (ids an earlier
        part of it already wrote, rows inserted or changed).

        Only an explicit id equal to an earlier part's suffixed one can come again
        (``rules.prepare_incoming``); those rows update the earlier ones, as on any
        later import. ``written_before`` (from ids as 64-bit hashes) names the few
        candidates, which the store then confirms."""
        again: set[str] = set()
        deferred = None
        if written_before is None:
            deferred = self._defer_indexes(tx)
        else:
            maybe = frame["incident_id"][written_before]
            if len(maybe):
                again = self._stage_batch(tx, maybe.tolist())
        repeat = frame["incident_id"].isin(again).to_numpy()
        changed = self._bulk_insert(tx, frame[~repeat] if again else frame)
        if again:
            changed += self._upsert(tx, rules.storage_rows(frame[repeat]))
        if written_before is None:
            self._restore_indexes(tx, deferred)
        return again, changed

    def _defer_indexes(self, tx: Any) -> Any:
        """Drop secondary indexes a backend builds faster once after a first import
        (nothing here); what :meth:`_restore_indexes` needs to build them again, in
        the same transaction."""
        return None

    def _restore_indexes(self, tx: Any, deferred: Any) -> None:
        """Build what :meth:`_defer_indexes` dropped (nothing here)."""

    def _snapshot_of_first_rows(self, before: int, written: pd.DataFrame) -> bool:
        """Snapshot a store's first import from the rows just written.

        They are the store's whole content, so they are put in the store's order
        and conformed exactly as rows read back would be, without reading a
        million rows back out of the backend (about 15 s).
        """
        ordered = written.sort_values(["event_date", "incident_id"], na_position="first",
                                      kind="stable", ignore_index=True)
        return self.snapshot.write(map_snapshot(model.conform(ordered)), before + 1)

    def update(self, incident_id: str, changes: dict[str, Any], *, user: str,
               seen: dict[str, Any] | None = None) -> dict[str, tuple]:
        """Change fields of one incident, recording old and new values in its history.

        Returns ``{field: (old, new)}`` for the fields that actually changed.
        ``seen`` holds the values the editor was shown for the fields they change:
        if any of them is no longer the stored value (another analyst saved, or a
        re-import changed it, in between), nothing is written and
        :class:`EditConflictError` says who changed what.
        """
        new_values = rules.check_changes(changes, user)
        seen_values = rules.check_changes(seen, user) if seen else {}
        edited_at = rules.now()
        try:
            with self._transaction() as tx:
                row = self._incident_row(tx, incident_id)
                if row is None:
                    raise StoreError(f"no incident with id {incident_id!r}")
                moved = sorted(rules.changed_fields(row, seen_values))
                if moved:
                    raise EditConflictError(
                        incident_id, self._last_edits(tx, incident_id, moved)
                        or [{"user": "an import", "edited_at": row["updated_at"], "field": f,
                             "old_value": seen_values[f], "new_value": rules.stored_form(row[f])}
                            for f in moved])
                changed = rules.changed_fields(row, new_values)
                before = self._generation_in(tx)
                if not changed:
                    edited = None
                else:
                    history = rules.chained(self._last_chain_hash(tx),
                                            rules.edit_rows(incident_id, user, edited_at, changed))
                    self._apply_edit(tx, incident_id, changed, history, edited_at)
                    edited = self._incident_frame(tx, incident_id)
        except self._errors as error:
            raise StoreError(f"edit of {incident_id} failed, nothing changed: {error}") from error
        if edited is None:
            # Nothing changed, yet the transaction moved the generation: carry the snapshot.
            self.snapshot.restamp(before, before + 1)
            return {}
        self.snapshot.patch(before, edited)
        return {field: (rules.stored_form(old), new) for field, (old, new) in changed.items()}

    def revert(self, incident_id: str, field: str, *, user: str) -> dict[str, tuple]:
        """Undo the latest edit of ``field``: its old value comes back, as a new edit by
        ``user`` (the history keeps both), refused if someone changed it since."""
        edits = self.history(incident_id)
        edits = edits[edits["field"] == field]
        if edits.empty:
            raise StoreError(f"{incident_id} has no edit of {field} to revert")
        last = edits.iloc[-1]
        return self.update(incident_id, {field: last["old_value"]}, user=user,
                           seen={field: last["new_value"]})

    def revert_edit(self, edit_id: int, *, user: str) -> dict[str, tuple]:
        """Undo one save: every field changed with edit ``edit_id`` (one incident, one
        author, one time: a placement changes eight fields at once) gets its old value
        back, in one new edit by ``user``.

        Refused (:class:`EditConflictError`, naming who) when any of those fields
        no longer holds the value that save gave it: a revert never undoes more than
        the admin chose.
        """
        chosen = next((row for row in self._chain_rows() if int(row[0]) == int(edit_id)), None)
        if chosen is None:
            raise StoreError(f"no edit {edit_id}")
        incident_id, author, edited_at = chosen[1], chosen[2], chosen[3]
        history = self.history(incident_id)
        save = history[(history["user"] == author)
                       & (history["edited_at"].astype(str) == str(edited_at))]
        return self.update(incident_id, dict(zip(save["field"], save["old_value"])), user=user,
                           seen=dict(zip(save["field"], save["new_value"])))

    def edit_log(self, limit: int = 500) -> pd.DataFrame:
        """The newest ``limit`` edits of every incident, newest first: edit_id, incident_id,
        user, edited_at, field, old_value, new_value (decoded) and ``latest`` (whether it
        is still its field's latest edit).

        Read from the same rows :meth:`verify` checks; edits are made by hand, so
        even a long-lived store has few enough to walk.
        """
        recent: deque[tuple] = deque(maxlen=max(int(limit), 0))
        latest: dict[tuple[str, str], int] = {}
        for edit_id, incident_id, user, edited_at, field, old, new, _ in self._chain_rows():
            recent.append((int(edit_id), incident_id, user, str(edited_at), field, old, new))
            latest[(incident_id, field)] = int(edit_id)
        log = pd.DataFrame(list(reversed(recent)), columns=list(EDIT_LOG_COLUMNS[:-1]))
        log["latest"] = [latest[(i, f)] == e for e, i, f in
                         zip(log["edit_id"], log["incident_id"], log["field"])]
        return rules.decode_history(log.astype({"edit_id": "int64", "latest": bool}))

    def verify(self) -> Verification:
        """Check the edit history's hash chain and count writes made outside the program."""
        count, broken = rules.first_broken_link(self._chain_rows())
        return Verification(edits=count, first_broken_edit=broken,
                            direct_writes=self._direct_writes())

    # -- queries: in memory over the snapshot here; PostGIS answers them in SQL -------

    def _selected(self, spec: FilterSpec) -> pd.DataFrame:
        frame = self.load_map_snapshot()
        return frame[filter_mask(frame, spec).to_numpy()]

    def count_matching(self, spec: FilterSpec) -> int:
        """How many incidents ``spec`` selects."""
        return int(filter_mask(self.load_map_snapshot(), spec).sum())

    def select(self, spec: FilterSpec, columns: Sequence[str] | None = None, *,
               limit: int | None = None) -> pd.DataFrame:
        """The incidents ``spec`` selects, newest first (at most ``limit``)."""
        names = list(columns) if columns else list(model.CANONICAL_COLUMNS)
        chosen = self._selected(spec)
        order = chosen.sort_values(["event_date", "incident_id"], ascending=[False, True],
                                   na_position="last", kind="stable")
        rows = order.iloc[:limit] if limit is not None else order
        return canonical_columns(pd.DataFrame(rows[names])).reset_index(drop=True)

    def region_counts(self, spec: FilterSpec, column: str = "admin1") -> pd.DataFrame:
        """Incidents per (country, region) among those ``spec`` selects."""
        chosen = self._selected(spec)[["country", column]].astype("string").dropna(
            subset=[column])
        counts = chosen.groupby(["country", column], dropna=False).size()
        frame = counts[counts > 0].rename("incidents").reset_index()
        return frame.sort_values(["incidents", "country", column], ascending=[False, True, True],
                                 ignore_index=True).astype({"incidents": "int64"})

    def cell_counts(self, spec: FilterSpec, resolution: int) -> pd.DataFrame:
        """Incidents per H3 cell at ``resolution`` among those ``spec`` selects."""
        chosen = self._selected(spec)
        cells = chosen[cell_column(resolution)]
        placed = chosen[cells != 0]
        grouped = placed.groupby(cell_column(resolution)).agg(
            incidents=("incident_id", "size"), latitude=("latitude", "mean"),
            longitude=("longitude", "mean"))
        grouped.index.name = "cell"
        return grouped.reset_index().astype({"cell": "uint64", "incidents": "int64"})

    def _incident_frame(self, tx: Any, incident_id: str) -> pd.DataFrame:
        row = self._incident_row(tx, incident_id)
        return pd.DataFrame([row], columns=list(model.CANONICAL_COLUMNS))

    def load(self) -> gpd.GeoDataFrame:
        """Every stored incident as a canonical GeoDataFrame, oldest first."""
        return with_geometry(canonical_columns(self._snapshot_frame()))

    def load_map_snapshot(self) -> pd.DataFrame:
        """Every stored incident with H3 cell-id columns and categorical filter columns,
        without geometry: what the map and filters keep in memory.

        This is ``incidents.spatial_index.map_snapshot(store.load())`` without
        recomputing anything and without the point objects (a million shapely
        points cost 0.25 s and a million objects for Python's collector to walk).
        """
        return self._snapshot_frame()

    def refresh_snapshot(self) -> None:
        """Make sure the map snapshot matches the store (rebuilt if it does not)."""
        self._snapshot_frame()

    def _snapshot_frame(self) -> pd.DataFrame:
        frame = self.snapshot.read(self.generation())
        if frame is not None:
            return frame
        generation, records = self._read_incidents()
        return self.snapshot.take(records, generation)


def iter_chunks(rows: Iterable[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    """``rows`` in lists of at most ``size``."""
    chunk: list[tuple[Any, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
