"""Sign-in for the dashboard when users are configured (``python -m incidents users add``).

With no users file the dashboard stays single-user on this machine, as before,
and says so in the sidebar; the one user may do everything and is recorded
under this machine's login name. With users, nothing else is drawn until a
user has signed in; the pages a role may not use are not offered, and every
write goes through :func:`signed_in_store`, which refuses what the role does
not allow whichever page makes the call. The signed-in name is what the edit
history records. A user disabled, removed or given another role by an admin is
read again from the users file at their next page.

A sign-in survives a reload or a new tab for ``$INCIDENTS_SESSION_HOURS``
through a signed session cookie (``incidents.sessions``, ``ui.session_cookie``);
signing out clears it and ends the user's other sessions too. Failed sign-ins
are limited (``incidents.attempts``) and every outcome is logged
(``incidents.signin.SignInLog``). Where ``.streamlit/secrets.toml`` has an
``[auth]`` section, a button per OpenID Connect provider signs in through
Streamlit's ``st.login``; the identity's email picks the user, and the role
comes from the users file (``incidents.signin.identity_user``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence

import streamlit as st

from incidents.attempts import AttemptLimiter, Limits
from incidents.errors import IncidentsError
from incidents.sessions import COOKIE_NAME, DEFAULT_LIFETIME_HOURS, HANDOFFS, SessionTokens
from incidents.signin import Gate, SignInLog, identity_user, unknown_identity_role
from incidents.store import SignedInStore, Store
from incidents.users import User, UsersFile, local_user
from ui.i18n import t
from ui.plain import plain
from ui.session_cookie import clear_in_browser, hand_to_browser

_SESSION_KEY = "signed_in_user"
_COOKIE_CODE_KEY = "signin_cookie_code"
_CLEAR_COOKIE_KEY = "signin_clear_cookie"
_IDENTITY_LOGGED_KEY = "signin_identity_logged"
# When this tab's sign-in ends, as its cookie would (a tab left open does not outlive it).
_EXPIRES_KEY = "signin_expires_at"


@st.cache_resource(show_spinner=False)
def _limiter() -> AttemptLimiter:
    """One count of failed sign-ins for the whole server."""
    return AttemptLimiter(Limits.from_env())


def _gate() -> Gate:
    return Gate(UsersFile(), _limiter(), SignInLog())


def _address() -> str | None:
    """The client's address (None on this machine, and outside a served page)."""
    address = st.context.ip_address
    return address if isinstance(address, str) else None


def current_user() -> User | None:
    """The signed-in user as the users file has them now, or None (nobody signed in, or
    no users configured). A user disabled or removed since is signed out. A new
    session (a reload, a new tab) picks the user up from a valid session cookie or
    from the OpenID Connect identity Streamlit holds."""
    identity = _identity_user()
    if identity is not None:
        return identity
    user = st.session_state.get(_SESSION_KEY) or _user_from_cookie()
    if user is None:
        return None
    now = UsersFile().get(user.name)
    expired = time.time() > st.session_state.get(_EXPIRES_KEY, 0.0)
    if now is None or not now.active or expired:
        st.session_state.pop(_SESSION_KEY, None)
        return None
    st.session_state[_SESSION_KEY] = now
    return now


def _user_from_cookie() -> User | None:
    token = st.context.cookies.get(COOKIE_NAME)
    if not isinstance(token, str) or not token:
        return None
    try:
        checked = SessionTokens().check(token)
    except IncidentsError:
        return None
    if checked is None:
        return None
    user, st.session_state[_EXPIRES_KEY] = checked
    return user


def oidc_providers() -> list[str | None]:
    """The OpenID Connect providers of ``[auth]`` in the secrets (None: the default one
    given directly in ``[auth]``); empty when sign-in through a provider is not set up."""
    try:
        auth = st.secrets.get("auth")
    except Exception:  # no secrets file, or one Streamlit cannot read: no provider
        return []
    if not isinstance(auth, Mapping):
        return []
    named: list[str | None] = [name for name, value in auth.items()
                               if isinstance(value, Mapping)]
    return ([None] if "client_id" in auth else []) + named


def _provider_signed_in() -> bool:
    """Whether a provider has signed this browser in (Streamlit's identity cookie)."""
    return bool(oidc_providers()) and st.user.get("is_logged_in") is True


def _identity_user() -> User | None:
    """The user the provider's identity maps to (logged once per session), or None."""
    if not _provider_signed_in():
        return None
    claims = st.user.to_dict()
    try:
        user = identity_user(UsersFile(), claims, unknown_identity_role())
    except IncidentsError:
        user = None
    if not st.session_state.get(_IDENTITY_LOGGED_KEY):
        st.session_state[_IDENTITY_LOGGED_KEY] = True
        SignInLog().record("identity_signed_in" if user else "identity_refused",
                           str(claims.get("email", "")), _address())
    return user


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


def require_sign_in(language: str, url_paths: Sequence[str] = ()) -> bool:
    """Whether the page may go on: someone is signed in (see :func:`current_user`) or no
    users are configured. While nobody is signed in, draws the sign-in form and returns
    False, and the caller returns without drawing more.

    Not ``st.stop()``: Streamlit forgets the fragments of the previous run only when a
    run ends normally, so after a stopped run the map's fragment, rerun by the browser
    a moment after signing out, drew into the form's place and the page went blank
    ("'setIn' cannot be called on an ElementNode").

    ``url_paths`` are the app's page addresses (the first is the default page): the
    form is served at each of them, so someone who opened ``/correct`` lands there
    once signed in, if their role allows it (the map otherwise).
    """
    users = UsersFile()
    if not users.configured():
        st.sidebar.caption(t("signin_single_user", language, name=plain(local_user().name)))
        return True
    user = current_user()
    if user is not None:
        # One slot in every run, filled only once: the sidebar's elements keep their places.
        slot = st.sidebar.empty()
        if _COOKIE_CODE_KEY in st.session_state:
            with slot:
                hand_to_browser(st.session_state.pop(_COOKIE_CODE_KEY))
        st.sidebar.text(t("signin_as", language, name=user.name, role=user.role))
        # Signed out in the button's callback, before the next run: that run draws the
        # form from its start (a rerun called midway through the map page's run left the
        # frontend writing the form into the page's old elements: "'setIn' cannot be
        # called on an ElementNode", and no form).
        st.sidebar.button(t("signin_sign_out", language), key="sign_out", on_click=_sign_out,
                          args=(user,))
        return True
    if url_paths:
        def form() -> None:
            _sign_in_form(users, language)

        st.navigation([st.Page(form, title=t("signin_title", language), url_path=path,
                               default=index == 0) for index, path in enumerate(url_paths)],
                      position="hidden").run()
    else:
        _sign_in_form(users, language)
    return False


def _sign_out(user: User) -> None:
    """End the user's sessions (this one, its cookie, and their others); through the
    provider too when they came from one (``st.logout`` leaves the page)."""
    _gate().signed_out(user, _address())
    for key in (_SESSION_KEY, _IDENTITY_LOGGED_KEY, _EXPIRES_KEY):
        st.session_state.pop(key, None)
    st.session_state[_CLEAR_COOKIE_KEY] = True
    if _provider_signed_in():
        st.logout()


def _sign_in_form(users: UsersFile, language: str) -> None:
    st.title(t("signin_title", language))
    slot = st.empty()
    if st.session_state.pop(_CLEAR_COOKIE_KEY, False):
        with slot:
            clear_in_browser()
    with st.form("sign_in"):
        name = st.text_input(t("signin_name", language), key="sign_in_name")
        password = st.text_input(t("signin_password", language), type="password",
                                 key="sign_in_password")
        submitted = st.form_submit_button(t("signin_submit", language))
    if submitted:
        _check(name, password, language)
    _provider_buttons(language)


def _check(name: str, password: str, language: str) -> None:
    """Sign in with ``name`` and ``password``, or say why not (the same words whether
    or not the name exists)."""
    outcome = _gate().sign_in(name, password, _address())
    if outcome.user is not None:
        st.session_state[_SESSION_KEY] = outcome.user
        try:
            tokens = SessionTokens()
            st.session_state[_COOKIE_CODE_KEY] = HANDOFFS.put(tokens.issue(outcome.user))
            st.session_state[_EXPIRES_KEY] = time.time() + tokens.lifetime
        except IncidentsError:  # a bad $INCIDENTS_SESSION_HOURS: signed in for this tab only
            st.session_state[_EXPIRES_KEY] = time.time() + DEFAULT_LIFETIME_HOURS * 3600
        st.rerun()
    if outcome.wait_seconds > 0:
        st.error(t("signin_cooling_off", language,
                   minutes=max(1, math.ceil(outcome.wait_seconds / 60))))
    else:
        st.error(t("signin_wrong", language))


def _provider_buttons(language: str) -> None:
    """A button per OpenID Connect provider; a refused identity is told so."""
    providers = oidc_providers()
    if not providers:
        return
    if _provider_signed_in():
        st.error(t("signin_identity_refused", language))
        if st.button(t("signin_sign_out", language), key="sign_out_provider"):
            st.logout()
        return
    st.caption(t("signin_or", language))
    for provider in providers:
        label = t("signin_with_provider", language,
                  provider=plain(provider or "OpenID Connect"))
        if not st.button(label, key=f"sign_in_with_{provider or 'default'}"):
            continue
        if provider:
            st.login(provider)
        else:
            st.login()


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
