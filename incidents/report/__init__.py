"""The one-click situation report: a PDF (or PNG) of exactly the filtered incidents.

    content = report_content(frame, spec, language="fr", quarantined=12)
    write_report(content, Path("brief.pdf"))          # or .png
    data = report_bytes(content, "pdf")               # for a download button

``content`` holds the figures (``incidents.report.content``); the pages are drawn
with matplotlib alone (``incidents.report.render``, ``incidents.report.static_map``),
so nothing is fetched and the fonts are matplotlib's bundled DejaVu. Also
``python -m incidents report --filter 'countries=Mali&preset=last_90' -o brief.pdf``.
"""

from incidents.report.content import ReportContent, report_content
from incidents.report.render import REPORT_FORMATS, report_bytes, write_report

__all__ = ["REPORT_FORMATS", "ReportContent", "report_bytes", "report_content", "write_report"]
