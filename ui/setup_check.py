"""What `make setup` installs that the dashboard needs, said plainly when it is missing.

Without the map scripts in ``static/vendor`` the map is a blank box, and without
the tiles it has no background; neither fails loudly on its own. (The gazetteer
index is not checked: the geocoder builds it on first use.)
"""

from __future__ import annotations

import streamlit as st

from incidents.maps.assets import VENDOR_DIR, missing_files
from incidents.maps.tiles import TILES_DIR, tiles_installed
from ui.i18n import t

SETUP_COMMAND = "make setup"


@st.cache_data(ttl=30, show_spinner=False)
def missing_setup() -> tuple[tuple[str, str], ...]:
    """(message key, path) of every missing part, checked at most every 30 s."""
    missing: list[tuple[str, str]] = []
    if missing_files(VENDOR_DIR):
        missing.append(("setup_missing_vendor", str(VENDOR_DIR)))
    if not tiles_installed(TILES_DIR):
        missing.append(("setup_missing_tiles", str(TILES_DIR)))
    return tuple(missing)


def render_setup_problems(language: str) -> bool:
    """One error per missing part, with the command that installs it; True if any."""
    problems = missing_setup()
    for key, path in problems:
        st.error(t(key, language, path=path, command=SETUP_COMMAND))
    return bool(problems)
