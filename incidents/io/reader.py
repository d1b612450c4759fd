"""``read_incidents``: any supported file in, canonical records and quarantine out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from incidents import config, model
from incidents.errors import IngestError
from incidents.io.csvfile import read_csv_table
from incidents.io.gpkgfile import read_gpkg_table
from incidents.io.ids import id_clashes
from incidents.io.jsonfile import read_json_table
from incidents.io.mapping import apply_mapping, detect_mapping
from incidents.io.source import RawTable, Source, detect_format, read_source_bytes
from incidents.io.validate import validate
from incidents.io.xlsxfile import read_xlsx_table


@dataclass
class IngestResult:
    """Accepted records, quarantined rows, and counts describing the read.

    ``counts`` has ``rows``, ``accepted``, ``quarantined``, ``needs_review``,
    ``format``, ``mapping``, ``encoding`` and ``delimiter`` (None where the
    format has none), plus ``sheet`` for workbooks and ``layer`` for GeoPackages.
    """

    records: pd.DataFrame
    quarantine: pd.DataFrame
    counts: dict[str, Any] = field(default_factory=dict)


def read_incidents(
    source: Source,
    *,
    filename: str | None = None,
    max_bytes: int = config.MAX_INPUT_BYTES,
    sheet: str | None = None,
) -> IngestResult:
    """Read a CSV, XLSX, JSON, GeoJSON or GeoPackage file of incidents.

    ``source`` is a path, bytes, or a binary file-like object (a Streamlit
    upload); ``filename`` names the format when the source carries no name.
    Raises ``FileTooLargeError`` before parsing anything over ``max_bytes``,
    and ``IngestError`` when the file as a whole cannot be used.
    """
    data, own_name = read_source_bytes(source, max_bytes)
    if not data.strip():
        raise IngestError("the file is empty: expected a header row and incident rows")
    fmt = detect_format(data, filename or own_name)
    raw = _read_table(data, fmt, sheet)
    if not len(raw.frame.columns) and not len(raw.frame):
        return _result(model.empty_frame(), raw, np.array([], dtype=int), [], "canonical", 0)
    mapping = detect_mapping(list(raw.frame.columns))
    mapped = apply_mapping(raw.frame, mapping)
    missing = [c for c in model.REQUIRED_COLUMNS if c not in mapped.frame.columns]
    if missing:
        found = ", ".join(map(str, raw.frame.columns)) or "none"
        raise IngestError(
            f"missing required column(s): {', '.join(missing)} (columns found: {found})"
        )
    records, positions, reasons, needs_review = validate(mapped.frame, mapped.reviews)
    records, positions, reasons = _quarantine_id_clashes(records, positions, reasons)
    needs_review = int((records["status"] == model.Status.NEEDS_REVIEW.value).sum())
    return _result(records, raw, positions, reasons, mapping.name, needs_review)


def _quarantine_id_clashes(
    records: pd.DataFrame, positions: np.ndarray, reasons: list[str]
) -> tuple[pd.DataFrame, np.ndarray, list[str]]:
    """Move accepted rows whose id would clash (see ``incidents.io.ids``) to quarantine."""
    clashes, clash_reasons = id_clashes(records)
    if not len(clashes):
        return records, positions, reasons
    total = len(records) + len(positions)
    accepted_positions = np.setdiff1d(np.arange(total), positions)
    moved = accepted_positions[clashes]
    order = np.argsort(np.concatenate([positions, moved]), kind="stable")
    all_positions = np.concatenate([positions, moved])[order]
    all_reasons = [(list(reasons) + clash_reasons)[i] for i in order]
    kept = records.drop(index=records.index[clashes]).reset_index(drop=True)
    return kept, all_positions, all_reasons


def _read_table(data: bytes, fmt: str, sheet: str | None) -> RawTable:
    if fmt == "xlsx":
        return read_xlsx_table(data, sheet)
    if fmt in ("json", "geojson"):
        return read_json_table(data)
    if fmt == "gpkg":
        return read_gpkg_table(data)
    return read_csv_table(data)


def _result(
    records: pd.DataFrame,
    raw: RawTable,
    positions: np.ndarray,
    reasons: list[str],
    mapping: str,
    needs_review: int,
) -> IngestResult:
    quarantined = raw.frame.iloc[positions].astype(str).reset_index(drop=True)
    quarantined.insert(0, "reason", reasons)
    quarantined.insert(0, "row_number", np.asarray(raw.row_numbers)[positions])
    if raw.rejected:
        extra = pd.DataFrame(
            [{"row_number": n, "reason": r, **original} for n, r, original in raw.rejected]
        )
        quarantined = pd.concat([quarantined, extra], ignore_index=True)
    quarantined = quarantined.sort_values("row_number", kind="stable").reset_index(drop=True)
    quarantined["row_number"] = quarantined["row_number"].astype("int64")
    text_columns = [c for c in quarantined.columns if c != "row_number"]
    quarantined[text_columns] = quarantined[text_columns].fillna("").astype(str)
    counts = {
        "rows": len(records) + len(quarantined),
        "accepted": len(records),
        "quarantined": len(quarantined),
        "needs_review": needs_review,
        "mapping": mapping,
        "encoding": "utf-8" if raw.meta.get("format") in ("json", "geojson") else None,
        "delimiter": None,
        **raw.meta,
    }
    return IngestResult(records=records, quarantine=quarantined, counts=counts)
