"""Sign-in for the dashboard when users are configured (``python -m incidents users add``).

With no users file the dashboard stays single-user on this machine, as before,
and says so in the sidebar. With users, nothing else is drawn until a user has
signed in; the pages a role may not use are not offered, and every action a
page takes checks the role again (``require``), so a page reached another way
still refuses. The signed-in name is what the edit history records.
"""

from __future__ import annotations

import streamlit as st

from incidents.i18n import translate
from incidents.users import User, UsersFile

_SESSION_KEY = "signed_in_user"


def _t(key: str, language: str, **values: object) -> str:
    return translate(f"signin.{key}", language, **values)


def current_user() -> User | None:
    """The signed-in user, or None (nobody signed in, or no users configured)."""
    return st.session_state.get(_SESSION_KEY)


def require_sign_in(language: str) -> User | None:
    """The signed-in user; None when no users are configured. Draws the sign-in form
    and stops the page while nobody is signed in."""
    users = UsersFile()
    if not users.configured():
        st.sidebar.caption(_t("single_user", language))
        return None
    user = current_user()
    if user is not None:
        st.sidebar.text(_t("signed_in", language, name=user.name, role=user.role))
        if st.sidebar.button(_t("sign_out", language), key="sign_out"):
            del st.session_state[_SESSION_KEY]
            st.rerun()
        return user
    st.title(_t("title", language))
    with st.form("sign_in"):
        name = st.text_input(_t("name", language), key="sign_in_name")
        password = st.text_input(_t("password", language), type="password",
                                 key="sign_in_password")
        submitted = st.form_submit_button(_t("submit", language))
    if submitted:
        user = users.authenticate(name, password)
        if user is not None:
            st.session_state[_SESSION_KEY] = user
            st.rerun()
        st.error(_t("wrong", language))
    st.stop()
    return None


def allows(action: str) -> bool:
    """Whether the current session may ``action`` (always, with no users configured)."""
    user = current_user()
    return user is None and not UsersFile().configured() or (user is not None and user.can(action))


def require(action: str, language: str) -> bool:
    """True when the current session may ``action``; else says so and returns False."""
    if allows(action):
        return True
    user = current_user()
    st.error(_t("not_allowed", language, role=user.role if user else "-"))
    return False
