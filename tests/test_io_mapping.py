"""Schema mappings: detection from the header, ACLED and UCDP GED translations."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from incidents.io import read_incidents
from incidents.io.mapping import apply_mapping, detect_mapping, load_mapping

FIXTURES = Path(__file__).parent / "fixtures" / "io"


@pytest.fixture(scope="module")
def ucdp():
    return read_incidents(FIXTURES / "ucdp_ged_sample.csv")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (["id", "type_of_violence", "where_prec", "date_start", "best"], "ucdp_ged"),
        (["event_id_cnty", "event_date", "event_type"], "acled"),
        (["incident_id", "event_id_cnty", "event_date", "event_type"], "canonical"),
        (["event_date", "event_type"], "canonical"),
        (["Event_ID_Cnty", " Event Date "], "acled"),
    ],
)
def test_detect_mapping_from_header(header: list[str], expected: str) -> None:
    assert detect_mapping(header).name == expected


def test_ucdp_codes_and_columns(ucdp) -> None:
    records = ucdp.records.set_index("event_id_cnty")
    assert ucdp.counts["mapping"] == "ucdp_ged"
    assert records.index.tolist() == ["UCDP-500001", "UCDP-500002", "UCDP-500003"]
    assert records["event_type"].tolist() == ["Battles", "Violence against civilians", "Battles"]
    assert records["geo_precision"].tolist() == [1, 3, 3]
    assert records["time_precision"].tolist() == [1, 3, 2]
    assert records.loc["UCDP-500001", "event_date"] == pd.Timestamp("2024-12-07")
    first = records.loc["UCDP-500001"]
    assert (first["fatalities"], first["fatalities_low"], first["fatalities_high"]) == (4, 4, 6)
    assert (first["actor1"], first["actor2"]) == ("Government of Mali", "JNIM")
    assert (first["admin1"], first["admin2"], first["location"]) == (
        "Ségou region",
        "San cercle",
        "Kimparana town",
    )


def test_ucdp_coarse_location_is_the_sources_own_statement_not_a_doubt(ucdp) -> None:
    records = ucdp.records.set_index("event_id_cnty")
    assert records.loc["UCDP-500003", "geo_precision"] == 3
    assert records.loc["UCDP-500003", "where_prec"] == "6"
    assert records.loc["UCDP-500003", "status"] == "ok"


def test_ucdp_unmapped_columns_are_kept(ucdp) -> None:
    assert pd.isna(ucdp.records.loc[0, "event_date_end"])  # same day as date_start
    assert "dyad_name" in ucdp.records.columns
    assert "best" not in ucdp.records.columns


def test_ucdp_translated_codes_are_also_kept_as_given(ucdp) -> None:
    records = ucdp.records
    assert records["type_of_violence"].tolist() == ["1", "3", "2"]
    assert records["where_prec"].tolist() == ["1", "4", "6"]
    assert records["date_prec"].tolist() == ["1", "4", "2"]


def test_acled_text_inter_codes_and_long_dates() -> None:
    result = read_incidents(FIXTURES / "acled_sample.csv")
    records = result.records.set_index("event_id_cnty")
    assert result.counts["mapping"] == "acled"
    assert records.loc["MLI9001", "event_date"] == pd.Timestamp("2024-12-07")
    assert records.loc["MLI9002", "event_date"] == pd.Timestamp("2024-12-09")
    assert records["inter1"].tolist() == [1, 3, 2]
    assert records["interaction"].tolist() == [12, 37, 12]
    assert records.loc["BFA9003", "disorder_type"] == "Political violence"


def test_a_canonical_column_already_present_wins_over_a_rename() -> None:
    raw = pd.DataFrame({"best": ["5"], "fatalities": ["4"], "date_start": ["2024-12-07"]})
    mapped = apply_mapping(raw, load_mapping("ucdp_ged"))
    assert mapped.frame["fatalities"].tolist() == ["4"]
    assert mapped.frame["best"].tolist() == ["5"]


def test_unknown_ucdp_violence_type_is_left_for_validation_to_reject() -> None:
    data = (
        "id,type_of_violence,where_prec,date_start,best\n"
        "1,9,1,2024-12-07,0\n"
    ).encode()
    result = read_incidents(data, filename="u.csv")
    assert "event_type '9' is not in the taxonomy" in result.quarantine.loc[0, "reason"]
