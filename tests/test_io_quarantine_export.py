"""Quarantined rows exported for fixing: original columns, reason last, no formulas, re-importable."""

from __future__ import annotations

import io
import json

import pandas as pd

from incidents.io import read_incidents
from incidents.io.quarantine_export import REASON_COLUMN, rows_to_fix, rows_to_fix_csv


def test_rows_of_a_read_keep_their_columns_and_reimport_once_fixed() -> None:
    text = "event_date,event_type,location\n2024-13-45,Battles,Gao\n2024-01-02,Battles,Mopti\n"
    result = read_incidents(text.encode(), filename="log.csv")
    fix = rows_to_fix(result.quarantine)
    assert list(fix.columns) == ["event_date", "event_type", "location", REASON_COLUMN]
    assert fix.loc[0, "location"] == "Gao" and "event_date" in fix.loc[0, REASON_COLUMN]
    fix.loc[0, "event_date"] = "2024-12-31"
    again = read_incidents(fix.to_csv(index=False).encode(), filename="fixed.csv")
    assert again.counts["accepted"] == 1


def test_stored_quarantine_of_one_source_with_formulas_neutralised() -> None:
    stored = pd.DataFrame({
        "import_id": [1, 2], "source_name": ["a.csv", "b.csv"], "imported_at": ["x", "y"],
        "row_number": [4, 1], "reason": ["event_type is empty", "bad"],
        "original_json": [json.dumps({"event_date": "2024-01-02", "notes": "=HYPERLINK(1)",
                                      "longitude": "-4.55"}), json.dumps({"x": "1"})],
    })
    frame = pd.read_csv(io.BytesIO(rows_to_fix_csv(stored, "a.csv")), dtype=str,
                        encoding="utf-8-sig")
    assert len(frame) == 1
    assert frame.loc[0, "notes"] == "'=HYPERLINK(1)" and frame.loc[0, "longitude"] == "-4.55"
