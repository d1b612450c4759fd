"""incidents.pipeline: read → geocode → store, with a stand-in geocoder."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from geopy.location import Location

from incidents.errors import IngestError
from incidents.pipeline import ingest_file, load_samples
from incidents.store import Store, open_store

CSV = """event_id_cnty,event_date,event_type,sub_event_type,country,admin1,location,latitude,longitude,geo_precision,fatalities
T1,2024-03-01,Battles,Armed clash,Mali,Gao,Gao,16.27,-0.04,1,2
T2,2024-03-05,Battles,Armed clash,Mali,Gao,Ansongo,,,,1
T3,2024-03-06,Protests,Peaceful protest,Mali,Mopti,,,,,0
T4,2024-03-07,Riots,Mob violence,Mali,,Atlantis,,,,0
T5,not a date,Battles,Armed clash,Mali,Gao,Gao,16.27,-0.04,1,0
"""


class FakeGeocoder:
    """Knows two places: Ansongo (a town) and the Mopti region (a fallback centre)."""

    def __init__(self) -> None:
        self.queries: list[tuple] = []

    def geocode(self, query, *, exactly_one=True, timeout=None, country=None, admin1=None,
                admin2=None):
        self.queries.append((query, country, admin1, admin2))
        if query == "Ansongo":
            return self._place("Ansongo", 15.66, 0.50, 1, "exact")
        if not query and admin1 == "Mopti":
            return self._place("Mopti", 14.5, -4.0, 3, "fallback")
        return None

    @staticmethod
    def _place(name, lat, lon, precision, method):
        raw = {"name": name, "latitude": lat, "longitude": lon, "country": "Mali",
               "country_code": "ML", "admin1": None, "admin2": None, "precision": precision,
               "method": method, "score": 100.0, "gazetteer_id": None, "ambiguous": False}
        return Location(name, (lat, lon), raw)


@pytest.fixture
def csv_file(tmp_path: Path) -> Path:
    path = tmp_path / "incidents.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return open_store(tmp_path / "store.sqlite")


def test_ingest_reads_geocodes_and_stores(csv_file, store) -> None:
    geocoder = FakeGeocoder()
    summary = ingest_file(csv_file, store=store, geocoder=geocoder)
    assert summary["source"] == "incidents.csv"
    assert (summary["rows"], summary["accepted"], summary["quarantined"]) == (5, 4, 1)
    assert summary["needed_geocoding"] == 3
    assert summary["geocoded"] == 2
    assert summary["geocoded_by_precision"] == {"1": 1, "3": 1}
    assert summary["not_geocoded"] == 1
    assert summary["import_id"] == store.imports()["id"].iloc[0]
    gdf = store.load().set_index("incident_id")
    assert gdf.loc["T2", "geometry"].x == pytest.approx(0.50)
    assert gdf.loc["T4", "geometry"] is None
    assert gdf.loc["T4", "status"] == "needs_review"
    assert store.load_quarantine()["row_number"].tolist() == [5]
    assert all(q[0] != "Gao" for q in geocoder.queries), "placed rows are not geocoded again"


def test_no_geocode_stores_rows_unplaced_without_calling_a_geocoder(csv_file, store) -> None:
    geocoder = FakeGeocoder()
    summary = ingest_file(csv_file, store=store, geocode=False, geocoder=geocoder)
    assert geocoder.queries == []
    assert summary["geocoding"] == "skipped"
    assert (summary["geocoded"], summary["not_geocoded"]) == (0, 3)
    assert store.load()["geometry"].isna().sum() == 3


def test_progress_is_reported(csv_file, store) -> None:
    calls: list[tuple[int, int]] = []
    ingest_file(csv_file, store=store, geocoder=FakeGeocoder(), progress=lambda d, t: calls.append((d, t)))
    assert calls and calls[-1][0] == calls[-1][1]


def test_uploaded_bytes_with_a_filename(store) -> None:
    summary = ingest_file(CSV.encode("utf-8"), filename="upload.csv", store=store, geocode=False)
    assert summary["source"] == "upload.csv" and summary["accepted"] == 4


def test_reingesting_the_same_file_changes_nothing(csv_file, store) -> None:
    ingest_file(csv_file, store=store, geocoder=FakeGeocoder())
    again = ingest_file(csv_file, store=store, geocoder=FakeGeocoder())
    assert (again["inserted"], again["updated"], again["unchanged"]) == (0, 0, 4)
    assert store.count() == 4


def test_an_unusable_file_raises_and_stores_nothing(tmp_path, store) -> None:
    path = tmp_path / "notes.csv"
    path.write_text("who,what\nme,something\n", encoding="utf-8")
    with pytest.raises(IngestError):
        ingest_file(path, store=store, geocode=False)
    assert store.count() == 0 and store.imports().empty


@pytest.mark.slow
def test_bundled_samples_load_with_the_offline_gazetteer(incidents_home, tmp_path) -> None:
    store = open_store(tmp_path / "samples.sqlite")
    seed, sahel, bad = load_samples(store)
    assert (seed["accepted"], bad["accepted"], bad["quarantined"]) == (1, 0, 10)
    assert sahel["accepted"] == 48 and sahel["needed_geocoding"] == 13
    # SAMPLE005/006: one source, two ids, so two events (not possible duplicates).
    assert sahel["not_geocoded"] == 1 and sahel["possible_duplicates"] == 0
    gdf = store.load().set_index("incident_id")
    kimparana = gdf.loc["seed-kimparana-2024-12-07"]
    assert (kimparana.geometry.y, kimparana.geometry.x) == (12.84217, -4.9245)
    assert gdf.loc["SAMPLE019", "geometry"] is None
    assert pd.isna(gdf.loc["SAMPLE006", "possible_duplicate_of"])
    assert gdf["synthetic"].sum() == 48


def test_ingest_takes_regions_from_polygons_and_flags_disagreement(tmp_path, store) -> None:
    # Kimparana's point lies in Ségou; one record says Sikasso, the other San, a
    # successor of Ségou that the crosswalk knows, so only the first is flagged.
    # An ACLED export is authoritative: its own admin1 stays, the polygon's is recorded.
    path = tmp_path / "regions.csv"
    path.write_text(
        "event_id_cnty,event_date,event_type,country,admin1,location,latitude,longitude\n"
        "R1,2024-12-07,Battles,Mali,Sikasso,Kimparana,12.84217,-4.9245\n"
        "R2,2024-12-20,Battles,Mali,San,Kimparana,12.84217,-4.9245\n",
        encoding="utf-8",
    )
    summary = ingest_file(path, store=store, geocode=False)
    assert summary["region_disagreements"] == 1
    stored = store.load().set_index("event_id_cnty")
    assert stored.loc["R1", "admin1"] == "Sikasso"
    assert stored.loc["R1", "admin1_polygon"] == "Ségou"
    assert stored.loc["R1", "status"] == "needs_review"
    assert stored.loc["R2", "admin1"] == "San"
    assert stored.loc["R2", "admin1_polygon"] == "Ségou"
    assert stored.loc["R2", "status"] != "needs_review"


def test_ingest_can_leave_regions_as_reported(tmp_path, store) -> None:
    path = tmp_path / "regions.csv"
    path.write_text(
        "event_id_cnty,event_date,event_type,country,admin1,location,latitude,longitude\n"
        "R1,2024-12-07,Battles,Mali,Sikasso,Kimparana,12.84217,-4.9245\n",
        encoding="utf-8",
    )
    summary = ingest_file(path, store=store, geocode=False, assign_regions=False)
    assert summary["region_disagreements"] == 0
    assert store.load()["admin1"].iloc[0] == "Sikasso"
