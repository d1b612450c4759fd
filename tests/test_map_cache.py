"""ui.map_cache: a kept map reaches st_folium exactly as a fresh build would, and is
built again when the incidents, the request or the basemaps change."""

from __future__ import annotations

from typing import Any

import pytest
import streamlit_folium

from incidents.selection import Selection
from incidents.synthetic import synthetic_incidents
from ui import data, map_cache
from ui.map_cache import MAP_CACHE_SIZE, MapRequest, cached_map, extent_view


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    map_cache.clear_map_cache()
    yield
    map_cache.clear_map_cache()


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """What st_folium hands its browser component, one dict per call."""
    calls: list[dict[str, Any]] = []

    def component(**arguments: Any) -> dict:
        arguments.pop("on_change")
        calls.append(arguments)
        return {}

    monkeypatch.setattr(streamlit_folium, "_component_func", component)
    return calls


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[MapRequest]:
    """The requests built afresh."""
    built: list[MapRequest] = []
    fresh = map_cache.build_dashboard_map

    def counting(shown, request):
        built.append(request)
        return fresh(shown, request)

    monkeypatch.setattr(map_cache, "build_dashboard_map", counting)
    return built


def _frame(n: int, seed: int = 3):
    return data.as_map_frame(synthetic_incidents(n, seed=seed))


def _request(selection: Selection, **changes: Any) -> MapRequest:
    options = {"data_key": "store?", "week": "", "language": "fr",
               "view": extent_view(selection.frame, selection.rows)}
    return MapRequest(**(options | changes))


def _send(result) -> None:
    streamlit_folium.st_folium(result.map, key="map", feature_group_to_add=result.overlays,
                               layer_control=result.layer_control,
                               returned_objects=["bounds", "zoom"])


@pytest.mark.parametrize("n", [300, 20_000], ids=["markers", "hexagons"])
def test_a_kept_map_reaches_st_folium_as_a_fresh_build(n: int, sent, builds) -> None:
    selection = Selection.everything(_frame(n))
    request = _request(selection, choropleth=True, near="14.49,-4.19,50")
    _send(map_cache.build_dashboard_map(selection, request))
    _send(cached_map(selection, request))
    _send(cached_map(selection, request))  # the kept map, a second time
    fresh, first, again = sent
    assert first == fresh and again == fresh
    assert len(builds) == 2  # the fresh one, then the kept one built once


def test_each_call_gets_its_own_map(builds) -> None:
    selection = Selection.everything(_frame(300))
    request = _request(selection)
    one, two = cached_map(selection, request), cached_map(selection, request)
    assert one.map is not two.map and one.overlays[0] is not two.overlays[0]
    assert len(builds) == 1


def test_a_new_frame_or_request_is_built_again(builds) -> None:
    frame = _frame(300)
    selection = Selection.everything(frame)
    cached_map(selection, _request(selection))
    cached_map(selection, _request(selection, language="en"))
    cached_map(selection, _request(selection, week="2024-01-01"))
    cached_map(selection, _request(selection, online_tiles=True))
    assert len(builds) == 4
    reloaded = Selection.everything(frame.head(100).copy())  # the store's next generation
    result = cached_map(reloaded, _request(selection))
    assert len(builds) == 5
    assert result.n_in_view == map_cache.build_dashboard_map(reloaded, _request(selection)).n_in_view
    assert result.n_in_view < cached_map(selection, _request(selection)).n_in_view


def test_only_the_last_few_are_kept(builds) -> None:
    selection = Selection.everything(_frame(300))
    requests = [_request(selection, data_key=f"store?n={i}") for i in range(MAP_CACHE_SIZE + 1)]
    for request in requests:
        cached_map(selection, request)
    cached_map(selection, requests[-1])
    assert len(builds) == MAP_CACHE_SIZE + 1
    cached_map(selection, requests[0])
    assert len(builds) == MAP_CACHE_SIZE + 2


def test_maps_of_older_frames_are_let_go(builds) -> None:
    """A kept map may hold its frame: maps of at most two frames are kept."""
    frames = [_frame(50, seed=seed) for seed in range(3)]
    for frame in frames:
        selection = Selection.everything(frame)
        cached_map(selection, _request(selection))
    newest = Selection.everything(frames[2])
    cached_map(newest, _request(newest))
    assert len(builds) == 3
    oldest = Selection.everything(frames[0])
    cached_map(oldest, _request(oldest))
    assert len(builds) == 4
