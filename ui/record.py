"""One incident's full record, provenance included, drawn as plain text.

Nothing here renders incident text as Markdown or HTML: every value goes
through ``incidents.maps.escape.escape_text`` into a definition list drawn by
``st.html`` (no Markdown pass), where long fields (notes, the source's text, the
geocoding) wrap whole instead of being cut at a table cell's width. The only
link is an http(s) URL that passed ``incidents.maps.escape.safe_url``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from incidents import model
from incidents.maps.escape import escape_text, safe_url
from incidents.maps.legend import precision_words
from incidents.i18n import has_key
from ui.i18n import t, translate_stored


def _labelled(vocabulary: str, value: str, language: str) -> str:
    """A coded value (a status, a geocoding method) in words, or as stored when the catalog has none."""
    key = f"{vocabulary}.{value}"
    return t(key, language) if value and has_key(key, language) else value


def _text(value: Any) -> str:
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return f"{value:%Y-%m-%d}"
    return str(value)


def record_rows(row: pd.Series, language: str) -> list[tuple[str, str]]:
    """(label, value) pairs describing one incident, in reading order."""
    admin = " / ".join(
        _text(row[c]) for c in ("country", "admin1", "admin2", "admin3") if _text(row[c])
    )
    polygon = " / ".join(_text(row.get(c)) for c in ("admin1_polygon", "admin2_polygon")
                         if _text(row.get(c)))
    coordinates = ""
    if pd.notna(row["latitude"]) and pd.notna(row["longitude"]):
        coordinates = f"{row['latitude']:.4f}, {row['longitude']:.4f}"
    geocode = " · ".join(
        part for part in (
            _labelled("geocode_method", _text(row["geocode_method"]), language),
            t("geocode_score", language, score=f"{row['geocode_score']:.2f}") if pd.notna(row["geocode_score"]) else "",
            _text(row["geocode_matched_name"]),
            _text(row["gazetteer_id"]),
        ) if part
    )
    status = _labelled("status", _text(row["status"]), language)
    if _text(row["status_reason"]):
        status = f"{status} ({translate_stored(_text(row['status_reason']), language)})"
    rows = [
        ("field_incident_id", _text(row["incident_id"])),
        ("field_event_date", _text(row["event_date"])),
        ("field_event_date_end", _text(row.get("event_date_end"))),
        ("field_event_type", model.label(_text(row["event_type"]), language)),
        ("field_sub_event_type", model.label(_text(row["sub_event_type"]), language)),
        ("field_event_type_original", _text(row.get("event_type_original"))),
        ("field_actor1", _text(row["actor1"])),
        ("field_actor2", _text(row["actor2"])),
        ("field_location", _text(row["location"])),
        ("field_admin", admin),
        ("field_admin_polygon", polygon),
        ("field_coordinates", coordinates),
        ("field_geo_precision", _precision(row["geo_precision"], language)),
        ("field_time_precision", _text(row["time_precision"])),
        ("field_fatalities", _text(row["fatalities"])),
        ("field_notes", _text(row["notes"])),
        ("field_source", _text(row["source"])),
        ("field_source_url", _text(row["source_url"])),
        ("field_source_text", _text(row["source_text"])),
        ("field_geocode", geocode),
        ("field_status", status),
        ("field_duplicate", _text(row["possible_duplicate_of"])),
    ]
    labelled = [(t(key, language), value) for key, value in rows if value]
    if bool(row["synthetic"]):
        labelled.insert(0, (t("synthetic_flag", language), "✔"))
    return labelled


def _precision(value: Any, language: str) -> str:
    """``1 · exact place``: the code analysts know, and what it means."""
    code = _text(value)
    return f"{code} · {precision_words(value, language)}" if code else ""


# Only layout; colours stay the theme's (light and dark).
RECORD_STYLE = ("display:grid;grid-template-columns:minmax(7rem,28%) 1fr;gap:.3rem .9rem;"
                "margin:0 0 .75rem 0")
TERM_STYLE = "font-weight:600;margin:0"
VALUE_STYLE = "margin:0;white-space:pre-wrap;overflow-wrap:anywhere"


def record_html(rows: list[tuple[str, str]]) -> str:
    """The record as a definition list, every label and value escaped."""
    items = "".join(
        f'<dt style="{TERM_STYLE}">{escape_text(label)}</dt>'
        f'<dd style="{VALUE_STYLE}">{escape_text(value)}</dd>'
        for label, value in rows
    )
    return f'<dl class="incident-record" style="{RECORD_STYLE}">{items}</dl>'


def render_record(row: pd.Series, language: str) -> None:
    st.subheader(t("record", language))
    if bool(row["synthetic"]):
        st.warning(t("synthetic_flag", language), icon="⚠️")
    st.html(record_html(record_rows(row, language)))
    url = safe_url(row["source_url"])
    if url is not None:
        st.link_button(t("field_source_url", language), str(row["source_url"]).strip())

