"""Headline figures of the filtered incidents."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from incidents.filters import fold_text
from ui.i18n import t


@dataclass(frozen=True)
class Headline:
    incidents: int
    fatalities: int
    locations: int
    precise_share: float | None  # share of incidents at geo_precision 1, None when empty
    first_date: pd.Timestamp | None
    last_date: pd.Timestamp | None
    synthetic: int


def headline_figures(gdf: pd.DataFrame) -> Headline:
    """Counts for the headline row. Locations are told apart by country, admin1 and
    name (ignoring case and accents) so two villages of the same name stay two."""
    count = len(gdf)
    if count == 0:
        return Headline(0, 0, 0, None, None, None, 0)
    place = (
        fold_text(gdf["country"]).fillna("") + "|" + fold_text(gdf["admin1"]).fillna("")
        + "|" + fold_text(gdf["location"]).fillna("")
    )
    named = gdf["location"].notna().to_numpy()
    dates = gdf["event_date"].dropna()
    return Headline(
        incidents=count,
        fatalities=int(gdf["fatalities"].fillna(0).sum()),
        locations=int(place[named].nunique()),
        precise_share=float((gdf["geo_precision"] == 1).fillna(False).mean()),
        first_date=dates.min() if len(dates) else None,
        last_date=dates.max() if len(dates) else None,
        synthetic=int(gdf["synthetic"].sum()),
    )


def synthetic_note(gdf: pd.DataFrame, language: str) -> None:
    """A caption saying how many of the incidents shown are synthetic, if any are."""
    count = int(gdf["synthetic"].sum()) if len(gdf) else 0
    if count:
        st.caption("⚠️ " + t("synthetic_warning", language, count=count))


def render_headline(gdf: pd.DataFrame, language: str) -> Headline:
    figures = headline_figures(gdf)
    columns = st.columns([1, 1, 1, 1.3, 2.7])
    columns[0].metric(t("incidents", language), f"{figures.incidents:,}".replace(",", "\u202f"))
    columns[1].metric(t("fatalities", language), f"{figures.fatalities:,}".replace(",", "\u202f"))
    columns[2].metric(t("locations", language), f"{figures.locations:,}".replace(",", "\u202f"))
    share = "–" if figures.precise_share is None else f"{figures.precise_share:.0%}"
    columns[3].metric(t("precise_share", language), share)
    if figures.first_date is None:
        period = t("no_period", language)
    else:
        period = f"{figures.first_date:%Y-%m-%d} → {figures.last_date:%Y-%m-%d}"
    columns[4].metric(t("period_covered", language), period)
    if figures.synthetic:
        st.warning(t("synthetic_warning", language, count=figures.synthetic), icon="⚠️")
    return figures
