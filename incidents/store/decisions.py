"""The analyst's decisions a store applies in one transaction each: keeping possible
duplicates apart, merging them (and undoing a merge), discarding quarantined rows.

What each decision writes is decided in ``incidents.store.review``; here it is
applied through the storage methods of ``incidents.store.base.SnapshotStore``
(which this class is mixed into), as chained edit-history rows, all or nothing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pandas as pd

from incidents.errors import StoreError
from incidents.store import review, rules
from incidents.store.protocol import Discard, EditConflictError


class ReviewDecisions:
    """Duplicate review and quarantine discards, shared by every backend."""

    def keep_apart(self, incident_ids: Sequence[str], *, user: str,
                   seen: dict[str, dict[str, Any]] | None = None) -> dict[str, dict[str, tuple]]:
        """Keep a group of possible duplicates as separate incidents: the flags between
        them are cleared, as edits by ``user`` (``incidents.store.review``).

        ``seen`` ({incident_id: {field: value}}) holds what the analyst was shown;
        a value changed since refuses the whole decision (:class:`EditConflictError`).
        """
        return self._edit_group(list(incident_ids), review.keep_apart_changes, user=user,
                                seen=seen)

    def merge(self, survivor_id: str, absorbed_ids: Sequence[str], *, user: str,
              seen: dict[str, dict[str, Any]] | None = None) -> dict[str, dict[str, tuple]]:
        """Merge ``absorbed_ids`` into ``survivor_id``, in one transaction: the survivor
        keeps every member's sources, the absorbed incidents stay stored with status
        ``merged`` (``incidents.store.review.merge_changes``); every change is an edit
        by ``user``. ``seen`` as for :meth:`keep_apart`."""
        absorbed = [i for i in dict.fromkeys(absorbed_ids) if i != survivor_id]
        if not absorbed:
            raise StoreError("a merge needs at least one incident besides the survivor")

        def plan(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
            return review.merge_changes(rows[0], rows[1:])

        return self._edit_group([survivor_id, *absorbed], plan, user=user, seen=seen)

    def unmerge(self, survivor_id: str, *, user: str) -> dict[str, dict[str, tuple]]:
        """Undo the latest merge into ``survivor_id``: every field that merge wrote, on
        the survivor and on each incident it absorbed, goes back to its value before
        the merge, as new edits by ``user`` (the history keeps both). Refused
        (:class:`EditConflictError`) when any of those fields changed since."""
        merge_edits: dict[str, pd.DataFrame] = {}
        frame = self.load_map_snapshot()
        absorbed = frame.loc[frame["merged_into"].astype("string") == survivor_id, "incident_id"]
        stamps = {}
        for incident_id in absorbed.astype(str):
            history = self.history(incident_id)
            into = history[(history["field"] == "merged_into")
                           & (history["new_value"] == survivor_id)]
            if not into.empty:
                stamps[incident_id] = (into.iloc[-1]["edited_at"], into.iloc[-1]["user"])
                merge_edits[incident_id] = history
        if not stamps:
            raise StoreError(f"no merge into {survivor_id} to undo")
        stamp = max(stamps.values())
        members = [i for i, s in stamps.items() if s == stamp]
        merge_edits[survivor_id] = self.history(survivor_id)
        undo: dict[str, dict[str, Any]] = {}
        seen: dict[str, dict[str, Any]] = {}
        for incident_id in [survivor_id, *members]:
            history = merge_edits[incident_id]
            at = history[(history["edited_at"] == stamp[0]) & (history["user"] == stamp[1])]
            undo[incident_id] = dict(zip(at["field"], at["old_value"]))
            seen[incident_id] = dict(zip(at["field"], at["new_value"]))
        return self._edit_group([survivor_id, *members], lambda rows: undo, user=user,
                                seen=seen, allow_merged=True)

    def _edit_group(self, incident_ids: list[str], plan, *, user: str,
                    seen: dict[str, dict[str, Any]] | None,
                    allow_merged: bool = False) -> dict[str, dict[str, tuple]]:
        """Apply ``plan(rows)`` ({incident_id: changes}) to several incidents at once, all
        or nothing, with one chained edit row per changed field."""
        rules.check_changes({}, user)
        edited_at = rules.now()
        done: dict[str, dict[str, tuple]] = {}
        try:
            with self._transaction() as tx:
                rows = []
                for incident_id in incident_ids:
                    row = self._incident_row(tx, incident_id)
                    if row is None:
                        raise StoreError(f"no incident with id {incident_id!r}")
                    if not allow_merged and str(row.get("merged_into") or "").strip():
                        raise StoreError(f"{incident_id} was already merged into"
                                         f" {row['merged_into']}")
                    shown = rules.check_changes((seen or {}).get(incident_id, {}), user)
                    moved = sorted(rules.changed_fields(row, shown))
                    if moved:
                        raise EditConflictError(
                            incident_id, self._last_edits(tx, incident_id, moved)
                            or [{"user": "an import", "edited_at": row["updated_at"],
                                 "field": f, "old_value": shown[f],
                                 "new_value": rules.stored_form(row[f])} for f in moved])
                    rows.append(row)
                before = self._generation_in(tx)
                history: list[tuple] = []
                planned = []
                for incident_id, changes in plan(rows).items():
                    row = rows[incident_ids.index(incident_id)]
                    changed = rules.changed_fields(row, rules.check_changes(changes, user))
                    if changed:
                        planned.append((incident_id, changed, len(history)))
                        history += rules.edit_rows(incident_id, user, edited_at, changed)
                history = rules.chained(self._last_chain_hash(tx), history)
                for position, (incident_id, changed, start) in enumerate(planned):
                    end = planned[position + 1][2] if position + 1 < len(planned) else len(history)
                    self._apply_edit(tx, incident_id, changed, history[start:end], edited_at)
                    done[incident_id] = {field: (rules.stored_form(old), new)
                                         for field, (old, new) in changed.items()}
                edited = (pd.concat([self._incident_frame(tx, i) for i in done],
                                    ignore_index=True) if done else None)
        except self._errors as error:
            raise StoreError(f"review of {', '.join(incident_ids)} failed, nothing changed:"
                             f" {error}") from error
        if edited is None:
            self.snapshot.restamp(before, before + 1)
        else:
            self.snapshot.patch(before, edited)
        return done

    def discard_quarantined(self, quarantine_ids: Sequence[int], *, user: str,
                            note: str | None = None) -> Discard:
        """Discard quarantined rows (ids from :meth:`load_quarantine`): they are no longer
        pending, and the discard (who, when, how many, which reasons) is recorded; the
        rows stay in the store, counted in their import's history."""
        rules.check_changes({}, user)
        ids = sorted({int(i) for i in quarantine_ids})
        discarded_at = rules.now()
        try:
            with self._transaction() as tx:
                before = self._generation_in(tx)
                pending = self._pending_quarantine(tx, ids)
                if not pending:
                    raise StoreError("none of these quarantined rows is still pending")
                reasons: dict[str, int] = {}
                for _, reason in pending:
                    reasons[reason] = reasons.get(reason, 0) + 1
                record = {"user": user.strip(), "discarded_at": discarded_at,
                          "rows": len(pending), "note": (note or "").strip() or None,
                          "reasons": json.dumps(reasons, ensure_ascii=False)}
                discard_id = self._record_discard(tx, [i for i, _ in pending], record)
        except self._errors as error:
            raise StoreError(f"discarding quarantined rows failed, nothing changed: {error}"
                             ) from error
        # No incident changed: the snapshot carries over to the new generation.
        self.snapshot.restamp(before, before + 1)
        return Discard(discard_id=discard_id, user=record["user"], discarded_at=discarded_at,
                       rows=len(pending), reasons=reasons, note=record["note"])
