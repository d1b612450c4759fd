"""incidents.extract.numbers and fatalities: counts, vague words, dead vs wounded vs neutralised."""

from __future__ import annotations

import pytest

from incidents.extract.fatalities import find_casualties
from incidents.extract.numbers import word_value
from incidents.extract.text import fold


def casualties(text: str):
    folded = fold(text)
    return find_casualties(folded, 0, len(folded))


@pytest.mark.parametrize(
    ("text", "coded", "low", "high"),
    [
        ("Douze soldats ont été tués.", 12, 12, 12),
        ("Twelve soldiers were killed.", 12, 12, 12),
        ("L'attaque a fait 23 morts.", 23, 23, 23),
        ("Gunmen killed between 10 and 15 civilians.", 10, 10, 15),
        ("entre 15 et 20 civils ont été tués", 15, 15, 20),
        ("killing at least seven soldiers", 7, 7, None),
        ("Une dizaine de villageois ont été tués.", 10, 10, None),
        ("dozens of people were killed", 12, 12, None),
        ("hundreds were killed", 100, 100, None),
        ("plusieurs attaquants ont été neutralisés", 3, 2, None),
        ("several civilians died", 3, 2, None),
        ("vingt-cinq personnes ont été tuées", 25, 25, 25),
    ],
)
def test_coded_fatalities(text: str, coded: int, low: int, high: int | None) -> None:
    assert casualties(text).fatalities() == (coded, low, high)


def test_wounded_are_not_dead() -> None:
    found = casualties("L'explosion a fait 3 morts et 12 blessés.")
    assert found.fatalities()[0] == 3
    assert found.wounded() == 12


def test_active_verb_takes_the_following_count_not_an_article() -> None:
    found = casualties("Un engin a frappé un convoi près de Douentza, tuant trois soldats et en blessant cinq autres.")
    assert found.fatalities()[0] == 3
    assert found.wounded() == 5


def test_neutralised_attackers_count_but_are_kept_apart() -> None:
    found = casualties("Quatre soldats ont été tués et onze terroristes neutralisés.")
    assert found.fatalities()[0] == 15
    assert [m.kind for m in found.mentions] == ["dead", "neutralised"]


def test_no_casualties_codes_zero() -> None:
    assert casualties("Des greniers ont été incendiés, sans faire de victimes.").fatalities() == (0, 0, 0)
    assert casualties("No casualties were reported.").fatalities() == (0, 0, 0)


def test_nothing_reported_is_unknown_not_zero() -> None:
    assert casualties("Des hommes armés ont attaqué le village.").fatalities() == (None, None, None)


def test_dates_and_years_are_not_counts() -> None:
    assert casualties("Le 7 décembre 2024 tués : 4 soldats.").fatalities()[0] == 4
    assert casualties("Le 7 décembre 2024, une attaque a tué des soldats.").fatalities()[0] != 7


def test_deaths_without_a_figure_are_coded_like_several() -> None:
    assert casualties("Des civils ont été exécutés par des hommes armés.").fatalities() == (3, 2, None)
    assert casualties("Civilians were killed in the raid.").fatalities() == (3, 2, None)


def test_stated_total_is_not_added_to_its_parts() -> None:
    found = casualties("Deux soldats et trois civils ont été tués, soit un bilan de 5 morts.")
    assert found.fatalities()[0] == 5


@pytest.mark.parametrize(("word", "value"), [("quatre-vingt-dix", 90), ("vingt et un", 21), ("17", 17),
                                             ("soixante-dix", 70), ("forty", 40)])
def test_number_words(word: str, value: int) -> None:
    assert word_value(word) == value
