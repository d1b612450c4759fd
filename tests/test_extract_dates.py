"""incidents.extract.dates: absolute and relative dates, precision, and missing years."""

from __future__ import annotations

from datetime import date

import pytest

from incidents.extract.dates import find_dates
from incidents.extract.text import fold

PUBLISHED = date(2024, 12, 8)  # a Sunday


def first(text: str, published: date | None = PUBLISHED):
    folded = fold(text)
    found = find_dates(folded, 0, len(folded), published)
    assert found, text
    return found[0]


@pytest.mark.parametrize(
    ("text", "expected", "precision"),
    [
        ("Le 7 décembre, des hommes armés", date(2024, 12, 7), 1),
        ("le 1er décembre 2023", date(2023, 12, 1), 1),
        ("on 7 December 2024", date(2024, 12, 7), 1),
        ("on December 7, 2024", date(2024, 12, 7), 1),
        ("dans la nuit du 9 au 10 septembre", date(2024, 9, 9), 1),
        ("hier mardi", date(2024, 12, 7), 1),
        ("avant-hier", date(2024, 12, 6), 1),
        ("yesterday", date(2024, 12, 7), 1),
        ("lundi dernier", date(2024, 12, 2), 1),
        ("on Saturday", date(2024, 12, 7), 1),
        ("last week", date(2024, 11, 28), 2),
        ("le week-end dernier", date(2024, 12, 7), 2),
        ("le mois dernier", date(2024, 11, 15), 3),
        ("en novembre", date(2024, 11, 15), 3),
    ],
)
def test_resolves_with_acled_precision(text: str, expected: date, precision: int) -> None:
    mention = first(text)
    assert mention.value == expected
    assert int(mention.precision) == precision


def test_day_after_publication_belongs_to_the_previous_year() -> None:
    assert first("le 28 décembre", date(2025, 1, 3)).value == date(2024, 12, 28)


def test_no_year_and_no_publication_date_is_reported_not_guessed() -> None:
    mention = first("Le 7 décembre", None)
    assert mention.value is None
    assert mention.partial == "--12-07"
    assert "year" in mention.problem


def test_relative_date_without_publication_date_is_reported() -> None:
    mention = first("hier", None)
    assert mention.value is None and mention.problem


def test_weekday_contradicting_yesterday_lowers_confidence() -> None:
    assert first("hier samedi").confidence > first("hier mardi").confidence


def test_bare_years_and_durations_are_not_dates() -> None:
    folded = fold("depuis 2012 et pendant plusieurs années")
    assert find_dates(folded, 0, len(folded), PUBLISHED) == []


def test_spans_cover_the_expression() -> None:
    text = "Des tirs ont éclaté le 3 mars à Gao."
    mention = first(text)
    assert text[mention.start : mention.end] == "le 3 mars"
