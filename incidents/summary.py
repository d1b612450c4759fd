"""Headline figures of a selection: incidents, deaths, places, precision, period.

The dashboard shows them above the map at every filter change. Counting
distinct places by hashing a million place names took 0.05 s alone, and 0.3 s
on a busy first page; here each row's place, date and figures become arrays
once per frame (``incidents.framecache``), and a selection's figures are a few
masked sums over them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from incidents.filters import folded_codes
from incidents.framecache import float_array, per_frame

PLACE_COLUMNS = ("country", "admin1", "location")


@dataclass(frozen=True)
class Headline:
    incidents: int
    fatalities: int
    locations: int
    precise_share: float | None  # share of incidents at geo_precision 1, None when empty
    first_date: pd.Timestamp | None
    last_date: pd.Timestamp | None
    synthetic: int


@dataclass(frozen=True)
class _Figures:
    """One frame's headline columns as arrays, each as long as the frame."""

    place: np.ndarray  # a dense id per named place, -1 where the location is missing
    places: int
    fatalities: np.ndarray
    precise: np.ndarray
    dates: np.ndarray  # datetime64[ns], NaT where undated
    first_keys: np.ndarray  # the dates as int64, the largest int64 where undated
    synthetic: np.ndarray


_UNDATED_FIRST = np.iinfo(np.int64).max


def headline_figures(frame: pd.DataFrame, rows: np.ndarray | None = None, *,
                     duplicates_once: bool = False) -> Headline:
    """Figures of ``frame``'s ``rows`` (a boolean mask; all rows when None).

    Places are told apart by country, admin1 and name, ignoring case and
    accents, so two villages of the same name in two regions stay two.
    With ``duplicates_once``, each group of possible duplicates among the rows
    (``incidents.store.review.group_labels``) is one incident, whose fatalities
    are the largest its members report: two reports of one attack are one
    attack, and their death tolls are two estimates of one toll, not two tolls.
    """
    figures = per_frame(frame, "headline", _figures)
    select = np.ones(len(frame), dtype=bool) if rows is None else np.asarray(rows, dtype=bool)
    # Positions once, then a take per array: a boolean-mask gather over a million rows
    # costs several times the scan of the mask and a take.
    positions = np.flatnonzero(select)
    count = len(positions)
    if count == 0:
        return Headline(0, 0, 0, None, None, None, 0)
    fatalities = int(figures.fatalities.take(positions).sum())
    if duplicates_once:
        count, fatalities = _once_per_group(frame, select, figures.fatalities)
    named = figures.place.take(positions)
    named = named[named >= 0]
    first_date, last_date = _span(figures, positions)
    return Headline(
        incidents=count,
        fatalities=fatalities,
        locations=int(np.count_nonzero(np.bincount(named, minlength=figures.places))),
        precise_share=int(np.count_nonzero(figures.precise.take(positions))) / len(positions),
        first_date=first_date,
        last_date=last_date,
        synthetic=int(np.count_nonzero(figures.synthetic.take(positions))),
    )


def date_span(frame: pd.DataFrame, rows: np.ndarray | None = None
              ) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """The first and last event dates of ``frame``'s ``rows`` (a boolean mask; all rows
    when None), None when none of them is dated: the headline's period."""
    figures = per_frame(frame, "headline", _figures)
    if rows is None:
        return _span(figures, np.arange(len(frame)))
    return _span(figures, np.flatnonzero(np.asarray(rows, dtype=bool)))


def _span(figures: _Figures, positions: np.ndarray) -> tuple[pd.Timestamp | None,
                                                             pd.Timestamp | None]:
    first = figures.first_keys.take(positions).min(initial=_UNDATED_FIRST)
    if first == _UNDATED_FIRST:
        return None, None
    last = figures.dates.view("int64").take(positions).max()  # NaT is the smallest int64
    return (pd.Timestamp(np.datetime64(int(first), "ns")),
            pd.Timestamp(np.datetime64(int(last), "ns")))


def _once_per_group(frame: pd.DataFrame, select: np.ndarray,
                    fatalities: np.ndarray) -> tuple[int, int]:
    """(incidents, fatalities) of the selected rows, each duplicate group counted once
    with its largest death toll."""
    from incidents.store.review import group_labels

    labels = group_labels(frame)
    grouped = select & (labels != np.arange(len(frame)))
    grouped[labels[grouped]] = select[labels[grouped]]
    alone = select & ~grouped
    if not grouped.any():
        return int(select.sum()), int(fatalities[select].sum())
    tolls = pd.Series(fatalities[grouped]).groupby(labels[grouped]).max()
    return int(alone.sum()) + len(tolls), int(fatalities[alone].sum() + tolls.sum())


def _figures(frame: pd.DataFrame) -> _Figures:
    place, places = _place_ids(frame)
    dates = _dates(frame)
    return _Figures(
        place=place,
        places=places,
        fatalities=float_array(frame, "fatalities", 0.0),
        precise=float_array(frame, "geo_precision") == 1,
        dates=dates,
        first_keys=np.where(np.isnat(dates), _UNDATED_FIRST, dates.view("int64")),
        synthetic=float_array(frame, "synthetic", 0.0).astype(bool),
    )


def _place_ids(frame: pd.DataFrame) -> tuple[np.ndarray, int]:
    """A dense id per (country, admin1, location) folded, -1 where the location is missing.

    One integer key per row rather than a joined string: at a million rows,
    ten times faster.
    """
    if "location" not in frame.columns:
        return np.full(len(frame), -1, dtype=np.int64), 0
    location = folded_codes(frame["location"]).astype(np.int64)
    key = np.zeros(len(frame), dtype=np.int64)
    for name in PLACE_COLUMNS[:-1]:
        codes = (folded_codes(frame[name]).astype(np.int64) + 1 if name in frame.columns
                 else np.zeros(len(frame), dtype=np.int64))
        key = key * (int(codes.max(initial=0)) + 1) + codes
    named = location >= 0
    key = key * (int(location.max(initial=0)) + 1) + location
    ids = np.full(len(frame), -1, dtype=np.int64)
    ids[named], uniques = pd.factorize(key[named])
    return ids, len(uniques)


def _dates(frame: pd.DataFrame) -> np.ndarray:
    if "event_date" not in frame.columns:
        return np.full(len(frame), np.datetime64("NaT"), dtype="datetime64[ns]")
    return pd.to_datetime(frame["event_date"], errors="coerce").to_numpy(dtype="datetime64[ns]")
