"""Headline figures of the filtered incidents, on one compact line above the map.

The line holds only numbers and dates we format and labels from ``ui.i18n``
(never incident text), each escaped; every figure carries a ``data-figure``
name so tests and the bench can read it.
"""

from __future__ import annotations

from html import escape

import pandas as pd
import streamlit as st

from incidents.framecache import per_frame
from incidents.selection import Selection
from incidents.store.queries import ServedSelection
from incidents.summary import Headline, headline_figures
from ui.i18n import format_day, format_percent, grouped, t


DUPLICATES_ONCE_KEY = "headline_duplicates_once"


def has_possible_duplicates(frame: pd.DataFrame) -> bool:
    """Whether any incident of ``frame`` is flagged as a possible duplicate."""
    return "possible_duplicate_of" in frame.columns and per_frame(
        frame, "has_possible_duplicates",
        lambda f: bool(f["possible_duplicate_of"].notna().any()))


def synthetic_note(count: int, language: str) -> None:
    """A caption saying how many of the incidents shown are synthetic, if any are."""
    if count:
        st.caption("⚠️ " + t("synthetic_warning", language, count=count))


def headline_html(figures: Headline, language: str) -> str:
    """``Incidents 49 · Fatalities 226 · ... · Jan 6, 2024 → Mar 16, 2025`` as escaped HTML,
    numbers and days written the language's way."""
    if figures.first_date is None:
        period = t("no_period", language)
    else:
        first, last = (format_day(day, language) for day in (figures.first_date, figures.last_date))
        period = f"{first} → {last}"
    share = "–" if figures.precise_share is None else format_percent(figures.precise_share, language)
    parts = [
        ("incidents", t("incidents", language), grouped(figures.incidents, language)),
        ("fatalities", t("fatalities", language), grouped(figures.fatalities, language)),
        ("locations", t("locations", language), grouped(figures.locations, language)),
        ("precise_share", t("precise_share", language), share),
        ("period", t("period_covered", language), period),
    ]
    spans = " · ".join(
        f'<span data-figure="{name}">{escape(label)} <b>{escape(value)}</b></span>'
        for name, label, value in parts
    )
    return f'<div class="incidents-headline">{spans}</div>'


def render_headline(selection: Selection | ServedSelection, language: str) -> Headline:
    """The figures on one line (two on a phone), and the synthetic share as a caption:
    the map below should start high on the first screen.

    When the data holds possible duplicates, a toggle beside the figures counts each
    group once (off by default: the figures then say what the sources say, row by
    row, until an analyst chooses otherwise or reviews the pairs). A server store
    counts on the server, row by row.
    """
    if isinstance(selection, ServedSelection):
        figures = selection.headline()  # counted by the store's server
    else:
        once = False
        if has_possible_duplicates(selection.frame):
            once = st.toggle(t("duplicates_once", language), key=DUPLICATES_ONCE_KEY,
                             help=t("duplicates_once_help", language))
        figures = headline_figures(selection.frame, selection.rows, duplicates_once=once)
    st.markdown(headline_html(figures, language), unsafe_allow_html=True)
    synthetic_note(figures.synthetic, language)
    return figures
