"""The "Add from article" page: paste a news article, review the candidates, save them.

``render(store_path, language)`` draws the page; the dashboard adds it to its
navigation. Every word on it comes from ``ui.i18n.t`` in the sidebar's language
(``st.session_state["lang"]`` when no language is passed). Everything it shows
comes from ``incidents.extract``; the article is escaped before evidence is
highlighted (``incidents.extract.highlight``). The extractor's problem notes are
English; the fixed ones are translated here (``PROBLEM_KEYS``).
"""

from __future__ import annotations

import hashlib
import re
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from incidents import model
from incidents.extract import Candidate, extract_incidents
from incidents.extract.highlight import highlight_html
from incidents.errors import StoreError, describe
from incidents.extract.save import reviewed_record
from incidents.store import default_location
from incidents.users import NotAllowedError
from ui.data import get_store
from ui.i18n import DEFAULT_LANGUAGE, column_label, t
from ui.signin import signed_in_store
from ui.plain import plain
from ui.warmup import extraction_worker

STATE_KEY = "add_article_candidates"
ARTICLE_KEY = "add_article_identity"
EDITABLE_TEXT = ("actor1", "actor2", "location", "admin1", "country", "notes")
# The extractor's notes (incidents.extract) matched to their translation; the
# named groups carry the variable part over.
PROBLEM_KEYS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), key) for pattern, key in (
        (r"the date's weekday does not match; check the date", "article_problem_weekday"),
        (r"date could not be resolved", "article_problem_date"),
        (r"a relative date needs the publication date", "article_problem_relative_date"),
        (r"the date has no year and no publication date was given", "article_problem_no_year"),
        (r"no date in the text; the publication date stands in \(week precision\)",
         "article_problem_publication_date"),
        (r"no date in the text and no publication date", "article_problem_no_date"),
        (r"no place could be located", "article_problem_no_place"),
        (r"place located only at precision (?P<precision>\d+) \(containing unit\)",
         "article_problem_coarse_place"),
        (r"several gazetteer places share this name", "article_problem_ambiguous_place"),
        (r"fatalities coded from a vague quantity \((?P<words>.*)\)", "article_problem_vague_toll"),
        (r"no actor recognised", "article_problem_no_actor"),
        (r"one toll was reported for several places; it is coded on the first",
         "article_problem_shared_toll"),
    )
)


@st.cache_resource(show_spinner=False)
def _geocoder() -> Any:
    from incidents.geocode import GazetteerGeocoder

    return GazetteerGeocoder()


def _extract(text: str, published: date | None, url: str | None) -> list[Candidate]:
    """Candidates of the article: from the extraction helper (``make run``), whose
    language models were loaded as the dashboard started, else in this process (the
    first extraction then loads the models and the gazetteer)."""
    worker = extraction_worker()
    if worker is not None:
        return worker.extract(text, published, url)
    return extract_incidents(text, published, url, geocoder=_geocoder())


def render(store_path: str | Path | None, language: str | None = None) -> None:
    """Draw the page; saved incidents go to the store at ``store_path``."""
    lang = language or st.session_state.get("lang", DEFAULT_LANGUAGE)
    st.header(t("page_article", lang))
    text = st.text_area(t("article_text", lang), height=220, key="article_text")
    known_date = st.checkbox(t("article_date_known", lang), value=True, key="article_date_known",
                             help=t("article_date_known_help", lang))
    published = st.date_input(t("article_published", lang), value=date.today(),
                              key="article_published", disabled=not known_date,
                              format="YYYY-MM-DD")
    url = st.text_input(t("article_url", lang), key="article_url")
    if st.button(t("article_extract", lang), type="primary", key="extract_button"):
        if not text.strip():
            st.warning(t("article_paste_first", lang))
            return
        with st.spinner(t("article_extracting", lang)):
            candidates = _extract(text, published if known_date else None, url or None)
        st.session_state[STATE_KEY] = candidates
        st.session_state[ARTICLE_KEY] = article_identity(text, url)
    candidates: list[Candidate] = st.session_state.get(STATE_KEY, [])
    if STATE_KEY in st.session_state and not candidates:
        st.info(t("article_none_found", lang))
    if candidates:
        st.caption(t("correct_as", lang, name=plain(signed_in_store(get_store(
            str(store_path or default_location()))).user.name)))
    for index, candidate in enumerate(candidates):
        _candidate_section(candidate_id(st.session_state[ARTICLE_KEY], index), index, candidate,
                           store_path, lang)


def article_identity(text: str, url: str | None) -> str:
    """A short digest naming one article: the same text and link give the same name."""
    return hashlib.sha1(f"{url or ''}\n{text.strip()}".encode("utf-8")).hexdigest()[:12]


def candidate_id(article: str, index: int) -> str:
    """The incident id of the ``index``-th candidate of an article, and the prefix of its
    widget keys.

    Widgets keyed by position alone kept the first article's values in the second
    article's forms, and a saved record whose content id (date, place, actors...)
    matched one already stored overwrote it. An id of the article and the position
    keeps each form and each saved incident to the candidate it describes.
    """
    return f"article-{article}-{index + 1}"


def problem_text(problem: str, language: str) -> str:
    """An extractor note in ``language``; a note not in ``PROBLEM_KEYS`` stays as written."""
    for pattern, key in PROBLEM_KEYS:
        match = pattern.fullmatch(problem)
        if match:
            return t(key, language, **match.groupdict())
    return problem


def _candidate_section(key: str, index: int, candidate: Candidate,
                       store_path: str | Path | None, language: str) -> None:
    record = candidate.record
    st.subheader(t("article_candidate", language, number=index + 1,
                   place=plain(record.get("location") or t("article_unplaced", language)),
                   date=plain(record.get("event_date") or t("article_undated", language))))
    for problem in candidate.problems:
        st.warning(plain(problem_text(problem, language)))
    highlighted = highlight_html(record["source_text"], candidate.evidence,
                                 label=lambda name: column_label(name, language))
    st.markdown(f'<div class="article-evidence">{highlighted}</div>', unsafe_allow_html=True)
    st.dataframe(_evidence_rows(record["source_text"], candidate, language), hide_index=True,
                 key=f"evidence_{key}")
    with st.form(f"candidate_form_{key}"):
        changes = _form_fields(key, record, language)
        if st.form_submit_button(t("article_save", language), key=f"save_{key}"):
            _save(key, {**record, **changes}, store_path, language)


def _save(incident_id: str, record: dict[str, Any], store_path: str | Path | None,
          language: str) -> None:
    """Store the candidate under its own id: a first save inserts it; a later save of the
    same candidate is an edit, made through the store so its history records who
    changed what."""
    reviewed = reviewed_record({**record, "incident_id": incident_id})
    store = signed_in_store(get_store(str(store_path or default_location())))
    try:
        changed = store.update(incident_id, _editable(reviewed))
    except NotAllowedError as error:
        st.error(plain(error))
        return
    except StoreError as error:
        if not str(error).startswith("no incident with id"):
            st.error(plain(describe(error, language)))
            return
    else:
        st.success(t("article_edited", language, id=incident_id, count=len(changed)))
        return
    summary = store.import_records(model.conform(pd.DataFrame([reviewed])),
                                   source_name="article")
    st.success(t("article_saved", language, new=summary.inserted, updated=summary.updated,
                 duplicates=summary.possible_duplicates))


EDITED_FIELDS = ("event_date", "year", "event_type", "sub_event_type", "disorder_type",
                 *EDITABLE_TEXT, "latitude", "longitude", "geo_precision", "fatalities",
                 "geocode_method", "status", "status_reason")


def _editable(record: dict[str, Any]) -> dict[str, Any]:
    """The fields the form edits (the rest of a candidate is the extractor's provenance)."""
    return {field: record.get(field) for field in EDITED_FIELDS if field in record}


def _form_fields(index: str, record: dict[str, Any], language: str) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    event_date = record.get("event_date")
    typed_date = st.text_input(t("article_event_date", language), value=str(event_date or ""),
                               key=f"date_{index}")
    changes["event_date"] = typed_date or None
    if typed_date:
        changes["year"] = int(typed_date[:4])
    types = model.event_types()
    current_type = record.get("event_type") if record.get("event_type") in types else types[0]
    changes["event_type"] = st.selectbox(t("event_type", language), types,
                                         index=types.index(current_type), key=f"type_{index}",
                                         format_func=lambda term: model.label(term, language))
    subs = model.sub_event_types(changes["event_type"])
    current_sub = record.get("sub_event_type") if record.get("sub_event_type") in subs else subs[0]
    changes["sub_event_type"] = st.selectbox(t("sub_event_type", language), subs,
                                             index=subs.index(current_sub), key=f"sub_{index}",
                                             format_func=lambda term: model.label(term, language))
    changes["disorder_type"] = model.disorder_type_of(changes["event_type"])
    for column in EDITABLE_TEXT:
        widget = st.text_area if column == "notes" else st.text_input
        changes[column] = widget(t(f"article_field_{column}", language),
                                 value=str(record.get(column) or ""),
                                 key=f"{column}_{index}") or None
    left, right, precision = st.columns(3)
    changes["latitude"] = left.number_input(t("article_latitude", language),
                                            value=_number(record.get("latitude")), format="%.5f",
                                            key=f"lat_{index}")
    changes["longitude"] = right.number_input(t("article_longitude", language),
                                              value=_number(record.get("longitude")),
                                              format="%.5f", key=f"lon_{index}")
    changes["geo_precision"] = precision.selectbox(t("field_geo_precision", language), [1, 2, 3],
                                                   index=int(record.get("geo_precision") or 3) - 1,
                                                   key=f"geo_{index}",
                                                   help=t("max_precision_help", language))
    changes["fatalities"] = int(st.number_input(t("field_fatalities", language), min_value=0,
                                                step=1, value=int(record.get("fatalities") or 0),
                                                key=f"fatal_{index}"))
    moved = (changes["latitude"] != _number(record.get("latitude"))
             or changes["longitude"] != _number(record.get("longitude")))
    if moved:
        changes["geocode_method"] = str(model.GeocodeMethod.MANUAL)
    elif record.get("latitude") is None:
        changes["latitude"] = changes["longitude"] = None
    return changes


def _evidence_rows(text: str, candidate: Candidate, language: str) -> list[dict[str, Any]]:
    """One row per extracted field: its value, the words behind it and how sure the extractor is.

    The field column shows the column's label, as the highlighted article's marks do
    when hovered.
    """
    field, value, words, confidence = (t(f"article_col_{name}", language) for name in
                                       ("field", "value", "evidence", "confidence"))
    return [
        {field: column_label(name, language), value: _value_text(name, item.value, language),
         words: " | ".join(text[a:b] for a, b in item.spans),
         confidence: round(item.confidence, 2)}
        for name, item in candidate.evidence.items()
    ]


def _value_text(name: str, value: Any, language: str) -> str:
    """An extracted value as the analyst reads it: event types by their label."""
    if name in ("event_type", "sub_event_type") and value:
        return model.label(str(value), language)
    return str(value)


def _number(value: Any) -> float:
    return float(value) if value is not None and value == value else 0.0
