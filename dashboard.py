"""Streamlit dashboard: `make run` (or `streamlit run dashboard.py`).

This file only wires things together: the sidebar turns widgets into a
FilterSpec, the core selects the incidents that meet it (a mask over the
cached frame, never a copy: see ``incidents.selection``), and the pages under
``ui/`` draw what comes back, each reading only the columns it needs. The
filters are mirrored into the URL so a link reopens the view.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from incidents import model
from incidents.io.source import UPLOAD_TYPES
from incidents.filters import FilterSpec
from incidents.selection import Selection
from incidents.store.queries import ServedSelection
from ui import data, signin, warmup
from ui.admin import render_admin_page
from ui.correct import render_correct_page
from ui.exports import render_exports
from ui.headline import render_headline, synthetic_note
from ui.i18n import t, translate_stored
from ui.layout import apply_language, apply_page_style
from ui.plain import plain
from ui.map_view import map_section
from ui.setup_check import render_setup_problems
from ui.sidebar import filter_widgets, language_picker, source_picker
from ui.state import (EXPLORE_TAB_KEY, EXPLORE_TABS, SOURCES, keep_open_tab, seed_from_url,
                      url_params)
from ui.duplicates import render_duplicates_page
from ui.quarantine import render_quarantine_page
from ui.table import render_table
from ui.timeline import TIMELINE_COLUMNS, render_timeline
from ui.upload import render_upload_page

# The page icon, a map pin drawn inline: an emoji icon makes Streamlit compile a regex
# of every emoji (0.1-0.2 s) in the first visitor's script run, and a Material icon
# is fetched from fonts.gstatic.com.
PAGE_ICON = ("data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 24 24'%3E"
             "%3Cpath fill='%23c0392b' d='M12 2a7 7 0 0 0-7 7c0 5 7 13 7 13s7-8 7-13a7 7 0 0 0-7-7z'/%3E"
             "%3Ccircle cx='12' cy='9' r='2.6' fill='white'/%3E%3C/svg%3E")
st.set_page_config(page_title="Sahel incidents", page_icon=PAGE_ICON, layout="wide")
# The pages' addresses, the default first (the sign-in form is served at each of them).
PAGE_PATHS = ("explore", "upload", "article", "correct", "quarantine", "admin")


@st.cache_resource(show_spinner=False)
def _seed_once(path: str) -> int:
    """Load the bundled samples the first time an empty store is opened."""
    return data.seed_store_if_empty(data.get_store(path))


def load_source(source: str, language: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Incidents (as a map snapshot: categorical filter columns, H3 cell ids) and
    quarantined rows of the chosen data source."""
    if source == "sample":
        return data.load_samples()
    if source == "upload":
        uploaded = st.sidebar.file_uploader(t("upload_file", language),
                                            type=list(UPLOAD_TYPES),
                                            key="sidebar_upload")
        if uploaded is None:
            return data.as_map_frame(model.empty_frame()), pd.DataFrame()
        content = uploaded.getvalue()
        return data.upload_frames(content, uploaded.name, data.content_digest(content))
    path = data.store_path()
    _seed_once(str(path))
    version = data.store_version(path)
    if data.served(path) is not None:
        # A server store: only the filter choices come here, every figure is asked of it.
        return data.store_choices(path, version), data.load_store_quarantine(path, version)
    return (data.load_store_frame(str(path), version),
            data.load_store_quarantine(str(path), version))


def select(frame: pd.DataFrame, spec: FilterSpec, source: str) -> Selection | ServedSelection:
    """What ``spec`` selects: a mask over the loaded frame, or the server's answers."""
    queries = data.served(data.store_path()) if source == "store" else None
    if queries is not None:
        return ServedSelection(queries, spec)
    return Selection.of(frame, spec)


def synthetic_count(selection: Selection | ServedSelection) -> int:
    if isinstance(selection, ServedSelection):
        return selection.headline().synthetic
    return int(selection.column("synthetic").sum())


def explore_page(selection: Selection | ServedSelection, spec: FilterSpec, language: str,
                 quarantined: int = 0, store_empty: bool = False) -> None:
    """The headline, then tabs of which only the open one is computed and sent: a filter
    change on the map does not also rebuild the chart, the table and the exports, and
    the first page does not wait for their browser code."""
    render_setup_problems(language)
    if store_empty:
        st.info(t("store_empty", language))
    render_headline(selection, language)
    if selection.empty:
        st.info(t("no_incidents", language))
    keep_open_tab(st.session_state, language)
    map_tab, time_tab, table_tab, export_tab = st.tabs(
        [t(name, language) for name in EXPLORE_TABS], key=EXPLORE_TAB_KEY, on_change="rerun")
    if map_tab.open:
        with map_tab:
            map_section(selection, f"{st.session_state['source']}?{spec.to_query_string()}",
                        language, near=spec.near)
        return
    tab, render = next((tab, render) for tab, render in (
        (time_tab, lambda: render_timeline(
            None, language, lambda interval: selection.queries.period_counts(spec, interval))
         if isinstance(selection, ServedSelection)
         else render_timeline(selection.columns(TIMELINE_COLUMNS), language)),
        (table_tab, lambda: render_table(selection, language)),
        (export_tab, lambda: render_exports(selection, spec, language, quarantined)),
    ) if tab.open)
    with tab:
        synthetic_note(synthetic_count(selection), language)
        render()


def main() -> None:
    apply_page_style()
    params = {key: st.query_params.get_all(key) for key in st.query_params}
    url_error = seed_from_url(st.session_state, params)
    language = language_picker()
    apply_language(language)
    if not signin.require_sign_in(language, PAGE_PATHS):
        return
    if url_error:
        st.sidebar.warning(plain(translate_stored(url_error, language)))
    if warmup.warming():
        with st.spinner(t("warming_up", language)):
            warmup.wait_for_warmup()
    source = source_picker(language, [name for name in SOURCES
                                      if name != "upload" or signin.allows("upload")])
    frame, quarantine = load_source(source, language)
    spec = filter_widgets(frame, language)
    selection = select(frame, spec, source)
    st.query_params.from_dict(url_params(st.session_state, spec))

    def explore() -> None:
        explore_page(selection, spec, language, len(quarantine), store_empty=frame.empty)

    def quarantine_view() -> None:
        render_quarantine_page(quarantine, source, language)

    def duplicates() -> None:
        render_duplicates_page(frame, source, language)

    def upload() -> None:
        render_upload_page(language)

    def correct() -> None:
        render_correct_page(selection, language)

    def article() -> None:
        # Imported when first needed (the warm-up imports it after the first page): its
        # language tools took a quarter of a second of the first page's wait.
        from ui import add_article

        add_article.render(data.store_path(), language)

    def admin() -> None:
        render_admin_page(language)

    pages = [
        st.Page(explore, title=t("page_explore", language), url_path="explore", default=True),
        st.Page(upload, title=t("page_upload", language), url_path="upload"),
        st.Page(article, title=t("page_article", language), url_path="article"),
        st.Page(correct, title=t("page_correct", language), url_path="correct"),
        st.Page(duplicates, title=t("page_duplicates", language), url_path="duplicates"),
        st.Page(quarantine_view, title=t("page_quarantine", language), url_path="quarantine"),
        st.Page(admin, title=t("page_admin", language), url_path="admin"),
    ]
    # A page a role may not use is not offered (its URL opens the map instead); the
    # store behind every write checks the role again (ui.signin.signed_in_store).
    needs = {"upload": "upload", "article": "add_article", "correct": "correct",
             "admin": "audit"}
    pages = [page for page in pages if signin.allows(needs.get(page.url_path, "explore"))]
    st.navigation(pages, position="top").run()


with warmup.script_run():
    main()
