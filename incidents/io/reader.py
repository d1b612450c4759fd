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
from incidents.io.dates import numeric_order
from incidents.io.gpkgfile import read_gpkg_table
from incidents.io.ids import id_clashes
from incidents.io.jsonfile import read_json_table
from incidents.io.hxl import drop_hxl_row
from incidents.io.mapping import Mapping, apply_mapping, detect_mapping, header_key
from incidents.io.monadic import fold_monadic
from incidents.io.saved_mappings import recall
from incidents.io.source import (
    MAX_COLUMNS, RawTable, Source, detect_format, read_source_bytes, unwrap_zip,
)
from incidents.io.validate import validate
from incidents.io.xlsxfile import read_xlsx_table

log = logging.getLogger(__name__)

# Rows validated at a time (see ``_validate_in_chunks``).
CHUNK_ROWS = 200_000


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
    name = filename or _source_name(source)
    try:
        return _read(source, filename, max_bytes, sheet, mapping)
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


def _missing_columns(frame: pd.DataFrame, mapping: Mapping) -> list[str]:
    mapped = apply_mapping(frame.head(0), mapping).frame.columns
    return [c for c in model.REQUIRED_COLUMNS if c not in mapped]


def _read(
    source: Source, filename: str | None, max_bytes: int, sheet: str | None,
    mapping: Mapping | None,
) -> IngestResult:
    raw = read_table(source, filename=filename, max_bytes=max_bytes, sheet=sheet)
    if len(raw.frame.columns) > MAX_COLUMNS:
        raise IngestError(
            f"the file has {len(raw.frame.columns):,} columns; at most {MAX_COLUMNS:,} are "
            "read (incident exports have a few dozen): is the delimiter right?"
        )
    if not len(raw.frame.columns) and not len(raw.frame):
        return _result(model.empty_frame(), raw, np.array([], dtype=int), [], "canonical", 0)
    columns = [str(c) for c in raw.frame.columns]
    mapping = mapping or detect_mapping(columns)
    _refuse_clashing_headers(columns, mapping)
    missing = _missing_columns(raw.frame, mapping)
    remembered = recall(columns, mapping) if missing else None
    if remembered is not None:
        mapping = remembered
        missing = _missing_columns(raw.frame, mapping)
    if missing:
        raise MissingColumnsError(missing, columns)
    mapped = apply_mapping(raw.frame, mapping)
    frame, kept, folded = fold_monadic(mapped.frame)
    reviews = [(mask[kept], reason[kept]) for mask, reason in mapped.reviews]
    records, positions, reasons = _validate_in_chunks(frame, reviews, mapping.date_order)
    records, positions, reasons = _quarantine_id_clashes(records, positions, reasons)
    needs_review = int((records["status"] == model.Status.NEEDS_REVIEW.value).sum())
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
        super().__init__(
            f"missing required column(s): {', '.join(missing)} (columns found: "
            f"{shown_names(columns)}); map the file's columns, e.g. --map 'Date=event_date' "
            "or --set 'event_type=Violence against civilians'"
        )


def read_table(
    source: Source, *, filename: str | None = None, max_bytes: int = config.MAX_INPUT_BYTES,
    sheet: str | None = None,
) -> RawTable:
    """The file's table as text (zip opened, HXL row dropped), for a mapping step."""
    data, own_name = read_source_bytes(source, max_bytes)
    if not data or data.isspace():  # bytes.strip() would copy the whole file
        raise IngestError("the file is empty: expected a header row and incident rows")
    data, name = unwrap_zip(data, filename or own_name)
    fmt = detect_format(data, name)
    table = _read_table(data, fmt, sheet)
    del data  # the table holds the text now; the bytes need not stay for validation
    return drop_hxl_row(table)


def _validate_in_chunks(
    frame: pd.DataFrame, reviews: list[tuple[np.ndarray, np.ndarray]], date_order: str
) -> tuple[pd.DataFrame, np.ndarray, list[str]]:
    """Validate ``CHUNK_ROWS`` mapped rows at a time: validation's temporary columns
    then cost a chunk's worth of memory, not the whole file's (rows are independent).

    Day-first or month-first is decided once from the whole date column, so every
    chunk reads its dates the same way."""
    if "event_date" in frame.columns and len(frame) > CHUNK_ROWS:
        distinct = pd.Series(frame["event_date"].unique())
        date_order = numeric_order(distinct.astype(str).str.strip(), date_order)
    parts: list[pd.DataFrame] = []
    positions: list[np.ndarray] = []
    reasons: list[str] = []
    for start in range(0, max(len(frame), 1), CHUNK_ROWS):
        stop = start + CHUNK_ROWS
        chunk_reviews = [(np.asarray(mask)[start:stop], np.asarray(reason)[start:stop])
                         for mask, reason in reviews]
        records, bad, why, _ = validate(frame.iloc[start:stop], chunk_reviews,
                                        date_order=date_order, complete=False)
        parts.append(records)
        positions.append(bad + start)
        reasons.extend(why)
    records = parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)
    del parts
    # Completed once, after the join: the columns the file lacks are then one shared
    # empty array each, not one per chunk copied again by the join.
    return model.conform(records), np.concatenate(positions), reasons


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


def quarantine_frame(raw: RawTable, positions: np.ndarray, reasons: list[str]) -> pd.DataFrame:
    """The quarantine: ``row_number``, ``reason`` and every source column as text, in row order.

    Built one column at a time from the quarantined rows only: a 2-D block of the
    whole quarantine copied at each step (sort, text conversion) once cost six
    copies of it, which for a sheet of 200,000 bad rows was most of an import's
    memory. Rows a reader rejected (``raw.rejected``) join in their row order.
    """
    positions = np.asarray(positions, dtype=np.intp)
    rejected = raw.rejected
    numbers = np.concatenate([
        np.asarray(raw.row_numbers)[positions].astype(np.int64),
        np.fromiter((number for number, _, _ in rejected), dtype=np.int64, count=len(rejected)),
    ])
    order = np.argsort(numbers, kind="stable")
    reason_column = np.empty(len(numbers), dtype=object)
    reason_column[: len(positions)] = reasons
    reason_column[len(positions):] = [reason for _, reason, _ in rejected]
    columns: dict[str, Any] = {"row_number": numbers[order],
                               "reason": _compact(reason_column[order])}
    del reason_column
    # Taking rows from a column read in blocks joins its blocks first: skipped when
    # there is nothing to take (most parts of a clean export).
    taken = raw.frame.iloc[positions] if len(positions) else None
    sources = {_source_name_in_quarantine(c): c for c in raw.frame.columns}
    originals = [{_source_name_in_quarantine(k): v for k, v in original.items()}
                 for _, _, original in rejected]
    for original in originals:
        for name in original:
            sources.setdefault(name, None)
    for name, column in sources.items():
        values = np.empty(len(numbers), dtype=object)
        if column is not None and taken is not None:
            values[: len(positions)] = taken[column].to_numpy(dtype=object)
        else:
            values[: len(positions)] = ""
        values[len(positions):] = [original.get(name, "") for original in originals]
        values = values[order]
        # str() element by element: numpy's astype(str) would make fixed-width cells as
        # wide as the longest one (a 5 MB cell times every cell of the quarantine).
        columns[name] = _compact(_as_text(np.where(pd.isna(values), "", values)))
    return pd.DataFrame(columns)


def _compact(texts: np.ndarray) -> Any:
    """A text column in pandas' own string storage, so its Python strings are freed now
    rather than after every column has been made (an empty one stays as it is)."""
    return pd.array(texts, dtype="str") if len(texts) else texts.astype(object)


def _result(
    records: pd.DataFrame,
    raw: RawTable,
    positions: np.ndarray,
    reasons: list[str],
    mapping: str,
    needs_review: int,
) -> IngestResult:
    quarantined = quarantine_frame(raw, positions, reasons)
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
