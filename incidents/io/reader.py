"""``read_incidents``: any supported file in, canonical records and quarantine out."""

from __future__ import annotations

import logging
import os
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
from incidents.io.mapping import Mapping, apply_mapping, detect_mapping, header_key
from incidents.io.source import RawTable, Source, detect_format, read_source_bytes
from incidents.io.validate import validate
from incidents.io.xlsxfile import read_xlsx_table

log = logging.getLogger(__name__)

# Rows validated at a time (see ``_validate_in_chunks``).
CHUNK_ROWS = 200_000
# Incident exports have a few dozen columns (ACLED 31, UCDP GED 49); thousands mean a
# wrong delimiter or a hostile file, and each column costs time in every later stage.
MAX_COLUMNS = 1_000


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
    name = filename or _source_name(source)
    try:
        return _read(source, filename, max_bytes, sheet)
    except IngestError as error:
        error.filename = error.filename or name
        raise
    except (MemoryError, RecursionError) as error:
        log.warning("reading %s ran out of %s", name, type(error).__name__, exc_info=True)
        raise IngestError(
            "the file is too large or too deeply nested to read within this machine's "
            "limits: split it into smaller files", filename=name,
        ) from error
    except Exception as error:
        # A reader failing in a way not foreseen: the analyst gets a short message,
        # the details go to the server log (never a traceback on screen).
        log.exception("reading %s failed unexpectedly", name)
        raise IngestError(
            f"the file could not be read ({type(error).__name__}); it may be damaged "
            "or not the format its name says", filename=name,
        ) from error


def _source_name(source: Source) -> str | None:
    if isinstance(source, (str, os.PathLike)):
        return os.path.basename(os.fspath(source))
    name = getattr(source, "name", None)
    return os.path.basename(name) if isinstance(name, str) else None


def _read(
    source: Source, filename: str | None, max_bytes: int, sheet: str | None
) -> IngestResult:
    data, own_name = read_source_bytes(source, max_bytes)
    if not data.strip():
        raise IngestError("the file is empty: expected a header row and incident rows")
    fmt = detect_format(data, filename or own_name)
    raw = _read_table(data, fmt, sheet)
    del data  # the table holds the text now; the bytes need not stay for validation
    if len(raw.frame.columns) > MAX_COLUMNS:
        raise IngestError(
            f"the file has {len(raw.frame.columns):,} columns; at most {MAX_COLUMNS:,} are "
            "read (incident exports have a few dozen): is the delimiter right?"
        )
    if not len(raw.frame.columns) and not len(raw.frame):
        return _result(model.empty_frame(), raw, np.array([], dtype=int), [], "canonical", 0)
    mapping = detect_mapping(list(raw.frame.columns))
    _refuse_clashing_headers(list(raw.frame.columns), mapping)
    missing = [
        c for c in model.REQUIRED_COLUMNS
        if c not in apply_mapping(raw.frame.head(0), mapping).frame.columns
    ]
    if missing:
        raise IngestError(
            f"missing required column(s): {', '.join(missing)} "
            f"(columns found: {shown_names(raw.frame.columns)})"
        )
    records, positions, reasons = _validate_in_chunks(raw.frame, mapping)
    records, positions, reasons = _quarantine_id_clashes(records, positions, reasons)
    needs_review = int((records["status"] == model.Status.NEEDS_REVIEW.value).sum())
    return _result(records, raw, positions, reasons, mapping.name, needs_review)


def _validate_in_chunks(
    frame: pd.DataFrame, mapping: Mapping
) -> tuple[pd.DataFrame, np.ndarray, list[str]]:
    """Map and validate ``CHUNK_ROWS`` rows at a time: validation's temporary columns
    then cost a chunk's worth of memory, not the whole file's (rows are independent)."""
    parts: list[pd.DataFrame] = []
    positions: list[np.ndarray] = []
    reasons: list[str] = []
    for start in range(0, max(len(frame), 1), CHUNK_ROWS):
        mapped = apply_mapping(frame.iloc[start : start + CHUNK_ROWS], mapping)
        records, bad, why, _ = validate(mapped.frame, mapped.reviews)
        parts.append(records)
        positions.append(bad + start)
        reasons.extend(why)
    records = parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)
    return records, np.concatenate(positions), reasons


def shown_names(names, limit: int = 20) -> str:
    """Column names for a message: control characters dropped, long names cut, at most ``limit``."""
    cleaned = []
    for name in list(names)[:limit]:
        text = "".join(c if c.isprintable() else "?" for c in str(name))
        cleaned.append(text[:40] + ("…" if len(text) > 40 else ""))
    more = len(names) - limit
    return (", ".join(cleaned) or "none") + (f" and {more} more" if more > 0 else "")


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


def _refuse_clashing_headers(columns: list, mapping: Mapping) -> None:
    """Two headers naming one field (``latitude,Latitude``) leave no way to tell which is meant."""
    seen: dict[str, str] = {}
    for column in columns:
        key = header_key(column)
        if key not in mapping.rename and key not in model.CANONICAL_COLUMNS:
            continue
        if key in seen:
            raise IngestError(
                f"columns {seen[key]!r} and {str(column)!r} differ only by case or spaces, "
                "so it is unclear which one to read: rename or remove one of them",
                column=str(column),
            )
        seen[key] = str(column)


def _read_table(data: bytes, fmt: str, sheet: str | None) -> RawTable:
    if fmt == "xlsx":
        return read_xlsx_table(data, sheet)
    if fmt in ("json", "geojson"):
        return read_json_table(data)
    if fmt == "gpkg":
        return read_gpkg_table(data)
    return read_csv_table(data)


_as_text = np.frompyfunc(str, 1, 1)


def _source_name_in_quarantine(name: object) -> str:
    """A source column's name in the quarantine, kept apart from its own two columns."""
    text = str(name)
    return f"{text} (source)" if text in ("row_number", "reason") else text


def _result(
    records: pd.DataFrame,
    raw: RawTable,
    positions: np.ndarray,
    reasons: list[str],
    mapping: str,
    needs_review: int,
) -> IngestResult:
    # Built as one block of text, not column by column: a file with 30,000 columns
    # would otherwise spend minutes here.
    original = raw.frame.iloc[positions].to_numpy(dtype=object)
    columns = ["row_number", "reason", *map(_source_name_in_quarantine, raw.frame.columns)]
    numbers = np.asarray(raw.row_numbers)[positions].astype(object).reshape(-1, 1)
    quarantined = pd.DataFrame(
        np.hstack([numbers, np.asarray(reasons, dtype=object).reshape(-1, 1), original])
        if len(positions) else np.empty((0, len(columns)), dtype=object),
        columns=columns,
    )
    if raw.rejected:
        extra = pd.DataFrame(
            [
                {"row_number": n, "reason": r,
                 **{_source_name_in_quarantine(k): v for k, v in original.items()}}
                for n, r, original in raw.rejected
            ]
        )
        quarantined = pd.concat([quarantined, extra], ignore_index=True)
    quarantined = quarantined.sort_values("row_number", kind="stable").reset_index(drop=True)
    text = quarantined.drop(columns="row_number").to_numpy(dtype=object)
    # str() element by element: numpy's astype(str) would make fixed-width cells as
    # wide as the longest one (a 5 MB cell times every cell of the quarantine).
    text = _as_text(np.where(pd.isna(text), "", text))
    row_numbers = quarantined["row_number"].astype("int64").to_numpy()
    quarantined = pd.DataFrame(text, columns=quarantined.columns[1:])
    quarantined.insert(0, "row_number", row_numbers)
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
