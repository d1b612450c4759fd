"""The admin page: users (add, change role, disable, enable, the email an OpenID
Connect sign-in maps to), the audit log of edits with the chain check of ``python -m
incidents verify``, reverting an edit, and the sign-in log (sign-ins, failures,
cooling-offs, sign-outs).

Every change goes through the core with the signed-in admin named (``by=`` for
the users file, :class:`~incidents.store.SignedInStore` for the store), so the
core refuses it to anyone else even if this page were reached another way. A
revert is itself an edit: it is recorded under the admin's name and chained.
With no users configured the users file is managed from the command line only:
the first admin added here would lock this single-user session out.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from incidents.errors import IncidentsError
from incidents.signin import SIGNIN_EVENTS, SignInLog
from incidents.users import ROLES, User, UsersFile
from ui.data import get_store, store_path
from ui.i18n import t
from ui.plain import plain
from ui.signin import acting_user, require, signed_in_store

AUDIT_ROWS = 500
SIGNIN_ROWS = 200
FLASH_KEY = "admin_flash"


def render_admin_page(language: str) -> None:
    st.header(t("page_admin", language))
    user = acting_user()
    if user is None or not require("audit", language):
        return
    if FLASH_KEY in st.session_state:
        st.success(st.session_state.pop(FLASH_KEY))
    users = UsersFile()
    st.subheader(t("admin_users", language))
    if users.configured():
        render_users(users, user, language)
    else:
        st.info(t("admin_users_none", language))
    st.subheader(t("admin_audit", language))
    render_audit(language)
    st.subheader(t("admin_signin_log", language))
    render_signin_log(language)


def render_signin_log(language: str) -> None:
    """The newest sign-in events (typed names are shown as table cells: data, not markup)."""
    events = SignInLog().recent(SIGNIN_ROWS)
    if not events:
        return
    st.dataframe(pd.DataFrame({
        t("admin_signin_at", language): [event.get("at", "") for event in events],
        t("admin_signin_event", language): [
            t(f"signin_event_{event['event']}", language)
            if event.get("event") in SIGNIN_EVENTS else str(event.get("event", ""))
            for event in events],
        t("signin_name", language): [str(event.get("name", "")) for event in events],
        t("admin_signin_address", language): [str(event.get("address", ""))
                                              for event in events],
    }), hide_index=True, key="admin_signin_log")


def render_users(users: UsersFile, admin: User, language: str) -> None:
    """The users table, a form to add one, and role / disable / enable for an existing one."""
    listed = users.users()
    emails = users.emails()
    st.dataframe(pd.DataFrame({
        t("signin_name", language): [u.name for u in listed],
        t("admin_role", language): [u.role for u in listed],
        t("admin_active", language).capitalize(): [u.active for u in listed],
        t("admin_email", language): [emails.get(u.name, "") for u in listed],
    }), hide_index=True, key="admin_users_table")
    with st.form("admin_add_user", clear_on_submit=True):
        st.caption(t("admin_add", language))
        name = st.text_input(t("signin_name", language), key="admin_new_name")
        role = st.selectbox(t("admin_role", language), list(ROLES), key="admin_new_role")
        password = st.text_input(t("signin_password", language), type="password",
                                 key="admin_new_password")
        if st.form_submit_button(t("admin_add_button", language)):
            _change(lambda: users.add(name, role, password, by=admin), language)
    names = [u.name for u in listed]
    left, middle, right = st.columns(3)
    chosen = left.selectbox(t("admin_user_pick", language), names, key="admin_pick_user")
    current = next(u for u in listed if u.name == chosen)
    new_role = middle.selectbox(t("admin_role", language), list(ROLES),
                                index=list(ROLES).index(current.role), key="admin_pick_role")
    if right.button(t("admin_set_role", language), key="admin_set_role"):
        _change(lambda: users.set_role(chosen, new_role, by=admin), language)
    toggle = "admin_enable" if not current.active else "admin_disable"
    if right.button(t(toggle, language), key="admin_toggle_active"):
        _change(lambda: users.set_active(chosen, not current.active, by=admin), language)
    email = left.text_input(t("admin_email", language), value=emails.get(chosen, ""),
                            key=f"admin_email_{chosen}")
    if middle.button(t("admin_set_email", language), key="admin_set_email"):
        _change(lambda: users.set_email(chosen, email.strip() or None, by=admin), language)


def _change(action: Callable[[], User], language: str) -> None:
    """Run one users-file change; say what it did or why it was refused."""
    try:
        changed = action()
    except IncidentsError as error:
        st.error(plain(error))
        return
    _flash(t("admin_changed", language, name=plain(changed.name), role=changed.role,
             state=t("admin_active" if changed.active else "admin_disabled", language)))


def _flash(message: str) -> None:
    """Show ``message`` at the top of the page once it is drawn again with the change."""
    st.session_state[FLASH_KEY] = message
    st.rerun()


def render_audit(language: str) -> None:
    """The chain check, the newest edits, and a revert of one of them."""
    store = signed_in_store(get_store(str(store_path())))
    report = store.verify()
    if report.ok:
        st.success(t("admin_chain_ok", language, count=report.edits))
    if report.first_broken_edit is not None:
        st.error(t("admin_chain_broken", language, edit=report.first_broken_edit))
    if report.direct_writes:
        st.error(t("admin_direct_writes", language, count=report.direct_writes))
    log = store.edit_log(AUDIT_ROWS)
    if log.empty:
        st.info(t("admin_log_empty", language))
        return
    st.dataframe(log.drop(columns="latest").astype(str), hide_index=True,
                 key="admin_edit_log")
    saves = revertible_saves(log)
    labels = {
        int(save.edit_id): f"#{save.edit_id} · {save.incident_id} · {save.fields} · {save.user}"
        f" · {save.edited_at}"
        for save in saves.itertuples()
    }
    edit_id = st.selectbox(t("admin_revert_pick", language), list(labels),
                           format_func=labels.__getitem__, key="admin_revert_pick")
    if edit_id is None or not st.button(t("admin_revert", language), key="admin_revert"):
        return
    try:
        changed = store.revert_edit(edit_id)
    except IncidentsError as error:
        st.error(plain(error))
        return
    save = saves.set_index("edit_id").loc[edit_id]
    _flash(plain(t("admin_reverted", language, id=save["incident_id"], edit=edit_id,
                   fields=", ".join(changed) or "-")))


def revertible_saves(log: pd.DataFrame) -> pd.DataFrame:
    """One row per save (the fields one user changed on one incident at one time) whose
    every field still holds what it wrote: edit_id (its first), incident_id, user,
    edited_at, fields."""
    keys = ["incident_id", "user", "edited_at"]
    saves = log.groupby(keys, sort=False).agg(
        edit_id=("edit_id", "min"), fields=("field", lambda f: ", ".join(sorted(f))),
        latest=("latest", "all")).reset_index()
    return saves[saves["latest"]].drop(columns="latest")
