"""The correction page or the admin page behind the sign-in, for AppTest (``?page=admin``)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import streamlit as st  # noqa: E402

from incidents.selection import Selection  # noqa: E402
from ui.admin import render_admin_page  # noqa: E402
from ui.correct import render_correct_page  # noqa: E402
from ui.data import get_store, store_path  # noqa: E402
from ui.signin import require_sign_in  # noqa: E402

require_sign_in("en")
if st.query_params.get("page") == "admin":
    render_admin_page("en")
else:
    frame = get_store(str(store_path())).load_map_snapshot()
    render_correct_page(Selection.everything(frame), "en")
