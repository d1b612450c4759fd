"""JSON record lists (ours, or ACLED's API ``{"data": [...]}``) and GeoJSON points.

Parsed with the standard library only. A record that is not an object, or a
feature whose geometry is not a point, cannot become a row and is rejected
with its reason; every other record becomes one row of text cells.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

from incidents.errors import IngestError
from incidents.io.source import RawTable, cell_text


def read_json_table(data: bytes) -> RawTable:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise IngestError("JSON must be UTF-8 encoded") from exc
    except json.JSONDecodeError as exc:
        raise IngestError(f"not valid JSON: {exc.msg} at line {exc.lineno}") from exc
    except RecursionError as exc:
        raise IngestError("JSON is nested too deeply to be a list of incident records") from exc
    if isinstance(document, dict) and document.get("type") == "FeatureCollection":
        return _features_table(document)
    if isinstance(document, dict) and isinstance(document.get("data"), list):
        records = document["data"]
    elif isinstance(document, list):
        records = document
    else:
        raise IngestError(
            'expected a list of records, {"data": [...]}, or a GeoJSON FeatureCollection'
        )
    rows: list[dict[str, str]] = []
    numbers: list[int] = []
    rejected: list[tuple[int, str, dict[str, str]]] = []
    for number, record in enumerate(records, start=1):
        if isinstance(record, dict):
            rows.append({str(k): cell_text(v) for k, v in record.items()})
            numbers.append(number)
        else:
            reason = f"record is a JSON {_kind(record)}, not an object"
            rejected.append((number, reason, {"value": cell_text(record)}))
    return _table(rows, numbers, rejected, "json")


def _features_table(document: dict[str, Any]) -> RawTable:
    features = document.get("features")
    if not isinstance(features, list):
        raise IngestError("GeoJSON FeatureCollection has no 'features' list")
    rows: list[dict[str, str]] = []
    numbers: list[int] = []
    rejected: list[tuple[int, str, dict[str, str]]] = []
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict):
            rejected.append((number, f"feature is a JSON {_kind(feature)}, not an object", {}))
            continue
        properties = feature.get("properties") or {}
        row = {str(k): cell_text(v) for k, v in properties.items()} if isinstance(
            properties, dict
        ) else {}
        problem = _place_geometry(feature.get("geometry"), row)
        if problem:
            rejected.append((number, problem, row))
            continue
        rows.append(row)
        numbers.append(number)
    return _table(rows, numbers, rejected, "geojson")


def _place_geometry(geometry: Any, row: dict[str, str]) -> str | None:
    """Put a Point's [lon, lat] into the row; a reason if the geometry is unusable."""
    if geometry is None:
        row["latitude"] = row["longitude"] = ""
        return None
    if not isinstance(geometry, dict) or geometry.get("type") != "Point":
        kind = geometry.get("type") if isinstance(geometry, dict) else _kind(geometry)
        return f"geometry is a {kind}, only Point (or null) is supported"
    coordinates = geometry.get("coordinates")
    if not isinstance(coordinates, list) or len(coordinates) < 2:
        return "Point geometry has no [longitude, latitude] coordinates"
    row["longitude"], row["latitude"] = cell_text(coordinates[0]), cell_text(coordinates[1])
    return None


def _table(
    rows: list[dict[str, str]],
    numbers: list[int],
    rejected: list[tuple[int, str, dict[str, str]]],
    fmt: str,
) -> RawTable:
    frame = pd.DataFrame.from_records(rows) if rows else pd.DataFrame()
    frame = frame.fillna("").astype(str) if len(frame.columns) else frame
    return RawTable(
        frame=frame,
        row_numbers=np.asarray(numbers, dtype=int),
        rejected=rejected,
        meta={"format": fmt},
    )


def _kind(value: Any) -> str:
    names = {list: "array", str: "string", bool: "boolean", type(None): "null"}
    return names.get(type(value), "number")
