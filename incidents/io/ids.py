"""Rows whose id would clash once repeated ids get their ``-2``, ``-3`` suffixes.

The store names rows that share an id ``A``, ``A-2``, ``A-3`` ... in file order
(``incidents.store.assign_incident_ids``). A file that also carries ``A-2``
of its own would then hold two rows under one id and the store could keep only
one. Such a row is quarantined here, with its reason, so every input row is
still counted: ``A, A, A-2`` gives two records and one quarantined row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def _given_ids(records: pd.DataFrame) -> pd.Series:
    ids: pd.Series | None = None
    for column in ("event_id_cnty", "incident_id"):
        if column in records.columns and records[column].notna().any():
            text = records[column].astype("string").str.strip()
            text = text.where(text != "")
            ids = text if ids is None else text.fillna(ids)
    return pd.Series(pd.NA, index=records.index, dtype="string") if ids is None else ids


def _repeats(ids: pd.Series) -> bool:
    """Whether any id occurs twice, by sorting in Arrow: a hash of two million ids
    held as Python strings costs 200 MB, a sort 40 MB."""
    values = pa.array(ids.array)
    ordered = values.take(pc.sort_indices(values))
    return len(ordered) > 1 and pc.any(pc.equal(ordered[1:], ordered[:-1])).as_py()


def id_clashes(records: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """Positions of rows whose suffixed id an earlier row already has, and a reason each."""
    ids = _given_ids(records)
    named = ids.notna().to_numpy()
    if not named.any():
        return np.array([], dtype=int), []
    given = ids[named]
    if not _repeats(given):
        return np.array([], dtype=int), []  # no id repeats, so none gets a suffix
    occurrence = given.groupby(given, sort=False).cumcount()
    final = (given + ("-" + (occurrence + 1).astype("string")).where(occurrence > 0, ""))
    clash = final.duplicated(keep="first").to_numpy()
    if not clash.any():
        return np.array([], dtype=int), []
    positions = np.flatnonzero(named)[clash]
    reasons = [
        f"id '{given.iloc[i]}' would be stored as '{final.iloc[i]}', which an earlier row "
        "of this file already is (repeated ids get -2, -3 suffixes in file order)"
        for i in np.flatnonzero(clash)
    ]
    return positions, reasons
