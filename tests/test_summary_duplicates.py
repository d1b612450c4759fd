"""incidents.summary with duplicates counted once, and incidents.store.review's groups."""

from __future__ import annotations

import numpy as np
import pandas as pd

from incidents import model
from incidents.store import review
from incidents.summary import headline_figures


def incidents(*rows: dict) -> pd.DataFrame:
    base = {"event_type": "Battles", "event_date": "2024-05-01", "country": "Mali",
            "location": "Boni", "geo_precision": 1}
    return model.conform(pd.DataFrame([{**base, **row} for row in rows]))


def three_reports_and_one_other() -> pd.DataFrame:
    """A, B (flagged as A's duplicate) and C (as B's) report one event; D is another."""
    return incidents(
        {"incident_id": "A", "fatalities": 4},
        {"incident_id": "B", "fatalities": 9, "possible_duplicate_of": "A"},
        {"incident_id": "C", "fatalities": 6, "possible_duplicate_of": "B"},
        {"incident_id": "D", "fatalities": 2, "location": "Gao"},
    )


def test_by_default_every_row_counts() -> None:
    figures = headline_figures(three_reports_and_one_other())
    assert (figures.incidents, figures.fatalities) == (4, 21)


def test_a_group_counts_once_with_its_largest_toll() -> None:
    figures = headline_figures(three_reports_and_one_other(), duplicates_once=True)
    assert (figures.incidents, figures.fatalities) == (2, 9 + 2)


def test_only_the_selected_members_of_a_group_count() -> None:
    frame = three_reports_and_one_other()
    rows = np.array([True, False, True, True])  # A and C: still one group through B
    figures = headline_figures(frame, rows, duplicates_once=True)
    assert (figures.incidents, figures.fatalities) == (2, 6 + 2)
    alone = headline_figures(frame, np.array([True, False, False, False]),
                             duplicates_once=True)
    assert (alone.incidents, alone.fatalities) == (1, 4)


def test_groups_list_live_members_newest_group_first() -> None:
    frame = incidents(
        {"incident_id": "A", "event_date": "2024-05-02"},
        {"incident_id": "B", "event_date": "2024-05-01", "possible_duplicate_of": "A"},
        {"incident_id": "E", "event_date": "2024-07-01"},
        {"incident_id": "F", "event_date": "2024-07-01", "possible_duplicate_of": "E"},
        {"incident_id": "G", "possible_duplicate_of": "missing-id"},
        {"incident_id": "M", "merged_into": "E", "possible_duplicate_of": "E"},
    )
    groups = [list(frame["incident_id"].iloc[g]) for g in review.duplicate_groups(frame)]
    assert groups == [["E", "F"], ["A", "B"]]  # the record flagged against first


def test_a_merged_row_folds_into_its_survivor_in_the_groups() -> None:
    frame = incidents({"incident_id": "S"}, {"incident_id": "M", "merged_into": "S"})
    labels = review.group_labels(frame)
    assert labels[0] == labels[1]
    assert headline_figures(frame, duplicates_once=True).incidents == 1


def test_keep_apart_and_merge_plans() -> None:
    survivor = {"incident_id": "S", "source": "Wire A; Radio B", "notes": "Attack.",
                "source_extra": '{"admin1_code": "ML-7"}', "status": "needs_review",
                "status_reason": "possible duplicate of X", "possible_duplicate_of": "X",
                "latitude": None, "longitude": None}
    other = {"incident_id": "X", "source": "radio b;Wire C", "notes": "Attack.",
             "source_url": "https://x.example", "event_id_cnty": "MLI5"}
    changes = review.merge_changes(survivor, [other])
    assert changes["S"]["source"] == "Wire A; Radio B; Wire C"
    assert changes["S"]["notes"] == "Attack."  # the same note is not repeated
    assert changes["S"]["status"] == "needs_review"
    assert changes["S"]["status_reason"] == review.UNPLACED_REASON
    extra = changes["S"]["source_extra"]
    assert '"admin1_code": "ML-7"' in extra and '"event_id_cnty": "MLI5"' in extra
    assert changes["X"] == {"merged_into": "S", "status": "merged",
                            "status_reason": "merged into S", "possible_duplicate_of": "S"}
    kept = review.keep_apart_changes([survivor, {**other, "possible_duplicate_of": "S",
                                                 "status_reason": "geocoded roughly",
                                                 "status": "needs_review"}])
    assert kept["X"] == {"possible_duplicate_of": None}  # another reason stays
    assert kept["S"]["possible_duplicate_of"] is None


def test_an_empty_pointer_is_no_pointer() -> None:
    """A file may give "" for an empty merged_into or possible_duplicate_of."""
    frame = incidents({"incident_id": "A", "merged_into": "", "possible_duplicate_of": " "},
                      {"incident_id": "B", "merged_into": ""})
    assert len(review.without_merged(frame)) == 2
    assert review.duplicate_groups(frame) == []
    assert headline_figures(frame, duplicates_once=True).incidents == 2
