"""Column mappings an analyst made, remembered per file header.

A file whose header needed mapping is usually followed by more files with the
same header (next month's export of the same log). Once mapped, the mapping is
kept in ``<state dir>/mappings/<header key>.json`` and used again, without
asking, for any file whose header has the same column names (compared as
``mapping.header_key`` compares them, order ignored).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from incidents.config import state_dir
from incidents.io.mapping import Mapping, header_key, user_mapping


def mappings_dir() -> Path:
    return state_dir() / "mappings"


def header_id(columns: list[str]) -> str:
    """A stable name for a header: the SHA-1 of its sorted column keys."""
    keys = "\n".join(sorted(header_key(c) for c in columns))
    return hashlib.sha1(keys.encode("utf-8")).hexdigest()[:20]


def remember(columns: list[str], renames: dict[str, str], constants: dict[str, str]) -> Path:
    """Save an analyst's mapping for this header; returns the file written."""
    folder = mappings_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{header_id(columns)}.json"
    spec = {"columns": list(columns), "rename": dict(renames), "set": dict(constants)}
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=folder, delete=False,
                                     suffix=".tmp") as handle:
        json.dump(spec, handle, ensure_ascii=False, indent=2)
    os.replace(handle.name, path)
    return path


def recall_spec(columns: list[str]) -> dict | None:
    """The saved ``{"rename", "set"}`` for this header, or None."""
    path = mappings_dir() / f"{header_id(columns)}.json"
    try:
        spec = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return spec if isinstance(spec, dict) else None


def recall(columns: list[str], base: Mapping | None = None) -> Mapping | None:
    """The mapping remembered for this header, built on ``base``; None when there is none."""
    spec = recall_spec(columns)
    if spec is None:
        return None
    try:
        mapping = user_mapping(spec.get("rename", {}), base, spec.get("set", {}))
    except ValueError:
        return None
    return Mapping(**{**mapping.__dict__, "name": mapping.name + " (remembered)"})
