"""Arrays derived from a frame, computed once per frame object and dropped with it.

The dashboard filters, maps and counts the same cached snapshot at every
change. Turning a million-row column into integer codes, or hashing a million
place names, costs tens of milliseconds each time; done once per frame, a
filter change only indexes the arrays with its mask.

A frame is read as it was the first time: frames handed to these functions are
not modified in place afterwards (the snapshot is read only; an edit goes
through the store and comes back as a new frame). As a guard, an entry is
recomputed when the frame's length or columns differ from when it was made.
:func:`float_array` is the one conversion of a numeric column those arrays share.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TypeVar

import numpy as np
import pandas as pd

T = TypeVar("T")

_entries: dict[int, dict[str, tuple[tuple[int, tuple[str, ...]], object]]] = {}


def per_frame(frame: pd.DataFrame, name: str, compute: Callable[[pd.DataFrame], T]) -> T:
    """``compute(frame)``, computed on the first call for this frame and ``name``."""
    key = id(frame)
    shape = (len(frame), tuple(map(str, frame.columns)))
    entries = _entries.get(key)
    if entries is None:
        entries = _entries[key] = {}
        weakref.finalize(frame, _entries.pop, key, None)
    found = entries.get(name)
    if found is not None and found[0] == shape:
        return found[1]  # type: ignore[return-value]
    value = compute(frame)
    entries[name] = (shape, value)
    return value


def float_array(frame: pd.DataFrame, name: str, missing: float = np.nan) -> np.ndarray:
    """Column ``name`` as float64, ``missing`` where it is empty, not a number or absent."""
    if name not in frame.columns:
        return np.full(len(frame), missing)
    return pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype="float64", na_value=missing)
