"""Region assignment: the acceptance case (Kimparana), disagreements, snapping, admin2."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from incidents.filters import FilterSpec, filter_mask
from incidents.model import conform
from incidents.regions import sets
from incidents.regions.assign import assign_regions

KIMPARANA = (12.84217, -4.9245)


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("INCIDENTS_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def records(rows: list[dict]) -> pd.DataFrame:
    base = {"event_date": "2024-12-07", "event_type": "Battles", "status": "ok"}
    return conform(pd.DataFrame([{**base, **row} for row in rows]))


def load_san_set(tmp_path: Path, *, admin2: bool = False) -> None:
    frame = gpd.GeoDataFrame(
        {"ADM1_FR": ["San", "Ségou"], "ADM2_FR": ["Tominian", "Macina"]},
        geometry=[box(-5.5, 12.5, -4.5, 13.5), box(-7.0, 13.5, -4.5, 15.0)],
        crs=4326,
    )
    path = tmp_path / "cod.geojson"
    frame.to_file(path)
    sets.load_region_file(path, name="cod", admin1_field="ADM1_FR", country_code="ML",
                          admin2_field="ADM2_FR" if admin2 else None)


def test_kimparana_is_in_segou_in_the_bundled_set() -> None:
    lat, lon = KIMPARANA
    out = assign_regions(records([{"latitude": lat, "longitude": lon, "admin1": "Ségou"}]))
    assert out.loc[0, "admin1"] == "Ségou"
    assert out.loc[0, "status"] == "ok"
    assert out.loc[0, "region_distance_km"] == 0


def test_kimparana_is_in_san_with_a_newer_set_and_found_by_segou_with_successors(tmp_path: Path) -> None:
    lat, lon = KIMPARANA
    frame = records([{"latitude": lat, "longitude": lon, "admin1": "Ségou"}])
    bundled = assign_regions(frame)
    load_san_set(tmp_path)
    newer = assign_regions(frame)
    assert newer.loc[0, "admin1"] == "San"
    assert newer.loc[0, "admin1_reported"] == "Ségou"
    # Ségou → San is the 2023 split, not an error.
    assert newer.loc[0, "status"] == "ok"
    with_successors = FilterSpec(admin1s=("Ségou",), include_successor_regions=True)
    without = FilterSpec(admin1s=("Ségou",))
    assert filter_mask(bundled, with_successors).all() and filter_mask(newer, with_successors).all()
    assert not filter_mask(newer, without).any()


def test_disagreement_is_kept_and_flagged() -> None:
    lat, lon = KIMPARANA
    out = assign_regions(records([{"latitude": lat, "longitude": lon, "admin1": "Kidal"}]))
    assert out.loc[0, "admin1"] == "Ségou"
    assert out.loc[0, "admin1_reported"] == "Kidal"
    assert out.loc[0, "status"] == "needs_review"
    assert out.loc[0, "status_reason"].startswith("admin1 reported as Kidal but the point lies in Ségou, ")
    again = assign_regions(out)
    assert again.loc[0, "status_reason"] == out.loc[0, "status_reason"]
    assert again.loc[0, "admin1_reported"] == "Kidal"


def test_aliases_and_spelling_are_not_disagreements() -> None:
    rows = [
        {"latitude": 16.7735, "longitude": -3.0074, "admin1": "Tombouctou"},
        {"latitude": 13.4317, "longitude": -6.2157, "admin1": "SEGOU"},
    ]
    out = assign_regions(records(rows))
    assert out["admin1"].tolist() == ["Timbuktu", "Ségou"]
    assert out["status"].tolist() == ["ok", "ok"]


def test_rejected_stays_rejected_and_existing_reason_is_kept() -> None:
    lat, lon = KIMPARANA
    frame = records([{"latitude": lat, "longitude": lon, "admin1": "Kidal", "status": "rejected",
                      "status_reason": "duplicate"}])
    out = assign_regions(frame)
    assert out.loc[0, "status"] == "rejected"
    assert out.loc[0, "status_reason"].startswith("duplicate; admin1 reported as Kidal")


def test_points_just_offshore_snap_and_far_points_do_not() -> None:
    # Dakar's western tip is at about -17.47; 0.03° further west is about 3 km at sea.
    near = {"latitude": 14.67, "longitude": -17.50}
    far = {"latitude": 14.67, "longitude": -17.80}
    out = assign_regions(records([near, far]))
    assert out.loc[0, "admin1"] == "Dakar"
    assert 0 < out.loc[0, "region_distance_km"] <= 5
    assert pd.isna(out.loc[1, "admin1"]) and np.isnan(out.loc[1, "region_distance_km"])
    strict = assign_regions(records([near]), tolerance_km=0)
    assert pd.isna(strict.loc[0, "admin1"])


def test_unplaced_rows_keep_their_values() -> None:
    out = assign_regions(records([{"admin1": "Mopti"}]))
    assert out.loc[0, "admin1"] == "Mopti"
    assert pd.isna(out.loc[0, "admin1_reported"])


def test_admin2_comes_from_the_set_and_the_old_value_is_noted(tmp_path: Path) -> None:
    load_san_set(tmp_path, admin2=True)
    lat, lon = KIMPARANA
    out = assign_regions(records([{"latitude": lat, "longitude": lon, "admin1": "San", "admin2": "San"}]))
    assert out.loc[0, "admin2"] == "Tominian"
    assert out.loc[0, "status"] == "ok"
    assert out.loc[0, "status_reason"] == "admin2 was San"


def test_agrees_with_a_plain_geopandas_sjoin() -> None:
    rng = np.random.default_rng(1)
    frame = records([{"latitude": lat, "longitude": lon}
                     for lat, lon in zip(rng.uniform(10, 16, 3000), rng.uniform(-9, 0, 3000))])
    gdf = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame["longitude"], frame["latitude"]), crs=4326)
    out = assign_regions(gdf)
    assert isinstance(out, gpd.GeoDataFrame)
    units = sets.region_units()
    truth = gpd.sjoin(gdf[["geometry"]], units[["admin1", "geometry"]], predicate="within", how="left")
    truth = truth[~truth.index.duplicated()]["admin1"]
    inside = truth.notna()
    assert inside.sum() > 2900
    assert (out.loc[inside, "admin1"] == truth[inside]).all()


def test_burkina_records_coded_by_region_match_the_bundled_provinces() -> None:
    djibo = {"latitude": 14.10, "longitude": -1.63}
    out = assign_regions(records([{**djibo, "admin1": "Sahel"}, {**djibo, "admin1": "Soum"},
                                  {**djibo, "admin1": "Nord"}]))
    assert out["admin1"].tolist() == ["Sahel"] * 3
    assert out["admin2"].tolist() == ["Soum"] * 3
    # "Soum" became a region of its own in 2025, carved out of Sahel: no flag.
    assert out["status"].tolist() == ["ok", "ok", "needs_review"]


def test_cli_assign_is_a_dry_run_until_applied(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from incidents.cli import cli
    from incidents.store import open_store

    lat, lon = KIMPARANA
    store_path = tmp_path / "store.sqlite"
    store = open_store(store_path)
    store.import_records(records([{"latitude": lat, "longitude": lon, "admin1": "Kidal"},
                                  {"latitude": lat, "longitude": lon + 0.01, "admin1": "Ségou"}]),
                         source_name="test")
    runner = CliRunner()
    dry = runner.invoke(cli, ["regions", "assign", "--store", str(store_path)])
    assert dry.exit_code == 0, dry.output
    assert '"changed": 1' in dry.output and '"flagged_for_review": 1' in dry.output
    assert set(store.load()["admin1"]) == {"Kidal", "Ségou"}
    applied = runner.invoke(cli, ["regions", "assign", "--store", str(store_path), "--apply"])
    assert '"applied": true' in applied.output
    stored = store.load().set_index("admin1_reported")
    assert stored.loc["Kidal", "admin1"] == "Ségou" and stored.loc["Kidal", "status"] == "needs_review"
    edited = store.load()
    history = store.history(edited.loc[edited["admin1_reported"] == "Kidal", "incident_id"].iloc[0])
    assert "regions:natural-earth" in set(history["user"])


def test_an_authoritative_source_keeps_its_names_and_the_polygons_are_recorded() -> None:
    lat, lon = KIMPARANA
    rows = [{"latitude": lat, "longitude": lon, "admin1": "Kidal", "admin2": "Kidal cercle",
             "country": "Mali"},
            {"latitude": lat, "longitude": lon, "admin1": "Segou Region", "country": "Mali"}]
    out = assign_regions(records(rows), keep_source_admin=True)
    assert out["admin1"].tolist() == ["Kidal", "Ségou"]  # a mere spelling takes the set's
    assert out["admin1_reported"].tolist()[1] == "Segou Region"
    assert out.loc[0, "admin2"] == "Kidal cercle"
    assert out["admin1_polygon"].tolist() == ["Ségou", "Ségou"]
    assert out["status"].tolist() == ["needs_review", "ok"]


def test_admin_type_words_and_transliterations_do_not_make_names_disagree() -> None:
    lat, lon = KIMPARANA
    rows = [{"latitude": lat, "longitude": lon, "admin1": name, "country": "Mali"}
            for name in ("Région de Ségou", "Segou Division", "SEGOU Cercle", "Seegou")]
    out = assign_regions(records(rows), keep_source_admin=True)
    assert out["status"].tolist() == ["ok"] * 4


def test_a_point_on_the_border_of_the_named_region_is_not_a_disagreement() -> None:
    # About 3 km inside Mopti from the Ségou border, coded Ségou: within BORDER_KM.
    units = gpd.GeoDataFrame(
        {"country": ["ML", "ML"], "admin1": ["Ségou", "Mopti"], "admin1_code": ["a", "b"],
         "admin2": [None, None], "admin2_code": [None, None]},
        geometry=[box(-7.0, 12.0, -4.0, 14.0), box(-4.0, 12.0, -1.0, 14.0)], crs=4326,
    )
    near = {"latitude": 13.0, "longitude": -3.97, "admin1": "Ségou", "country": "Mali"}
    far = {"latitude": 13.0, "longitude": -2.0, "admin1": "Ségou", "country": "Mali"}
    out = assign_regions(records([near, far]), units, keep_source_admin=True)
    assert out["status"].tolist() == ["ok", "needs_review"]
    assert out.loc[1, "status_reason"].startswith("admin1 reported as Ségou but the point lies in Mopti, ")


def test_region_assignment_never_crosses_the_rows_country() -> None:
    # Two neighbours; a Niger row whose point lies 2 km into "Nigeria" takes Niger's unit.
    units = gpd.GeoDataFrame(
        {"country": ["NE", "NG"], "admin1": ["Diffa", "Borno"], "admin1_code": ["a", "b"],
         "admin2": [None, None], "admin2_code": [None, None]},
        geometry=[box(10.0, 13.3, 14.0, 16.0), box(10.0, 10.0, 14.0, 13.3)], crs=4326,
    )
    row = {"latitude": 13.28, "longitude": 12.6, "admin1": "Diffa", "country": "Niger"}
    out = assign_regions(records([row]), units, keep_source_admin=True)
    assert out.loc[0, "admin1_polygon"] == "Diffa" and out.loc[0, "status"] == "ok"
    far = {"latitude": 12.0, "longitude": 12.6, "admin1": "Diffa", "country": "Niger"}
    out = assign_regions(records([far]), units, keep_source_admin=True)
    assert pd.isna(out.loc[0, "admin1_polygon"]) and out.loc[0, "admin1"] == "Diffa"


def test_a_name_the_region_set_does_not_know_is_noted_not_flagged() -> None:
    lat, lon = KIMPARANA
    out = assign_regions(records([{"latitude": lat, "longitude": lon, "admin1": "Macina Nord",
                                   "country": "Mali"}]), keep_source_admin=True)
    assert out.loc[0, "status"] == "ok"
    assert "Macina Nord is not a region of the active set" in out.loc[0, "status_reason"]


@pytest.mark.parametrize("keep_source_admin", [False, True])
def test_rows_repeating_their_place_get_what_each_row_alone_gets(
        tmp_path: Path, keep_source_admin: bool) -> None:
    """Each distinct combination of the inputs is assigned once, the answers given to
    every row that has it: exactly what assigning row by row gives."""
    from incidents.regions.assign import _assign_rows

    load_san_set(tmp_path, admin2=True)
    lat, lon = KIMPARANA
    places = [
        {"latitude": lat, "longitude": lon, "admin1": "Ségou", "country": "Mali"},
        {"latitude": 14.0, "longitude": -6.0, "admin1": "San", "country": "Mali"},
        {"latitude": 14.0, "longitude": -6.0, "admin1": "", "admin2": "Old name"},
        {"latitude": None, "longitude": None, "admin1": "Mopti"},
    ]
    frame = records([places[n % len(places)] | {"notes": f"row {n}"} for n in range(12)])
    frame.index = frame.index + 100
    expected = _assign_rows(frame, keep_source_admin=keep_source_admin)
    pd.testing.assert_frame_equal(
        assign_regions(frame, keep_source_admin=keep_source_admin), expected)
    assert set(expected["admin1_polygon"].dropna()) == {"San", "Ségou"}
