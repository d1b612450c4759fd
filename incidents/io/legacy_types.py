"""ACLED's pre-2019 event types become today's event_type and sub_event_type.

Before March 2019 ACLED coded nine event types (``Battle-No change of
territory``, ``Remote violence``, ``Riots/Protests`` ...) and no sub-event type.
``taxonomy.json`` (``legacy_event_types``) says what each becomes, following
ACLED's 2019 codebook: a fixed pair where the old type settles it, the actor
type codes for ``Riots/Protests`` (rioters 5, protesters 6), and words in the
notes for the sub-event of ``Remote violence``, ``Violence against civilians``
and ``Strategic development``. Where nothing settles the sub-event it stays
empty. The source's own type is kept in ``event_type_original``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from incidents import model
from incidents.io.codes import fold

PROTESTERS, RIOTERS = 6, 5
NO_DEMONSTRATOR_REASON = (
    "pre-2019 type 'Riots/Protests' without a rioter or protester actor: read as Protests"
)


def legacy_key(text: str) -> str:
    """``'Battle - No change of territory'`` and ``'battle-no change of territory'`` alike."""
    return re.sub(r"\s*([-/])\s*", r"\1", fold(text))


@lru_cache(maxsize=1)
def legacy_rules() -> dict[str, dict[str, Any]]:
    rules = model.taxonomy().get("legacy_event_types", {})
    return {key: rule for key, rule in rules.items() if not key.startswith("_")}


def _words_pattern(words: list[str]) -> str:
    """Words (or word starts: 'abduct' finds 'abducted') at the start of a word."""
    return r"\b(?:" + "|".join(re.escape(w) for w in words) + ")"


def _sub_from_notes(notes: pd.Series, choices: list[list[Any]]) -> np.ndarray:
    result = np.full(len(notes), None, dtype=object)
    folded = notes.map(fold) if len(notes) else notes
    for sub_event, words in choices:
        hit = folded.str.contains(_words_pattern(words), regex=True).to_numpy() & (result == None)  # noqa: E711
        result[hit] = sub_event
    return result


def _actor_codes(frame: pd.DataFrame, rows: np.ndarray, column: str) -> np.ndarray:
    if column not in frame.columns:
        return np.zeros(len(rows), dtype=int)
    text = frame[column].astype(str).str.strip().iloc[rows]
    number = pd.to_numeric(text.str.extract(r"^(\d+)", expand=False), errors="coerce")
    folded = text.map(fold)
    number = number.where(~folded.str.startswith("rioter"), RIOTERS)
    number = number.where(~folded.str.startswith(("protester", "manifestant")), PROTESTERS)
    return number.fillna(0).astype(int).to_numpy()


def _riots_or_protests(
    frame: pd.DataFrame, rows: np.ndarray, rule: dict[str, Any]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    inter1, inter2 = _actor_codes(frame, rows, "inter1"), _actor_codes(frame, rows, "inter2")
    rioters = (inter1 == RIOTERS) | (inter2 == RIOTERS)
    protesters = (inter1 == PROTESTERS) | (inter2 == PROTESTERS)
    event = np.where(rioters, "Riots", "Protests").astype(object)
    subs = rule["protest_sub_events"]
    other_actor = ~np.isin(inter2, (0, PROTESTERS)) | ~np.isin(inter1, (0, PROTESTERS))
    deaths = pd.to_numeric(
        frame["fatalities"].iloc[rows] if "fatalities" in frame.columns else pd.Series(0, index=rows),
        errors="coerce",
    ).fillna(0).to_numpy() > 0
    sub = np.where(
        other_actor, np.where(deaths, subs["with_other_actor_and_deaths"], subs["with_other_actor"]),
        subs["alone"],
    ).astype(object)
    sub[rioters] = None
    return event, sub, ~rioters & ~protesters


def translate_legacy_types(frame: pd.DataFrame) -> np.ndarray:
    """Rewrite pre-2019 types in ``frame`` (a mapped text frame) in place.

    Sets ``event_type``, ``sub_event_type`` (where derived) and
    ``event_type_original`` on those rows; returns a mask of rows that need
    review because the old type could not be split with confidence.
    """
    review = np.zeros(len(frame), dtype=bool)
    if "event_type" not in frame.columns or not len(frame):
        return review
    text = frame["event_type"].astype(str).str.strip()
    codes, uniques = pd.factorize(text)
    # Decided once per distinct type, then spread to the rows by their codes.
    distinct_keys = [legacy_key(u) for u in uniques] + [""]
    old_type = np.array([k in legacy_rules() for k in distinct_keys])[codes]
    if not old_type.any():
        return review
    own_sub = frame["sub_event_type"].astype(str).str.strip() if "sub_event_type" in frame else None
    # "Violence against civilians" is both an old and a current type: a row with a
    # sub-event type of its own is already in today's codebook.
    current = {legacy_key(t) for t in model.event_types()}
    already = np.array([k in current for k in distinct_keys])[codes] & (
        own_sub.ne("").to_numpy() if own_sub is not None else np.zeros(len(frame), dtype=bool))
    known = old_type & ~already
    if not known.any():
        return review
    keys = pd.Series(np.array(distinct_keys, dtype=object)[codes], index=frame.index)
    keys = keys.where(known, "")
    event = text.to_numpy(dtype=object, copy=True)
    sub = own_sub.to_numpy(dtype=object, copy=True) if own_sub is not None else np.full(len(frame), "", dtype=object)
    notes = frame["notes"].astype(str) if "notes" in frame.columns else pd.Series("", index=frame.index)
    for key, rule in legacy_rules().items():
        rows = np.flatnonzero((keys == key).to_numpy())
        if not len(rows):
            continue
        keep_sub = sub[rows] != ""
        if "by_actor_type" in rule:
            new_event, new_sub, unclear = _riots_or_protests(frame, rows, rule)
            review[rows[unclear]] = True
        else:
            new_event = np.full(len(rows), rule["event_type"], dtype=object)
            if "sub_event_type" in rule:
                new_sub = np.full(len(rows), rule["sub_event_type"], dtype=object)
            else:
                new_sub = _sub_from_notes(notes.iloc[rows], rule.get("sub_event_from_notes", []))
        event[rows] = new_event
        sub[rows] = np.where(keep_sub, sub[rows], np.where(new_sub == None, "", new_sub))  # noqa: E711
    original = np.where(known, text.to_numpy(dtype=object), "")
    if "event_type_original" in frame.columns:
        given = frame["event_type_original"].astype(str).str.strip().to_numpy(dtype=object)
        original = np.where(given != "", given, original)
    frame["event_type"] = event
    frame["sub_event_type"] = sub
    frame["event_type_original"] = original
    return review
