"""An analyst's review of possible duplicates: groups, "keep both", "merge".

The import flags a row ``possible_duplicate_of`` an earlier record
(``incidents.store.duplicates``); it never deletes one. Reviewing is deciding:

* **Groups.** Flags link incidents; a group is a connected set of linked,
  not-merged incidents (mostly a pair; a third report of the same event makes
  three). :func:`group_labels` gives every row its group, :func:`duplicate_groups`
  lists the groups to review.
* **Keep both** (:func:`keep_apart_changes`): the flags inside the group are
  cleared. Clearing is an edit, so it is in the incident's history, survives a
  re-import of the file (an analyst's edit wins), and the pair is not flagged again
  from the other side (:func:`kept_apart_pairs`).
* **Merge** (:func:`merge_changes`): one incident survives and keeps every
  source: the ``source`` names of all members, their notes (each absorbed
  member's under its id), and in ``source_extra`` under ``merged_sources`` the
  id, source id, source, link, date and fatalities of each absorbed member. The
  absorbed incidents stay stored with status ``merged`` and ``merged_into`` the
  survivor; every change is an edit by the analyst, so the merge is in the
  history of each member and can be read back field by field.

Only decisions live here; ``SnapshotStore.keep_apart``/``merge`` apply them in one
transaction on either backend.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from incidents import model
from incidents.framecache import per_frame

DUPLICATE_REASON = "possible duplicate of "
UNPLACED_REASON = "not placed on the map"
# Between the sources of merged incidents, as ACLED separates its own sources.
SOURCE_SEPARATOR = "; "
# Fields the review view shows side by side (and sends back as ``seen``).
REVIEW_FIELDS: tuple[str, ...] = (
    "incident_id", "event_id_cnty", "event_date", "event_type", "sub_event_type", "country",
    "admin1", "admin2", "location", "latitude", "longitude", "fatalities", "actor1", "actor2",
    "source", "source_url", "notes", "status", "status_reason", "possible_duplicate_of",
)
# What a merge or "keep both" rewrites; the editor must have seen these values.
EDITED_FIELDS: tuple[str, ...] = (
    "source", "source_url", "notes", "source_extra", "status", "status_reason",
    "possible_duplicate_of", "merged_into",
)


def _text(value: Any) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    return str(value).strip()


def _pointer(frame: pd.DataFrame, column: str) -> pd.Series:
    """An id column as strings, NA where empty (a file may give "" for none)."""
    missing = pd.Series(pd.NA, index=frame.index, dtype="string")
    if column not in frame.columns or not frame[column].notna().any():
        return missing  # the usual case, without a string pass over every row
    values = frame[column].astype("string").str.strip()
    return values.where(values != "")


def _union_find(count: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The root of every position 0..count-1 once each pair (a[i], b[i]) is joined.

    Only the positions in pairs are visited, so a million rows with a few
    thousand flags cost a few thousand steps.
    """
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for x, y in zip(a.tolist(), b.tolist()):
        rx, ry = root(x), root(y)
        if rx != ry:
            parent[max(rx, ry)] = min(rx, ry)
    labels = np.arange(count)
    for x in parent:
        labels[x] = root(x)
    return labels


def _links(frame: pd.DataFrame, *, flags: bool) -> tuple[np.ndarray, np.ndarray]:
    """(row, row it points to) positions: merged rows to their survivor, and with
    ``flags`` live flagged rows to the record they may duplicate."""
    merged = _pointer(frame, "merged_into")
    pointers = [merged]
    if flags:
        pointers.append(_pointer(frame, "possible_duplicate_of").where(merged.isna()))
    sources, targets = [], []
    ids = None
    for pointer in pointers:
        positions = np.flatnonzero(pointer.notna().to_numpy())
        if not len(positions):
            continue
        if ids is None:
            ids = pd.Index(frame["incident_id"].astype("string"))
        found = ids.get_indexer(pointer.iloc[positions].astype(str))
        known = found >= 0
        sources.append(positions[known])
        targets.append(found[known])
    if not sources:
        return np.array([], dtype=int), np.array([], dtype=int)
    return np.concatenate(sources), np.concatenate(targets)


def group_labels(frame: pd.DataFrame, *, flags: bool = True) -> np.ndarray:
    """A group label per row: equal for rows that are one event (merged into one
    another, or with ``flags`` linked by a possible-duplicate flag); a row in no
    group is its own (label = its position). Computed once per frame."""
    def compute(frame: pd.DataFrame) -> np.ndarray:
        a, b = _links(frame, flags=flags)
        return _union_find(len(frame), a, b)

    return per_frame(frame, f"duplicate_groups:{flags}", compute)


def duplicate_groups(frame: pd.DataFrame) -> list[list[int]]:
    """Groups of live (not merged) incidents linked by possible-duplicate flags, as
    lists of row positions: first the members flagged against nothing (the record
    the others may duplicate), then by date; the group with the newest member first."""
    live = _pointer(frame, "merged_into").isna().to_numpy()
    flagged = _pointer(frame, "possible_duplicate_of").notna().to_numpy() & live
    if not flagged.any():
        return []
    a, b = _links(frame, flags=True)
    keep = live[a] & live[b]
    labels = _union_find(len(frame), a[keep], b[keep])
    members = np.flatnonzero(labels != np.arange(len(frame)))
    members = np.union1d(members, np.unique(labels[members]))
    # Days as integers; an undated row (NaT, the smallest int64) sorts first.
    days = pd.to_datetime(frame["event_date"], errors="coerce").to_numpy(
        dtype="datetime64[ns]").astype("int64")
    groups: dict[int, list[int]] = {}
    for position in members.tolist():
        groups.setdefault(int(labels[position]), []).append(position)
    # The record the others were flagged against first (the default survivor), then by date.
    pointing = _pointer(frame, "possible_duplicate_of").notna().to_numpy()
    ordered = [sorted(group, key=lambda p: (bool(pointing[p]), days[p], p))
               for group in groups.values()]
    return sorted(ordered, key=lambda g: (-max(int(days[p]) for p in g), g[0]))


def cleared_status(row: Mapping[str, Any]) -> dict[str, Any]:
    """Status and reason of a row once its duplicate flag is gone (as an import sets
    them): left alone unless the flag was the reason."""
    if not _text(row.get("status_reason")).startswith(DUPLICATE_REASON):
        return {}
    if _text(row.get("latitude")) == "" or _text(row.get("longitude")) == "":
        return {"status": model.Status.NEEDS_REVIEW.value, "status_reason": UNPLACED_REASON}
    return {"status": model.Status.OK.value, "status_reason": None}


def keep_apart_changes(rows: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """{incident_id: changes} clearing the flags between the group's ``rows``."""
    ids = {_text(row["incident_id"]) for row in rows}
    changes = {}
    for row in rows:
        if _text(row.get("possible_duplicate_of")) in ids:
            changes[_text(row["incident_id"])] = {"possible_duplicate_of": None,
                                                  **cleared_status(row)}
    return changes


def _joined_sources(rows: Sequence[Mapping[str, Any]]) -> str | None:
    names: dict[str, str] = {}
    for row in rows:
        for name in _text(row.get("source")).split(";"):
            if name.strip():
                names.setdefault(name.strip().casefold(), name.strip())
    return SOURCE_SEPARATOR.join(names.values()) or None


def _joined_notes(survivor: Mapping[str, Any], absorbed: Sequence[Mapping[str, Any]]) -> str | None:
    own = _text(survivor.get("notes"))
    parts = [own] if own else []
    for row in absorbed:
        notes = _text(row.get("notes"))
        if notes and notes not in parts and notes not in own:
            parts.append(f"[{_text(row['incident_id'])}] {notes}")
    return "\n".join(parts) or None


def _merged_sources(survivor: Mapping[str, Any], absorbed: Sequence[Mapping[str, Any]]) -> str:
    extra = _text(survivor.get("source_extra"))
    try:
        fields = json.loads(extra) if extra else {}
    except ValueError:
        fields = {"source_extra": extra}
    if not isinstance(fields, dict):
        fields = {"source_extra": fields}
    kept = list(fields.get("merged_sources") or [])
    for row in absorbed:
        kept.append({name: _text(row.get(name)) or None for name in (
            "incident_id", "event_id_cnty", "source", "source_url", "event_date", "fatalities")})
    fields["merged_sources"] = kept
    return json.dumps(fields, ensure_ascii=False)


def merge_changes(survivor: Mapping[str, Any],
                  absorbed: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """{incident_id: changes}: ``absorbed`` merged into ``survivor``, which keeps every
    source (see the module docstring). The survivor's own facts (date, place,
    fatalities) stay its own: the analyst picks the member whose facts are best."""
    target = _text(survivor["incident_id"])
    members = [survivor, *absorbed]
    survivor_changes: dict[str, Any] = {
        "source": _joined_sources(members),
        "notes": _joined_notes(survivor, absorbed),
        "source_extra": _merged_sources(survivor, absorbed),
        "source_url": next((_text(r.get("source_url")) for r in members
                            if _text(r.get("source_url"))), None),
    }
    if _text(survivor.get("possible_duplicate_of")):
        survivor_changes["possible_duplicate_of"] = None
        survivor_changes.update(cleared_status(survivor))
    changes = {target: survivor_changes}
    for row in absorbed:
        changes[_text(row["incident_id"])] = {
            "merged_into": target,
            "status": model.Status.MERGED.value,
            "status_reason": f"merged into {target}",
            "possible_duplicate_of": target,
        }
    return changes


def kept_apart_pairs(cleared: Sequence[tuple[str, str | None]]) -> set[frozenset[str]]:
    """Pairs an analyst kept apart, from (incident_id, old value JSON) of the edits that
    cleared a ``possible_duplicate_of``."""
    pairs = set()
    for incident_id, old_value in cleared:
        other = json.loads(old_value) if old_value else None
        if other:
            pairs.add(frozenset((str(incident_id), str(other))))
    return pairs


def without_merged(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` without the incidents merged into another (the same object when none
    is): their sources are in the survivor, so figures, map and table count it once."""
    if "merged_into" not in frame.columns:
        return frame
    merged = _pointer(frame, "merged_into").notna().to_numpy()
    if not merged.any():
        return frame
    return frame[~merged].reset_index(drop=True)
