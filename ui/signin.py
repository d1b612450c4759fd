"""Sign-in for the dashboard when users are configured (``python -m incidents users add``).

With no users file the dashboard stays single-user on this machine, as before,
and says so in the sidebar; the one user may do everything and is recorded
under this machine's login name. With users, nothing else is drawn until a
user has signed in; the pages a role may not use are not offered, and every
write goes through :func:`signed_in_store`, which refuses what the role does
not allow whichever page makes the call. The signed-in name is what the edit
history records. A user disabled, removed or given another role by an admin is
read again from the users file at their next page.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from incidents.store import SignedInStore, Store
from incidents.users import User, UsersFile, local_user
from ui.i18n import t
from ui.plain import plain

_SESSION_KEY = "signed_in_user"


def current_user() -> User | None:
    """The signed-in user as the users file has them now, or None (nobody signed in, or
    no users configured). A user disabled or removed since is signed out."""
    user = st.session_state.get(_SESSION_KEY)
    if user is None:
        return None
    now = UsersFile().get(user.name)
    if now is None or not now.active:
        del st.session_state[_SESSION_KEY]
        return None
    st.session_state[_SESSION_KEY] = now
    return now


def acting_user() -> User | None:
    """Who this session acts as: the signed-in user; with no users configured, this
    machine's login (see :func:`incidents.users.local_user`); None when users are
    configured and nobody is signed in."""
    user = current_user()
    if user is None and not UsersFile().configured():
        return local_user()
    return user


def signed_in_store(store: Store) -> SignedInStore:
    """``store`` as this session's user may use it (every call checks the role)."""
    user = acting_user()
    return SignedInStore(store, user or User("nobody", "none"))


def require_sign_in(language: str, url_paths: Sequence[str] = ()) -> User | None:
    """The signed-in user; None when no users are configured. Draws the sign-in form
    and stops the page while nobody is signed in.

    ``url_paths`` are the app's page addresses (the first is the default page): the
    form is served at each of them, so someone who opened ``/correct`` lands there
    once signed in, if their role allows it (the map otherwise).
    """
    users = UsersFile()
    if not users.configured():
        st.sidebar.caption(t("signin_single_user", language, name=plain(local_user().name)))
        return None
    user = current_user()
    if user is not None:
        st.sidebar.text(t("signin_as", language, name=user.name, role=user.role))
        if st.sidebar.button(t("signin_sign_out", language), key="sign_out"):
            del st.session_state[_SESSION_KEY]
            st.rerun()
        return user
    if url_paths:
        def form() -> None:
            _sign_in_form(users, language)

        st.navigation([st.Page(form, title=t("signin_title", language), url_path=path,
                               default=index == 0) for index, path in enumerate(url_paths)],
                      position="hidden").run()
    else:
        _sign_in_form(users, language)
    st.stop()
    return None


def _sign_in_form(users: UsersFile, language: str) -> None:
    st.title(t("signin_title", language))
    with st.form("sign_in"):
        name = st.text_input(t("signin_name", language), key="sign_in_name")
        password = st.text_input(t("signin_password", language), type="password",
                                 key="sign_in_password")
        submitted = st.form_submit_button(t("signin_submit", language))
    if submitted:
        user = users.authenticate(name, password)
        if user is not None:
            st.session_state[_SESSION_KEY] = user
            st.rerun()
        st.error(t("signin_wrong", language))


def allows(action: str) -> bool:
    """Whether the current session may ``action`` (always, with no users configured)."""
    user = acting_user()
    return user is not None and user.can(action)


def require(action: str, language: str) -> bool:
    """True when the current session may ``action``; else says so and returns False."""
    if allows(action):
        return True
    user = current_user()
    st.error(t("signin_not_allowed", language, role=user.role if user else "-"))
    return False
