"""The per-row arrays the map reads, converted once per frame rather than once per map.

The dashboard redraws its map from the same cached snapshot at every filter
change. Turning its coordinates, precision codes, event types, fatalities and
region names into numpy arrays again each time cost about 30 ms at a million
rows, a quarter of a map's server time. :func:`map_columns` converts them on
first use and keeps them for as long as the frame lives
(``incidents.framecache``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from incidents.framecache import float_array, per_frame
from incidents.maps import style

REGION_KEY_COLUMNS = ("country_code", "country", "admin1")


@dataclass(frozen=True)
class Coded:
    """A column as an integer code per row and the label of each code; missing values
    get the last code, labelled ''."""

    codes: np.ndarray
    labels: np.ndarray

    @classmethod
    def of(cls, values: pd.Series) -> Coded:
        if isinstance(values.dtype, pd.CategoricalDtype):
            codes = values.cat.codes.to_numpy().astype("int64")
            labels = np.asarray(values.cat.categories, dtype=object).astype(str)
        else:
            codes, uniques = pd.factorize(values)
            labels = np.asarray(uniques, dtype=object).astype(str)
        return cls(np.where(codes < 0, len(labels), codes), np.append(labels, ""))


@dataclass(frozen=True)
class MapColumns:
    """One frame's map columns as arrays, each as long as the frame."""

    latitude: np.ndarray
    longitude: np.ndarray
    placed: np.ndarray
    precision: np.ndarray
    event_type: Coded
    fatalities: np.ndarray
    region_parts: tuple[Coded, ...]
    # Further per-row arrays other map modules derive from the frame, by their own key.
    derived: dict[object, object] = field(default_factory=dict, repr=False, compare=False)


def point_precision(frame: pd.DataFrame) -> np.ndarray:
    """geo_precision as ints, unknown codes drawn as ``style.UNKNOWN_PRECISION``."""
    codes = pd.to_numeric(column_or_missing(frame, "geo_precision"), errors="coerce").to_numpy(
        dtype="float64", na_value=np.nan
    )
    known = (codes == 1) | (codes == 2) | (codes == 3)
    return np.where(known, codes, style.UNKNOWN_PRECISION).astype("int64")


def column_or_missing(frame: pd.DataFrame, name: str) -> pd.Series:
    """``frame[name]``, or a column of missing text when the frame has no such column."""
    if name in frame.columns:
        return frame[name]
    return pd.Series(pd.NA, index=frame.index, dtype="string")


def _convert(frame: pd.DataFrame) -> MapColumns:
    latitude = float_array(frame, "latitude")
    longitude = float_array(frame, "longitude")
    return MapColumns(
        latitude=latitude,
        longitude=longitude,
        placed=np.isfinite(latitude) & np.isfinite(longitude),
        precision=point_precision(frame),
        event_type=Coded.of(column_or_missing(frame, "event_type")),
        fatalities=float_array(frame, "fatalities", 0.0),
        region_parts=tuple(Coded.of(column_or_missing(frame, name)) for name in REGION_KEY_COLUMNS),
    )


def map_columns(frame: pd.DataFrame) -> MapColumns:
    """The map columns of ``frame``, converted on the first call for this frame."""
    return per_frame(frame, "map_columns", _convert)
