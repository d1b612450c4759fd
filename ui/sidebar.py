"""The sidebar: language, data source and every filter, turned into a FilterSpec.

The filters are drawn from their declarations (``incidents/filters/spec.py``), in
order; ``_draw`` knows each kind of widget (``Widget.kind``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, MutableMapping, Sequence
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from incidents import model
from incidents.framecache import per_frame
from incidents.filters import (FILTERS_BY_NAME, PRESET_DAYS, Filter, FilterSpec, fold_text, one_of,
                               reference_date)
from ui.i18n import LANGUAGES, t
from ui.places import near_value
from ui.state import (EARLIEST_DATE, FILTER_WIDGETS, SLIDER_OPTIONS, SOURCES, apply_region_pick,
                      latest_selectable_day, reset_filters, widget_key, widgets_to_spec)


def fill_preset_dates(state: MutableMapping[str, Any], reference: date) -> None:
    """Callback of the preset: the date fields show the dates it means (counted back
    from the latest incident), so the period reads as one control."""
    days = PRESET_DAYS.get(state.get(widget_key("preset")) or "")
    if days:
        state[widget_key("start")] = (reference - timedelta(days=days - 1), reference)


def dates_typed(state: MutableMapping[str, Any]) -> None:
    """Callback of the date fields: typed dates are a custom period, not the preset."""
    state[widget_key("preset")] = ""


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


# Choices kept per frame, by column and narrowing selections (all dropped past this many).
CHOICES_KEPT = 32


def _distinct_sorted(values: pd.Series) -> list[str]:
    """Distinct non-empty values, sorted ignoring accents."""
    distinct = pd.Series(values.dropna().unique(), dtype="string")
    distinct = distinct[distinct.str.len() > 0]
    order = fold_text(distinct).argsort()
    return distinct.iloc[order].tolist()


def _column_choices(gdf: pd.DataFrame, column: str,
                    narrowing: tuple[tuple[str, tuple[str, ...]], ...]) -> list[str]:
    """The distinct values of ``column`` among the rows the ``narrowing`` (column,
    selected values) pairs keep, sorted. Kept per frame: every rerun draws every
    filter, and at a million rows a column's choices cost some 5 ms each time, though
    they change only with the country or region picked."""
    kept_choices: dict = per_frame(gdf, "sidebar_choices", lambda _: {})
    key = (column, narrowing)
    if key not in kept_choices:
        kept = np.ones(len(gdf), dtype=bool)
        for narrowing_column, selected in narrowing:
            kept &= _within(gdf[narrowing_column], list(selected))
        if len(kept_choices) >= CHOICES_KEPT:
            kept_choices.clear()  # one step, safe beside another session's run
        kept_choices[key] = _distinct_sorted(gdf[column][kept])
    return kept_choices[key]


def _within(values: pd.Series, selected: list[str]) -> np.ndarray:
    """Rows whose value is among ``selected`` (all rows when nothing is selected)."""
    if not selected:
        return np.ones(len(values), dtype=bool)
    return one_of(values, selected)


def _multiselect_options(spec_filter: Filter, gdf: pd.DataFrame, state: MutableMapping[str, Any],
                         language: str) -> tuple[list[str], Callable[[str], str]]:
    """The choices of a list filter (``Widget.options``) and how to show each; a value
    already selected (from a link) stays a choice."""
    widget, selected = spec_filter.widget, state[spec_filter.widget.key]
    source = widget.options
    if source == "column":
        narrowing = tuple((FILTERS_BY_NAME[name].rule.column,
                           tuple(state[FILTERS_BY_NAME[name].widget.key]))
                          for name in widget.narrowed_by)
        options = _column_choices(gdf, spec_filter.rule.column, narrowing)  # a OneOf rule
        return options + [s for s in selected if s not in options], str
    shown: Callable[[str], str] = functools.partial(model.label, language=language)
    if source == "event_types":
        options = model.event_types()
    elif source == "sub_event_types":
        chosen = state[widget_key("event_types")]
        options = ([s for e in chosen for s in model.sub_event_types(e)] if chosen
                   else model.sub_event_types())
    elif source == "statuses":
        options = [status.value for status in model.Status]

        def shown(status: str) -> str:
            return t(f"status_{status}", language) if status in options else status
    else:
        raise ValueError(f"no options named {source!r}")
    return options + [s for s in selected if s not in options], shown


def _draw(spec_filter: Filter, gdf: pd.DataFrame, language: str) -> None:
    """Draw the widget a filter declares (``Widget.kind``)."""
    side, state = st.sidebar, st.session_state
    widget = spec_filter.widget
    label = t(spec_filter.label, language)
    help_text = t(widget.help, language) if widget.help else None
    kind = widget.kind
    if kind == "preset":
        side.selectbox(label, ["", *spec_filter.kind.choices],
                       format_func=lambda p: t(widget.option_labels[p], language),
                       key=widget.key, help=help_text,
                       on_change=fill_preset_dates, args=(state, reference_date(gdf)))
    elif kind == "date_range":
        side.date_input(label, key=widget.key, on_change=dates_typed, args=(state,),
                        min_value=EARLIEST_DATE, max_value=latest_selectable_day(),
                        format="YYYY-MM-DD", label_visibility="collapsed")
    elif kind == "multiselect":
        options, shown = _multiselect_options(spec_filter, gdf, state, language)
        side.multiselect(label, options, key=widget.key, placeholder=t("any", language),
                         format_func=shown)
    elif kind == "checkbox":
        side.checkbox(label, key=widget.key, help=help_text)
    elif kind in ("text", "near"):
        side.text_input(label, key=widget.key, help=help_text)
    elif kind == "number":
        side.number_input(label, min_value=0, step=1, key=widget.key, help=help_text)
    elif kind == "slider":
        side.select_slider(label, options=list(SLIDER_OPTIONS[widget.options]), key=widget.key,
                           help=help_text)
    elif kind == "drawn" and state[widget.key]:
        side.info(t("drawn_area", language))
        side.button(t("clear_drawn", language), key="clear_drawn",
                    on_click=lambda: state.update({widget.key: ""}))


def filter_widgets(gdf: pd.DataFrame, language: str) -> FilterSpec:
    """Draw every declared filter's widget for ``gdf`` and return the spec they describe."""
    side = st.sidebar
    state = st.session_state
    apply_region_pick(state)
    side.header(t("filters", language))
    side.button(t("reset", language), on_click=reset_filters, args=(state,), key="reset")
    for widget, group in FILTER_WIDGETS.values():
        if widget.heading:
            side.subheader(t(widget.heading, language))
        _draw(group[0], gdf, language)
        if widget.caption:
            side.caption(t(widget.caption, language))
    side.caption(t("share_hint", language))
    typed = {key: near_value(state.get(key) or "")
             for key, (widget, _) in FILTER_WIDGETS.items() if widget.kind == "near"}
    try:
        return widgets_to_spec({**state, **typed})
    except ValueError as error:
        side.warning(t("near_invalid", language, error=error))
        return widgets_to_spec({**state, **dict.fromkeys(typed, "")})
