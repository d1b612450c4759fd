"""Download buttons for exactly the filtered incidents, named after the filter.

The files are produced only when a button is clicked (Streamlit's deferred
``data`` callable), so a rerun with 100,000 incidents does not serialise four
formats that nobody asked for.

A download is held whole in memory by Streamlit before the browser gets it
(a million incidents make a 1.2 GB GeoJSON). Above ``LARGE_EXPORT_ROWS`` the
tab therefore also offers to write GeoJSON or CSV straight into the exports
folder of the state directory, streamed chunk by chunk, and says where.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pandas as pd
import streamlit as st
from unidecode import unidecode

from incidents import config
from incidents.errors import ExportError
from incidents.filters import FilterSpec, reference_date
from incidents.io.writers import export, export_bytes
from incidents.maps.build import build_map
from incidents.maps.standalone import standalone_html
from incidents.selection import Selection
from incidents.store.queries import ServedSelection
from ui.i18n import t
from ui.plain import plain
from ui.warmup import export_tab_opened, script_run

FORMATS: dict[str, tuple[str, str, str]] = {
    # format: (label key, extension, MIME type)
    "geojson": ("export_geojson", "geojson", "application/geo+json"),
    "csv": ("export_csv", "csv", "text/csv"),
    "gpkg": ("export_gpkg", "gpkg", "application/geopackage+sqlite3"),
    "html": ("export_html", "html", "text/html"),
}


REPORT_FORMATS: dict[str, tuple[str, str]] = {
    "pdf": ("report_pdf", "application/pdf"),
    "png": ("report_png", "image/png"),
}

# Above this many incidents the streamed save to the exports folder is offered.
LARGE_EXPORT_ROWS = 100_000
STREAMED_FORMATS = ("geojson", "csv")


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", unidecode(text)).strip("-")


def export_basename(spec: FilterSpec, gdf: pd.DataFrame, reference: date | None = None) -> str:
    """``incidents_<place>_<start>_<end>``: the most specific place filter and the period.

    The period is the filter's own, a preset resolved as the filter resolves it:
    against ``reference``, the latest date of the whole data set (not of the
    exported rows: "last 12 months" of a country whose latest incident is older
    than the data set's would otherwise name the wrong year). Without a date
    filter it is the span of the exported incidents.
    """
    places = spec.admin2s or spec.admin1s or spec.countries
    parts = ["incidents"]
    if places:
        parts.append("-".join(_slug(p) for p in places[:3]) + ("-etc" if len(places) > 3 else ""))
    if reference is None and len(gdf):
        reference = reference_date(gdf)
    start, end = spec.date_bounds(reference) if reference else (spec.start, spec.end)
    dates = gdf["event_date"].dropna()
    if start is None and len(dates):
        start = dates.min().date()
    if end is None and len(dates):
        end = dates.max().date()
    parts.extend(d.isoformat() for d in (start, end) if isinstance(d, date))
    return "_".join(parts)


def export_payload(gdf: pd.DataFrame, fmt: str, language: str) -> bytes:
    """The bytes of one download: the same call the buttons defer."""
    if fmt == "html":
        return standalone_html(build_map(gdf, language=language).map)
    return export_bytes(gdf, fmt)


AnySelection = Selection | ServedSelection


def _deferred(selection: AnySelection, fmt: str, language: str) -> Callable[[], bytes]:
    """The download's bytes, with the selected incidents copied out only on a click."""
    return lambda: export_payload(selection.incidents(), fmt, language)


def report_payload(selection: AnySelection, spec: FilterSpec, fmt: str, language: str,
                   quarantined: int = 0) -> bytes:
    """The situation report of the selection (``incidents.report``), as PDF or PNG.

    From a server store only the selected incidents and those of the period before
    (which the report compares with) are fetched, when the button is clicked."""
    from incidents.report import report_bytes, report_content

    with script_run():  # a report being drawn is no quiet moment for the background loads
        if isinstance(selection, ServedSelection):
            frame = served_report_rows(selection)
            content = report_content(frame, spec, language=language, quarantined=quarantined)
        else:
            content = report_content(selection.frame, spec, rows=selection.rows,
                                     language=language, quarantined=quarantined)
        return report_bytes(content, fmt)


def served_report_rows(selection: ServedSelection) -> pd.DataFrame:
    """The selected incidents plus the period of the same length before (when the
    filter has a period), as one frame for ``report_content``."""
    import dataclasses
    from datetime import timedelta

    store, spec = selection.queries.store, selection.spec
    frames = [store.select(spec)]
    start, end = spec.date_bounds(selection.reference_date())
    if start is not None and end is not None:
        before_end = start - timedelta(days=1)
        before_start = before_end - (end - start)
        frames.append(store.select(dataclasses.replace(spec, preset=None, start=before_start,
                                                       end=before_end)))
    return pd.concat(frames, ignore_index=True)


def _dates_and_reference(selection: AnySelection) -> tuple[pd.DataFrame, date]:
    """The selection's first and last dates (a frame ``export_basename`` reads) and the
    date presets count back from."""
    if isinstance(selection, ServedSelection):
        figures = selection.headline()
        dates = pd.DataFrame({"event_date": pd.Series(
            [figures.first_date, figures.last_date], dtype="datetime64[ns]")})
        return dates, selection.reference_date()
    return selection.columns(["event_date"]), reference_date(selection.frame)


def render_report_buttons(selection: AnySelection, spec: FilterSpec, base: str, language: str,
                          quarantined: int) -> None:
    """One click for the situation report of exactly this view, drawn when clicked."""
    st.caption(t("report_intro", language))
    columns = st.columns(len(REPORT_FORMATS))
    for column, (fmt, (label, mime)) in zip(columns, REPORT_FORMATS.items()):
        column.download_button(
            t(label, language),
            data=lambda fmt=fmt: report_payload(selection, spec, fmt, language, quarantined),
            file_name=f"{base.replace('incidents_', 'report_', 1)}.{fmt}",
            mime=mime, key=f"report_{fmt}", on_click="ignore", type="primary",
        )


def render_exports(selection: AnySelection, spec: FilterSpec, language: str,
                   quarantined: int = 0) -> None:
    export_tab_opened()
    base = export_basename(spec, *_dates_and_reference(selection))
    render_report_buttons(selection, spec, base, language, quarantined)
    st.caption(t("export_intro", language, count=len(selection)))
    columns = st.columns(len(FORMATS))
    for column, (fmt, (label, extension, mime)) in zip(columns, FORMATS.items()):
        column.download_button(
            t(label, language),
            data=_deferred(selection, fmt, language),
            file_name=f"{base}.{extension}",
            mime=mime,
            key=f"download_{fmt}",
            on_click="ignore",
            disabled=selection.empty,
        )
    if len(selection) > LARGE_EXPORT_ROWS:
        _save_to_folder(selection, base, language)


def _save_to_folder(selection: AnySelection, base: str, language: str) -> None:
    folder = config.exports_dir()
    st.caption(t("export_large", language, count=len(selection), folder=plain(folder)))
    columns = st.columns(len(STREAMED_FORMATS))
    for column, fmt in zip(columns, STREAMED_FORMATS):
        if not column.button(t("export_save", language, format=t(FORMATS[fmt][0], language)),
                             key=f"save_{fmt}"):
            continue
        target = folder / f"{base}.{FORMATS[fmt][1]}"
        partial = target.with_name(target.name + ".part")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with st.spinner(t("export_saving", language)):
                summary = export(selection.incidents(), fmt, partial)
            partial.replace(target)
        except (ExportError, OSError) as error:
            partial.unlink(missing_ok=True)
            st.error(plain(error))
            continue
        st.success(t("export_saved", language, count=summary.rows_written, path=plain(target)))
