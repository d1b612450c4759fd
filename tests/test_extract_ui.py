"""The "Add from article" page (AppTest) and the evidence highlighter it uses."""

from __future__ import annotations

from pathlib import Path

import pytest

from incidents.extract.candidate import Evidence
from incidents.extract.highlight import highlight_html
from incidents.users import local_user

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


def first_key(at) -> str:
    """The widget-key suffix of the first candidate of the article on the page."""
    from ui.add_article import ARTICLE_KEY, candidate_id

    return candidate_id(at.session_state[ARTICLE_KEY], 0)


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
    assert at.text_input(key=f"date_{first_key(at)}").value == "2024-12-07"
    evidence = at.dataframe[0].value
    assert "Location" in set(evidence["Field"])
    at.text_input(key=f"actor2_{first_key(at)}").input("Military Forces of Mali (2021-)")
    at.number_input(key=f"fatal_{first_key(at)}").set_value(4)
    at.button(key=f"save_{first_key(at)}").click()
    at.run()
    assert not at.exception
    assert at.success

    from incidents.store import open_store

    saved = open_store(store).load()
    assert len(saved) == 1
    row = saved.iloc[0]
    assert row["status"] == "ok" and row["status_reason"] == "reviewed"
    assert row["fatalities"] == 4
    assert row["source_text"] == ARTICLE
    assert row["source_url"] == "https://example.org/kimparana"
    assert row["language"] == "fr"


def test_the_page_follows_the_sidebar_language_in_french(app) -> None:
    at, store = app
    at.session_state["lang"] = "fr"
    at.run()
    assert [h.value for h in at.header] == ["Ajouter depuis un article"]
    assert at.text_area(key="article_text").label == "Texte de l'article (français ou anglais)"
    assert at.checkbox(key="article_date_known").label == "Date de publication connue"
    assert at.button(key="extract_button").label == "Extraire les incidents"
    at.button(key="extract_button").click()
    at.run()
    assert [w.value for w in at.warning] == ["Collez d'abord le texte de l'article."]

    at.text_area(key="article_text").input(ARTICLE)
    at.checkbox(key="article_date_known").uncheck()
    at.button(key="extract_button").click()
    at.run()
    assert not at.exception
    assert at.subheader[0].value.startswith("Candidat 1 : ")
    assert at.subheader[0].value.endswith(", date inconnue")
    assert at.selectbox(key=f"type_{first_key(at)}").label == "Type d'événement"
    assert at.selectbox(key=f"type_{first_key(at)}").format_func(at.selectbox(key=f"type_{first_key(at)}").value) != \
        at.selectbox(key=f"type_{first_key(at)}").value
    assert at.text_input(key=f"location_{first_key(at)}").label == "Lieu"
    assert at.number_input(key=f"fatal_{first_key(at)}").label == "Morts"
    assert list(at.dataframe[0].value.columns) == ["Champ", "Valeur", "Mots de l'article", "Confiance"]
    assert all(w.value[0].isupper() and "could" not in w.value for w in at.warning)
    assert at.button(key=f"save_{first_key(at)}").label == "Enregistrer comme vérifié"
    at.button(key=f"save_{first_key(at)}").click()
    at.run()
    assert not at.exception
    assert at.success[0].value.startswith("Enregistré dans la base. Nouveaux : 1")


def test_extractor_notes_are_translated_and_unknown_ones_kept() -> None:
    from ui.add_article import problem_text

    assert problem_text("place located only at precision 2 (containing unit)", "fr") == \
        "Lieu localisé seulement en précision 2 (l'unité qui le contient)."
    assert problem_text("fatalities coded from a vague quantity (plusieurs)", "fr") == \
        "Morts codés à partir d'une quantité vague (plusieurs)."
    assert problem_text("no actor recognised", "en") == "No actor recognised."
    assert problem_text("something new", "fr") == "something new"


SECOND_ARTICLE = (
    "Le 6 décembre, des hommes armés ont attaqué le village de Djibo, province du Soum. "
    "Trois civils ont été tués."
)


def _extract(at, text: str) -> None:
    import datetime

    at.text_area(key="article_text").input(text)
    at.date_input(key="article_published").set_value(datetime.date(2024, 12, 8))
    at.button(key="extract_button").click()
    at.run()
    assert not at.exception


def test_a_second_article_never_overwrites_the_first(app) -> None:
    """Forms belong to their article; a second save of one candidate is an edit with history."""
    from incidents.store import IncidentStore

    at, store = app
    at.run()
    _extract(at, ARTICLE)
    first = first_key(at)
    at.button(key=f"save_{first}").click()
    at.run()
    saved_first = IncidentStore(store).load().set_index("incident_id")
    assert list(saved_first.index) == [first]

    _extract(at, SECOND_ARTICLE)
    second = first_key(at)
    assert second != first
    assert at.text_input(key=f"date_{second}").value == "2024-12-06"
    assert at.text_input(key=f"location_{second}").value.startswith("Djibo")
    at.button(key=f"save_{second}").click()
    at.run()
    after = IncidentStore(store).load().set_index("incident_id")
    assert sorted(after.index) == sorted([first, second])
    assert after.loc[first, "source_text"] == ARTICLE
    assert after.loc[first].drop(["updated_at"], errors="ignore").equals(
        saved_first.loc[first].drop(["updated_at"], errors="ignore"))
    assert after.loc[second, "source_text"] == SECOND_ARTICLE

    at.number_input(key=f"fatal_{second}").set_value(5)
    at.button(key=f"save_{second}").click()
    at.run()
    assert not at.exception
    edited = IncidentStore(store).load().set_index("incident_id")
    assert edited.loc[second, "fatalities"] == 5
    history = IncidentStore(store).history(second)
    assert list(history["field"]) == ["fatalities"]
    # No users configured: the edit is recorded under this machine's login, not a typed name.
    assert set(history["user"]) == {local_user().name}
    assert IncidentStore(store).history(first).empty
