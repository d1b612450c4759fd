"""Schema mappings: how a source's columns and codes become canonical ones.

Each mapping is data, a JSON file in ``incidents/io/mappings/``: which header
identifies the source, which columns are renamed, which coded values are
translated (with the reasoning next to the codes), and which source values make
a row need review. Columns a mapping does not know are kept under their own
names, after the canonical ones, so nothing a source carried is lost.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from incidents import model

MAPPING_ORDER: tuple[str, ...] = ("ucdp_ged", "acled", "canonical")
# Sources whose own admin1/admin2 are kept over the region polygons' names.
AUTHORITATIVE_MAPPINGS: frozenset[str] = frozenset({"acled", "ucdp_ged"})


@dataclass(frozen=True)
class Mapping:
    name: str
    description: str
    detect_all_of: tuple[str, ...]
    detect_none_of: tuple[str, ...]
    rename: dict[str, str]
    prefix: dict[str, str]
    value_maps: dict[str, dict[str, str]]
    review_when: dict[str, dict[str, Any]]
    # How a numeric date column is read when none of its values tells day from month.
    date_order: str = "day_first"


@dataclass
class MappedTable:
    """A source table under canonical column names, still all text."""

    frame: pd.DataFrame
    mapping: str
    # (row mask, reason per row) pairs raised by the mapping itself.
    reviews: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)


def header_key(name: object) -> str:
    """Compare headers loosely: case, outer spaces, BOM and space/hyphen vs underscore."""
    text = str(name).replace("\ufeff", "").strip().lower()
    return re.sub(r"[\s\-]+", "_", text)


@lru_cache(maxsize=None)
def load_mapping(name: str) -> Mapping:
    text = resources.files("incidents.io").joinpath("mappings", f"{name}.json").read_text("utf-8")
    spec = json.loads(text)
    value_maps = {
        column: {code: value for code, value in codes.items() if not code.startswith("_")}
        for column, codes in spec.get("value_maps", {}).items()
    }
    return Mapping(
        name=spec["name"],
        description=spec.get("description", ""),
        detect_all_of=tuple(spec.get("detect_all_of", ())),
        detect_none_of=tuple(spec.get("detect_none_of", ())),
        rename=dict(spec.get("rename", {})),
        prefix=dict(spec.get("prefix", {})),
        value_maps=value_maps,
        review_when=dict(spec.get("review_when", {})),
        date_order=spec.get("date_order", "day_first"),
    )


def detect_mapping(columns: list[str]) -> Mapping:
    """The first mapping (in ``MAPPING_ORDER``) whose signature the header matches."""
    keys = {header_key(c) for c in columns}
    for name in MAPPING_ORDER:
        mapping = load_mapping(name)
        if all(c in keys for c in mapping.detect_all_of) and not any(
            c in keys for c in mapping.detect_none_of
        ):
            return mapping
    return load_mapping("canonical")


def apply_mapping(raw: pd.DataFrame, mapping: Mapping) -> MappedTable:
    """Rename, prefix and translate codes; unknown columns pass through unchanged.

    A column whose codes are translated also stays under its source name.
    """
    canonical = set(model.CANONICAL_COLUMNS)
    renames: dict[str, str] = {}
    translated_from: dict[str, str] = {}
    taken = {header_key(c) for c in raw.columns if header_key(c) in canonical}
    for column in raw.columns:
        key = header_key(column)
        target = mapping.rename.get(key)
        if target is not None and target not in taken:
            renames[column] = target
            translated_from[target] = column
            taken.add(target)
        elif key in canonical and column != key:
            renames[column] = key
    frame = raw.rename(columns=renames)
    reviews: list[tuple[np.ndarray, np.ndarray]] = []
    for column, rule in mapping.review_when.items():
        if column not in frame.columns:
            continue
        values = frame[column].str.strip()
        mask = values.isin(rule["source_values"]).to_numpy()
        if mask.any():
            reason = np.full(len(frame), "", dtype=object)
            reason[mask] = [rule["reason"].format(value=v) for v in values[mask]]
            reviews.append((mask, reason))
    for column, codes in mapping.value_maps.items():
        if column in frame.columns:
            values = frame[column].str.strip()
            if column in translated_from:
                # Translation can merge codes (UCDP types 1 and 2 both become Battles),
                # so the source's own code is kept beside the canonical value.
                frame[translated_from[column]] = values
            frame[column] = values.map(codes).fillna(values).astype(str)
    for column, prefix in mapping.prefix.items():
        if column in frame.columns:
            values = frame[column].str.strip()
            frame[column] = (prefix + values).where(values != "", "")
    return MappedTable(frame=frame, mapping=mapping.name, reviews=reviews)
