"""Duplicate review: possible duplicates side by side, "keep both" or "merge".

Thin over ``incidents.store.review`` (the groups and what each decision writes)
and ``Store.keep_apart`` / ``Store.merge`` (one transaction, edits in the
history, refused when a member changed since the page was drawn). Every value
from the data is drawn as plain text: the members' fields in a dataframe, ids and
places through ``ui.plain.plain`` wherever Streamlit would read Markdown.
"""

from __future__ import annotations

import zlib
from typing import Any

import pandas as pd
import streamlit as st

from incidents.errors import StoreError
from incidents.store.review import REVIEW_FIELDS, duplicate_groups
from ui.data import get_store, store_path
from ui.i18n import t
from ui.plain import plain
from ui.signin import require, signed_in_store

# The fields whose shown values go back to the store as ``seen``: a member changed
# since in any of them refuses the decision instead of overwriting it.
SEEN_FIELDS = ("source", "source_url", "notes", "status", "status_reason",
               "possible_duplicate_of")
_DONE = "_duplicates_done"
# The select box lists the groups with the newest events first, at most this many.
GROUPS_LISTED = 500


def _text(value: Any) -> str:
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


def side_by_side(members: pd.DataFrame, language: str) -> pd.DataFrame:
    """One column per member (headed by its id), one row per reviewed field, as text."""
    table = {
        _text(row["incident_id"]): [_text(row[field]) for field in REVIEW_FIELDS]
        for _, row in members.iterrows()
    }
    labels = [t(FIELD_LABELS.get(field, f"field_{field}"), language) if field not in
              _UNLABELLED else field for field in REVIEW_FIELDS]
    return pd.DataFrame(table, index=labels)


# The label key of each reviewed field (``field_<name>`` when not listed); the source
# id and coordinates keep their column names, which analysts know.
FIELD_LABELS = {"country": "country", "admin1": "admin1", "admin2": "admin2",
                "possible_duplicate_of": "field_duplicate", "status_reason": "reason"}
_UNLABELLED = {"event_id_cnty", "latitude", "longitude"}


def group_label(members: pd.DataFrame) -> str:
    """``2024-05-01 · Boni · MLI10 / LOG-1``: what the select box lists (plain text)."""
    first = members.iloc[0]
    ids = " / ".join(_text(i) for i in members["incident_id"])
    return " · ".join(part for part in (_text(first["event_date"]), _text(first["location"]), ids)
                      if part)


def seen_values(members: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """What the page showed of each member, for the store's conflict check."""
    return {
        _text(row["incident_id"]): {f: (None if _text(row[f]) == "" else row[f])
                                    for f in SEEN_FIELDS}
        for _, row in members.iterrows()
    }


def _decide(action: str, members: pd.DataFrame, survivor: str, language: str) -> None:
    """Keep a group apart or merge it, as the signed-in user (the store checks the role
    and records the edits under their name)."""
    if not require("merge", language):
        return
    store = signed_in_store(get_store(str(store_path())))
    ids = [_text(i) for i in members["incident_id"]]
    try:
        if action == "merge":
            store.merge(survivor, [i for i in ids if i != survivor],
                        seen=seen_values(members))
            done = t("duplicates_merged", language, survivor=survivor,
                     count=len(ids) - 1)
        else:
            store.keep_apart(ids, seen=seen_values(members))
            done = t("duplicates_kept", language, ids=" / ".join(ids))
    except StoreError as error:
        st.error(plain(error))
        return
    st.session_state[_DONE] = done
    st.rerun()


def merged_survivors(frame: pd.DataFrame) -> list[str]:
    """Ids of the incidents others were merged into (``frame`` with merged rows kept)."""
    merged = frame["merged_into"].astype("string").str.strip()
    return sorted(set(merged[merged.fillna("") != ""]))


def _render_undo(language: str) -> None:
    """Undo the latest merge into a chosen survivor (drawn only when asked for: it
    reads the whole store, merged rows included)."""
    if not st.toggle(t("duplicates_undo", language), key="duplicates_undo"):
        return
    store = get_store(str(store_path()))
    survivors = merged_survivors(store.load_map_snapshot())
    if not survivors:
        st.info(t("duplicates_undo_none", language))
        return
    survivor = st.selectbox(t("duplicates_undo_pick", language), survivors,
                            key="duplicates_undo_survivor")
    if not st.button(t("duplicates_undo_button", language), key="duplicates_undo_button"):
        return
    if not require("merge", language):
        return
    try:
        undone = signed_in_store(store).unmerge(survivor)
    except StoreError as error:
        st.error(plain(error))
        return
    st.session_state[_DONE] = t("duplicates_undone", language, ids=" / ".join(undone))
    st.rerun()


def render_duplicates_page(frame: pd.DataFrame, source: str, language: str) -> None:
    """The review page over ``frame`` (the store's incidents, merged ones left out)."""
    st.header(t("page_duplicates", language))
    st.caption(t("duplicates_intro", language))
    done = st.session_state.pop(_DONE, None)
    if done:
        st.success(plain(done))
    if source != "store":
        st.info(t("duplicates_store_only", language))
        return
    groups = duplicate_groups(frame)
    if not groups:
        st.success(t("duplicates_none", language))
        _render_undo(language)
        return
    st.caption(t("duplicates_count", language, count=len(groups))
               + (" " + t("duplicates_listed", language, count=GROUPS_LISTED)
                  if len(groups) > GROUPS_LISTED else ""))
    # A keyed select box keeps showing the option it was drawn with even when the
    # options change under it, so its key changes with the list of groups.
    members_of = {group_label(frame.iloc[group]): frame.iloc[group]
                  for group in groups[:GROUPS_LISTED]}
    key = f"duplicates_group_{zlib.crc32(chr(10).join(members_of).encode())}"
    label = st.selectbox(t("duplicates_pick", language), list(members_of), key=key)
    members = members_of[label]
    st.dataframe(side_by_side(members, language), width="stretch",
                 height=min(38 + 35 * len(REVIEW_FIELDS), 760))
    ids = [_text(i) for i in members["incident_id"]]
    survivor = st.radio(t("duplicates_survivor", language), ids, format_func=plain,
                        horizontal=True, key=f"duplicates_survivor_{label}",
                        help=t("duplicates_survivor_help", language))
    keep_column, merge_column = st.columns(2)
    if keep_column.button(t("duplicates_keep", language), key="duplicates_keep"):
        _decide("keep", members, survivor, language)
    if merge_column.button(t("duplicates_merge", language), type="primary",
                           key="duplicates_merge"):
        _decide("merge", members, survivor, language)
    st.divider()
    _render_undo(language)
