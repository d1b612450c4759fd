"""Headline figures of the filtered incidents."""

from __future__ import annotations

import streamlit as st

from incidents.selection import Selection
from incidents.summary import Headline, headline_figures
from ui.i18n import grouped, t


def synthetic_note(count: int, language: str) -> None:
    """A caption saying how many of the incidents shown are synthetic, if any are."""
    if count:
        st.caption("⚠️ " + t("synthetic_warning", language, count=count))


def render_headline(selection: Selection, language: str) -> Headline:
    """The period on its own line, then four counts: at a million incidents the figures
    need a quarter of the page each to be read whole."""
    figures = headline_figures(selection.frame, selection.rows)
    if figures.first_date is None:
        period = t("no_period", language)
    else:
        period = f"{figures.first_date:%Y-%m-%d} → {figures.last_date:%Y-%m-%d}"
    st.markdown(f"**{t('period_covered', language)}** · {period}")
    columns = st.columns(4)
    columns[0].metric(t("incidents", language), grouped(figures.incidents))
    columns[1].metric(t("fatalities", language), grouped(figures.fatalities))
    columns[2].metric(t("locations", language), grouped(figures.locations))
    share = "–" if figures.precise_share is None else f"{figures.precise_share:.0%}"
    columns[3].metric(t("precise_share", language), share)
    if figures.synthetic:
        st.warning(t("synthetic_warning", language, count=figures.synthetic), icon="⚠️")
    return figures
