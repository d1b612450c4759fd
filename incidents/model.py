"""The canonical incident record: columns, taxonomy, precision codes and CRS.

Every stage of the pipeline speaks this schema. Readers map their input onto it,
the geocoder fills its location columns, the store persists it, and exporters
write it back out. The column set is a superset of ACLED's export so that an
ACLED file round-trips without loss.
"""

from __future__ import annotations

import json
from enum import IntEnum, StrEnum
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from incidents import i18n

CRS = "EPSG:4326"

ACLED_COLUMNS: tuple[str, ...] = (
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
)

EXTRA_COLUMNS: tuple[str, ...] = (
    "incident_id",
    "country_code",
    "source_url",
    "source_text",
    "language",
    "fatalities_low",
    "fatalities_high",
    "geocode_method",
    "geocode_score",
    "geocode_matched_name",
    "gazetteer_id",
    "admin1_reported",
    "status",
    "status_reason",
    "possible_duplicate_of",
    "source_extra",
    "synthetic",
    "created_at",
    "updated_at",
    "event_date_end",
    "event_type_original",
    "admin1_polygon",
    "admin2_polygon",
    "merged_into",
)

CANONICAL_COLUMNS: tuple[str, ...] = ACLED_COLUMNS + EXTRA_COLUMNS

# ``source_extra`` holds, as one JSON object, the fields a source carried that no
# canonical column takes (e.g. UCDP's original type_of_violence), so storing a
# record never drops what its source said.

# ``event_date_end`` is the last day of an event known only as a range (UCDP GED's
# date_start/date_end); empty for a single day. The period filter keeps an incident
# whose range overlaps the period. ``event_type_original`` keeps the type a source
# wrote when it was translated (a pre-2019 ACLED type such as "Remote violence").
# ``admin1_polygon``/``admin2_polygon`` are the region set's names at the point,
# recorded beside an authoritative source's own admin1/admin2, which are kept.
# ``merged_into`` is the id of the incident an analyst merged this one into (a reviewed
# duplicate): the row is kept, with status "merged", and its sources live on in the survivor.

# Columns a record must carry to be accepted at all; everything else may be empty.
REQUIRED_COLUMNS: tuple[str, ...] = ("event_date", "event_type")

INTEGER_COLUMNS: tuple[str, ...] = (
    "year",
    "time_precision",
    "inter1",
    "inter2",
    "interaction",
    "geo_precision",
    "fatalities",
    "fatalities_low",
    "fatalities_high",
    "iso",
)
FLOAT_COLUMNS: tuple[str, ...] = ("latitude", "longitude", "geocode_score")
BOOL_COLUMNS: tuple[str, ...] = ("synthetic",)
DATE_COLUMNS: tuple[str, ...] = ("event_date", "event_date_end")
TEXT_COLUMNS: tuple[str, ...] = tuple(
    c
    for c in CANONICAL_COLUMNS
    if c not in INTEGER_COLUMNS + FLOAT_COLUMNS + BOOL_COLUMNS + DATE_COLUMNS
)


class GeoPrecision(IntEnum):
    """ACLED geo_precision: how close the coordinates are to where it happened."""

    PLACE = 1  # the named town or village itself
    NEARBY = 2  # a nearby or containing place (commune, cercle seat, district)
    REGION = 3  # only the admin-1 region is known; the point is its centre


class TimePrecision(IntEnum):
    """ACLED time_precision: how certain the event_date is."""

    DAY = 1
    WEEK = 2
    MONTH = 3


class Status(StrEnum):
    OK = "ok"
    NEEDS_REVIEW = "needs_review"
    REJECTED = "rejected"
    MERGED = "merged"  # an analyst merged it into another incident (``merged_into``)


class GeocodeMethod(StrEnum):
    SOURCE = "source"  # coordinates came with the record
    EXACT = "exact"
    ALTERNATE = "alternate"
    FUZZY = "fuzzy"
    FALLBACK = "fallback"  # a containing admin unit stood in for the place
    FALLBACK_ADMIN3 = "fallback_admin3"  # ... the commune's seat or centre (batch column)
    FALLBACK_ADMIN2 = "fallback_admin2"  # ... the cercle / province / department's seat
    FALLBACK_ADMIN1 = "fallback_admin1"  # ... the region's seat
    OFFSET = "offset"  # a distance and direction from a named place ("Gao 50km W")
    ONLINE = "online"
    MANUAL = "manual"
    NONE = "none"  # could not be placed


@lru_cache(maxsize=1)
def taxonomy() -> dict[str, Any]:
    """The ACLED taxonomy shipped in ``incidents/taxonomy.json``."""
    text = resources.files("incidents").joinpath("taxonomy.json").read_text("utf-8")
    return json.loads(text)


def event_types() -> list[str]:
    return list(taxonomy()["event_types"])


def sub_event_types(event_type: str | None = None) -> list[str]:
    """Sub-event types of one event type, or of all of them."""
    types = taxonomy()["event_types"]
    chosen = [event_type] if event_type else list(types)
    return [sub for t in chosen for sub in types.get(t, {}).get("sub_event_types", {})]


def event_type_of(sub_event_type: str) -> str | None:
    for name, spec in taxonomy()["event_types"].items():
        if sub_event_type in spec["sub_event_types"]:
            return name
    return None


def disorder_type_of(event_type: str) -> str | None:
    spec = taxonomy()["event_types"].get(event_type)
    return spec["disorder_type"] if spec else None


def label(term: str, language: str = "en") -> str:
    """The label of an event type or sub-event type in ``language`` (the message catalogs)."""
    return i18n.term(term, language)


def interaction_code(inter1: int | None, inter2: int | None) -> int | None:
    """ACLED interaction: the two inter codes, smaller first (13, 17, 10 for one actor)."""
    if inter1 is None or pd.isna(inter1):
        return None
    a = int(inter1)
    b = 0 if inter2 is None or pd.isna(inter2) else int(inter2)
    if b == 0:
        return a * 10
    low, high = sorted((a, b))
    return low * 10 + high


def empty_frame() -> pd.DataFrame:
    """A zero-row frame with every canonical column in its canonical dtype."""
    return conform(pd.DataFrame(columns=list(CANONICAL_COLUMNS)))


def conform(frame: pd.DataFrame) -> pd.DataFrame:
    """Add missing canonical columns and coerce canonical dtypes.

    Extra columns are kept after the canonical ones, so nothing a source
    carried is dropped. A column already in its dtype is not copied, and the
    columns a source lacks cost next to nothing: every missing text column
    shares one immutable Arrow array of nulls, and a missing integer column's
    values are zero pages the system has not had to hand out (only its mask is
    written). Two million rows of two columns would otherwise carry about 900 MB
    of empty columns.
    """
    size = len(frame)
    missing_text = _NullText(size)
    columns: dict[str, Any] = {}
    for column in CANONICAL_COLUMNS:
        if column in frame.columns:
            columns[column] = _in_dtype(frame[column], column)
        elif column in TEXT_COLUMNS:
            columns[column] = missing_text.array()
        elif column in INTEGER_COLUMNS:
            columns[column] = pd.arrays.IntegerArray(
                np.zeros(size, dtype="int64"), np.ones(size, dtype=bool)
            )
        elif column in FLOAT_COLUMNS:
            columns[column] = np.full(size, np.nan)
        elif column in DATE_COLUMNS:
            columns[column] = np.full(size, np.datetime64("NaT", "ns"))
        else:
            columns[column] = np.zeros(size, dtype=bool)
    for column in frame.columns:
        if column not in columns:
            columns[column] = frame[column]
    # Built in one go without copying: setting columns one by one copies each array.
    return pd.DataFrame(columns, index=frame.index, copy=False)


def _in_dtype(values: pd.Series, column: str) -> pd.Series:
    """A canonical column in its dtype (the same data when it is already)."""
    if column in INTEGER_COLUMNS:
        if values.dtype == "Int64":
            return values
        return pd.to_numeric(values, errors="coerce").astype("Int64")
    if column in FLOAT_COLUMNS:
        if values.dtype == "float64":
            return values
        return pd.to_numeric(values, errors="coerce").astype("float64")
    if column in BOOL_COLUMNS:
        return values if values.dtype == bool else values.fillna(False).astype(bool)
    if column in DATE_COLUMNS:
        if values.dtype == "datetime64[ns]":
            return values
        return pd.to_datetime(values, errors="coerce").astype("datetime64[ns]")
    return values if values.dtype == _TEXT_DTYPE else values.astype(_TEXT_DTYPE)


# The text dtype every stage has used ("string": missing is pd.NA); pandas' default
# ``str`` (missing is NaN) compares equal to the name "string", so compare to this.
_TEXT_DTYPE = pd.StringDtype()


class _NullText:
    """Columns of nulls of one length, all over one Arrow array made on first use.

    Arrow arrays are immutable, so columns may share one; each column still gets
    its own pandas array around it, since a write replaces the array a wrapper holds.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.shared: pa.ChunkedArray | None = None

    def array(self) -> pd.api.extensions.ExtensionArray:
        if self.shared is None:
            self.shared = pa.chunked_array([pa.nulls(self.size, pa.large_string())])
        return pd.array(self.shared, dtype=_TEXT_DTYPE)
