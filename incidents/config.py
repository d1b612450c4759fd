"""Where things live on disk.

The project's bundled data sits in ``data/`` (``incidents/data/`` once the package
is installed with pip). Everything the tool writes (the store, the built gazetteer
index, the online-geocoder cache, manual placements) goes to one state directory:
``$INCIDENTS_HOME`` if set, else ``var/`` under :data:`PROJECT_DIR`, so a checkout
is self-contained and tests can point it elsewhere.

:data:`PROJECT_DIR` is the checkout when running from one (or from an editable
install). An installed package has no checkout: ``incidents setup`` then writes the
map assets (``static/``), the derived base-map cache (``derived/``) and, without
``$INCIDENTS_HOME``, the state (``var/``) under ``$XDG_DATA_HOME/incidents``
(``~/.local/share/incidents``).
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
_CHECKOUT_DIR = PACKAGE_DIR.parent


def _is_checkout(directory: Path) -> bool:
    return (directory / "pyproject.toml").is_file() and (directory / "data").is_dir()


def _user_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "incidents"


PROJECT_DIR = _CHECKOUT_DIR if _is_checkout(_CHECKOUT_DIR) else _user_data_dir()
DATA_DIR = _CHECKOUT_DIR / "data" if _is_checkout(_CHECKOUT_DIR) else PACKAGE_DIR / "data"
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
