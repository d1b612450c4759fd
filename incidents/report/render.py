"""The report's two A4 pages drawn with matplotlib: a PDF (``PdfPages``) or one PNG.

Page 1: title, filters and period, the map, incidents and fatalities per week by
type. Page 2: top places, regions and actors against the previous period, the ten
most severe incidents, the data notes. Every text from the data is drawn with
``parse_math=False``, so a ``$`` in a note is a dollar sign, not mathtext.
"""

from __future__ import annotations

import io
import textwrap
from functools import partial
from datetime import date
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.backends.backend_pdf import PdfPages  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from incidents import model  # noqa: E402
from incidents.i18n import format_day, format_number  # noqa: E402
from incidents.maps import style  # noqa: E402
from incidents.report.content import Ranked, ReportContent  # noqa: E402
from incidents.report.static_map import draw_map  # noqa: E402
from incidents.report.words import words  # noqa: E402

REPORT_FORMATS = ("pdf", "png")
A4_INCHES = (8.27, 11.69)
PNG_DPI = 110
# The resolution of what a PDF page holds as an image (a dense map's symbols).
PDF_RASTER_DPI = 200


def _text(target, x: float, y: float, text: str, **options) -> None:
    target.text(x, y, text, parse_math=False, **options)


def _grouped(number: int, language: str) -> str:
    return format_number(number, language)


def _change(item: Ranked, language: str) -> str:
    if item.previous == 0:
        return words(language)["new"]
    delta = item.count - item.previous
    return f"{delta:+d} ({delta / item.previous:+.0%})"


def _header(fig: Figure, content: ReportContent) -> None:
    w = words(content.language)
    _text(fig, 0.06, 0.965, w["title"], fontsize=17, weight="bold", va="top")
    filters = (w["filters"].format(filters="; ".join(content.filters)) if content.filters
               else w["no_filters"])
    if content.start is not None:
        day = partial(format_day, language=content.language)
        period = w["period"].format(start=day(content.start), end=day(content.end),
                                    previous_start=day(content.previous_start),
                                    previous_end=day(content.previous_end))
    else:
        period = w["no_period"]
    lines = textwrap.wrap(filters, 110) + [period, w["generated"].format(
        today=date.today().isoformat(), count=_grouped(content.total, content.language))]
    _text(fig, 0.06, 0.93, "\n".join(lines), fontsize=8, va="top", linespacing=1.5)


def _weekly_chart(ax, table: pd.DataFrame, title: str, language: str) -> None:
    ax.set_title(title, fontsize=9, loc="left")
    ax.tick_params(labelsize=6.5)
    if table.empty:
        _text(ax, 0.5, 0.5, words(language)["none"], ha="center", va="center",
              transform=ax.transAxes, fontsize=8)
        return
    # Stacked steps, one shape per type: a bar per week and type made a year's chart
    # hundreds of patches (most of the report's drawing time).
    # A step is drawn from its week to the next: the last week needs an end.
    end = table.index[-1] + pd.Timedelta(days=7)
    table = pd.concat([table, table.iloc[[-1]].set_axis([end])])
    ax.stackplot(table.index, table.T.to_numpy(dtype=float), step="post",
                 colors=[style.event_colour(e) for e in table.columns],
                 labels=[model.label(e, language) for e in table.columns])
    ax.margins(x=0.01)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=4))
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=6, frameon=False, ncols=3, loc="upper left")
    for label in ax.get_xticklabels():
        label.set_rotation(0)
    ax.figure.autofmt_xdate(rotation=0, ha="center")


def _page_one(content: ReportContent) -> Figure:
    w = words(content.language)
    fig = plt.figure(figsize=A4_INCHES)
    _header(fig, content)
    map_ax = fig.add_axes((0.06, 0.37, 0.88, 0.50))
    draw_map(map_ax, content.incidents, content.language)
    if content.total == 0:
        _text(map_ax, 0.5, 0.5, w["no_incidents"], transform=map_ax.transAxes, ha="center",
              fontsize=12, bbox={"facecolor": "white", "edgecolor": "#999"})
    _weekly_chart(fig.add_axes((0.08, 0.215, 0.86, 0.12)), content.weekly,
                  w["weekly_incidents"], content.language)
    _weekly_chart(fig.add_axes((0.08, 0.05, 0.86, 0.12)), content.weekly_fatalities,
                  w["weekly_fatalities"], content.language)
    return fig


def _top_list(fig: Figure, x: float, y: float, title: str, items: list[Ranked],
              language: str) -> None:
    w = words(language)
    _text(fig, x, y, title, fontsize=9.5, weight="bold", va="top")
    _text(fig, x, y - 0.022, f"{w['count']} · {w['change']}", fontsize=6.5, color="#555",
          va="top")
    if not items:
        _text(fig, x, y - 0.045, w["none"], fontsize=7.5, va="top")
    for i, item in enumerate(items):
        row = y - 0.045 - i * 0.019
        _text(fig, x, row, textwrap.shorten(item.name, 30, placeholder="…"), fontsize=7.5,
              va="top")
        _text(fig, x + 0.2, row, f"{item.count}", fontsize=7.5, va="top", ha="right")
        _text(fig, x + 0.285, row, _change(item, language), fontsize=6.5, va="top",
              ha="right", color="#444")


def _precision_words(value: float, language: str) -> str:
    w = words(language)
    if value != value:
        return w["precision_unknown"]
    return w.get(f"precision_{int(value)}", w["precision_unknown"])


def _severe(fig: Figure, content: ReportContent, top: float) -> float:
    """The severe-incident table from ``top`` down; returns where it ends."""
    w = words(content.language)
    _text(fig, 0.06, top, w["severe"], fontsize=9.5, weight="bold", va="top")
    columns = [(0.06, "col_date"), (0.15, "col_place"), (0.33, "col_precision"),
               (0.43, "col_fatalities"), (0.49, "col_summary"), (0.80, "col_source")]
    y = top - 0.025
    for x, key in columns:
        _text(fig, x, y, w[key], fontsize=7, weight="bold", va="top")
    y -= 0.018
    if content.severe.empty:
        _text(fig, 0.06, y, w["none"], fontsize=7.5, va="top")
        return y - 0.02
    for row in content.severe.itertuples():
        place = ", ".join(str(v) for v in (row.location, row.admin1, row.country)
                          if isinstance(v, str) and v)
        summary = textwrap.wrap(str(row.notes) if isinstance(row.notes, str) else "", 58)[:4]
        cells = [
            (0.06, [f"{row.event_date:%Y-%m-%d}" if pd.notna(row.event_date) else "–"]),
            (0.15, textwrap.wrap(place, 30)[:3] or ["–"]),
            (0.33, textwrap.wrap(_precision_words(row.geo_precision, content.language), 16)),
            (0.43, [str(int(row.fatalities)) if row.fatalities == row.fatalities else "–"]),
            (0.49, summary or ["–"]),
            (0.80, textwrap.wrap(str(row.source) if isinstance(row.source, str) else "", 28)[:3]
             or ["–"]),
        ]
        height = max(len(lines) for _, lines in cells)
        for x, lines in cells:
            _text(fig, x, y, "\n".join(lines), fontsize=6.3, va="top", linespacing=1.25)
        y -= 0.0105 * height + 0.008
    return y


def _notes(fig: Figure, content: ReportContent, top: float) -> None:
    w = words(content.language)
    total = content.total
    share = f"{content.synthetic / total:.0%}" if total else "–"
    mix = ", ".join(
        f"{_precision_words(float(code) if code != 'unknown' else float('nan'), content.language)}"
        f" {count}" for code, count in content.precision_mix.items() if count
    ) or w["none"]
    lines = [
        w["note_synthetic"].format(count=_grouped(content.synthetic, content.language),
                                   total=_grouped(total, content.language),
                                   share=share),
        w["note_precision"].format(mix=mix),
        w["note_unplaced"].format(count=_grouped(content.unplaced, content.language)),
        w["note_quarantined"].format(count=_grouped(content.quarantined, content.language)),
        w["note_fatalities"],
    ]
    _text(fig, 0.06, top, w["notes"], fontsize=9.5, weight="bold", va="top")
    _text(fig, 0.06, top - 0.022, "\n".join("• " + line for line in lines), fontsize=7.5,
          va="top", linespacing=1.6)


def _page_two(content: ReportContent) -> Figure:
    w = words(content.language)
    fig = plt.figure(figsize=A4_INCHES)
    for x, key, items in ((0.06, "top_places", content.top_places),
                          (0.37, "top_regions", content.top_regions),
                          (0.68, "top_actors", content.top_actors)):
        _top_list(fig, x, 0.96, w[key], items, content.language)
    end = _severe(fig, content, 0.74)
    _notes(fig, content, min(end - 0.02, 0.2))
    return fig


def _pages(content: ReportContent) -> list[Figure]:
    pages = [_page_one(content), _page_two(content)]
    for number, fig in enumerate(pages, start=1):
        _text(fig, 0.94, 0.006, words(content.language)["page"].format(
            page=number, pages=len(pages)), fontsize=6.5, ha="right", va="bottom", color="#555")
    return pages


def report_bytes(content: ReportContent, fmt: str) -> bytes:
    """The report as PDF bytes, or as one PNG with its pages one under the other."""
    if fmt not in REPORT_FORMATS:
        raise ValueError(f"report format must be one of {REPORT_FORMATS}")
    pages = _pages(content)
    buffer = io.BytesIO()
    try:
        if fmt == "pdf":
            metadata = {"Title": words(content.language)["title"], "Creator": "incidents"}
            with PdfPages(buffer, metadata=metadata) as pdf:
                for fig in pages:
                    pdf.savefig(fig, dpi=PDF_RASTER_DPI)
        else:
            _stacked_png(pages, buffer)
    finally:
        for fig in pages:
            plt.close(fig)
    return buffer.getvalue()


def _stacked_png(pages: list[Figure], out: io.BytesIO) -> None:
    from PIL import Image

    images = []
    for fig in pages:
        one = io.BytesIO()
        fig.savefig(one, format="png", dpi=PNG_DPI, facecolor="white")
        images.append(Image.open(io.BytesIO(one.getvalue())).convert("RGB"))
    sheet = Image.new("RGB", (max(i.width for i in images), sum(i.height for i in images)),
                      "white")
    offset = 0
    for image in images:
        sheet.paste(image, (0, offset))
        offset += image.height
    sheet.save(out, format="PNG", optimize=True)


def write_report(content: ReportContent, path: Path) -> Path:
    """Write the report to ``path``; its suffix (.pdf or .png) chooses the format."""
    fmt = path.suffix.lower().lstrip(".")
    data = report_bytes(content, fmt)
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(data)
    partial.replace(path)
    return path
