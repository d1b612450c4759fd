"""Quarantined rows written back out as a file the analyst can fix and import again.

The rows keep their original column names and values, in file order, with the
reason in a last ``quarantine_reason`` column (an extra column on re-import, so
it is carried along but never mistaken for data). Cells that a spreadsheet would
run as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or carriage
return, and not a plain number) get a leading apostrophe.
"""

from __future__ import annotations

import json

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
REASON_COLUMN = "quarantine_reason"
_BOOKKEEPING = {"quarantine_id", "import_id", "source_name", "imported_at", "row_number", "reason",
                "original_json", "original"}


def _neutral(value: object) -> str:
    text = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
    if text.startswith(FORMULA_STARTS):
        try:
            float(text)
        except ValueError:
            return "'" + text
    return text


def rows_to_fix(quarantine: pd.DataFrame, source_name: str | None = None) -> pd.DataFrame:
    """The original fields of the quarantined rows (of one source when named), as text."""
    rows = quarantine
    if source_name is not None and "source_name" in rows.columns:
        rows = rows[rows["source_name"] == source_name]
    if "row_number" in rows.columns:
        rows = rows.sort_values("row_number", kind="stable")
    if "original_json" in rows.columns:
        originals = [json.loads(raw) if raw else {} for raw in rows["original_json"]]
    else:
        fields = [c for c in rows.columns if c not in _BOOKKEEPING]
        originals = rows[fields].to_dict("records")
    frame = pd.DataFrame(originals)
    frame[REASON_COLUMN] = list(rows["reason"]) if "reason" in rows.columns else ""
    return frame.apply(lambda column: column.map(_neutral)).astype(str)


def rows_to_fix_csv(quarantine: pd.DataFrame, source_name: str | None = None) -> bytes:
    """:func:`rows_to_fix` as UTF-8 CSV with a BOM (so Excel reads the accents)."""
    return rows_to_fix(quarantine, source_name).to_csv(index=False).encode("utf-8-sig")
