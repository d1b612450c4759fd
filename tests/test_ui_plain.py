"""ui.plain: outside text escaped so Markdown shows it literally."""

from __future__ import annotations

from markdown_it import MarkdownIt

from ui.plain import plain

RENDER = MarkdownIt("commonmark").enable("table").render


def test_links_and_images_do_not_render() -> None:
    html = RENDER(plain("![p](http://203.0.113.9/s.png)[login](http://203.0.113.9/phish)"))
    assert "<a" not in html and "<img" not in html
    assert "![p](http://203.0.113.9/s.png)" in html.replace("\u2060", "")


def test_bare_urls_and_html_stay_text() -> None:
    html = RENDER(plain("see http://203.0.113.9/x and <b>bold</b> *em* `code`"))
    assert "<a" not in html and "<b>" not in html and "<em>" not in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html


def test_control_characters_dropped_and_length_cut() -> None:
    assert plain("a\x00b") == "ab"
    assert plain("x" * 50, limit=10) == "x" * 10 + "…"
