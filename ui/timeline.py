"""Incidents per week or month, stacked by event type (Altair)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from incidents import model
from incidents.maps.style import event_colour
from ui.i18n import t

FREQUENCIES = {"week": "W-SUN", "month": "MS"}


def counts_by_period(gdf: pd.DataFrame, interval: str) -> pd.DataFrame:
    """One row per (period start, event type) with the incident count.

    Weeks start on Monday; months on the 1st. Rows without a date are left out.
    """
    dated = gdf.loc[gdf["event_date"].notna(), ["event_date", "event_type"]]
    if dated.empty:
        return pd.DataFrame({"period": pd.Series(dtype="datetime64[ns]"),
                             "event_type": pd.Series(dtype="string"),
                             "count": pd.Series(dtype="int64")})
    if interval == "week":
        period = dated["event_date"] - pd.to_timedelta(dated["event_date"].dt.day_of_week, unit="D")
    else:
        period = dated["event_date"].dt.to_period("M").dt.to_timestamp()
    counts = (
        pd.DataFrame({"period": period.dt.normalize(),
                      "event_type": dated["event_type"].fillna("")})
        .groupby(["period", "event_type"], observed=True)
        .size()
        .rename("count")
        .reset_index()
    )
    return counts


def render_timeline(gdf: pd.DataFrame, language: str) -> None:
    interval = st.radio(
        t("interval", language), list(FREQUENCIES),
        format_func=lambda i: t(i, language), horizontal=True, key="interval",
    )
    counts = counts_by_period(gdf, interval)
    if counts.empty:
        st.info(t("no_incidents", language))
        return
    counts["label"] = [model.label(e, language) for e in counts["event_type"]]
    step = pd.DateOffset(weeks=1) if interval == "week" else pd.DateOffset(months=1)
    counts["period_end"] = counts["period"] + step
    # One empty period either side, so a single bar does not fill the whole chart.
    domain = [(counts["period"].min() - step).isoformat(),
              (counts["period_end"].max() + step).isoformat()]
    types = sorted(counts["event_type"].unique())
    colours = alt.Scale(domain=[model.label(e, language) for e in types],
                        range=[event_colour(e) for e in types])
    date_format = "%Y-%m-%d" if interval == "week" else "%Y-%m"
    chart = (
        alt.Chart(counts)
        .mark_bar(stroke="white", strokeWidth=0.5)
        .encode(
            x=alt.X("period:T", title=t("chart_period", language),
                    scale=alt.Scale(domain=domain), axis=alt.Axis(format=date_format)),
            x2="period_end:T",
            y=alt.Y("sum(count):Q", title=t("chart_count", language),
                    axis=alt.Axis(format="d", tickMinStep=1)),
            color=alt.Color("label:N", scale=colours, title=t("event_type", language)),
            tooltip=[alt.Tooltip("period:T", title=t("chart_period", language),
                                 format=date_format),
                     alt.Tooltip("label:N", title=t("event_type", language)),
                     alt.Tooltip("sum(count):Q", title=t("chart_count", language))],
        )
        .properties(height=260)
    )
    st.altair_chart(chart, width="stretch")
