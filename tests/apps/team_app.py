"""The correction page, the admin page (``?page=admin``) or the number of stored incidents
(``?page=count``) behind the sign-in, for AppTest."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import streamlit as st  # noqa: E402

from incidents.selection import Selection  # noqa: E402
from ui.admin import render_admin_page  # noqa: E402
from ui.correct import render_correct_page  # noqa: E402
from ui.data import get_store, load_store_frame, store_path, store_version  # noqa: E402
from ui.signin import require_sign_in  # noqa: E402


def page() -> None:
    if not require_sign_in("en"):
        return
    if st.query_params.get("page") == "count":
        location = str(store_path())
        st.text(f"{len(load_store_frame(location, store_version(location)))} incidents")
    elif st.query_params.get("page") == "admin":
        render_admin_page("en")
    else:
        frame = get_store(str(store_path())).load_map_snapshot()
        render_correct_page(Selection.everything(frame), "en")


page()
