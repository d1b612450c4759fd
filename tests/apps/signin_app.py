"""A one-page app around ui.signin for AppTest: the page says who may correct."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import streamlit as st  # noqa: E402

from ui.signin import current_user, require, require_sign_in  # noqa: E402

if require_sign_in("en"):
    user = current_user()
    st.text(f"page for {user.name if user else 'the single user'}")
    if require("correct", "en"):
        st.text("correction saved")
else:
    st.caption("the page returned after the form")
