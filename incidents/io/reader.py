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
from incidents.io.jsonfile import read_json_table
from incidents.io.mapping import Mapping, apply_mapping, detect_mapping
from incidents.io.hxl import drop_hxl_row
from incidents.io.monadic import fold_monadic
from incidents.io.saved_mappings import recall
from incidents.io.source import RawTable, Source, detect_format, read_source_bytes, unwrap_zip
from incidents.io.validate import validate
from incidents.io.xlsxfile import read_xlsx_table


@dataclass
class IngestResult:
    """Accepted records, quarantined rows, and counts describing the read.

    ``counts`` has ``rows``, ``accepted``, ``quarantined``, ``needs_review``,
    ``folded_actor_rows`` when an actor-based export's rows were folded into
    events (rows = accepted + quarantined + folded_actor_rows),
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
    mapping: Mapping | None = None,
) -> IngestResult:
    """Read a CSV, XLSX, JSON, GeoJSON or GeoPackage file of incidents.

    ``source`` is a path, bytes, or a binary file-like object (a Streamlit
    upload); ``filename`` names the format when the source carries no name.
    Raises ``FileTooLargeError`` before parsing anything over ``max_bytes``,
    and ``IngestError`` when the file as a whole cannot be used. ``mapping``
    (an analyst's column mapping, see ``mapping.user_mapping``) replaces the one
    detected from the header; ``sheet`` names a workbook's sheet.
    """
    raw = read_table(source, filename=filename, max_bytes=max_bytes, sheet=sheet)
    if not len(raw.frame.columns) and not len(raw.frame):
        return _result(model.empty_frame(), raw, np.array([], dtype=int), [], "canonical", 0)
    columns = [str(c) for c in raw.frame.columns]
    mapping = mapping or detect_mapping(columns)
    mapped = apply_mapping(raw.frame, mapping)
    missing = [c for c in model.REQUIRED_COLUMNS if c not in mapped.frame.columns]
    remembered = recall(columns, mapping) if missing else None
    if remembered is not None:
        mapping, mapped = remembered, apply_mapping(raw.frame, remembered)
        missing = [c for c in model.REQUIRED_COLUMNS if c not in mapped.frame.columns]
    if missing:
        raise MissingColumnsError(missing, [str(c) for c in raw.frame.columns])
    frame, kept, folded = fold_monadic(mapped.frame)
    reviews = [(mask[kept], reason[kept]) for mask, reason in mapped.reviews]
    records, positions, reasons, needs_review = validate(
        frame, reviews, date_order=mapping.date_order
    )
    result = _result(records, raw, kept[positions], reasons, mapping.name, needs_review)
    if folded:
        result.counts["folded_actor_rows"] = folded
        result.counts["rows"] += folded
    return result


class MissingColumnsError(IngestError):
    """Required columns are missing: the file needs a column mapping.

    ``missing`` are the canonical columns not found, ``columns`` the file's own
    header, so a caller (the upload page, the CLI) can offer to map them.
    """

    def __init__(self, missing: list[str], columns: list[str]) -> None:
        self.missing, self.columns = missing, columns
        found = ", ".join(columns) or "none"
        super().__init__(
            f"missing required column(s): {', '.join(missing)} (columns found: {found}); "
            "map the file's columns, e.g. --map 'Date=event_date' or --set "
            "'event_type=Violence against civilians'"
        )


def read_table(
    source: Source, *, filename: str | None = None, max_bytes: int = config.MAX_INPUT_BYTES,
    sheet: str | None = None,
) -> RawTable:
    """The file's table as text (zip opened, HXL row dropped), for a mapping step."""
    data, own_name = read_source_bytes(source, max_bytes)
    if not data.strip():
        raise IngestError("the file is empty: expected a header row and incident rows")
    data, name = unwrap_zip(data, filename or own_name)
    return drop_hxl_row(_read_table(data, detect_format(data, name), sheet))


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
