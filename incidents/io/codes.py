"""Lookups from what sources write to canonical codes: event types and actor types.

Event and sub-event types match case-insensitively, with or without accents,
in English or by their French label. ACLED's newer exports write actor types
(inter1, inter2) and interactions as text ("Rebel group", "State
forces-Civilians"); these map back to the numeric codes of the codebook.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import numpy as np
import pandas as pd

from incidents import i18n, model


def fold(text: str) -> str:
    """Lower case, no accents, single spaces: how codes are compared."""
    decomposed = unicodedata.normalize("NFKD", str(text).strip().lower())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


@lru_cache(maxsize=1)
def event_type_names() -> dict[str, str]:
    names = {fold(label): name for label, name in i18n.term_labels().items()
             if name in model.taxonomy()["event_types"]}
    names.update({fold(name): name for name in model.taxonomy()["event_types"]})
    return names


@lru_cache(maxsize=1)
def sub_event_type_names() -> dict[str, str]:
    subs = {name for spec in model.taxonomy()["event_types"].values() for name in spec["sub_event_types"]}
    names = {fold(label): name for label, name in i18n.term_labels().items() if name in subs}
    names.update({fold(name): name for name in subs})
    return names


def event_type_name(text: str) -> str | None:
    """The canonical event type a source wrote, in any case or in French; None if unknown."""
    return event_type_names().get(fold(text))


def sub_event_type_name(text: str) -> str | None:
    return sub_event_type_names().get(fold(text))


def _singular(text: str) -> str:
    return " ".join(word[:-1] if word.endswith("s") else word for word in fold(text).split())


@lru_cache(maxsize=1)
def actor_type_codes() -> dict[str, int]:
    codes: dict[str, int] = {}
    for code, (english, french) in model.taxonomy()["inter_codes"].items():
        codes[_singular(english)] = int(code)
        codes[_singular(french)] = int(code)
    return codes


def _is_code(text: str) -> bool:
    """A short run of ASCII digits (``str.isdigit`` also accepts '²' and 5,000-digit runs)."""
    return text.isascii() and text.isdigit() and len(text) <= 3


def actor_type_code(text: str) -> int | None:
    """``'3'`` -> 3, ``'Political militia'`` -> 3; None when it is neither."""
    stripped = text.strip()
    if _is_code(stripped):
        return int(stripped)
    return actor_type_codes().get(_singular(stripped))


def interaction_from_text(text: str) -> int | None:
    """``'13'`` -> 13, ``'State forces-Political militia'`` -> 13, ``'Protesters only'`` -> 60."""
    stripped = text.strip()
    if _is_code(stripped):
        return int(stripped)
    folded = fold(stripped)
    if folded.endswith(" only"):
        folded = folded[: -len(" only")]
    codes = [actor_type_code(part) for part in folded.split("-")]
    if not codes or any(c is None for c in codes) or len(codes) > 2:
        return None
    return model.interaction_code(codes[0], codes[1] if len(codes) == 2 else None)


def map_unique(values: pd.Series, lookup) -> tuple[np.ndarray, np.ndarray]:
    """Apply ``lookup`` once per distinct value: (results as objects, found mask)."""
    codes, uniques = pd.factorize(values)
    if not len(uniques):
        return np.full(len(values), None, dtype=object), np.zeros(len(values), dtype=bool)
    mapped = [lookup(u) for u in uniques] + [None]
    found = np.array([m is not None for m in mapped], dtype=bool)
    return np.array(mapped, dtype=object)[codes], found[codes]
