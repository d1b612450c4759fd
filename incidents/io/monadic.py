"""ACLED's actor-based ("monadic") exports: one row per actor, folded back into events.

In an actor-based export an event with two actors appears twice under one
``event_id_cnty``: each row names one of them in ``actor1`` (with its
``assoc_actor_1`` and ``inter1``) and repeats the event's date, place and
fatalities. Read as they are, the event would count twice and its fatalities
twice. Rows that share an ``event_id_cnty`` but name different ``actor1`` are
folded into one incident: the first row's actor stays actor1, the next row's
actor becomes actor2 (unless the first row already names an actor2), and the
fatalities are those of the event, counted once. Rows that share an id and an
actor are left alone (the store tells them apart).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.compute as pc


ACTOR_FIELDS = (("actor1", "actor2"), ("assoc_actor_1", "assoc_actor_2"), ("inter1", "inter2"))


def fold_monadic(frame: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, int]:
    """``(folded frame, positions of the kept rows in the input, rows folded away)``."""
    everything = np.arange(len(frame))
    if "event_id_cnty" not in frame.columns or "actor1" not in frame.columns or not len(frame):
        return frame, everything, 0
    ids = frame["event_id_cnty"].astype(str).str.strip()
    if _all_distinct(ids):  # an event-based export: every id once
        return frame, everything, 0
    actors = frame["actor1"].astype(str).str.strip()
    repeated = ids.ne("") & ids.duplicated(keep=False)
    if not repeated.any():
        return frame, everything, 0
    groups = pd.DataFrame({"id": ids[repeated], "actor": actors[repeated]})
    distinct = groups.groupby("id", sort=False)["actor"].nunique()
    monadic_ids = distinct.index[distinct > 1]
    if not len(monadic_ids):
        return frame, everything, 0
    in_monadic = ids.isin(monadic_ids).to_numpy()
    order = np.flatnonzero(in_monadic)
    first_of = ~ids.iloc[order].duplicated().to_numpy()
    heads, tails = order[first_of], order[~first_of]
    out = frame.copy()
    head_of_id = pd.Series(heads, index=ids.iloc[heads].to_numpy())
    for tail in tails:
        head = head_of_id[ids.iloc[tail]]
        if actors.iloc[tail] == actors.iloc[head]:
            continue
        if "actor2" in out.columns and str(out.iat[head, out.columns.get_loc("actor2")]).strip():
            continue
        for source, target in ACTOR_FIELDS:
            if source not in out.columns:
                continue
            if target not in out.columns:
                out[target] = ""
            out.iat[head, out.columns.get_loc(target)] = out.iat[tail, out.columns.get_loc(source)]
    keep = np.ones(len(frame), dtype=bool)
    keep[tails] = False
    kept = out[keep].reset_index(drop=True)
    return kept, everything[keep], int(len(tails))


def _all_distinct(ids: pd.Series) -> bool:
    """Whether no id repeats, asked of Arrow's hash of the ids (a pandas ``duplicated``
    costs twice as much); other text columns are answered False, to be looked at."""
    if not isinstance(ids.array, pd.arrays.ArrowStringArray):
        return False
    return len(pc.unique(ids.array._pa_array)) == len(ids)
