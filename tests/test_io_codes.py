"""Lookups from source spellings to canonical codes."""

from __future__ import annotations

import pandas as pd
import pytest

from incidents.io import codes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("battles", "Battles"),
        ("  VIOLENCE AGAINST CIVILIANS ", "Violence against civilians"),
        ("Émeutes", "Riots"),
        ("emeutes", "Riots"),
        ("Skirmish", None),
    ],
)
def test_event_type_name(text: str, expected: str | None) -> None:
    assert codes.event_type_name(text) == expected


def test_sub_event_type_in_french() -> None:
    assert codes.sub_event_type_name("Enlèvement/disparition forcée") == (
        "Abduction/forced disappearance"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [("State forces", 1), ("Rebel group", 2), ("Political militia", 3), ("Civilians", 7),
     ("External/Other forces", 8), ("4", 4), ("Milices identitaires", 4), ("Aliens", None)],
)
def test_actor_type_code(text: str, expected: int | None) -> None:
    assert codes.actor_type_code(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("State forces-Rebel group", 12), ("Civilians-Political militia", 37),
     ("Protesters only", 60), ("17", 17), ("State forces-Aliens", None), ("a-b-c", None)],
)
def test_interaction_from_text(text: str, expected: int | None) -> None:
    assert codes.interaction_from_text(text) == expected


def test_map_unique_aligns_results_and_found_mask() -> None:
    values = pd.Series(["battles", "x", "battles", None])
    result, found = codes.map_unique(values, lambda v: codes.event_type_name(v))
    assert result.tolist() == ["Battles", None, "Battles", None]
    assert found.tolist() == [True, False, True, False]
