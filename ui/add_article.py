"""The "Add from article" page: paste a news article, review the candidates, save them.

``render(store_path)`` draws the page; the dashboard adds it to its navigation.
Everything it shows comes from ``incidents.extract``; the article is escaped
before evidence is highlighted (``incidents.extract.highlight``).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import streamlit as st

from incidents import model
from incidents.extract import Candidate, extract_incidents
from incidents.extract.highlight import highlight_html
from incidents.extract.save import reviewed_record, save_records

STATE_KEY = "add_article_candidates"
EDITABLE_TEXT = ("actor1", "actor2", "location", "admin1", "country", "notes")


@st.cache_resource(show_spinner=False)
def _geocoder() -> Any:
    from incidents.geocode import GazetteerGeocoder

    return GazetteerGeocoder()


def render(store_path: str | Path | None) -> None:
    """Draw the page; saved incidents go to the store at ``store_path``."""
    st.header("Add from article")
    text = st.text_area("Article text (French or English)", height=220, key="article_text")
    known_date = st.checkbox("Publication date known", value=True, key="article_date_known")
    published = st.date_input("Publication date", value=date.today(), key="article_published",
                              disabled=not known_date)
    url = st.text_input("Source URL (optional)", key="article_url")
    if st.button("Extract incidents", type="primary", key="extract_button"):
        if not text.strip():
            st.warning("Paste the article text first.")
            return
        candidates = extract_incidents(text, published if known_date else None, url or None,
                                       geocoder=_geocoder())
        st.session_state[STATE_KEY] = candidates
    candidates: list[Candidate] = st.session_state.get(STATE_KEY, [])
    if STATE_KEY in st.session_state and not candidates:
        st.info("No incident found in this text.")
    for index, candidate in enumerate(candidates):
        _candidate_section(index, candidate, store_path)


def _candidate_section(index: int, candidate: Candidate, store_path: str | Path | None) -> None:
    record = candidate.record
    st.subheader(f"Candidate {index + 1}: {record.get('location') or 'unplaced'}, "
                 f"{record.get('event_date') or 'undated'}")
    for problem in candidate.problems:
        st.warning(problem)
    st.markdown(f'<div class="article-evidence">{highlight_html(record["source_text"], candidate.evidence)}</div>',
                unsafe_allow_html=True)
    st.dataframe(_evidence_rows(record["source_text"], candidate), hide_index=True, key=f"evidence_{index}")
    with st.form(f"candidate_form_{index}"):
        changes = _form_fields(index, record, candidate)
        if st.form_submit_button("Save as reviewed"):
            reviewed = reviewed_record({**record, **changes})
            summary = save_records([reviewed], store_path, source_name="article")
            st.success(f"Saved to the store ({summary}).")


def _form_fields(index: int, record: dict[str, Any], candidate: Candidate) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    event_date = record.get("event_date")
    typed_date = st.text_input("Event date (YYYY-MM-DD)", value=str(event_date or ""), key=f"date_{index}")
    changes["event_date"] = typed_date or None
    if typed_date:
        changes["year"] = int(typed_date[:4])
    types = model.event_types()
    current_type = record.get("event_type") if record.get("event_type") in types else types[0]
    changes["event_type"] = st.selectbox("Event type", types, index=types.index(current_type), key=f"type_{index}")
    subs = model.sub_event_types(changes["event_type"])
    current_sub = record.get("sub_event_type") if record.get("sub_event_type") in subs else subs[0]
    changes["sub_event_type"] = st.selectbox("Sub-event type", subs, index=subs.index(current_sub),
                                             key=f"sub_{index}")
    changes["disorder_type"] = model.disorder_type_of(changes["event_type"])
    for column in EDITABLE_TEXT:
        widget = st.text_area if column == "notes" else st.text_input
        changes[column] = widget(column.replace("_", " ").capitalize(), value=str(record.get(column) or ""),
                                 key=f"{column}_{index}") or None
    left, right, precision = st.columns(3)
    changes["latitude"] = left.number_input("Latitude", value=_number(record.get("latitude")), format="%.5f",
                                            key=f"lat_{index}")
    changes["longitude"] = right.number_input("Longitude", value=_number(record.get("longitude")),
                                              format="%.5f", key=f"lon_{index}")
    changes["geo_precision"] = precision.selectbox("Geo precision", [1, 2, 3],
                                                   index=int(record.get("geo_precision") or 3) - 1,
                                                   key=f"geo_{index}")
    changes["fatalities"] = int(st.number_input("Fatalities", min_value=0, step=1,
                                                value=int(record.get("fatalities") or 0), key=f"fatal_{index}"))
    moved = (changes["latitude"] != _number(record.get("latitude"))
             or changes["longitude"] != _number(record.get("longitude")))
    if moved:
        changes["geocode_method"] = str(model.GeocodeMethod.MANUAL)
    elif record.get("latitude") is None:
        changes["latitude"] = changes["longitude"] = None
    return changes


def _evidence_rows(text: str, candidate: Candidate) -> list[dict[str, Any]]:
    """One row per extracted field: its value, the words behind it and how sure the extractor is."""
    return [
        {"field": name, "value": str(item.value), "evidence": " | ".join(text[a:b] for a, b in item.spans),
         "confidence": round(item.confidence, 2)}
        for name, item in candidate.evidence.items()
    ]


def _number(value: Any) -> float:
    return float(value) if value is not None and value == value else 0.0
