"""The quarantine page: pending rows (export, fix, import again), discards, import history.

A row is fixed by downloading it (``ui.table.render_quarantine``), correcting the
file and uploading it again; a row that will never be an incident is discarded
here. A discard is recorded by the store (who, when, how many, which reasons, a
note) and the rows leave the pending list, but stay counted in their import's
history (``Store.imports``: quarantined, and of those discarded). Every value from
the data is drawn as plain text (dataframes, or ``plain`` in messages).
"""

from __future__ import annotations

import json
from collections import Counter

import pandas as pd
import streamlit as st

from incidents.errors import StoreError
from ui.data import get_store, store_path
from ui.i18n import t
from ui.plain import plain
from ui.signin import require, signed_in_store
from ui.table import render_quarantine

_DONE = "_quarantine_done"
IMPORT_COLUMNS = ("id", "source_name", "imported_at", "rows", "inserted", "updated",
                  "unchanged", "quarantined", "discarded", "merged", "possible_duplicates")


def rows_to_discard(quarantine: pd.DataFrame, source_name: str | None,
                    reasons: list[str]) -> pd.DataFrame:
    """The pending rows of ``source_name`` (every file when None) with one of ``reasons``."""
    chosen = quarantine["reason"].isin(reasons)
    if source_name is not None:
        chosen &= quarantine["source_name"] == source_name
    return quarantine[chosen]


def discard_history(discards: pd.DataFrame) -> pd.DataFrame:
    """Discards with their reasons as readable text (``reason ×2; reason``)."""
    if discards.empty:
        return discards
    frame = discards.copy()
    frame["reasons"] = [
        "; ".join(f"{reason} ×{count}" if count > 1 else reason
                  for reason, count in json.loads(raw).items())
        for raw in frame["reasons"]
    ]
    return frame


def _render_discard(quarantine: pd.DataFrame, language: str) -> None:
    st.subheader(t("discard_title", language))
    st.caption(t("discard_intro", language))
    sources = list(dict.fromkeys(quarantine["source_name"]))
    source = st.selectbox(t("quarantine_source", language), sources, key="discard_source")
    of_source = quarantine[quarantine["source_name"] == source]
    counts = Counter(of_source["reason"])
    reasons = st.multiselect(t("discard_reasons", language), list(counts),
                             format_func=lambda r: f"{r} ({counts[r]})", key="discard_reasons")
    chosen = rows_to_discard(quarantine, source, reasons)
    note = st.text_input(t("discard_note", language), key="discard_note")
    if not st.button(t("discard_button", language, count=len(chosen)), key="discard_rows",
                     disabled=chosen.empty):
        return
    if not require("upload", language):
        return
    try:
        discard = signed_in_store(get_store(str(store_path()))).discard_quarantined(
            chosen["quarantine_id"].tolist(), note=note)
    except StoreError as error:
        st.error(plain(error))
        return
    st.session_state[_DONE] = t("discard_done", language, count=discard.rows,
                                user=discard.user)
    st.rerun()


def render_quarantine_page(quarantine: pd.DataFrame, source: str, language: str) -> None:
    """Pending rows with the fix-and-reimport download; for the store, discarding and
    the history of discards and imports."""
    st.header(t("page_quarantine", language))
    done = st.session_state.pop(_DONE, None)
    if done:
        st.success(plain(done))
    render_quarantine(quarantine.drop(columns="quarantine_id", errors="ignore"), language)
    if source != "store":
        return
    if not quarantine.empty and "quarantine_id" in quarantine:
        _render_discard(quarantine, language)
    store = get_store(str(store_path()))
    discards = store.discards()
    if not discards.empty:
        st.subheader(t("discard_history", language))
        st.dataframe(discard_history(discards), hide_index=True, width="stretch")
    imports = store.imports()
    if not imports.empty:
        with st.expander(t("import_history", language)):
            st.dataframe(imports[[c for c in IMPORT_COLUMNS if c in imports.columns]],
                         hide_index=True, width="stretch")
