"""Batch geocoding of a records frame: each distinct query is resolved once.

The loop that calls the geocoder (possibly over the network) is kept apart from
the pure function that writes the answers back into the frame.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from geopy.exc import GeopyError
from geopy.geocoders.base import Geocoder

from incidents.geocode.gazetteer import admin_key
from incidents.geocode.normalize import normalise_name
from incidents.model import CANONICAL_COLUMNS, GeocodeMethod, Status, conform

Query = tuple[str, str, str, str]
CONTEXT_COLUMNS = ("location", "country", "admin1", "admin2")


def _text(series: pd.Series) -> list[str]:
    return ["" if pd.isna(v) else str(v).strip() for v in series.tolist()]


def resolve_queries(
    queries: list[Query], geocoder: Geocoder, progress: Callable[[int, int], None] | None = None
) -> dict[Query, dict[str, Any] | None]:
    """Geocode each distinct query once (matching on normalised text); raw dict or None."""
    distinct = list(dict.fromkeys(queries))
    key_of = {query: tuple(normalise_name(v) for v in query) for query in distinct}
    by_key: dict[tuple[str, ...], Query] = {}
    for query in distinct:
        by_key.setdefault(key_of[query], query)
    answers: dict[tuple[str, ...], dict[str, Any] | None] = {}
    total = len(by_key)
    for done, (key, (location, country, admin1, admin2)) in enumerate(by_key.items(), start=1):
        answers[key] = _ask(geocoder, location, country, admin1, admin2) if location or admin1 or admin2 else None
        if progress is not None:
            progress(done, total)
    return {query: answers[key_of[query]] for query in distinct}


def _ask(geocoder: Geocoder, location: str, country: str, admin1: str, admin2: str) -> dict[str, Any] | None:
    """One geocoder call; a service failure becomes an answer saying so, not a lost batch."""
    try:
        found = geocoder.geocode(location, exactly_one=True, country=country or None,
                                 admin1=admin1 or None, admin2=admin2 or None)
    except GeopyError as error:
        return {"error": f"{type(error).__name__}: {error}"}
    return dict(found.raw) if found is not None else None


def _review_reason(raw: dict[str, Any] | None, query: Query) -> str | None:
    if raw is None:
        return "not found: " + (", ".join(v for v in query if v) or "no location given")
    if "error" in raw:
        return f"geocoder failed: {raw['error']}"
    if raw.get("ambiguous"):
        names = "; ".join(
            f"{c.get('name')} ({c.get('admin1') or '?'}, {c.get('country_code') or '?'})"
            for c in raw.get("candidates", [])
        )
        return f"ambiguous: {len(raw.get('candidates', []))} places match ({names})"
    return None


_RAW_COLUMNS = (
    ("latitude", "latitude"), ("longitude", "longitude"), ("geo_precision", "precision"),
    ("geocode_method", "method"), ("geocode_score", "score"), ("geocode_matched_name", "name"),
    ("gazetteer_id", "gazetteer_id"),
)
_WRITTEN = ("status", "status_reason", "admin1", "admin1_reported", "admin2", "country", "country_code", "iso") + tuple(
    column for column, _key in _RAW_COLUMNS
)


def apply_answers(records: pd.DataFrame, rows: list[int], queries: list[Query],
                  answers: dict[Query, dict[str, Any] | None]) -> pd.DataFrame:
    """Write geocoder answers into a copy of ``records`` (pure: no geocoder calls).

    Values are gathered per column in plain lists and assigned once per column,
    which keeps 100k-row frames fast.
    """
    out = records.copy()
    values = {c: out[c].iloc[rows].tolist() for c in _WRITTEN}
    for i, query in enumerate(queries):
        _fill(values, i, answers.get(query), query)
    for column in _WRITTEN:
        out.iloc[rows, out.columns.get_loc(column)] = pd.array(values[column], dtype=out[column].dtype)
    return out


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


def _fill(values: dict[str, list[Any]], i: int, raw: dict[str, Any] | None, query: Query) -> None:
    reason = _review_reason(raw, query)
    if reason is not None and (_missing(values["status"][i]) or values["status"][i] != Status.REJECTED):
        values["status"][i] = str(Status.NEEDS_REVIEW)
        values["status_reason"][i] = reason
    if raw is None or "error" in raw:
        values["geocode_method"][i] = str(GeocodeMethod.NONE)
        # A source's precision code describes coordinates; with none found it would
        # call an unplaced row exact (precision 1).
        values["geo_precision"][i] = None
        return
    if reason is None and _missing(values["status"][i]):
        values["status"][i] = str(Status.OK)
    for column, key in _RAW_COLUMNS:
        values[column][i] = raw.get(key)
    reported, found_admin1 = query[2], raw.get("admin1")
    if found_admin1 and reported and admin_key(reported) != admin_key(found_admin1):
        values["admin1_reported"][i] = reported
        values["admin1"][i] = found_admin1
    elif found_admin1 and not reported:
        values["admin1"][i] = found_admin1
    if raw.get("admin2") and not query[3]:
        values["admin2"][i] = raw["admin2"]
    for column in ("country", "country_code", "iso"):
        if _missing(values[column][i]) and raw.get(column) is not None:
            values[column][i] = raw[column]


def geocode_frame(
    records: pd.DataFrame,
    geocoder: Geocoder | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """Place the rows that lack coordinates; return a new canonical frame.

    Rows that arrived with coordinates are left where they are (geocode_method
    'source'). Rows that cannot be placed keep NaN coordinates, geocode_method
    'none' and status 'needs_review' with a reason; so do ambiguous ones, which are
    placed on the most likely candidate.
    """
    if geocoder is None:
        from incidents.geocode.gazetteer_geocoder import GazetteerGeocoder

        geocoder = GazetteerGeocoder()
    frame = conform(records) if not set(CANONICAL_COLUMNS) <= set(records.columns) else records.copy()
    placed = frame["latitude"].notna().to_numpy() & frame["longitude"].notna().to_numpy()
    source_rows = placed & frame["geocode_method"].isna().to_numpy()
    frame.loc[source_rows, "geocode_method"] = str(GeocodeMethod.SOURCE)
    todo = np.flatnonzero(~placed).tolist()
    if not todo:
        return frame
    context = list(zip(*(_text(frame[c].iloc[todo]) for c in CONTEXT_COLUMNS)))
    answers = resolve_queries(context, geocoder, progress)
    return apply_answers(frame, todo, context, answers)
