"""Where things live on disk.

The project's bundled data sits in ``data/``. Everything the tool writes (the
store, the built gazetteer index, the online-geocoder cache, manual placements)
goes to one state directory: ``$INCIDENTS_HOME`` if set, else ``var/`` in the
project, so a checkout is self-contained and tests can point it elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_DIR / "data"
SAMPLES_DIR = DATA_DIR / "samples"

# Uploaded or ingested files above this size are refused before parsing.
MAX_INPUT_BYTES = 200 * 1024 * 1024


def state_dir() -> Path:
    """The directory the tool writes to, created on first use."""
    path = Path(os.environ.get("INCIDENTS_HOME") or PROJECT_DIR / "var")
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_store_path() -> Path:
    return state_dir() / "incidents.sqlite"


def exports_dir() -> Path:
    """Where exports too big for a browser download are written (created on demand)."""
    return state_dir() / "exports"


def gazetteer_dir() -> Path:
    path = state_dir() / "gazetteer"
    path.mkdir(parents=True, exist_ok=True)
    return path
