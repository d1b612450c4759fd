"""Row rules: what is quarantined (and why), what is flagged, what is filled in."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from incidents.io import read_incidents

FIXTURES = Path(__file__).parent / "fixtures" / "io"


@pytest.fixture(scope="module")
def problems():
    return read_incidents(FIXTURES / "problems.csv")


def _reason(result, event_id: str) -> str:
    rows = result.quarantine.set_index("event_id_cnty")
    return rows.loc[event_id, "reason"]


def _read(csv_text: str):
    return read_incidents(csv_text.encode("utf-8"), filename="rows.csv")


def test_latitude_out_of_range(problems) -> None:
    assert _reason(problems, "T2") == "latitude 95 out of range [-90, 90]"


def test_longitude_out_of_range(problems) -> None:
    assert _reason(problems, "T3") == "longitude 200 out of range [-180, 180]"


def test_impossible_date(problems) -> None:
    assert _reason(problems, "T5") == "event_date '31/02/2024' is not a real date (read day first)"


def test_negative_and_wordy_fatalities(problems) -> None:
    assert _reason(problems, "T6") == "fatalities -1 is negative"
    assert _reason(problems, "T7") == "fatalities 'several' is not a whole number"


def test_unknown_event_type_lists_the_valid_options(problems) -> None:
    reason = _reason(problems, "T8")
    assert "'Skirmish' is not in the taxonomy" in reason
    assert "Violence against civilians" in reason and "Strategic developments" in reason


def test_quarantine_keeps_the_original_text(problems) -> None:
    row = problems.quarantine.set_index("event_id_cnty").loc["T7"]
    assert row["fatalities"] == "several" and row["location"] == "Town G"


def test_swapped_mali_point_is_swapped_back_and_flagged(problems) -> None:
    row = problems.records.set_index("event_id_cnty").loc["T4"]
    assert (row["latitude"], row["longitude"]) == (12.8, -4.9)
    assert row["status"] == "needs_review"
    assert row["status_reason"].startswith("latitude/longitude look swapped")
    assert "-4.9" in row["status_reason"]
    assert problems.counts["needs_review"] == 1


def test_point_inside_its_country_is_left_alone(problems) -> None:
    row = problems.records.set_index("event_id_cnty").loc["T1"]
    assert (row["latitude"], row["longitude"]) == (12.83, -4.92)
    assert row["status"] == "ok" and row["geocode_method"] == "source"


def test_sub_event_type_implies_event_type_and_float_counts_are_whole(problems) -> None:
    row = problems.records.set_index("event_id_cnty").loc["T9"]
    assert row["event_type"] == "Violence against civilians"
    assert row["fatalities"] == 3


def test_case_insensitive_event_type_and_derived_columns(problems) -> None:
    rows = problems.records.set_index("event_id_cnty")
    assert rows.loc["T1", "year"] == 2024
    assert rows.loc["T1", "disorder_type"] == "Political violence"
    assert pd.isna(rows.loc["T10", "geocode_method"])


def test_all_problems_of_a_row_are_reported_together() -> None:
    result = _read("event_date,event_type,latitude,longitude,fatalities\n2024-02-30,Nope,91,0,-2\n")
    reason = result.quarantine.loc[0, "reason"]
    for part in ("not a real date", "latitude 91", "'Nope'", "fatalities -2"):
        assert part in reason


def test_half_a_coordinate_pair_is_quarantined() -> None:
    result = _read("event_date,event_type,latitude,longitude\n2024-12-07,Battles,12.5,\n")
    assert result.quarantine.loc[0, "reason"] == "latitude given without longitude"


def test_non_numeric_coordinate_is_quarantined() -> None:
    result = _read("event_date,event_type,latitude,longitude\n2024-12-07,Battles,north,3\n")
    assert result.quarantine.loc[0, "reason"] == "latitude 'north' is not a number"


def test_empty_event_type_without_sub_event_type() -> None:
    result = _read("event_date,event_type,sub_event_type\n2024-12-07,,\n")
    assert result.quarantine.loc[0, "reason"] == "event_type is empty"


def test_conflicting_sub_event_type_is_flagged_not_rejected() -> None:
    result = _read("event_date,event_type,sub_event_type\n2024-12-07,Battles,Attack\n")
    record = result.records.iloc[0]
    assert record["status"] == "needs_review"
    assert "belongs to 'Violence against civilians', not 'Battles'" in record["status_reason"]


def test_interaction_is_derived_from_inter_codes() -> None:
    result = _read(
        "event_date,event_type,inter1,inter2\n2024-12-07,Battles,2,1\n2024-12-07,Protests,6,\n"
    )
    assert result.records["interaction"].tolist() == [12, 60]


def test_precision_codes_outside_one_to_three_are_rejected() -> None:
    result = _read("event_date,event_type,geo_precision\n2024-12-07,Battles,4\n")
    assert result.quarantine.loc[0, "reason"] == "geo_precision 4 is not 1, 2 or 3"


def test_existing_status_and_reason_survive_and_are_extended() -> None:
    text = (
        "event_date,event_type,sub_event_type,status,status_reason\n"
        "2024-12-07,Battles,,rejected,analyst said so\n"
        "2024-12-07,Battles,Attack,ok,checked once\n"
    )
    records = _read(text).records
    assert records.loc[0, "status"] == "rejected"
    assert records.loc[1, "status"] == "needs_review"
    assert records.loc[1, "status_reason"].startswith("checked once; sub_event_type")


def test_extra_columns_are_kept_after_the_canonical_ones() -> None:
    result = _read("event_date,event_type,my_note\n2024-12-07,Riots,keep me\n")
    assert result.records.columns[-1] == "my_note"
    assert result.records.loc[0, "my_note"] == "keep me"
