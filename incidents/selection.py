"""The incidents a filter picked, as a mask over the frame rather than a copy of it.

Copying the selected rows of every column of a million-incident frame costs
over a second (strings and geometries are Python objects, each copied by
reference), while the headline, the chart and the map each read two to eight
columns, and the table reads its newest few thousand rows. A ``Selection``
therefore keeps the frame and a boolean mask, and hands each consumer only the
columns or rows it asks for. The full canonical frame (for an export, or the
correction page) is built only when :meth:`Selection.incidents` is called.

The frame is normally the store's map snapshot (``IncidentStore.load_map_snapshot``:
categorical filter columns and H3 cell ids, no geometry); any incident frame works.
Incidents handed out whole come back as a GeoDataFrame either way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from incidents.filters import FilterSpec, filter_mask
from incidents.snapshot import canonical_columns, with_geometry


@dataclass(frozen=True)
class Selection:
    """``frame`` restricted to ``rows`` (a boolean array as long as the frame)."""

    frame: pd.DataFrame
    rows: np.ndarray
    _count: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        rows = np.asarray(self.rows, dtype=bool)
        if rows.shape != (len(self.frame),):
            raise ValueError(f"the mask has {rows.shape} entries for {len(self.frame)} rows")
        object.__setattr__(self, "rows", rows)
        object.__setattr__(self, "_count", int(rows.sum()))

    @classmethod
    def of(cls, frame: pd.DataFrame, spec: FilterSpec) -> Selection:
        """The rows of ``frame`` that meet ``spec``."""
        return cls(frame, filter_mask(frame, spec).to_numpy())

    @classmethod
    def everything(cls, frame: pd.DataFrame) -> Selection:
        return cls(frame, np.ones(len(frame), dtype=bool))

    def __len__(self) -> int:
        return self._count

    @property
    def empty(self) -> bool:
        return self._count == 0

    def narrowed(self, mask: np.ndarray | pd.Series) -> Selection:
        """The rows selected here that ``mask`` (over the whole frame) also keeps."""
        return Selection(self.frame, self.rows & np.asarray(mask, dtype=bool))

    def column(self, name: str) -> pd.Series:
        """One column of the selected rows."""
        return self.frame[name][self.rows]

    def columns(self, names: Sequence[str]) -> pd.DataFrame:
        """The selected rows, with only the named columns (those the frame has)."""
        present = [name for name in names if name in self.frame.columns]
        return pd.DataFrame(self.frame[present][self.rows])

    def newest(self, limit: int) -> pd.DataFrame:
        """Up to ``limit`` selected incidents, newest first (undated ones last).

        Picks the rows on the date column alone and copies only those, so the
        table of a million incidents costs what a table of ``limit`` does.
        """
        positions = np.flatnonzero(self.rows)
        dates = self.frame["event_date"].to_numpy(dtype="datetime64[ns]")[positions]
        dated = ~np.isnat(dates)
        values = dates[dated].view("int64")
        if np.all(values[1:] >= values[:-1]):
            # The store keeps its rows in date order: the newest are simply the last.
            order = np.arange(len(values))[::-1][:limit]
        else:
            order = np.argsort(values, kind="stable")[::-1][:limit]
        chosen = positions[dated][order]
        if len(chosen) < limit:
            chosen = np.concatenate([chosen, positions[~dated][: limit - len(chosen)]])
        return canonical_columns(self.frame.iloc[chosen])

    def incidents_at(self, labels: Sequence[object] | pd.Index) -> pd.DataFrame:
        """Canonical records of the rows with these index labels, in that order."""
        return _records(self.frame.loc[labels])

    def incidents(self) -> gpd.GeoDataFrame:
        """The selected incidents as canonical records, as ``IncidentStore.load`` gives them.

        Internal map columns (H3 cell ids) are dropped, categorical columns go
        back to plain strings and a frame without geometry gets its points, so
        exports see exactly what the store holds.
        """
        if self._count == len(self.frame):
            return _records(self.frame)
        return _records(self.frame[self.rows])


def _records(frame: pd.DataFrame) -> gpd.GeoDataFrame:
    records = canonical_columns(frame)
    if isinstance(records, gpd.GeoDataFrame):
        return records
    return with_geometry(records)
