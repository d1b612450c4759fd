"""Level of detail: cells when many, incidents when few, counts that add up, click read-back."""

from __future__ import annotations

import h3
import numpy as np
import pandas as pd
import pytest

from incidents import model
from incidents.filters import FilterSpec, apply_filters
from incidents.maps.build import View, build_map, round_view, zoom_for_bounds
from incidents.maps.cells import aggregate_cells, cell_bounds, resolution_for_zoom
from incidents.spatial_index import (
    MAP_RESOLUTIONS,
    add_cell_ids,
    cell_column,
    latlng_to_cells,
    map_snapshot,
    parent_cells,
)


def cloud(n: int, *, seed: int = 0, p3_share: float = 0.1, unplaced: int = 0) -> pd.DataFrame:
    """``n`` incidents scattered around Mopti, some region-level, some without coordinates."""
    rng = np.random.default_rng(seed)
    lat = 14.5 + rng.normal(0, 0.4, n)
    lng = -4.0 + rng.normal(0, 0.4, n)
    lat[:unplaced] = np.nan
    lng[:unplaced] = np.nan
    precision = np.where(rng.random(n) < p3_share, 3, rng.choice([1, 2], n))
    frame = pd.DataFrame(
        {
            "incident_id": [f"I{i}" for i in range(n)],
            "event_date": "2024-05-01",
            "event_type": rng.choice(["Battles", "Protests", "Riots"], n),
            "country": "Mali",
            "country_code": "ML",
            "admin1": rng.choice(["Mopti", "Segou"], n),
            "latitude": lat,
            "longitude": lng,
            "geo_precision": precision,
            "fatalities": rng.integers(0, 5, n),
        }
    )
    return map_snapshot(model.conform(frame))


def drawn_total(result) -> int:
    """Incidents the map represents: hexagon or marker counts plus region-level ones."""
    regions = sum(len(t.incident_ids) for t in result.targets.values() if t.kind == "region")
    if result.mode == "cells":
        return int(result.cells["count"].sum()) + regions
    return len(result.points) + regions


def test_many_incidents_become_cells_and_counts_add_up():
    frame = cloud(600, unplaced=7)
    result = build_map(frame, max_points=100)
    assert result.mode == "cells"
    assert result.n_unplaced == 7
    assert result.n_in_view == 593
    assert drawn_total(result) == result.n_in_view
    assert result.n_cells == len(result.cells) > 1
    assert "incidents-cell" in result.html()


def test_few_incidents_are_drawn_one_by_one_and_counts_add_up():
    frame = cloud(80)
    result = build_map(frame, max_points=100)
    assert result.mode == "points"
    assert result.cells is None
    assert drawn_total(result) == result.n_in_view == 80


def test_both_paths_count_the_same_filtered_set():
    frame = cloud(500, seed=3)
    filtered = apply_filters(frame, FilterSpec(event_types=("Battles", "Riots")))
    expected = int(filtered["event_type"].isin(["Battles", "Riots"]).sum())
    as_cells = build_map(filtered, max_points=10)
    as_points = build_map(filtered, max_points=10_000)
    assert (as_cells.mode, as_points.mode) == ("cells", "points")
    assert drawn_total(as_cells) == drawn_total(as_points) == expected


def test_categorical_snapshot_filters_like_the_plain_frame():
    plain = model.conform(cloud(200, seed=5).drop(columns=[cell_column(r) for r in MAP_RESOLUTIONS]))
    snapshot = map_snapshot(plain)
    assert isinstance(snapshot["event_type"].dtype, pd.CategoricalDtype)
    spec = FilterSpec(event_types=("Protests",), admin1s=("Mopti",))
    assert list(apply_filters(snapshot, spec)["incident_id"]) == list(
        apply_filters(plain, spec)["incident_id"]
    )


def test_zooming_in_reaches_individual_incidents():
    frame = cloud(3_000, p3_share=0.0)
    wide = build_map(frame, view=round_view(((10, -10), (20, 2)), 6), max_points=500)
    close = build_map(frame, view=round_view(((14.45, -4.05), (14.55, -3.95)), 12), max_points=500)
    assert wide.mode == "cells" and close.mode == "points"
    assert 0 < close.n_in_view < wide.n_in_view
    assert wide.resolution < resolution_for_zoom(12)


def test_view_limits_what_is_counted_and_drawn():
    frame = cloud(400, p3_share=0.0)
    view = View(14.5, -4.0, 15.0, -3.0, 9)
    result = build_map(frame, view=view, max_points=1_000)
    lat, lng = frame["latitude"], frame["longitude"]
    inside = (lat.between(14.5, 15.0) & lng.between(-4.0, -3.0)).sum()
    assert result.n_in_view == inside == len(result.points)


def test_too_many_cells_steps_to_a_coarser_resolution():
    frame = cloud(2_000, p3_share=0.0)
    fine = build_map(frame, view=View(10, -8, 19, 0, 10), max_points=10, max_cells=100_000)
    capped = build_map(frame, view=View(10, -8, 19, 0, 10), max_points=10, max_cells=50)
    assert capped.resolution < fine.resolution
    assert capped.n_cells <= 50 or capped.resolution == min(MAP_RESOLUTIONS)
    assert capped.cells["count"].sum() == fine.cells["count"].sum() == 2_000


def test_round_view_is_stable_under_small_pans_and_reads_st_folium_bounds():
    a = round_view(((14.01, -4.52), (14.62, -3.41)), 10)
    b = round_view(((14.02, -4.51), (14.63, -3.40)), 10.2)
    assert a == b and a.zoom == 10
    assert a.south <= 14.01 and a.north >= 14.63 and a.west <= -4.52 and a.east >= -3.40
    as_dict = {"_southWest": {"lat": 14.01, "lng": -4.52}, "_northEast": {"lat": 14.62, "lng": -3.41}}
    assert round_view(as_dict, 10) == a
    assert round_view(((-89.9, -179.9), (89.9, 179.9)), 1) == View(-90, -180, 90, 180, 1)
    assert hash(a) == hash(b)


def test_zoom_for_bounds_is_wider_for_bigger_areas():
    assert zoom_for_bounds(10, -17, 24, 24) < zoom_for_bounds(14, -4.5, 14.6, -3.5)


def test_resolution_grows_with_zoom():
    resolutions = [resolution_for_zoom(z) for z in range(2, 17)]
    assert resolutions == sorted(resolutions)
    assert resolutions[0] == min(MAP_RESOLUTIONS) and resolutions[-1] == max(MAP_RESOLUTIONS)


def test_vectorised_parents_match_h3():
    rng = np.random.default_rng(1)
    lat, lng = rng.uniform(-60, 70, 200), rng.uniform(-180, 180, 200)
    fine = latlng_to_cells(lat, lng, 9)
    for resolution in (2, 4, 7, 9):
        expected = [h3.str_to_int(h3.cell_to_parent(h3.int_to_str(int(c)), resolution)) for c in fine]
        assert parent_cells(fine, resolution).tolist() == expected


def test_cell_ids_are_zero_without_coordinates_and_match_direct_lookup():
    frame = model.conform(pd.DataFrame({"latitude": [14.5, np.nan, 91.0], "longitude": [-4.0, 1.0, 0.0]}))
    out = add_cell_ids(frame, (3, 6))
    assert out[cell_column(6)].tolist()[1:] == [0, 0]
    assert out[cell_column(3)].iloc[0] == h3.str_to_int(h3.latlng_to_cell(14.5, -4.0, 3))
    assert cell_column(6) not in frame.columns


def test_aggregation_without_precomputed_ids_agrees():
    frame = cloud(300, p3_share=0.0)
    plain = frame.drop(columns=[cell_column(r) for r in MAP_RESOLUTIONS])
    pd.testing.assert_frame_equal(aggregate_cells(frame, 5), aggregate_cells(plain, 5))
    with_fatal = aggregate_cells(frame, 5)
    assert with_fatal["fatalities"].sum() == frame["fatalities"].sum()


def test_clicks_resolve_to_incidents_regions_and_cells():
    frame = cloud(60, p3_share=0.2)
    points = build_map(frame, max_points=1_000)
    first = points.points["id"].iloc[0]
    hit = points.clicked({"last_object_clicked_tooltip": f"{first} · 2024-05-01 · Battles"})
    assert hit.kind == "incident" and hit.incident_ids == (first,)
    region_key = next(k for k, t in points.targets.items() if t.kind == "region")
    region = points.clicked({"last_object_clicked_tooltip": f"  {region_key} · 7 region-level"})
    assert region.kind == "region" and len(region.incident_ids) > 0
    row = frame.set_index("incident_id").loc[first]
    by_position = points.clicked(
        {"last_object_clicked": {"lat": row["latitude"] + 1e-4, "lng": row["longitude"]}}
    )
    assert by_position.incident_ids == (first,)
    far = {"last_object_clicked": {"lat": row["latitude"] + 5, "lng": row["longitude"] + 5}}
    assert points.clicked(far) is None
    assert points.clicked(None) is None

    cells = build_map(frame, max_points=5)
    cell = int(cells.cells["cell"].iloc[0])
    key = f"H3 {h3.int_to_str(cell)}"
    target = cells.clicked({"last_object_clicked_tooltip": f"{key} · 4 incidents"})
    assert target.kind == "cell" and target.bounds == cell_bounds(key)
    south, west, north, east = target.bounds
    lat, lng = h3.cell_to_latlng(h3.int_to_str(cell))
    assert south < lat < north and west < lng < east


@pytest.mark.parametrize("language", ["en", "fr"])
def test_cells_mode_payload_is_bounded_by_cells_not_incidents(language):
    small = build_map(cloud(2_000, p3_share=0.0), max_points=10, language=language).html()
    large = build_map(cloud(20_000, p3_share=0.0), max_points=10, language=language).html()
    assert len(large) < 1.5 * len(small)


def test_a_row_mask_gives_the_same_map_as_a_filtered_copy():
    frame = cloud(700, seed=9, unplaced=5)
    mask = (frame["event_type"] == "Battles").to_numpy()
    for max_points in (20, 10_000):
        masked = build_map(frame, rows=mask, max_points=max_points)
        copied = build_map(frame[mask], max_points=max_points)
        assert (masked.mode, masked.n_in_view, masked.n_unplaced) == (
            copied.mode, copied.n_in_view, copied.n_unplaced
        )
        assert drawn_total(masked) == drawn_total(copied) == masked.n_in_view


def test_street_level_draws_stacked_incidents_rather_than_one_hexagon():
    frame = cloud(300, p3_share=0.0)
    frame["latitude"], frame["longitude"] = 14.5, -4.0
    view = round_view(((14.49, -4.01), (14.51, -3.99)), 13)
    assert build_map(frame, view=view, max_points=100).mode == "points"
    assert build_map(frame, view=view._replace(zoom=12), max_points=100).mode == "cells"


def test_a_single_incident_opens_at_a_zoom_that_still_shows_its_surroundings():
    from incidents.maps.build import FIT_MAX_ZOOM
    from incidents.maps.tiles import MAX_ZOOM as TILE_MAX_ZOOM

    one = cloud(1, p3_share=0.0)
    result = build_map(one)
    assert result.zoom == FIT_MAX_ZOOM < TILE_MAX_ZOOM
    page = result.html()
    assert f'"maxZoom": {FIT_MAX_ZOOM}' in page.split("fitBounds", 1)[1][:300]
    assert f'"maxZoom": {TILE_MAX_ZOOM}' in page  # the analyst can still zoom in
    spread = build_map(cloud(50, p3_share=0.0))
    assert spread.zoom < FIT_MAX_ZOOM
