"""The "Add from article" page (AppTest) and the evidence highlighter it uses."""

from __future__ import annotations

from pathlib import Path

import pytest

from incidents.extract.candidate import Evidence
from incidents.extract.highlight import highlight_html

APP = Path(__file__).resolve().parent / "apps" / "add_article_app.py"
ARTICLE = (
    "Le 7 décembre, des hommes armés à moto ont attaqué la localité de Kimparana, région de Ségou. "
    "L'armée malienne a riposté et plusieurs assaillants ont été neutralisés."
)


def test_highlight_escapes_article_markup_before_marking() -> None:
    text = "<script>alert(1)</script> attack at Kimparana & more"
    start = text.index("Kimparana")
    html = highlight_html(text, {"location": Evidence("Kimparana", [(start, start + 9)], 0.9)})
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert '<mark data-fields="location" title="location">Kimparana</mark>' in html
    assert "&amp; more" in html


def test_highlight_merges_overlapping_fields() -> None:
    html = highlight_html("abcdef", {"a": Evidence(1, [(0, 4)]), "b": Evidence(2, [(2, 6)])})
    assert '<mark data-fields="a, b" title="a, b">cd</mark>' in html
    assert html.count("<mark") == 3


@pytest.fixture
def app(incidents_home: Path, monkeypatch: pytest.MonkeyPatch):
    from streamlit.testing.v1 import AppTest

    store = incidents_home / "store.sqlite"
    monkeypatch.setenv("ADD_ARTICLE_STORE", str(store))
    return AppTest.from_file(str(APP), default_timeout=120), store


def test_paste_extract_edit_and_save_as_reviewed(app) -> None:
    at, store = app
    at.run()
    at.text_area(key="article_text").input(ARTICLE)
    at.date_input(key="article_published").set_value(__import__("datetime").date(2024, 12, 8))
    at.text_input(key="article_url").input("https://example.org/kimparana")
    at.button(key="extract_button").click()
    at.run()
    assert not at.exception
    marked = [m.value for m in at.markdown if "<mark" in m.value]
    assert marked and "Kimparana</mark>" in marked[0]
    assert at.text_input(key="date_0").value == "2024-12-07"
    evidence = at.dataframe[0].value
    assert "location" in set(evidence["field"])
    at.text_input(key="actor2_0").input("Military Forces of Mali (2021-)")
    at.number_input(key="fatal_0").set_value(4)
    at.button(key="FormSubmitter:candidate_form_0-Save as reviewed").click()
    at.run()
    assert not at.exception
    assert at.success

    from incidents.store import IncidentStore

    saved = IncidentStore(store).load()
    assert len(saved) == 1
    row = saved.iloc[0]
    assert row["status"] == "ok" and row["status_reason"] == "reviewed"
    assert row["fatalities"] == 4
    assert row["source_text"] == ARTICLE
    assert row["source_url"] == "https://example.org/kimparana"
    assert row["language"] == "fr"
