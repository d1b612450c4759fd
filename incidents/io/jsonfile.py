"""JSON record lists (ours, or ACLED's API ``{"data": [...]}``) and GeoJSON points.

Parsed with the standard library only. A record that is not an object, or a
feature whose geometry is not a point, cannot become a row and is rejected
with its reason; every other record becomes one row of text cells.
"""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np
import pandas as pd

from incidents.errors import IngestError
from incidents.io.source import RawTable, cell_text


def read_json_table(data: bytes) -> RawTable:
    try:
        # Numbers stay the text the file wrote: a float would round 1e400 to inf and
        # 4,300-digit integers are refused by int(); validation reads them exactly.
        document = json.loads(data.decode("utf-8-sig"), parse_int=JsonNumber,
                              parse_float=JsonNumber, parse_constant=JsonNumber)
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
        if isinstance(record, dict) and record:
            row = {str(k): cell_text(v) for k, v in record.items()}
            problem = _unencodable(row)
            if problem:
                rejected.append((number, problem, _printable(row)))
                continue
            rows.append(row)
            numbers.append(number)
        elif isinstance(record, dict):
            rejected.append((number, "record is an empty object", {}))
        else:
            reason = f"record is a JSON {_kind(record)}, not an object"
            rejected.append((number, reason, _printable({"value": cell_text(record)})))
    return _table(rows, numbers, rejected, "json")


# A legacy (2008) GeoJSON ``crs`` member: names meaning WGS 84 in [lon, lat] order,
# and those meaning WGS 84 in the EPSG axis order [lat, lon]. Any other is refused.
LON_LAT_CRS = re.compile(r"^(urn:ogc:def:crs:ogc:(1\.3)?:crs84|epsg:4326|wgs ?84|crs:84)$")
LAT_LON_CRS = re.compile(
    r"^(urn:ogc:def:crs:epsg:[\d.]*:4326|https?://www\.opengis\.net/def/crs/epsg/\d+/4326)$"
)


def _latitude_first(document: dict[str, Any]) -> bool:
    """Whether the collection's ``crs`` puts latitude first; refuses a crs that is not WGS 84."""
    crs = document.get("crs")
    if crs is None:
        return False
    properties = crs.get("properties") if isinstance(crs, dict) else None
    name = properties.get("name") if isinstance(properties, dict) else None
    if isinstance(name, str) and crs.get("type") == "name":
        folded = name.strip().lower()
        if LON_LAT_CRS.match(folded):
            return False
        if LAT_LON_CRS.match(folded):
            return True
    shown = json.dumps(crs, ensure_ascii=True)[:120]
    raise IngestError(
        f"GeoJSON crs {shown} is not supported: reproject the file to WGS 84 "
        "longitude/latitude (EPSG:4326, as RFC 7946 GeoJSON is) and import again"
    )


def _features_table(document: dict[str, Any]) -> RawTable:
    features = document.get("features")
    if not isinstance(features, list):
        raise IngestError("GeoJSON FeatureCollection has no 'features' list")
    latitude_first = _latitude_first(document)
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
        problem = _place_geometry(feature.get("geometry"), row, latitude_first)
        problem = problem or _unencodable(row)
        if problem:
            rejected.append((number, problem, _printable(row)))
            continue
        rows.append(row)
        numbers.append(number)
    return _table(rows, numbers, rejected, "geojson")


def _place_geometry(geometry: Any, row: dict[str, str], latitude_first: bool) -> str | None:
    """Put a Point's [lon, lat] (or [lat, lon]) into the row; a reason if it is unusable."""
    if geometry is None:
        row["latitude"] = row["longitude"] = ""
        return None
    if not isinstance(geometry, dict) or geometry.get("type") != "Point":
        kind = geometry.get("type") if isinstance(geometry, dict) else _kind(geometry)
        return f"geometry is a {kind}, only Point (or null) is supported"
    coordinates = geometry.get("coordinates")
    if not isinstance(coordinates, list) or len(coordinates) < 2:
        return "Point geometry has no [longitude, latitude] coordinates"
    first, second = cell_text(coordinates[0]), cell_text(coordinates[1])
    row["latitude"], row["longitude"] = (first, second) if latitude_first else (second, first)
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


class JsonNumber(str):
    """A JSON number kept as the text the file wrote."""


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _unencodable(row: dict[str, str]) -> str | None:
    """A reason when a field holds a lone UTF-16 surrogate (``"\\ud800"``): not text at all."""
    for key, value in row.items():
        if _LONE_SURROGATE.search(key) or _LONE_SURROGATE.search(value):
            name = _LONE_SURROGATE.sub("\ufffd", key)
            return f"field '{name}' holds a lone surrogate escape (\\ud800-\\udfff), not text"
    return None


def _printable(row: dict[str, str]) -> dict[str, str]:
    """The row with lone surrogates shown as U+FFFD, so the quarantine can be stored."""
    return {
        _LONE_SURROGATE.sub("\ufffd", k): _LONE_SURROGATE.sub("\ufffd", v)
        for k, v in row.items()
    }


def _kind(value: Any) -> str:
    if isinstance(value, JsonNumber):
        return "number"
    names = {list: "array", str: "string", bool: "boolean", type(None): "null", dict: "object"}
    return names.get(type(value), "number")
