"""Incidents per week or month, stacked by event type (Altair)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import streamlit as st

from incidents import model
from incidents.filters import codes_and_uniques
from incidents.maps.style import event_colour
from ui.i18n import t

FREQUENCIES = {"week": "W-SUN", "month": "MS"}
TIMELINE_COLUMNS = ("event_date", "event_type")


def counts_by_period(gdf: pd.DataFrame, interval: str) -> pd.DataFrame:
    """One row per (period start, event type) with the incident count, in that order.

    Weeks start on Monday; months on the 1st. Rows without a date are left out.
    Periods are computed on the dates' integer days and event types on their
    codes, so a million incidents cost tens of milliseconds.
    """
    dates = gdf["event_date"].to_numpy(dtype="datetime64[ns]")
    dated = ~np.isnat(dates)
    if not dated.any():
        return pd.DataFrame({"period": pd.Series(dtype="datetime64[ns]"),
                             "event_type": pd.Series(dtype="string"),
                             "count": pd.Series(dtype="int64")})
    days = dates[dated].astype("datetime64[D]")
    if interval == "week":
        # 1970-01-01, day 0, was a Thursday: (day + 3) % 7 counts days since Monday.
        period = days - (days.view("int64") + 3) % 7
    else:
        period = days.astype("datetime64[M]").astype("datetime64[D]")
    codes, types = codes_and_uniques(gdf["event_type"])
    codes = codes[dated]
    counts = (
        pd.DataFrame({"period": period.astype("datetime64[ns]"), "code": codes})
        .groupby(["period", "code"]).size().rename("count").reset_index()
    )
    # Code -1 (no event type) takes the "" appended after the names.
    names = pd.Series([*types, ""], dtype="string")
    counts.insert(1, "event_type", names.take(counts.pop("code")).to_numpy())
    return counts.sort_values(["period", "event_type"], ignore_index=True)


def render_timeline(gdf: pd.DataFrame | None, language: str,
                    period_counts: Callable[[str], pd.DataFrame] | None = None) -> None:
    """The chart of ``gdf``'s incidents, or of ``period_counts(interval)`` (counts a
    store's server made, in ``counts_by_period``'s shape) when given."""
    # Imported here: altair costs 0.2 s to import, and the dashboard opens on the map.
    import altair as alt

    interval = st.radio(
        t("interval", language), list(FREQUENCIES),
        format_func=lambda i: t(i, language), horizontal=True, key="interval",
    )
    counts = (period_counts(interval) if period_counts is not None
              else counts_by_period(gdf, interval))
    if counts.empty:
        st.info(t("no_incidents", language))
        return
    counts["label"] = [model.label(e, language) for e in counts["event_type"]]
    step = pd.DateOffset(weeks=1) if interval == "week" else pd.DateOffset(months=1)
    counts["period_end"] = counts["period"] + step
    date_format = "%Y-%m-%d" if interval == "week" else "%Y-%m"
    # What a screen reader says of each bar (Vega's own description is English).
    counts["description"] = [
        t("chart_bar", language, period=f"{period:{date_format}}", count=count, label=label)
        for period, count, label in zip(counts["period"], counts["count"], counts["label"])
    ]
    # One empty period either side, so a single bar does not fill the whole chart.
    domain = [(counts["period"].min() - step).isoformat(),
              (counts["period_end"].max() + step).isoformat()]
    types = sorted(counts["event_type"].unique())
    colours = alt.Scale(domain=[model.label(e, language) for e in types],
                        range=[event_colour(e) for e in types])
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
            description="description:N",
            tooltip=[alt.Tooltip("period:T", title=t("chart_period", language),
                                 format=date_format),
                     alt.Tooltip("label:N", title=t("event_type", language)),
                     alt.Tooltip("sum(count):Q", title=t("chart_count", language))],
        )
        .properties(height=260)
    )
    st.altair_chart(chart, width="stretch")
