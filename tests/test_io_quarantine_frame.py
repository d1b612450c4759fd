"""The quarantine is built compactly: many bad rows cost little more than their own cells."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pandas as pd

from incidents.io.reader import quarantine_frame
from incidents.io.source import RawTable
from incidents.io.validate import ReasonLog


def test_rows_with_the_same_reasons_share_one_text() -> None:
    log = ReasonLog(4)
    log.add(np.array([True, True, True, False]), "event_date is empty")
    log.add(np.array([True, True, False, False]), "event_type '{}' is unknown",
            np.array(["x", "x", "y", "z"], dtype=object))
    texts = log.texts(np.array([0, 1, 2]))
    assert texts == ["event_date is empty; event_type 'x' is unknown"] * 2 + ["event_date is empty"]
    assert texts[0] is texts[1]


def _raw(rows: int, rejected: list) -> RawTable:
    frame = pd.DataFrame({"event_date": [f"bad {n % 7}" for n in range(rows)],
                          "reason": [""] * rows, "notes": ["x"] * rows}, dtype=str)
    return RawTable(frame=frame, row_numbers=np.arange(1, 2 * rows, 2), rejected=rejected)


def test_rejected_rows_join_in_row_order_with_their_own_columns() -> None:
    raw = _raw(3, [(2, "record is a JSON number, not an object", {"value": "5"}),
                   (6, "row has 4 fields", {"event_date": "d", "reason": "mine"})])
    quarantine = quarantine_frame(raw, np.array([0, 2]), ["first", "third"])
    assert quarantine["row_number"].tolist() == [1, 2, 5, 6]
    assert quarantine["reason"].tolist() == [
        "first", "record is a JSON number, not an object", "third", "row has 4 fields"]
    assert list(quarantine.columns) == [
        "row_number", "reason", "event_date", "reason (source)", "notes", "value"]
    assert quarantine["value"].tolist() == ["", "5", "", ""]
    assert quarantine["reason (source)"].tolist() == ["", "", "", "mine"]
    assert quarantine["event_date"].tolist() == ["bad 0", "", "bad 2", "d"]


def test_many_bad_rows_are_not_copied_whole_at_each_step() -> None:
    # The quarantine of 20,000 rows once held six copies of its own block of cells
    # (some 15 times the block's pointers, in Python objects) while being built.
    rows = 20_000
    raw = _raw(rows, [])
    block = rows * (len(raw.frame.columns) + 2) * 8
    tracemalloc.start()
    try:
        quarantine = quarantine_frame(raw, np.arange(rows), ["event_date is empty"] * rows)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(quarantine) == rows
    assert peak < 4 * block
