"""incidents.text: the named foldings, and generated ids frozen against changes to search."""

from __future__ import annotations

import doctest

import pandas as pd
import pytest

from incidents import model, text
from incidents.store import assign_incident_ids

# Five records without ids of their own; the ids below were computed by the store's
# code before incidents.text existed (commit 394b607) and must never change.
RECORDS = {
    "event_date": ["2024-12-07", "2024-12-07", "2024-01-06", "2023-05-30", "2024-12-07"],
    "event_type": ["Violence against civilians", "Violence against civilians", "Battles",
                   "Explosions/Remote violence", "Violence against civilians"],
    "sub_event_type": ["Attack", "Attack", "Armed clash", "Air/drone strike", "Attack"],
    "actor1": ["Unidentified Armed Group (Mali)", "Unidentified  armed group (MALI)",
               "JNIM: Group for Support of Islam and Muslims",
               "Military Forces of Burkina Faso (2022-)", "Unidentified Armed Group (Mali)"],
    "actor2": ["Civilians (Mali)", "Civilians (Mali)", None, "Civilians (Burkina Faso)",
               "Civilians (Mali)"],
    "location": ["Kimparana", " KIMPARANA ", "Région de Ségou", None, "Kimparana"],
    "latitude": [12.8394, None, None, 13.10125, 12.8394],
    "longitude": [-4.9225, None, None, -1.08421, -4.9225],
    "source": ["Studio Tamani", "studio tamani", "Le Sahel", "AIB; Radio Omega", "Studio Tamani"],
    "country": ["Mali", "Mali", "Mali", "Burkina Faso", "Mali"],
}
PINNED_IDS = ["h75433d958445e2d0", "h75433d958445e2d0-2", "h8c5abddf28ad410f",
              "h242a0dabeae9e39f", "h75433d958445e2d0-3"]
NAMES = ["Région de Ségou", "SEGOU", "Ségou Region", "St-Louis", "N’Djamena", "Kidal",
         "Cercle de San", "Est", "Boucle du Mouhoun", "Tillabéri", "Ouallam", "  Ménaka  ",
         "Mopti/Sévaré", "D'Abidjan", "Centre-Nord", "", "Ngouma (Douentza)"]


def records() -> pd.DataFrame:
    return model.conform(pd.DataFrame(RECORDS))


def test_generated_ids_are_the_ones_pinned_before_the_text_module() -> None:
    assert assign_incident_ids(records()).tolist() == PINNED_IDS


def test_changing_search_folding_changes_no_id(monkeypatch: pytest.MonkeyPatch) -> None:
    def shouting(values: pd.Series) -> pd.Series:
        return values.astype("string").str.upper()

    monkeypatch.setattr(text, "fold_search", shouting)
    monkeypatch.setattr("incidents.filters.fold_text", shouting)
    assert assign_incident_ids(records()).tolist() == PINNED_IDS


def test_each_purpose_folds_a_region_name_its_own_way() -> None:
    name = "Région de Ségou"
    assert text.fold_search_text(name) == "region de segou"
    assert text.fold_name(name) == "region de segou"
    assert text.fold_admin_name(name) == "segou"
    assert text.fold_in_place(name) == "region de segou"
    assert text.fold_for_id(pd.Series([name])).iloc[0] == "region de segou"


def test_in_place_folding_keeps_every_offset() -> None:
    for name in [*NAMES, "l’attaque – 20 morts", "ﬁn", "İstanbul", "Æ"]:
        assert len(text.fold_in_place(name)) == len(name)


def test_the_older_helpers_agree_with_the_text_module() -> None:
    """Until they call incidents.text, the copies elsewhere fold exactly the same way."""
    from incidents.extract.text import fold
    from incidents.filters import fold_text
    from incidents.geocode.normalize import normalise_admin, normalise_name

    for name in NAMES:
        assert normalise_name(name) == text.fold_name(name), name
        assert normalise_admin(name) == text.fold_admin_name(name), name
        assert fold(name) == text.fold_in_place(name), name
    series = pd.Series(NAMES + [None])
    pd.testing.assert_series_equal(fold_text(series), text.fold_search(series))
    pd.testing.assert_series_equal(text.fold_for_id(series), text.fold_search(series))


def test_names_that_are_not_text_fold_to_nothing() -> None:
    assert text.fold_name(None) == "" and text.fold_admin_name(float("nan")) == ""


def test_docstring_examples_run() -> None:
    failures, tried = doctest.testmod(text)
    assert tried > 0 and failures == 0
