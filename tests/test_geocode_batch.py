"""geocode_frame: filling location columns of a records frame."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from geopy.exc import GeocoderTimedOut
from geopy.geocoders.base import Geocoder

from incidents.geocode.batch import geocode_frame
from incidents.geocode.build import write_index_from_csv
from incidents.geocode.gazetteer_geocoder import GazetteerGeocoder
from incidents.model import conform

FIXTURES = Path(__file__).parent / "fixtures" / "geocode"


@pytest.fixture
def geocoder(tmp_path):
    write_index_from_csv(tmp_path, FIXTURES)
    return GazetteerGeocoder(directory=tmp_path)


class CountingGeocoder(Geocoder):
    def __init__(self, inner):
        super().__init__()
        self.inner = inner
        self.calls = 0

    def geocode(self, query, **kwargs):
        self.calls += 1
        return self.inner.geocode(query, **kwargs)


def _records(rows):
    base = {"event_date": "2024-12-07", "event_type": "Battles"}
    return conform(pd.DataFrame([{**base, **row} for row in rows]))


def test_fills_location_columns(geocoder):
    out = geocode_frame(_records([{"location": "Kimparana", "country": "Mali", "admin1": "Ségou"}]), geocoder)
    row = out.iloc[0]
    assert (row["latitude"], row["longitude"]) == (12.84217, -4.9245)
    assert row["geo_precision"] == 1
    assert row["geocode_method"] == "alternate"
    assert row["geocode_matched_name"] == "Kinmparana"
    assert row["gazetteer_id"] == "geonames:2455456"
    assert row["admin2"] == "Cercle de San"
    assert row["country_code"] == "ML"
    assert row["iso"] == 466
    assert row["status"] == "ok"
    assert pd.isna(row["admin1_reported"])
    assert out["geo_precision"].dtype == "Int64"


def test_the_rows_own_admin1_is_never_overwritten(geocoder):
    """Kimparana is in Ségou; a row saying Mopti keeps Mopti and is placed at Mopti's seat."""
    out = geocode_frame(_records([{"location": "Kimparana", "country": "Mali", "admin1": "Mopti"}]), geocoder)
    assert out.loc[0, "admin1"] == "Mopti"
    assert pd.isna(out.loc[0, "admin1_reported"])
    assert out.loc[0, "geocode_method"] == "fallback_admin1"
    assert out.loc[0, "geo_precision"] == 3


def test_the_rows_own_admin2_is_never_overwritten(geocoder):
    out = geocode_frame(_records([{"location": "Kimparana", "country": "Mali", "admin1": "Ségou",
                                   "admin2": "San"}]), geocoder)
    assert out.loc[0, "admin2"] == "San"
    assert out.loc[0, "geo_precision"] == 1


def test_same_admin1_spelled_differently_is_not_a_disagreement(geocoder):
    out = geocode_frame(_records([{"location": "Kimparana", "country": "Mali", "admin1": "Region de Segou"}]), geocoder)
    assert out.loc[0, "admin1"] == "Region de Segou"
    assert pd.isna(out.loc[0, "admin1_reported"])


def test_rows_with_coordinates_are_left_and_marked_source(geocoder):
    out = geocode_frame(_records([{"location": "Kimparana", "latitude": 1.0, "longitude": 2.0}]), geocoder)
    assert (out.loc[0, "latitude"], out.loc[0, "longitude"]) == (1.0, 2.0)
    assert out.loc[0, "geocode_method"] == "source"
    kept = geocode_frame(_records([{"latitude": 1.0, "longitude": 2.0, "geocode_method": "manual"}]), geocoder)
    assert kept.loc[0, "geocode_method"] == "manual"


def test_not_found_keeps_nan_and_needs_review(geocoder):
    out = geocode_frame(_records([{"location": "Nulle Part", "country": "Mali"}, {}]), geocoder)
    assert np.isnan(out.loc[0, "latitude"])
    assert out["geocode_method"].tolist() == ["none", "none"]
    assert out["status"].tolist() == ["needs_review", "needs_review"]
    assert "Nulle Part" in out.loc[0, "status_reason"]


def test_ambiguous_is_placed_but_needs_review(geocoder):
    out = geocode_frame(_records([{"location": "Koro"}]), geocoder)
    assert out.loc[0, "country_code"] == "ML"
    assert out.loc[0, "status"] == "needs_review"
    assert out.loc[0, "status_reason"].startswith("ambiguous: 3 places")


def test_rejected_rows_stay_rejected(geocoder):
    out = geocode_frame(_records([{"location": "Koro", "status": "rejected"}]), geocoder)
    assert out.loc[0, "status"] == "rejected"


def test_identical_queries_are_resolved_once(geocoder):
    counting = CountingGeocoder(geocoder)
    rows = [{"location": "Kimparana", "country": "Mali"}] * 50 + [{"location": "KIMPARANA", "country": "mali"}] * 50
    rows += [{"location": "Mopti", "country": "Mali"}] * 10
    out = geocode_frame(_records(rows), counting)
    assert counting.calls == 2
    assert out["latitude"].notna().all()


def test_admin_only_rows_use_the_fallback(geocoder):
    out = geocode_frame(_records([{"country": "Mali", "admin1": "Ségou"}]), geocoder)
    assert out.loc[0, "geo_precision"] == 3
    assert out.loc[0, "geocode_method"] == "fallback_admin1"


def test_progress_reports_distinct_queries(geocoder):
    seen = []
    geocode_frame(_records([{"location": "Mopti"}, {"location": "Mopti"}, {"location": "Dori"}]), geocoder,
                  progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 2), (2, 2)]


def test_input_frame_is_not_modified_and_index_is_kept(geocoder):
    records = _records([{"location": "Mopti"}, {"location": "Dori"}])
    records.index = [10, 20]
    before = records.copy()
    out = geocode_frame(records, geocoder)
    pd.testing.assert_frame_equal(records, before)
    assert list(out.index) == [10, 20]
    assert out.loc[20, "country_code"] == "BF"


def test_non_canonical_frame_is_conformed(geocoder):
    out = geocode_frame(pd.DataFrame({"location": ["Dori"], "extra": ["kept"]}), geocoder)
    assert out.loc[0, "admin1"] == "Sahel"
    assert out.loc[0, "extra"] == "kept"


def test_duplicate_index_labels_are_handled_by_position(geocoder):
    records = _records([{"location": "Mopti"}, {"location": "Dori"}])
    records.index = [5, 5]
    out = geocode_frame(records, geocoder)
    assert out["country_code"].tolist() == ["ML", "BF"]


class FailingGeocoder(Geocoder):
    def geocode(self, query, **kwargs):
        if query == "Dori":
            raise GeocoderTimedOut("too slow")
        return None


def test_a_failing_service_marks_rows_instead_of_aborting():
    out = geocode_frame(_records([{"location": "Dori"}, {"location": "Mopti"}]), FailingGeocoder())
    assert out["geocode_method"].tolist() == ["none", "none"]
    assert out.loc[0, "status_reason"] == "geocoder failed: GeocoderTimedOut: too slow"
    assert out.loc[1, "status_reason"].startswith("not found")
