"""Date parsing: the formats analysts write, and the ones that must be refused."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from incidents.io.dates import parse_date, parse_dates


@pytest.mark.parametrize(
    "text",
    [
        "2024-12-07",
        "2024-12-07T10:30:00",
        "2024/12/07",
        "07/12/2024 10:32",
        "07/12/2024",
        "7/12/2024",
        "07-12-2024",
        "07.12.2024",
        "7 décembre 2024",
        "7 decembre 2024",
        "07 December 2024",
        "7 déc. 2024",
        "Dec 7, 2024",
        "December 7 2024",
        "  7 DÉCEMBRE 2024 ",
    ],
)
def test_accepted_forms(text: str) -> None:
    assert parse_date(text) == (date(2024, 12, 7), None)


def test_numeric_dates_are_day_first() -> None:
    assert parse_date("03/04/2024")[0] == date(2024, 4, 3)


def test_premier_and_accented_months() -> None:
    assert parse_date("1er février 2024")[0] == date(2024, 2, 1)
    assert parse_date("15 août 2023")[0] == date(2023, 8, 15)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("31/02/2024", "is not a real date"),
        ("2023-02-29", "is not a real date"),
        ("32 January 2024", "is not a real date"),
        ("7 brumaire 2024", "is not a date I can read"),
        ("12/2024", "is not a date I can read"),
        ("", "event_date is empty"),
    ],
)
def test_refused_forms(text: str, fragment: str) -> None:
    parsed, reason = parse_date(text)
    assert parsed is None and fragment in reason


def test_vectorised_parse_keeps_row_alignment() -> None:
    values = pd.Series(["2024-01-05", "bad", "5 mars 2024", "2024-01-05", "31/04/2024"])
    parsed, reasons = parse_dates(values)
    assert parsed.dtype == "datetime64[ns]"
    assert parsed.tolist()[0] == pd.Timestamp("2024-01-05")
    assert pd.isna(parsed[1]) and parsed[2] == pd.Timestamp("2024-03-05")
    assert parsed[3] == pd.Timestamp("2024-01-05") and pd.isna(parsed[4])
    assert reasons.tolist()[0] == "" and "bad" in reasons[1] and "real date" in reasons[4]


def test_iso_date_with_trailing_garbage_is_not_taken_as_iso() -> None:
    parsed, reasons = parse_dates(pd.Series(["2024-12-07xyz"]))
    assert pd.isna(parsed[0]) and reasons[0]
