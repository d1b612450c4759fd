"""incidents.store.duplicates: blocking with a cap, one source's own ids, a score across sources."""

from __future__ import annotations

import pandas as pd
import pytest

from incidents import model
from incidents.store import duplicates
from incidents.store.duplicates import find_possible_duplicates, id_family


def frame(*rows: dict) -> pd.DataFrame:
    base = {"event_type": "Battles", "sub_event_type": "Armed clash", "country": "Mali",
            "admin1": "Menaka", "location": "Menaka", "latitude": 15.9182, "longitude": 2.4022,
            "actor1": "Military Forces of Mali", "actor2": "Islamic State Sahel Province",
            "event_date": "2024-03-01"}
    records = model.conform(pd.DataFrame([{**base, **row} for row in rows]))
    records["incident_id"] = [
        row.get("incident_id") or row.get("event_id_cnty") or f"h{i:016x}"
        for i, row in enumerate(rows)
    ]
    return records


def flags(incoming: pd.DataFrame, existing: pd.DataFrame | None = None) -> list:
    existing = existing if existing is not None else model.empty_frame()
    found = find_possible_duplicates(incoming, existing)
    return [None if pd.isna(v) else v for v in found]


def test_one_source_with_distinct_ids_is_never_a_duplicate() -> None:
    # Two attacks on one village on consecutive days, as one ACLED export lists them.
    rows = frame({"event_id_cnty": "MLI100"}, {"event_id_cnty": "MLI101", "event_date": "2024-03-02"})
    assert flags(rows) == [None, None]


def test_the_same_source_id_twice_is_a_duplicate() -> None:
    rows = frame({"event_id_cnty": "MLI100", "incident_id": "MLI100"},
                 {"event_id_cnty": "MLI100", "incident_id": "MLI100-2"})
    assert flags(rows) == [None, "MLI100"]


def test_across_sources_a_close_report_is_flagged() -> None:
    stored = frame({"event_id_cnty": "MLI100", "fatalities": 9,
                    "notes": "Clash between the army and ISSP near Menaka"})
    incoming = frame({"incident_id": "42", "event_id_cnty": "42", "event_date": "2024-03-02",
                      "latitude": 15.92, "longitude": 2.40, "fatalities": 10,
                      "notes": "clash between army and ISSP near Menaka"})
    assert flags(incoming, stored) == ["MLI100"]


def test_across_sources_a_different_event_at_the_same_place_is_not() -> None:
    stored = frame({"event_id_cnty": "MLI100", "fatalities": 40,
                    "notes": "Clash between the army and ISSP near Menaka"})
    incoming = frame({"incident_id": "42", "event_id_cnty": "42", "event_date": "2024-03-02",
                      "sub_event_type": "Government regains territory",
                      "latitude": 15.99, "longitude": 2.45, "fatalities": 0,
                      "actor1": "Wagner Group", "actor2": "JNIM",
                      "notes": "Troops took back a checkpoint after a night of fighting"})
    assert flags(incoming, stored) == [None]


def test_rows_without_ids_in_one_file_are_compared() -> None:
    rows = frame({}, {"event_date": "2024-02-29"})
    assert flags(rows) == [None, rows["incident_id"].iloc[0]]


def test_a_stored_record_is_preferred_to_an_earlier_row_of_the_import() -> None:
    stored = frame({"incident_id": "old", "event_id_cnty": pd.NA})
    incoming = frame({}, {})
    assert flags(incoming, stored) == ["old", "old"]


def test_a_huge_block_is_capped_and_chunked(monkeypatch) -> None:
    """Identical rows: each is compared with at most BLOCK_CAP earlier ones, a chunk at a
    time, and still flagged as a duplicate of the first."""
    monkeypatch.setattr(duplicates, "CHUNK_ROWS", 50)
    rows = frame(*({} for _ in range(400)))
    rows["incident_id"] = [f"h{i:016x}" for i in range(400)]
    seen: list[int] = []
    judge = duplicates._judge

    def counting(pairs, columns):
        seen.append(len(pairs))
        return judge(pairs, columns)

    monkeypatch.setattr(duplicates, "_judge", counting)
    found = flags(rows)
    assert found[0] is None and set(found[1:]) == {rows["incident_id"].iloc[0]}
    assert max(seen) <= 50 * duplicates.BLOCK_CAP


@pytest.mark.parametrize(("source_id", "family"), [
    ("MLI1234", "acled"), ("BFA9", "acled"), ("123456", "numeric"), ("seed-kimparana", "id:seed"),
    ("h0123456789abcdef", None), ("h0123456789abcdef-2", None), (None, None), ("", None),
])
def test_id_families(source_id, family) -> None:
    assert id_family(source_id) == family


def test_id_families_of_a_column_equal_one_at_a_time() -> None:
    ids = ["MLI1234", "BFA9", "123456", "h0123456789abcdef", "h0123456789abcdef-2",
           "ucdp_12", "SYN-4", "x", "Mli12"]
    found = duplicates.id_families(pd.Series(ids, dtype="string")).tolist()
    assert [None if pd.isna(f) else f for f in found] == [id_family(i) for i in ids]


def test_a_file_of_distinct_ids_of_one_family_skips_the_blocks(monkeypatch) -> None:
    monkeypatch.setattr(duplicates, "_place_keys", lambda *_: pytest.fail("blocks were built"))
    rows = frame(*({"event_id_cnty": f"MLI{n}"} for n in range(50)))
    assert flags(rows) == [None] * 50


def test_a_repeated_id_or_another_family_still_gets_compared() -> None:
    assert flags(frame({"event_id_cnty": "MLI1"}, {"event_id_cnty": "7",
                                                   "incident_id": "x"}))[1] == "MLI1"
