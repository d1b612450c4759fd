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
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from incidents import model

MAPPING_ORDER: tuple[str, ...] = ("ucdp_ged", "acled", "awsd", "gdelt_events", "canonical")
# Sources whose own admin1/admin2 are kept over the region polygons' names.
AUTHORITATIVE_MAPPINGS: frozenset[str] = frozenset({"acled", "ucdp_ged", "awsd"})


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
    # Cell values that mean "nothing" in this source (GDELT writes NA).
    null_values: tuple[str, ...] = ()
    # target column -> {"from": [source keys, tried in order], "codes": {...}, "default": ...}:
    # a canonical column computed from coded source columns (AWSD's means of attack).
    derive: dict[str, dict[str, Any]] = field(default_factory=dict)
    # {"year": key, "month": key, "day": key}: event_date built from separate columns.
    date_parts: dict[str, str] = field(default_factory=dict)
    # canonical column -> value for every row where the file has none (an analyst's
    # own log of one kind of event, with no event type column).
    constants: dict[str, str] = field(default_factory=dict)


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
        null_values=tuple(spec.get("null_values", ())),
        derive={k: v for k, v in spec.get("derive", {}).items() if not k.startswith("_")},
        date_parts=dict(spec.get("date_parts", {})),
        constants=dict(spec.get("set", {})),
    )


def user_mapping(
    renames: dict[str, str], base: Mapping | None = None, constants: dict[str, str] | None = None
) -> Mapping:
    """A mapping from an analyst's ``source column -> canonical column`` choices.

    Built on ``base`` (the detected mapping) so its codes still apply; the
    analyst's choices win over the base's renames.
    """
    base = base or load_mapping("canonical")
    constants = dict(constants or {})
    unknown = sorted((set(renames.values()) | set(constants)) - set(model.CANONICAL_COLUMNS))
    if unknown:
        raise ValueError(
            f"not canonical column(s): {', '.join(unknown)} "
            f"(one of: {', '.join(model.CANONICAL_COLUMNS)})"
        )
    chosen = {header_key(source): target for source, target in renames.items()}
    taken = set(chosen.values())
    kept = {k: v for k, v in base.rename.items() if v not in taken and k not in chosen}
    return Mapping(
        name=f"{base.name}+user" if base.name != "canonical" else "user",
        description="the analyst's column mapping" + (f" over {base.name}" if base.name != "canonical" else ""),
        detect_all_of=(), detect_none_of=(), rename={**kept, **chosen}, prefix=base.prefix,
        value_maps=base.value_maps, review_when=base.review_when, date_order=base.date_order,
        null_values=base.null_values, derive={k: v for k, v in base.derive.items() if k not in taken},
        date_parts={} if "event_date" in taken else base.date_parts,
        constants={**base.constants, **constants},
    )


def mapping_from_file(path: str | Path, base: Mapping | None = None) -> Mapping:
    """A saved mapping: ``{"rename": {source: canonical}, "set": {canonical: value}}``.

    The file may also be a whole mapping in the built-in format (with ``name``).
    """
    try:
        spec = json.loads(Path(path).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"cannot read the mapping file {path}: {exc}") from exc
    if not isinstance(spec, dict) or not isinstance(spec.get("rename", {}), dict):
        raise ValueError(f"{path}: expected a JSON object with a 'rename' object")
    return user_mapping(spec.get("rename", {}), base, spec.get("set", {}))


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
    if mapping.null_values:
        raw = raw.mask(raw.isin(list(mapping.null_values)), "")
    keyed = {header_key(c): c for c in raw.columns}
    derived = {t: _derived(raw, keyed, rule) for t, rule in mapping.derive.items()}
    dated = _date_from_parts(raw, keyed, mapping.date_parts) if mapping.date_parts else None
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
    for target, value in mapping.constants.items():
        if target not in frame.columns:
            frame[target] = value
        else:
            frame[target] = frame[target].where(frame[target].astype(str).str.strip() != "", value)
    for target, values in derived.items():
        if target not in frame.columns or not frame[target].astype(str).str.strip().ne("").any():
            frame[target] = values
    reviews: list[tuple[np.ndarray, np.ndarray]] = []
    if dated is not None:
        frame["event_date"], precision, reason = dated
        if "time_precision" not in frame.columns:
            frame["time_precision"] = precision
        partial = (reason != "").to_numpy()
        if partial.any():
            reviews.append((partial, reason.to_numpy(dtype=object)))
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


def _derived(raw: pd.DataFrame, keyed: dict[str, str], rule: dict[str, Any]) -> pd.Series:
    """A column computed from coded source columns: the first source whose code is known."""
    codes = {str(k).strip().lower(): v for k, v in rule["codes"].items() if not str(k).startswith("_")}
    result = pd.Series(rule.get("default") or "", index=raw.index, dtype=object)
    found = np.zeros(len(raw), dtype=bool)
    for source in rule["from"]:
        if source not in keyed:
            continue
        values = raw[keyed[source]].astype(str).str.strip().str.lower().map(codes)
        hit = values.notna().to_numpy() & ~found
        result[hit] = values[hit]
        found |= hit
    return result


def _date_from_parts(
    raw: pd.DataFrame, keyed: dict[str, str], parts: dict[str, str]
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """event_date from year/month/day columns, with time_precision and a reason.

    A missing day makes the date the first of the month with time_precision 3
    (month), which says it all. A missing month makes it 1 January, which even
    precision 3 overstates, so that row needs review.
    """
    def part(name: str) -> pd.Series:
        column = keyed.get(parts.get(name, ""))
        if column is None:
            return pd.Series(np.nan, index=raw.index)
        return pd.to_numeric(raw[column].astype(str).str.strip(), errors="coerce")

    year, month, day = part("year"), part("month"), part("day")
    no_month, no_day = month.isna(), day.isna()
    text = (
        year.astype("Int64").astype(str) + "-"
        + month.fillna(1).astype("Int64").astype(str).str.zfill(2) + "-"
        + day.fillna(1).astype("Int64").astype(str).str.zfill(2)
    ).where(year.notna(), "")
    precision = pd.Series(np.where(no_day | no_month, "3", "1"), index=raw.index)
    reason = pd.Series("", index=raw.index, dtype=object)
    reason[no_month & year.notna()] = "the source gives only the year: dated 1 January"
    return text, precision, reason
