"""incidents.extract.text and language: offsets survive folding; language detection."""

from __future__ import annotations

from incidents.extract.language import detect_language
from incidents.extract.text import fold, sentences


def test_fold_keeps_length_and_strips_accents() -> None:
    text = "Ségou’s « FAMa » — Tombouctou Œ"
    folded = fold(text)
    assert len(folded) == len(text)
    assert folded.startswith("segou's")


def test_sentences_keep_offsets_and_paragraphs() -> None:
    text = "Le 7 décembre, attaque à Gao. Deux morts.\n\nM. Traoré a parlé. Fin."
    found = sentences(text)
    assert [text[s.start:s.end] for s in found] == [
        "Le 7 décembre, attaque à Gao.", "Deux morts.", "M. Traoré a parlé.", "Fin."]
    assert [s.paragraph for s in found] == [0, 0, 1, 1]


def test_detect_language() -> None:
    assert detect_language("Des hommes armés ont attaqué le village de Gao et ont tué trois civils.") == "fr"
    assert detect_language("Gunmen attacked the village and killed three civilians in the night.") == "en"
