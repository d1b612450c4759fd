"""The sidebar: language, data source and every filter, turned into a FilterSpec."""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from incidents import model
from incidents.filters import PRESET_DAYS, FilterSpec, fold_text, one_of, reference_date
from ui.i18n import LANGUAGES, t
from ui.places import near_value
from ui.state import SOURCES, apply_region_pick, reset_filters, widgets_to_spec

PRESET_LABELS = {"": "preset_custom", "last_30": "preset_30", "last_90": "preset_90",
                 "last_365": "preset_365"}
EARLIEST_DATE = date(1989, 1, 1)


def fill_preset_dates(state: MutableMapping[str, Any], reference: date) -> None:
    """Callback of the preset: the date fields show the dates it means (counted back
    from the latest incident), so the period reads as one control."""
    days = PRESET_DAYS.get(state.get("f_preset") or "")
    if days:
        state["f_dates"] = (reference - timedelta(days=days - 1), reference)


def dates_typed(state: MutableMapping[str, Any]) -> None:
    """Callback of the date fields: typed dates are a custom period, not the preset."""
    state["f_preset"] = ""


def language_picker() -> str:
    """The UI language chosen in the sidebar ('en' or 'fr')."""
    st.sidebar.radio(
        "Language / Langue",
        list(LANGUAGES),
        format_func=LANGUAGES.__getitem__,
        key="lang",
        horizontal=True,
    )
    return st.session_state["lang"]


def source_picker(language: str, sources: Sequence[str] = SOURCES) -> str:
    """The data source radio over ``sources`` (a viewer is not offered the file upload)."""
    labels = {"store": "source_store", "sample": "source_sample", "upload": "upload_file"}
    if st.session_state.get("source") not in sources:
        st.session_state["source"] = sources[0]
    st.sidebar.radio(
        t("data_source", language),
        list(sources),
        format_func=lambda s: t(labels[s], language),
        key="source",
    )
    return st.session_state["source"]


def _choices(values: pd.Series, selected: list[str]) -> list[str]:
    """Distinct non-empty values, sorted ignoring accents, plus anything already selected."""
    distinct = pd.Series(values.dropna().unique(), dtype="string")
    distinct = distinct[distinct.str.len() > 0]
    order = fold_text(distinct).argsort()
    options = distinct.iloc[order].tolist()
    return options + [s for s in selected if s not in options]


def _within(values: pd.Series, selected: list[str]) -> np.ndarray:
    """Rows whose value is among ``selected`` (all rows when nothing is selected)."""
    if not selected:
        return np.ones(len(values), dtype=bool)
    return one_of(values, selected)


def filter_widgets(gdf: pd.DataFrame, language: str) -> FilterSpec:
    """Draw the filter widgets for ``gdf`` and return the spec they describe."""
    side = st.sidebar
    state = st.session_state
    apply_region_pick(state)
    side.header(t("filters", language))
    side.button(t("reset", language), on_click=reset_filters, args=(state,), key="reset")

    side.subheader(t("period", language))
    side.selectbox(
        t("preset", language),
        [key for key in PRESET_LABELS if key == "" or key in PRESET_DAYS],
        format_func=lambda p: t(PRESET_LABELS[p], language),
        key="f_preset",
        help=t("preset_help", language),
        on_change=fill_preset_dates, args=(state, reference_date(gdf)),
    )
    side.date_input(
        t("period", language),
        key="f_dates",
        on_change=dates_typed, args=(state,),
        min_value=EARLIEST_DATE,
        max_value=date(date.today().year + 1, 12, 31),
        format="YYYY-MM-DD",
        label_visibility="collapsed",
    )

    side.multiselect(t("country", language), _choices(gdf["country"], state["f_countries"]),
                     key="f_countries", placeholder=t("any", language))
    in_countries = _within(gdf["country"], state["f_countries"])
    side.multiselect(t("admin1", language),
                     _choices(gdf["admin1"][in_countries], state["f_admin1s"]),
                     key="f_admin1s", placeholder=t("any", language))
    in_admin1 = in_countries & _within(gdf["admin1"], state["f_admin1s"])
    side.multiselect(t("admin2", language), _choices(gdf["admin2"][in_admin1], state["f_admin2s"]),
                     key="f_admin2s", placeholder=t("any", language))
    side.checkbox(t("successors", language), key="f_successors",
                  help=t("successors_help", language))
    side.caption(t("boundaries_vintage", language))
    side.text_input(t("near", language), key="f_near", help=t("near_help", language))
    if state["f_polygon"]:
        side.info(t("drawn_area", language))
        side.button(t("clear_drawn", language), key="clear_drawn",
                    on_click=lambda: state.update(f_polygon=""))

    event_types = model.event_types()
    event_types += [e for e in state["f_event_types"] if e not in event_types]
    side.multiselect(t("event_type", language), event_types, key="f_event_types",
                     format_func=lambda e: model.label(e, language),
                     placeholder=t("any", language))
    chosen = state["f_event_types"]
    sub_types = [s for e in chosen for s in model.sub_event_types(e)] if chosen \
        else model.sub_event_types()
    sub_types += [s for s in state["f_sub_event_types"] if s not in sub_types]
    side.multiselect(t("sub_event_type", language), sub_types, key="f_sub_event_types",
                     format_func=lambda s: model.label(s, language),
                     placeholder=t("any", language))

    side.text_input(t("actor", language), key="f_actor")
    side.number_input(t("min_fatalities", language), min_value=0, step=1,
                      key="f_min_fatalities")
    side.select_slider(t("max_precision", language), options=[1, 2, 3],
                       key="f_max_precision", help=t("max_precision_help", language))
    side.text_input(t("search", language), key="f_text", help=t("search_help", language))
    side.caption(t("share_hint", language))
    try:
        return widgets_to_spec({**state, "f_near": near_value(state.get("f_near") or "")})
    except ValueError as error:
        side.warning(t("near_invalid", language, error=error))
        return widgets_to_spec({**state, "f_near": ""})
