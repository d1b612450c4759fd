import json
import math

import pandas as pd
import pytest

from incidents.maps.escape import escape_text, json_for_script, link, safe_url

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '" onmouseover="alert(1)',
    "' onmouseover='alert(1)",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_escape_text_leaves_no_markup_or_quote(payload):
    escaped = escape_text(payload)
    assert "<" not in escaped and ">" not in escaped
    assert '"' not in escaped and "'" not in escaped


def test_escape_text_keeps_plain_text_and_accents():
    assert escape_text("Ménaka & Gao") == "Ménaka &amp; Gao"
    assert escape_text(12) == "12"


@pytest.mark.parametrize("missing", [None, float("nan"), math.nan, pd.NA, pd.NaT])
def test_missing_values_become_empty(missing):
    assert escape_text(missing) == ""
    assert safe_url(missing) is None


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "//evil.example/x",
        "/relative/path",
        "ftp://example.org/file",
        "https:///nohost",
    ],
)
def test_safe_url_refuses_non_web_urls(url):
    assert safe_url(url) is None


def test_safe_url_escapes_attribute_breakers():
    url = 'https://example.org/a?x=1&y="><script>'
    result = safe_url(url)
    assert result is not None
    assert '"' not in result and "<" not in result
    assert result.startswith("https://example.org/a?x=1&amp;y=")


def test_link_builds_anchor_with_escaped_label():
    html = link("https://example.org/news", "<b>Report</b>")
    assert html.startswith('<a href="https://example.org/news"')
    assert 'rel="noopener noreferrer"' in html
    assert "&lt;b&gt;Report&lt;/b&gt;" in html


def test_link_with_unsafe_url_is_only_text():
    assert link("javascript:alert(1)", "click") == "click"
    assert "<a" not in link("javascript:alert(1)")


def test_json_for_script_cannot_close_the_script_and_keeps_the_value():
    text = json.dumps({"name": "</script><img src=x onerror=alert(1)>&'"})
    safe = json_for_script(text)
    assert "<" not in safe and ">" not in safe and "&" not in safe and "'" not in safe
    assert json.loads(safe) == json.loads(text)
