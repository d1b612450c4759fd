"""The one escaping helper for incident text that reaches HTML.

Incident fields come from uploaded spreadsheets and scraped news: any of them
may carry markup. Popups, tooltips, tables and legends build their HTML from
these helpers only, so there is a single place to audit.
"""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import urlsplit

import pandas as pd

_ALLOWED_SCHEMES = frozenset({"http", "https"})
# Characters browsers silently drop from a URL before reading its scheme; a
# check that ignores them can be fooled by "java\tscript:".
_URL_NOISE = {ord(c): None for c in "\t\n\r\x00"}


def _is_missing(value: Any) -> bool:
    """None, NaN, pd.NA and NaT are all 'no value' for display purposes."""
    if value is None:
        return True
    return bool(pd.api.types.is_scalar(value) and pd.isna(value))


def escape_text(value: Any) -> str:
    """Text made safe for HTML content and quoted attributes; missing values become ''."""
    if _is_missing(value):
        return ""
    return html.escape(str(value), quote=True)


_SCRIPT_UNSAFE = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026",
                  ord("'"): "\\u0027"}


def json_for_script(text: str) -> str:
    """JSON text made safe to embed in a ``<script>`` element, as Jinja's ``tojson`` does
    (no ``</script>`` can close it early); the JSON value is unchanged."""
    return text.translate(_SCRIPT_UNSAFE)


def safe_url(url: Any) -> str | None:
    """An http(s) URL escaped for an href attribute, or None for anything else.

    ``javascript:``, ``data:``, ``vbscript:``, scheme-relative (``//host``) and
    relative URLs are refused: a source link in an incident must point at a
    web page, never run code or reach a host the analyst cannot read.
    """
    if _is_missing(url):
        return None
    text = str(url).strip().translate(_URL_NOISE)
    parts = urlsplit(text)
    if parts.scheme.lower() not in _ALLOWED_SCHEMES or not parts.netloc:
        return None
    return html.escape(text, quote=True)


def link(url: Any, label: Any = None) -> str:
    """An ``<a>`` opening in a new tab, or just the escaped label when the URL is unsafe."""
    href = safe_url(url)
    text = escape_text(label if not _is_missing(label) else url)
    if href is None:
        return text
    return f'<a href="{href}" target="_blank" rel="noopener noreferrer">{text or href}</a>'
