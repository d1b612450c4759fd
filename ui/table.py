"""The table of filtered incidents and the quarantine view."""

from __future__ import annotations

import json
from pathlib import Path
from functools import partial

import pandas as pd
import streamlit as st

from incidents import model
from incidents.io.quarantine_export import rows_to_fix_csv
from incidents.maps.escape import safe_url
from incidents.selection import Selection
from ui.i18n import column_label, grouped, t, translate_stored
from ui.state import open_on_map

# How many of the newest incidents the table may show. Each rerun sends the table
# whole to the browser (5,000 rows are about 1 MB, most of a filter change's
# traffic), so it starts at the smallest and the analyst can ask for more.
TABLE_ROW_CHOICES = (1_000, 5_000, 20_000)
TABLE_ROWS = TABLE_ROW_CHOICES[0]
TABLE_COLUMNS = (
    "event_date", "country", "admin1", "admin2", "location", "event_type", "sub_event_type",
    "actor1", "actor2", "fatalities", "geo_precision", "geocode_method", "source",
    "source_url", "synthetic", "status", "incident_id",
)


def http_links(urls: pd.Series) -> pd.Series:
    """The URLs that are http(s) with a host; anything else becomes missing."""
    return pd.Series(
        [str(u).strip() if safe_url(u) is not None else None for u in urls],
        index=urls.index, dtype="object",
    )


def table_frame(gdf: pd.DataFrame, language: str, limit: int = TABLE_ROWS) -> pd.DataFrame:
    """The newest ``limit`` incidents, with display columns only and safe links."""
    newest = gdf.sort_values("event_date", ascending=False, na_position="last").head(limit)
    # Coordinates ride along (not displayed: ``column_order``) for the row pick's map view.
    frame = pd.DataFrame(newest[[*TABLE_COLUMNS, "latitude", "longitude"]]).reset_index(drop=True)
    frame["source_url"] = http_links(frame["source_url"])
    frame["event_type"] = [model.label(e, language) if isinstance(e, str) else e
                           for e in frame["event_type"]]
    frame["sub_event_type"] = [model.label(e, language) if isinstance(e, str) else e
                               for e in frame["sub_event_type"]]
    return frame


TABLE_KEY = "incident_table"
PICK_KEY = "table_pick"


def _picked_row(table: pd.DataFrame, language: str) -> None:
    """Callback of a row selected in the table: show that incident on the map."""
    rows = st.session_state[TABLE_KEY].selection.rows
    if rows:
        _open(table, rows[0], language)


def _picked_label(table: pd.DataFrame, language: str) -> None:
    """Callback of the keyboard-friendly picker: the same as selecting the row."""
    position = st.session_state.get(PICK_KEY)
    if position is not None:
        _open(table, int(position), language)


def _open(table: pd.DataFrame, position: int, language: str) -> None:
    row = table.iloc[position]
    latitude = None if pd.isna(row["latitude"]) else float(row["latitude"])
    longitude = None if pd.isna(row["longitude"]) else float(row["longitude"])
    open_on_map(st.session_state, str(row["incident_id"]), latitude, longitude, language)


def render_table(selection: Selection, language: str) -> None:
    limit = TABLE_ROWS
    if len(selection) > TABLE_ROWS:
        limit = st.select_slider(t("table_rows", language), options=TABLE_ROW_CHOICES,
                                 value=TABLE_ROWS, key="table_rows",
                                 format_func=partial(grouped, language=language))
        if len(selection) > limit:
            st.caption(t("table_truncated", language, shown=limit, total=len(selection)))
    table = table_frame(selection.newest(limit), language)
    labels = {i: f"{row.event_date:%Y-%m-%d} · {row.location or ''} · {row.incident_id}"
              if pd.notna(row.event_date) else f"{row.location or ''} · {row.incident_id}"
              for i, row in enumerate(table.itertuples())}
    st.selectbox(t("table_open", language), list(labels), index=None,
                 format_func=labels.__getitem__, key=PICK_KEY,
                 placeholder=t("table_open_placeholder", language),
                 on_change=_picked_label, args=(table, language))
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        key=TABLE_KEY,
        on_select=partial(_picked_row, table, language),
        selection_mode="single-row",
        column_order=list(TABLE_COLUMNS),
        column_config={
            "event_date": st.column_config.DateColumn(t("col_date", language), format="YYYY-MM-DD"),
            "country": st.column_config.TextColumn(t("country", language)),
            "admin1": st.column_config.TextColumn(t("admin1", language)),
            "admin2": st.column_config.TextColumn(t("admin2", language)),
            "actor1": st.column_config.TextColumn(t("field_actor1", language)),
            "actor2": st.column_config.TextColumn(t("field_actor2", language)),
            "geo_precision": st.column_config.NumberColumn(t("field_geo_precision", language)),
            "geocode_method": st.column_config.TextColumn(t("field_geocode", language)),
            "status": st.column_config.TextColumn(t("field_status", language)),
            "incident_id": st.column_config.TextColumn(t("field_incident_id", language)),
            "location": st.column_config.TextColumn(t("col_location", language)),
            "event_type": st.column_config.TextColumn(t("event_type", language)),
            "sub_event_type": st.column_config.TextColumn(t("sub_event_type", language)),
            "fatalities": st.column_config.NumberColumn(t("fatalities", language)),
            "source": st.column_config.TextColumn(t("col_source", language)),
            "source_url": st.column_config.LinkColumn(t("col_link", language),
                                                      display_text=t("open_link", language)),
            "synthetic": st.column_config.CheckboxColumn(t("synthetic_flag", language)),
        },
    )


def quarantine_frame(quarantine: pd.DataFrame, language: str = "en") -> pd.DataFrame:
    """Quarantined rows with the reason (in ``language``) first and the original fields as readable text."""
    if quarantine.empty:
        return pd.DataFrame(columns=["source_name", "row_number", "reason", "original"])
    frame = quarantine.copy()
    if "original_json" in frame.columns:
        frame["original"] = [
            ", ".join(f"{k}={v}" for k, v in json.loads(raw).items()) if raw else ""
            for raw in frame["original_json"]
        ]
        frame = frame.drop(columns="original_json")
    if "reason" in frame.columns:
        frame["reason"] = [translate_stored(str(reason), language) if isinstance(reason, str) else reason
                           for reason in frame["reason"]]
    first = [c for c in ("source_name", "row_number", "reason") if c in frame.columns]
    return frame[first + [c for c in frame.columns if c not in first]]


def render_quarantine(quarantine: pd.DataFrame, language: str) -> None:
    st.caption(t("quarantine_intro", language))
    if quarantine.empty:
        st.info(t("quarantine_empty", language))
        return
    st.dataframe(
        quarantine_frame(quarantine, language), hide_index=True, width="stretch",
        column_config={
            "reason": st.column_config.TextColumn(t("reason", language)),
            **{name: st.column_config.Column(column_label(name, language))
               for name in ("source_name", "import_id", "imported_at", "original")},
            "row_number": st.column_config.NumberColumn(t("row_number", language)),
        },
    )
    sources = list(dict.fromkeys(quarantine["source_name"])) if "source_name" in quarantine else [None]
    source = sources[0] if len(sources) == 1 else st.selectbox(
        t("quarantine_source", language), sources, key="quarantine_fix_source")
    name = f"{Path(str(source)).stem}_to_fix.csv" if source else "quarantined_to_fix.csv"
    st.download_button(t("quarantine_download", language), rows_to_fix_csv(quarantine, source),
                       file_name=name, mime="text/csv", key="quarantine_fix_download")
    st.caption(t("quarantine_fix_hint", language))
