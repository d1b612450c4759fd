"""The rules every store backend shares: ids, statuses, edit precedence, quarantine rows.

Backends only store and query; what a record's id is, when it is flagged, which
value wins when a file is imported again over an analyst's correction, and how
a quarantined row is kept are decided here, once.

* **Stable ids.** A record keeps the ``incident_id`` it arrives with. Otherwise
  its ``event_id_cnty`` (ACLED, UCDP) is the id; failing that, the id is ``h`` + a
  SHA-1 prefix of date, location (coordinates only when there is no location
  name), event and sub-event type, actors and source. Fields a geocoder fills
  (country, admin1, coordinates of named places) are left out so that geocoding a
  file or not gives the same ids. Rows that share an id within one import get
  ``-2``, ``-3`` ... suffixes in file order, so the same file always maps to the
  same ids.
* **Re-import updates**, except for fields an analyst edited: those keep the
  analyst's latest value (:func:`overlay_edits`).
* **Possible duplicates are flagged, never deleted** (``incidents.store.duplicates``).
* **Canonical columns only.** Extra source columns are packed into ``source_extra``.
"""

from __future__ import annotations

import gc
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from incidents import model
from incidents.errors import StoreError
from incidents.store.duplicates import FIELDS as DUPLICATE_FIELDS
from incidents.store.duplicates import find_possible_duplicates
from incidents.text import content_ids

PROTECTED_FIELDS = frozenset({"incident_id", "created_at", "updated_at"})
STORAGE_CHUNK_ROWS = 50_000

__all__ = [
    "DUPLICATE_FIELDS", "PROTECTED_FIELDS", "assign_incident_ids", "check_changes",
    "collector_paused",
    "filled_storage_chunks", "find_possible_duplicates", "flag_statuses", "now", "overlay_edits",
    "pack_source_extras", "PreparedPart", "prepare_incoming", "prepared_parts", "quarantine_rows", "storage_rows",
    "storage_table", "storage_values", "to_storage",
]


def now() -> str:
    """The time an import or edit is stamped with (UTC, to the second)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class SeenIds:
    """How often each id occurred in the earlier parts of one file, kept as 64-bit
    hashes of the ids (pandas' ``hash_array``) in a sorted array with their counts: a
    million ids take tens of MB, where a dict of the strings took hundreds. Two ids
    sharing a hash (odds about one in ten million for a million ids) would be counted
    as one. The ``..._then_add`` methods hash a part's ids once for both steps."""

    def __init__(self) -> None:
        self._keys = np.empty(0, dtype="uint64")
        self._counts = np.empty(0, dtype="int64")

    @staticmethod
    def _hashes(ids: pd.Series) -> np.ndarray:
        # Ids are mostly distinct: hashing them as they are is five times quicker than
        # factorizing them first (pandas' default), for the same hashes.
        return pd.util.hash_array(ids.to_numpy(dtype=object, na_value=None), categorize=False)

    def _counts_of(self, keys: np.ndarray) -> np.ndarray:
        if not len(self._keys):
            return np.zeros(len(keys), dtype="int64")
        # Looked up in sorted order: the searches then walk the stored keys forward
        # instead of jumping across them (several times quicker at a million keys).
        order = np.argsort(keys)
        wanted = keys[order]
        at = np.minimum(np.searchsorted(self._keys, wanted), len(self._keys) - 1)
        counts = np.empty(len(keys), dtype="int64")
        counts[order] = np.where(self._keys[at] == wanted, self._counts[at], 0)
        return counts

    def _add(self, keys: np.ndarray) -> None:
        if not len(keys):
            return
        new, counts = np.unique(keys, return_counts=True)
        merged = np.concatenate([self._keys, new])
        # Two sorted runs: a stable sort merges them in linear time.
        order = np.argsort(merged, kind="stable")
        merged, weights = merged[order], np.concatenate([self._counts, counts])[order]
        starts = np.flatnonzero(np.r_[True, merged[1:] != merged[:-1]])
        self._keys, self._counts = merged[starts], np.add.reduceat(weights, starts)

    def before(self, ids: pd.Series) -> pd.Series:
        """For each id, how often it occurred before (0 for a new one)."""
        return pd.Series(self._counts_of(self._hashes(ids)), index=ids.index)

    def contains(self, ids: pd.Series) -> np.ndarray:
        return self._counts_of(self._hashes(ids)) > 0

    def add(self, ids: pd.Series) -> None:
        self._add(self._hashes(ids))

    def before_then_add(self, ids: pd.Series) -> pd.Series:
        """:meth:`before`, then :meth:`add`."""
        keys = self._hashes(ids)
        counts = self._counts_of(keys)
        self._add(keys)
        return pd.Series(counts, index=ids.index)

    def contains_then_add(self, ids: pd.Series) -> np.ndarray:
        """:meth:`contains`, then :meth:`add`."""
        keys = self._hashes(ids)
        found = self._counts_of(keys) > 0
        self._add(keys)
        return found


def assign_incident_ids(records: pd.DataFrame,
                        seen: SeenIds | None = None) -> pd.Series:
    """The stable id of every record (see the module docstring for the rule).

    ``seen`` counts the ids of the earlier parts of the same file (an import read in
    parts, ``SnapshotStore.import_parts``): a repeat continues their suffixes, so a
    file gets the same ids whether it is read whole or in parts; it is updated."""
    given = records["incident_id"].astype("string").str.strip().replace("", pd.NA)
    source = records["event_id_cnty"].astype("string").str.strip().replace("", pd.NA)
    ids = given.fillna(source)
    unnamed = ids.isna().to_numpy()
    if unnamed.any():
        ids[unnamed] = _content_ids(records[unnamed])
    occurrence = ids.groupby(ids, sort=False).cumcount()
    if seen is not None:
        occurrence = occurrence + seen.before_then_add(ids)
    suffix = ("-" + (occurrence + 1).astype("string")).where(occurrence > 0, "")
    return (ids + suffix).astype("string")


def _content_ids(records: pd.DataFrame) -> pd.Series:
    """Ids of rows with no id of their own: frozen id rule 1 (``incidents.text``)."""
    return content_ids(records)


def pack_source_extras(frame: pd.DataFrame) -> pd.Series:
    """Non-canonical columns as one JSON object per row (None when a row has none).

    A row's existing ``source_extra`` (e.g. from a re-imported export) is merged
    under the fresh values. Text columns are packed column by column with Arrow (a
    million rows of an export's few extra columns would otherwise cost a
    ``json.dumps`` each); other values, and rows to merge, row by row.
    """
    extras = [c for c in frame.columns if c not in model.CANONICAL_COLUMNS and c != "geometry"]
    existing = frame["source_extra"] if "source_extra" in frame else pd.Series(None, index=frame.index)
    if not extras:
        return existing
    if not all(isinstance(frame[c].dtype, pd.StringDtype) for c in extras):
        return _packed_rows(frame, extras, existing)
    packed = _packed_text(frame, extras)
    merging = (existing.notna() & (existing.astype("string") != "")).to_numpy(dtype=bool)
    if merging.any():
        packed[merging] = _packed_rows(frame[merging], extras, existing[merging]).to_numpy()
    return packed


def _packed_rows(frame: pd.DataFrame, extras: list[str], existing: pd.Series) -> pd.Series:
    values = frame[extras].astype(object)
    values = values.where(values.notna(), None)
    packed = []
    for before, row in zip(existing.tolist(), values.itertuples(index=False, name=None)):
        fields = json.loads(before) if isinstance(before, str) and before else {}
        fields.update({name: value for name, value in zip(extras, row) if value is not None})
        packed.append(json.dumps(fields, ensure_ascii=False, default=str) if fields else None)
    return pd.Series(packed, index=frame.index, dtype="string")


def _large(text: str | None) -> pa.Scalar:
    return pa.scalar(text, pa.large_string())


def _packed_text(frame: pd.DataFrame, extras: list[str]) -> pd.Series:
    """What :func:`_packed_rows` gives for text columns and no existing extras, built
    with Arrow: ``{"name": "value", ...}`` of the values present, as ``json.dumps``
    writes it (only values holding a quote, backslash or control character are
    escaped by ``json`` itself)."""
    fields = []
    for name in extras:
        values = pa.array(frame[name].array, type=pa.large_string())
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        literal = pc.binary_join_element_wise(_large('"'), values, _large('"'), _large(""))
        special = pc.fill_null(pc.match_substring_regex(values, r'[\x00-\x1f\\"]'), False)
        if pc.any(special).as_py():
            escaped = [json.encoder.encode_basestring(v) for v in values.filter(special).to_pylist()]
            literal = pc.replace_with_mask(literal, special, pa.array(escaped, pa.large_string()))
        key = json.encoder.encode_basestring(str(name)) + ": "
        fields.append(pc.binary_join_element_wise(_large(key), literal, _large("")))
    # Joined pairwise: Arrow's null_handling="skip" drops the rows where all are null.
    joined = fields[0]
    for field in fields[1:]:
        both = pc.binary_join_element_wise(joined, field, _large(", "))
        joined = pc.coalesce(both, joined, field)
    joined = pc.fill_null(joined, _large(""))
    packed = pc.binary_join_element_wise(_large("{"), joined, _large("}"), _large(""))
    packed = pc.if_else(pc.equal(joined, _large("")), _large(None), packed)
    return pd.Series(pd.array(packed, dtype="string"), index=frame.index)


def prepare_incoming(records: pd.DataFrame,
                     seen: SeenIds | None = None) -> pd.DataFrame:
    """Records as an import stores them: canonical, extras packed, one row per id
    (``seen``: see :func:`assign_incident_ids`)."""
    frame = model.conform(records.drop(columns="geometry", errors="ignore"))
    frame = frame.reset_index(drop=True)
    frame["source_extra"] = pack_source_extras(frame)
    frame["incident_id"] = assign_incident_ids(frame, seen)
    # Only an explicit id clashing with a suffixed one can repeat; the later row wins.
    frame = frame.drop_duplicates("incident_id", keep="last").reset_index(drop=True)
    return frame[list(model.CANONICAL_COLUMNS)]


@dataclass(frozen=True)
class PreparedPart:
    """One part of a source read in parts, prepared for storing (:func:`prepared_parts`):
    what the store's side of ``import_parts`` needs, computed from the parts alone,
    so a reading process can compute it ahead of the store."""

    frame: pd.DataFrame  # prepare_incoming's rows
    quarantine: pd.DataFrame
    merged: int  # rows folded into a later row of the part with the same id
    repeated_source_ids: list[str]  # event_id_cnty values an earlier part carried too
    written_before: np.ndarray  # per row: whether an earlier part had its incident_id


def prepared_parts(parts: Iterable[tuple[pd.DataFrame, pd.DataFrame] | PreparedPart]
                   ) -> Iterator[PreparedPart]:
    """(records, quarantine) parts of one source, in file order, each prepared with what
    the earlier parts carried (ids continue across parts, see :func:`assign_incident_ids`).
    Parts already prepared (by this function, in another process) pass as they are:
    a source's parts are either all prepared or none."""
    seen, source_ids, written = SeenIds(), SeenIds(), SeenIds()
    for part in parts:
        if isinstance(part, PreparedPart):
            yield part
            continue
        records, quarantine = part
        frame = prepare_incoming(records, seen)
        ids = frame["event_id_cnty"].dropna()
        repeated = sorted(set(ids[source_ids.contains_then_add(ids)]))
        yield PreparedPart(frame, quarantine, len(records) - len(frame), repeated,
                           written.contains_then_add(frame["incident_id"]))


def flag_statuses(frame: pd.DataFrame, existing: pd.DataFrame,
                  kept_apart: set[frozenset[str]] | None = None) -> pd.DataFrame:
    """Set ``possible_duplicate_of`` and the review status of every incoming row.

    ``existing`` holds the stored records (``DUPLICATE_FIELDS``) that could be
    duplicated and are not part of this import (nor merged into another);
    ``kept_apart`` the pairs of ids an analyst reviewed and kept as two incidents.
    """
    duplicate_of = find_possible_duplicates(frame, existing, kept_apart)
    flagged = duplicate_of.notna()
    frame["possible_duplicate_of"] = duplicate_of
    frame.loc[flagged, "status"] = model.Status.NEEDS_REVIEW.value
    frame.loc[flagged, "status_reason"] = "possible duplicate of " + duplicate_of[flagged]
    unplaced = frame["status"].isna() & frame["latitude"].isna()
    frame.loc[unplaced, "status"] = model.Status.NEEDS_REVIEW.value
    frame.loc[unplaced, "status_reason"] = "not placed on the map"
    frame["status"] = frame["status"].fillna(model.Status.OK.value)
    return frame


def duplicate_window(frame: pd.DataFrame) -> tuple[str, str] | None:
    """The (first, last) day of stored records an import's rows could duplicate."""
    from incidents.store.duplicates import DUPLICATE_DAYS

    dates = frame["event_date"].dropna()
    if dates.empty:
        return None
    low = dates.min() - pd.Timedelta(days=DUPLICATE_DAYS)
    high = dates.max() + pd.Timedelta(days=DUPLICATE_DAYS)
    return low.strftime("%Y-%m-%d"), high.strftime("%Y-%m-%d")


def _storage_columns(frame: pd.DataFrame) -> list[list[Any]]:
    """Column-wise Python values ready for a database driver (None for missing)."""
    return [storage_values(frame[column], column) for column in model.CANONICAL_COLUMNS]


def storage_values(values: pd.Series, column: str) -> list[Any]:
    """One canonical column as Python values for a database driver (None for missing):
    dates as ``YYYY-MM-DD``, booleans as 0/1. Converted by numpy and Arrow, not value by
    value (``astype(object)`` of an Arrow text column costs twenty times more)."""
    if column in model.DATE_COLUMNS:
        days = values.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
        text = days.astype(str).astype(object)
        text[np.isnat(days)] = None
        return text.tolist()
    if column in model.BOOL_COLUMNS:
        return values.to_numpy(dtype=bool).astype("int64").tolist()
    if column in model.FLOAT_COLUMNS:
        numbers = values.to_numpy(dtype="float64", na_value=np.nan)
        kept = numbers.astype(object)
        kept[np.isnan(numbers)] = None
        return kept.tolist()
    return values.to_numpy(dtype=object, na_value=None).tolist()


def storage_table(frame: pd.DataFrame) -> pa.Table:
    """The canonical columns of ``frame`` in their stored form, as an Arrow table (the
    text columns shared, not copied): what :func:`storage_values` gives, for a driver
    that takes Arrow or text in bulk."""
    columns = {}
    for column in model.CANONICAL_COLUMNS:
        values = frame[column]
        if column in model.DATE_COLUMNS:
            days = values.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
            columns[column] = pa.array(days, type=pa.date32(), from_pandas=True)
        elif column in model.BOOL_COLUMNS:
            columns[column] = pa.array(values.to_numpy(dtype=bool).astype("int64"))
        elif column in model.FLOAT_COLUMNS:
            columns[column] = pa.array(values.to_numpy(dtype="float64", na_value=np.nan),
                                       from_pandas=True)
        elif column in model.INTEGER_COLUMNS:
            columns[column] = pa.array(values.array, type=pa.int64())
        else:
            columns[column] = pa.array(values.array, type=pa.large_string())
    return pa.table(columns)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector off for the block (on again after, if it was on)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def filled_storage_chunks(frame: pd.DataFrame) -> Iterator[tuple[list[str], list[tuple]]]:
    """(columns, rows) of ``frame`` to store, ``STORAGE_CHUNK_ROWS`` at a time, leaving
    out the columns a chunk holds no value in: the database stores NULL for those
    anyway, and a driver binds a None at several times the cost of a number."""
    for start in range(0, len(frame), STORAGE_CHUNK_ROWS):
        chunk = frame.iloc[start:start + STORAGE_CHUNK_ROWS]
        filled = [c for c in model.CANONICAL_COLUMNS
                  if chunk[c].notna().any()]
        yield filled, list(zip(*(storage_values(chunk[c], c) for c in filled)))


def latest_edits(rows: list[tuple[str, str, str]]) -> dict[str, dict[int, Any]]:
    """{incident_id: {column position: value}} from (incident_id, field, new_value JSON)
    rows, each the latest edit of that field."""
    column_index = {c: i for i, c in enumerate(model.CANONICAL_COLUMNS)}
    edits: dict[str, dict[int, Any]] = {}
    for incident_id, field, new_value in rows:
        edits.setdefault(incident_id, {})[column_index[field]] = json.loads(new_value)
    return edits


def reviewed_ids(edits: Mapping[str, Mapping[int, Any]]) -> list[str]:
    """Ids among ``edits`` (as :func:`latest_edits` gives them) whose duplicate flag an
    analyst decided: an edit of ``possible_duplicate_of`` or ``merged_into``."""
    decided = {model.CANONICAL_COLUMNS.index(c) for c in ("possible_duplicate_of", "merged_into")}
    return [incident_id for incident_id, fields in edits.items() if decided & set(fields)]


def storage_rows(
    frame: pd.DataFrame, edits: Mapping[str, Mapping[int, Any]] | None = None
) -> Iterator[tuple[Any, ...]]:
    """The rows to store, ``STORAGE_CHUNK_ROWS`` converted at a time, with ``edits``
    ({incident_id: {column position: value}}) written over them: an analyst's edit
    wins over a re-import."""
    ids_at = model.CANONICAL_COLUMNS.index("incident_id")
    for start in range(0, len(frame), STORAGE_CHUNK_ROWS):
        chunk = frame.iloc[start:start + STORAGE_CHUNK_ROWS]
        columns = _storage_columns(chunk)
        if edits:
            overlay_edits(columns, chunk, edits, ids_at)
        yield from zip(*columns)


def overlay_edits(columns: list[list[Any]], chunk: pd.DataFrame,
                  edits: Mapping[str, Mapping[int, Any]], ids_at: int) -> None:
    """Write the analysts' latest values over the columns of ``chunk`` (in place)."""
    for position in np.flatnonzero(chunk["incident_id"].isin(list(edits)).to_numpy()):
        for column, value in edits[columns[ids_at][position]].items():
            columns[column][position] = value


def as_read_back(frame: pd.DataFrame) -> pd.DataFrame:
    """The canonical columns as a backend gives them back once stored: dates keep only
    their day, everything else is unchanged."""
    stored = frame[list(model.CANONICAL_COLUMNS)].copy()
    for column in model.DATE_COLUMNS:
        stored[column] = stored[column].dt.floor("D")
    return stored


def to_storage(column: str, value: Any) -> Any:
    """One value (e.g. from an analyst edit) in the form the incidents table keeps."""
    if value is None or (not isinstance(value, (list, dict)) and pd.isna(value)):
        return None
    try:
        if column in model.DATE_COLUMNS:
            return pd.Timestamp(value).strftime("%Y-%m-%d")
        if column in model.BOOL_COLUMNS:
            return int(bool(value))
        if column in model.INTEGER_COLUMNS:
            return int(value)
        if column in model.FLOAT_COLUMNS:
            return float(value)
    except (TypeError, ValueError) as error:
        raise StoreError(f"{column}: {value!r} is not a valid value") from error
    return str(value)


def check_changes(changes: Mapping[str, Any], user: str) -> dict[str, Any]:
    """The stored form of an edit's new values, or :class:`StoreError` saying why not."""
    unknown = set(changes) - set(model.CANONICAL_COLUMNS)
    if unknown:
        raise StoreError(f"unknown field(s): {', '.join(sorted(unknown))}")
    protected = set(changes) & PROTECTED_FIELDS
    if protected:
        raise StoreError(f"field(s) set by the store: {', '.join(sorted(protected))}")
    if not user or not user.strip():
        raise StoreError("an edit needs a user name")
    return {field: to_storage(field, value) for field, value in changes.items()}


def changed_fields(stored: Mapping[str, Any], new_values: Mapping[str, Any]) -> dict[str, tuple]:
    """{field: (old, new)} for the fields whose stored value differs."""
    return {f: (stored[f], v) for f, v in new_values.items() if stored_form(stored[f]) != v}


def stored_form(value: Any) -> Any:
    """A value read back from a backend in the form :func:`to_storage` gives."""
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, bool):
        return int(value)
    return value


def edit_rows(incident_id: str, user: str, edited_at: str,
              changed: Mapping[str, tuple]) -> list[tuple[str, str, str, str, str, str]]:
    """One edit-history row per changed field, old and new values as JSON."""
    return [
        (incident_id, user.strip(), edited_at, field,
         json.dumps(stored_form(old), ensure_ascii=False), json.dumps(new, ensure_ascii=False))
        for field, (old, new) in changed.items()
    ]


def decode_history(edits: pd.DataFrame) -> pd.DataFrame:
    """The edit history with its old/new values decoded from JSON."""
    for column in ("old_value", "new_value"):
        decoded = [json.loads(v) if v is not None else None for v in edits[column]]
        edits[column] = pd.Series(decoded, index=edits.index, dtype=object)
    return edits


def quarantine_rows(quarantine: pd.DataFrame) -> list[tuple[int | None, str, str]]:
    """(row_number, reason, original fields as JSON) for every quarantined row.

    A row without a reason is kept as "invalid row"; every other column of the
    quarantine frame is kept, as the file gave it, in the JSON.
    """
    if quarantine.empty:
        return []
    originals = quarantine.drop(columns=["row_number", "reason"], errors="ignore")
    originals = originals.astype(object).where(originals.notna(), None)
    row_numbers = (
        quarantine["row_number"].astype(object).where(quarantine["row_number"].notna(), None)
        if "row_number" in quarantine
        else [None] * len(quarantine)
    )
    reasons = (
        quarantine["reason"].fillna("invalid row").astype(str)
        if "reason" in quarantine
        else ["invalid row"] * len(quarantine)
    )
    return [
        (None if n is None else int(n), str(reason),
         json.dumps(original, ensure_ascii=False, default=str))
        for n, reason, original in zip(row_numbers, reasons, originals.to_dict(orient="records"))
    ]


def chain_hash(previous: str | None, row: Sequence[Any]) -> str:
    """The hash of one edit-history row: SHA-256 over the previous row's hash and this
    row's content (incident_id, user, edited_at, field, old and new value JSON).

    Each row's hash depends on every row before it, so a row changed, removed or
    inserted behind the program's back breaks the chain from there on.
    """
    content = json.dumps([previous or "", *row], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def chained(previous: str | None, rows: list[tuple]) -> list[tuple]:
    """``rows`` (edit-history rows) each with its chain hash appended."""
    out = []
    for row in rows:
        previous = chain_hash(previous, row)
        out.append((*row, previous))
    return out


def first_broken_link(rows: Iterable[tuple]) -> tuple[int, int | None]:
    """(edits checked, id of the first edit whose hash does not follow) over
    (id, incident_id, user, edited_at, field, old_value, new_value, hash) rows in id order."""
    previous: str | None = None
    count = 0
    for count, (edit_id, *content, stored) in enumerate(rows, start=1):
        expected = chain_hash(previous, content)
        if stored != expected:
            return count, int(edit_id)
        previous = stored
    return count, None
