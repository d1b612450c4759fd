"""Upload page: read and validate a file, show the report, geocode, save into the store."""

from __future__ import annotations

import logging

import streamlit as st

from incidents import config
from incidents.errors import FileTooLargeError, IncidentsError, IngestError
from incidents.io import IngestResult, read_incidents
from incidents.pipeline import ingest_file
from ui.data import get_geocoder, get_store, seed_store_if_empty, store_path
from ui.i18n import t
from ui.plain import plain
from ui.table import render_quarantine

UPLOAD_TYPES = ["csv", "xlsx", "json", "geojson"]

log = logging.getLogger(__name__)


def read_upload(data: bytes, filename: str, language: str) -> IngestResult | None:
    """Validate an uploaded file, or show why it cannot be read at all."""
    if len(data) > config.MAX_INPUT_BYTES:
        st.error(t("upload_too_large", language,
                   error=plain(FileTooLargeError(len(data), config.MAX_INPUT_BYTES))))
        return None
    try:
        return read_incidents(data, filename=filename, max_bytes=config.MAX_INPUT_BYTES)
    except FileTooLargeError as error:
        st.error(t("upload_too_large", language, error=plain(error)))
    except IngestError as error:
        log.info("upload %s refused: %s", filename, error, exc_info=error.__cause__ is not None)
        st.error(t("upload_failed", language, error=plain(error)))
    return None


def render_report(result: IngestResult, language: str) -> None:
    st.subheader(t("validation_report", language))
    columns = st.columns(3)
    columns[0].metric(t("rows_read", language), result.counts.get("rows", 0))
    columns[1].metric(t("accepted", language), result.counts.get("accepted", 0))
    columns[2].metric(t("quarantined", language), result.counts.get("quarantined", 0))
    if not result.quarantine.empty:
        render_quarantine(result.quarantine, language)


def save_upload(data: bytes, filename: str, rows: int, language: str) -> None:
    """Geocode the accepted rows with a progress bar, then import them atomically.

    The pipeline reads the file again rather than reusing the report's records, so
    what is stored is exactly what `python -m incidents ingest` would store.
    """
    bar = st.progress(0.0, text=t("geocoding", language, done=0, total=rows))

    def progress(done: int, total: int) -> None:
        bar.progress(done / total if total else 1.0,
                     text=t("geocoding", language, done=done, total=total))

    try:
        counts = ingest_file(data, store=get_store(str(store_path())), geocoder=get_geocoder(),
                             progress=progress, filename=filename)
    except IncidentsError as error:
        log.info("saving upload %s failed: %s", filename, error, exc_info=True)
        st.error(t("upload_failed", language, error=plain(error)))
        return
    bar.progress(1.0)
    st.success(t("saved", language, new=counts["inserted"], updated=counts["updated"],
                 quarantined=counts["quarantined"]))


def render_upload_page(language: str) -> None:
    st.header(t("page_upload", language))
    limit = config.MAX_INPUT_BYTES // (1024 * 1024)
    st.caption(t("upload_intro", language, limit=limit))
    uploaded = st.file_uploader(t("upload_file", language), type=UPLOAD_TYPES,
                                key="upload_page_file")
    if uploaded is not None:
        data = uploaded.getvalue()
        result = read_upload(data, uploaded.name, language)
        if result is not None:
            render_report(result, language)
            if len(result.records) and st.button(t("save_to_store", language), type="primary",
                                                 key="save_upload"):
                save_upload(data, uploaded.name, len(result.records), language)
    st.divider()
    if st.button(t("load_sample", language), key="load_sample"):
        seed_store_if_empty(get_store(str(store_path())))
