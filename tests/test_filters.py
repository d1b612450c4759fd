"""incidents.filters: FilterSpec, URL round trip and vectorised masks."""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import pandas as pd
import pytest

from incidents import model
from incidents.filters import FilterSpec, apply_filters, filter_mask, fold_text, reference_date
from incidents.frame import to_geodataframe

ROWS = [
    # id, date, country, admin1, admin2, location, event_type, sub_event_type, actor1, actor2,
    # fatalities, geo_precision, notes, source
    ("a", "2024-12-07", "Mali", "Ségou", "San", "Kimparana", "Battles", "Armed clash",
     "Unidentified Armed Group (Mali)", "Military Forces of Mali (2021-)", 3, 1,
     "Attack on the town repelled", "Malian news article (French)"),
    ("b", "2024-11-20", "Mali", "Mopti", "Djenné", "Djenné", "Violence against civilians",
     "Attack", "JNIM: Group for Support of Islam and Muslims", "Civilians (Mali)", 5, 2,
     "Villagers killed at a market", "Radio"),
    ("c", "2024-09-01", "Burkina Faso", "Sahel", "Soum", "Djibo", "Battles", "Armed clash",
     "Military Forces of Burkina Faso (2022-)", "JNIM: Group for Support of Islam and Muslims",
     12, 3, "Convoy ambushed", "Wire"),
    ("d", "2023-12-01", "Niger", "Tillabéri", "Téra", "Téra", "Protests", "Peaceful protest",
     "Protesters (Niger)", None, 0, None, "March against insecurity", "Wire"),
    ("e", "2024-12-06", "Mali", "Segou", "San", "San", "Strategic developments", "Arrests",
     "Military Forces of Mali (2021-)", "Civilians (Mali)", None, 1, "Suspects detained", None),
]


@pytest.fixture
def gdf() -> gpd.GeoDataFrame:
    columns = ["incident_id", "event_date", "country", "admin1", "admin2", "location",
               "event_type", "sub_event_type", "actor1", "actor2", "fatalities",
               "geo_precision", "notes", "source"]
    frame = pd.DataFrame(ROWS, columns=columns)
    frame["assoc_actor_1"] = [None, None, "VDP: Volunteers for the Defense of the Homeland", None, None]
    return to_geodataframe(model.conform(frame))


def ids(gdf: pd.DataFrame, spec: FilterSpec) -> list[str]:
    return sorted(apply_filters(gdf, spec)["incident_id"])


def test_empty_spec_keeps_everything(gdf: gpd.GeoDataFrame) -> None:
    assert filter_mask(gdf, FilterSpec()).all()


def test_mask_is_aligned_with_the_frame_index(gdf: gpd.GeoDataFrame) -> None:
    shuffled = gdf.set_index(pd.Index([40, 30, 20, 10, 0]))
    mask = filter_mask(shuffled, FilterSpec(countries=("Niger",)))
    assert mask.index.equals(shuffled.index)
    assert mask.loc[10] and mask.sum() == 1


def test_dates_are_inclusive(gdf: gpd.GeoDataFrame) -> None:
    spec = FilterSpec(start=date(2024, 11, 20), end=date(2024, 12, 6))
    assert ids(gdf, spec) == ["b", "e"]


def test_preset_counts_back_from_the_latest_event(gdf: gpd.GeoDataFrame) -> None:
    assert reference_date(gdf) == date(2024, 12, 7)
    assert ids(gdf, FilterSpec(preset="last_7")) == ["a", "e"]
    assert ids(gdf, FilterSpec(preset="last_30")) == ["a", "b", "e"]
    assert ids(gdf, FilterSpec(preset="last_365")) == ["a", "b", "c", "e"]


def test_preset_and_explicit_dates_both_apply(gdf: gpd.GeoDataFrame) -> None:
    assert ids(gdf, FilterSpec(preset="last_30", end=date(2024, 12, 6))) == ["b", "e"]


def test_preset_on_an_empty_frame_uses_today(gdf: gpd.GeoDataFrame) -> None:
    assert reference_date(gdf.iloc[:0]) == date.today()
    assert apply_filters(gdf.iloc[:0], FilterSpec(preset="last_7")).empty


def test_places_match_without_accents_or_case(gdf: gpd.GeoDataFrame) -> None:
    assert ids(gdf, FilterSpec(admin1s=("Segou",))) == ["a", "e"]
    assert ids(gdf, FilterSpec(admin1s=("SÉGOU",))) == ["a", "e"]
    assert ids(gdf, FilterSpec(admin2s=("djenne", "tera"))) == ["b", "d"]
    assert ids(gdf, FilterSpec(countries=("mali", "Burkina Faso"))) == ["a", "b", "c", "e"]


def test_place_match_is_whole_name_not_substring(gdf: gpd.GeoDataFrame) -> None:
    assert ids(gdf, FilterSpec(countries=("Mal",))) == []


def test_event_and_sub_event_types(gdf: gpd.GeoDataFrame) -> None:
    assert ids(gdf, FilterSpec(event_types=("Battles", "Protests"))) == ["a", "c", "d"]
    assert ids(gdf, FilterSpec(sub_event_types=("Attack",))) == ["b"]


def test_actor_searches_every_actor_column(gdf: gpd.GeoDataFrame) -> None:
    assert ids(gdf, FilterSpec(actor="jnim")) == ["b", "c"]
    assert ids(gdf, FilterSpec(actor="volunteers for the defense")) == ["c"]
    assert ids(gdf, FilterSpec(actor="civilians")) == ["b", "e"]


def test_min_fatalities_excludes_unknown_counts(gdf: gpd.GeoDataFrame) -> None:
    assert ids(gdf, FilterSpec(min_fatalities=3)) == ["a", "b", "c"]
    assert ids(gdf, FilterSpec(min_fatalities=0)) == ["a", "b", "c", "d"]


def test_max_geo_precision_excludes_unplaced(gdf: gpd.GeoDataFrame) -> None:
    assert ids(gdf, FilterSpec(max_geo_precision=1)) == ["a", "e"]
    assert ids(gdf, FilterSpec(max_geo_precision=3)) == ["a", "b", "c", "e"]


def test_free_text_needs_every_word_somewhere(gdf: gpd.GeoDataFrame) -> None:
    assert ids(gdf, FilterSpec(text="market")) == ["b"]
    assert ids(gdf, FilterSpec(text="Djenne villagers")) == ["b"]
    assert ids(gdf, FilterSpec(text="french repelled")) == ["a"]
    assert ids(gdf, FilterSpec(text="market convoy")) == []


def test_criteria_compose_with_and(gdf: gpd.GeoDataFrame) -> None:
    spec = FilterSpec(countries=("Mali",), event_types=("Battles", "Strategic developments"),
                      admin1s=("segou",), min_fatalities=1)
    assert ids(gdf, spec) == ["a"]


def test_apply_filters_keeps_the_geodataframe(gdf: gpd.GeoDataFrame) -> None:
    result = apply_filters(gdf, FilterSpec(countries=("Mali",)))
    assert isinstance(result, gpd.GeoDataFrame)
    assert result.crs == gdf.crs


def test_query_params_round_trip() -> None:
    spec = FilterSpec(start=date(2024, 1, 1), preset="last_90", countries=("Mali", "Niger"),
                      admin1s=("Ségou",), actor="JNIM", min_fatalities=2, max_geo_precision=2,
                      text="market")
    params = spec.to_query_params()
    assert params["countries"] == ["Mali", "Niger"]
    assert params["start"] == "2024-01-01"
    assert "end" not in params and "event_types" not in params
    assert FilterSpec.from_query_params(params) == spec
    assert FilterSpec.from_query_string(spec.to_query_string()) == spec


def test_from_query_params_accepts_plain_strings_and_ignores_unknown_keys() -> None:
    spec = FilterSpec.from_query_params({"countries": "Mali", "min_fatalities": "4", "tab": "map"})
    assert spec == FilterSpec(countries=("Mali",), min_fatalities=4)


def test_bad_values_are_refused() -> None:
    with pytest.raises(ValueError):
        FilterSpec(preset="last_week")
    with pytest.raises(ValueError):
        FilterSpec.from_query_params({"start": "07/12/2024"})


def test_spec_is_hashable_and_normalises_lists() -> None:
    spec = FilterSpec(countries=["Mali"], start="2024-12-07", actor="  ")
    assert spec.countries == ("Mali",) and spec.start == date(2024, 12, 7) and spec.actor is None
    assert hash(spec) == hash(FilterSpec(countries=("Mali",), start=date(2024, 12, 7)))


def test_fold_text_keeps_missing_and_index() -> None:
    folded = fold_text(pd.Series(["  Ségou  Ville", None, "TÉRA"], index=[7, 8, 9]))
    assert folded.tolist()[0] == "segou ville" and folded.tolist()[2] == "tera"
    assert pd.isna(folded.loc[8]) and list(folded.index) == [7, 8, 9]
