"""Upload page: read and validate a file, show the report, geocode, save into the store.

A workbook with several sheets gets a sheet select box. A file whose header no
built-in mapping covers gets a column-mapping step: the file's columns with a
suggestion for each canonical field; the applied mapping is remembered for the
header (``incidents.io.saved_mappings``), so the next such file reads directly.
"""

from __future__ import annotations

import logging
import os

import streamlit as st
from geopy.exc import ConfigurationError

from incidents import config, model
from incidents.errors import FileTooLargeError, IncidentsError, IngestError, StoreError, describe
from incidents.geocode.online import PROVIDER_URL_VARIABLE, PROVIDERS, provider_endpoint
from incidents.io import IngestResult, read_incidents
from incidents.io.reader import MissingColumnsError
from incidents.io.saved_mappings import remember
from incidents.io.suggest import suggest_mapping
from incidents.io.xlsxfile import workbook_sheets
from incidents.pipeline import ingest_file
from incidents.users import NotAllowedError
from ui.data import (get_geocoder, get_online_geocoder, get_store, seed_store_if_empty,
                     store_path)
from ui.i18n import t
from incidents.io.source import UPLOAD_TYPES
from ui.plain import plain
from ui.signin import signed_in_store
from ui.table import render_quarantine


log = logging.getLogger(__name__)


def read_upload(data: bytes, filename: str, language: str,
                sheet: str | None = None) -> IngestResult | None:
    """Validate an uploaded file, or show why it cannot be read at all.

    When required columns are missing, the mapping step is shown instead.
    """
    if len(data) > config.MAX_INPUT_BYTES:
        st.error(t("upload_too_large", language,
                   error=plain(describe(FileTooLargeError(len(data), config.MAX_INPUT_BYTES), language))))
        return None
    try:
        return read_incidents(data, filename=filename, max_bytes=config.MAX_INPUT_BYTES,
                              sheet=sheet)
    except FileTooLargeError as error:
        st.error(t("upload_too_large", language, error=plain(describe(error, language))))
    except MissingColumnsError as error:
        render_mapping_step(error, language)
    except IngestError as error:
        log.info("upload %s refused: %s", filename, error, exc_info=error.__cause__ is not None)
        st.error(t("upload_failed", language, error=plain(describe(error, language))))
    return None


def render_mapping_step(error: MissingColumnsError, language: str) -> None:
    """The file's columns, a select box per canonical field, and an apply button."""
    st.subheader(t("mapping_title", language))
    st.caption(t("mapping_intro", language, missing=", ".join(error.missing)))
    st.text(t("mapping_file_columns", language, columns=", ".join(error.columns)))
    none = t("mapping_none", language)
    options = [""] + list(error.columns)
    chosen: dict[str, str] = {}
    suggestions = suggest_mapping(error.columns)
    grid = st.columns(3)
    for position, (target, suggestion) in enumerate(suggestions.items()):
        value = grid[position % 3].selectbox(
            t("mapping_field", language, field=target), options,
            index=options.index(suggestion) if suggestion else 0,
            format_func=lambda c: c or none, key=f"map_{target}",
        )
        if value:
            chosen[value] = target
    types = [""] + model.event_types()
    constant_type = st.selectbox(t("mapping_same_type", language), types,
                                 format_func=lambda e: model.label(e, language) if e else none,
                                 key="map_constant_event_type")
    if st.button(t("mapping_apply", language), type="primary", key="apply_mapping"):
        constants = {"event_type": constant_type} if constant_type else {}
        targets = set(chosen.values()) | set(constants)
        if "event_date" not in targets or "event_type" not in targets:
            st.error(t("mapping_need", language))
            return
        remember(error.columns, chosen, constants)
        st.rerun()


def choose_sheet(data: bytes, filename: str, language: str) -> str | None:
    """A select box over a workbook's sheets when it has more than one."""
    if not filename.lower().endswith((".xlsx", ".xlsm")):
        return None
    sheets = workbook_sheets(data)
    if len(sheets) < 2:
        return None
    return st.selectbox(t("sheet_choose", language), sheets, key="upload_sheet")


def render_report(result: IngestResult, language: str) -> None:
    st.subheader(t("validation_report", language))
    columns = st.columns(3)
    columns[0].metric(t("rows_read", language), result.counts.get("rows", 0))
    columns[1].metric(t("accepted", language), result.counts.get("accepted", 0))
    columns[2].metric(t("quarantined", language), result.counts.get("quarantined", 0))
    if str(result.counts.get("mapping", "")).startswith("user"):
        st.caption(t("mapping_used", language, mapping=result.counts["mapping"]))
    if not result.quarantine.empty:
        render_quarantine(result.quarantine, language)


def online_choice(language: str) -> tuple[str, str] | None:
    """The opt-in to ask an online geocoder too: off unless the analyst turns it on.

    When on, the provider and its address (``$INCIDENTS_GEOCODER_URL`` by default, as
    for ``--provider-url``) are chosen and the page says where place names will go.
    Returns (provider, address typed) when on, else None.
    """
    if not st.toggle(t("online_opt_in", language), value=False, key="upload_online"):
        return None
    provider = st.selectbox(t("online_provider", language), list(PROVIDERS),
                            key="upload_online_provider")
    url = st.text_input(t("online_url", language),
                        value=os.environ.get(PROVIDER_URL_VARIABLE, ""),
                        placeholder=provider_endpoint(provider, ""),
                        key="upload_online_url").strip()
    try:
        endpoint = provider_endpoint(provider, url)
    except ConfigurationError as error:
        st.error(t("online_bad_url", language, error=plain(error)))
        return None
    st.warning(t("online_warning", language, provider=provider, endpoint=plain(endpoint)))
    return provider, url


def save_upload(data: bytes, filename: str, rows: int, language: str,
                sheet: str | None = None, online: tuple[str, str] | None = None) -> None:
    """Geocode the accepted rows with a progress bar, then import them atomically.

    The pipeline reads the file again rather than reusing the report's records, so
    what is stored is exactly what `python -m incidents ingest` would store. Rows are
    placed offline (the gazetteer) unless ``online`` names a provider the analyst chose.
    """
    bar = st.progress(0.0, text=t("geocoding", language, done=0, total=rows))

    def progress(done: int, total: int) -> None:
        bar.progress(done / total if total else 1.0,
                     text=t("geocoding", language, done=done, total=total))

    try:
        geocoder = get_online_geocoder(*online) if online else get_geocoder()
        counts = ingest_file(data, store=signed_in_store(get_store(str(store_path()))),
                             geocoder=geocoder,
                             progress=progress, filename=filename, sheet=sheet)
    except NotAllowedError as error:
        st.error(plain(error))
        return
    except IncidentsError as error:
        log.info("saving upload %s failed: %s", filename, error, exc_info=True)
        key = "save_failed" if isinstance(error, StoreError) else "upload_failed"
        st.error(t(key, language, error=plain(describe(error, language))))
        return
    bar.progress(1.0)
    st.success(t("saved", language, rows=counts["rows"], new=counts["inserted"],
                 updated=counts["updated"], unchanged=counts["unchanged"],
                 quarantined=counts["quarantined"], merged=counts.get("merged", 0)))


def render_upload_page(language: str) -> None:
    st.header(t("page_upload", language))
    limit = config.MAX_INPUT_BYTES // (1024 * 1024)
    st.caption(t("upload_intro", language, limit=limit))
    uploaded = st.file_uploader(t("upload_file", language), type=UPLOAD_TYPES,
                                key="upload_page_file")
    if uploaded is not None:
        data = uploaded.getvalue()
        sheet = choose_sheet(data, uploaded.name, language)
        result = read_upload(data, uploaded.name, language, sheet)
        if result is not None:
            render_report(result, language)
            online = online_choice(language) if len(result.records) else None
            if len(result.records) and st.button(t("save_to_store", language), type="primary",
                                                 key="save_upload"):
                save_upload(data, uploaded.name, len(result.records), language, sheet, online)
    st.divider()
    if st.button(t("load_sample", language), key="load_sample"):
        try:
            seed_store_if_empty(signed_in_store(get_store(str(store_path()))))
        except NotAllowedError as error:
            st.error(plain(error))
