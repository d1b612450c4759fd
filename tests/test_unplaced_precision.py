"""A row with no place, no region and no coordinates is not stored as exact (precision 1)."""

from __future__ import annotations

from pathlib import Path

from incidents.pipeline import ingest_file
from incidents.store import IncidentStore

NO_PLACE = (
    b"event_date,event_type,country,location,admin1,latitude,longitude,fatalities,geo_precision\n"
    b"2024-05-01,Battles,,,,,,2,1\n"
    b"2024-05-02,Battles,,,,,,3,\n"
)


def test_an_unplaced_row_keeps_no_precision_code(incidents_home: Path) -> None:
    store = IncidentStore(incidents_home / "store.sqlite")
    ingest_file(NO_PLACE, store=store, filename="no_place.csv")
    stored = store.load()
    assert len(stored) == 2
    assert stored["latitude"].isna().all()
    assert stored["geo_precision"].isna().all(), stored["geo_precision"].tolist()
    assert set(stored["status"]) == {"needs_review"}
