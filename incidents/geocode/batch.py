"""Batch geocoding of a records frame: each distinct query is resolved once.

The loop that calls the geocoder (possibly over the network) is kept apart from
the pure function that writes the answers back into the frame.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from geopy.exc import GeopyError
from geopy.geocoders.base import Geocoder

from incidents.geocode.normalize import normalise_name
from incidents.model import CANONICAL_COLUMNS, GeocodeMethod, Status, conform

Query = tuple[str, str, str, str, str]
CONTEXT_COLUMNS = ("location", "country", "admin1", "admin2", "admin3")


def _context(frame: pd.DataFrame, rows: list[int]) -> pd.DataFrame:
    """The query columns of ``rows`` as stripped text, "" when missing (positions 0..n-1)."""
    out = {}
    for column in CONTEXT_COLUMNS:
        values = frame[column].iloc[rows].astype("string").fillna("").str.strip()
        out[column] = values.reset_index(drop=True)
    return pd.DataFrame(out)


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
    takes_admin3 = _accepts_admin3(geocoder)
    for done, (key, (location, country, admin1, admin2, admin3)) in enumerate(by_key.items(), start=1):
        wanted = location or admin1 or admin2 or admin3
        answers[key] = _ask(geocoder, location, country, admin1, admin2, admin3 if takes_admin3 else "") \
            if wanted else None
        if progress is not None:
            progress(done, total)
    return {query: answers[key_of[query]] for query in distinct}


def _accepts_admin3(geocoder: Geocoder) -> bool:
    """Whether ``geocode`` takes an ``admin3`` keyword (the gazetteer does; the online providers need not)."""
    try:
        return "admin3" in inspect.signature(geocoder.geocode).parameters
    except (TypeError, ValueError):
        return False


def _ask(
    geocoder: Geocoder, location: str, country: str, admin1: str, admin2: str, admin3: str = ""
) -> dict[str, Any] | None:
    """One geocoder call; a service failure becomes an answer saying so, not a lost batch."""
    extra = {"admin3": admin3} if admin3 else {}
    try:
        found = geocoder.geocode(location, exactly_one=True, country=country or None,
                                 admin1=admin1 or None, admin2=admin2 or None, **extra)
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
    if raw.get("review"):
        return str(raw["review"])
    return None


_RAW_COLUMNS = (
    ("latitude", "latitude"), ("longitude", "longitude"), ("geo_precision", "precision"),
    ("geocode_method", "method"), ("geocode_score", "score"), ("geocode_matched_name", "name"),
    ("gazetteer_id", "gazetteer_id"),
)
_WRITTEN = ("status", "status_reason", "admin1", "admin2", "country", "country_code", "iso") + tuple(
    column for column, _key in _RAW_COLUMNS
)


def apply_answers(records: pd.DataFrame, rows: list[int], context: pd.DataFrame,
                  answers: dict[Query, dict[str, Any] | None]) -> pd.DataFrame:
    """Write geocoder answers into a copy of ``records`` (pure: no geocoder calls).

    ``context`` holds the query columns of ``rows`` (see ``_context``). Rows that share
    their query and every value the answer is written over get the same result, so it
    is worked out once per such group and spread with one take per column: a
    100k-row file with a few thousand distinct places costs little more than its places.
    """
    out = records.copy()
    existing = pd.DataFrame({c: out[c].iloc[rows].reset_index(drop=True) for c in _WRITTEN})
    keyed = pd.concat([context] + [existing[c].astype("string").fillna("\0").rename(f"_{c}") for c in _WRITTEN],
                      axis=1)
    codes = keyed.groupby(list(keyed.columns), sort=False, dropna=False).ngroup().to_numpy()
    _, first = np.unique(codes, return_index=True)
    queries = context.to_numpy(dtype=object)
    columns = {c: existing[c].to_numpy(dtype=object) for c in _WRITTEN}
    per_group: dict[str, list[Any]] = {c: [] for c in _WRITTEN}
    for position in first:
        query = tuple(queries[position])
        values = {c: [columns[c][position]] for c in _WRITTEN}
        _fill(values, 0, answers.get(query), query)
        for column in _WRITTEN:
            per_group[column].append(values[column][0])
    positions = np.asarray(rows, dtype=np.int64)
    for column in _WRITTEN:
        spread = np.empty(len(first), dtype=object)
        spread[:] = per_group[column]
        whole = out[column].to_numpy(dtype=object, na_value=None, copy=True)
        whole[positions] = spread[codes]
        out[column] = pd.Series(pd.array(whole, dtype=out[column].dtype), index=out.index, name=column)
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
    if raw.get("fallback_level"):
        values["geocode_method"][i] = f"{GeocodeMethod.FALLBACK}_{raw['fallback_level']}"
    # The row's own admin names are evidence: a matched place only fills the blanks.
    for column, position in (("admin1", 2), ("admin2", 3)):
        if raw.get(column) and not query[position] and _missing(values[column][i]):
            values[column][i] = raw[column]
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
    context = _context(frame, todo)
    distinct = list(context.drop_duplicates().itertuples(index=False, name=None))
    answers = resolve_queries(distinct, geocoder, progress)
    return apply_answers(frame, todo, context, answers)
