"""The dashboard map's constant outlines fetched from a content-named file, not sent
with every run; every page that must stand alone still carries them."""

from __future__ import annotations

import json
import re

import pytest

from incidents.maps import static_data
from incidents.maps.base import OutlineLayer, embed_outlines, serve_outlines
from incidents.maps.build import build_map
from incidents.maps.standalone import standalone_html
from tests.test_maps_lod import cloud

FETCHED = re.compile(r'fetch\("(/app/static/mapdata/outline-[0-9a-f]{20}\.json)"\)')


@pytest.fixture
def map_data_dir(tmp_path, monkeypatch):
    folder = tmp_path / "static" / "mapdata"
    monkeypatch.setattr(static_data, "MAP_DATA_DIR", folder)
    return folder


def _outlines(fmap) -> list[OutlineLayer]:
    return [child for child in fmap._children.values() if isinstance(child, OutlineLayer)]


def _script(fmap) -> str:
    return fmap.get_root().render()


def test_a_text_is_written_once_under_a_name_that_follows_its_content(map_data_dir):
    url = static_data.static_json_url("outline", '{"type":"FeatureCollection","features":[]}')
    assert url is not None and url.startswith("/app/static/mapdata/outline-")
    written = map_data_dir / url.rsplit("/", 1)[1]
    assert written.read_text("utf-8") == '{"type":"FeatureCollection","features":[]}'
    assert static_data.static_json_url("outline",
                                       '{"type":"FeatureCollection","features":[]}') == url
    other = static_data.static_json_url("outline", '{"type":"FeatureCollection","features":[1]}')
    assert other != url
    assert sorted(p.name for p in map_data_dir.iterdir()) == sorted(
        u.rsplit("/", 1)[1] for u in (url, other))


def test_a_removed_file_is_written_again(map_data_dir):
    url = static_data.static_json_url("outline", "[1]")
    (map_data_dir / url.rsplit("/", 1)[1]).unlink()
    assert static_data.static_json_url("outline", "[1]") == url
    assert (map_data_dir / url.rsplit("/", 1)[1]).read_text("utf-8") == "[1]"


def test_a_folder_that_cannot_be_written_gives_no_url(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setattr(static_data, "MAP_DATA_DIR", blocker / "mapdata")
    assert static_data.static_json_url("outline", "[2]") is None


def test_the_dashboard_map_fetches_its_outlines_and_no_longer_carries_them(map_data_dir):
    incidents = cloud(200, seed=11)
    result = build_map(incidents, overlays_apart=True)
    script = _script(result.map)
    urls = FETCHED.findall(script)
    assert len(urls) == 2  # the country borders and the admin-1 outlines
    for layer, url in zip(_outlines(result.map), urls):
        served = json.loads((map_data_dir / url.rsplit("/", 1)[1]).read_text("utf-8"))
        assert served == json.loads(layer.data) and served["features"]
    assert '"MultiLineString"' not in script and '"LineString"' not in script
    assert len(script) < 40_000


def test_maps_not_for_the_dashboard_still_carry_their_outlines(map_data_dir):
    result = build_map(cloud(50, seed=12))
    script = _script(result.map)
    assert "fetch(" not in script and not map_data_dir.exists()
    assert script.count('"MultiLineString"') + script.count('"LineString"') > 10


def test_the_standalone_export_of_a_dashboard_map_writes_the_outlines_back_in(map_data_dir):
    result = build_map(cloud(50, seed=13), overlays_apart=True)
    assert FETCHED.search(_script(result.map))
    page = standalone_html(result.map).decode("utf-8")
    assert "/app/static/mapdata/" not in page
    for layer in _outlines(result.map):
        assert layer.geojson in page


def test_where_nothing_can_be_written_the_outlines_stay_in_the_script(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setattr(static_data, "MAP_DATA_DIR", blocker / "mapdata")
    result = build_map(cloud(50, seed=14), overlays_apart=True)
    script = _script(result.map)
    assert "fetch(" not in script
    assert all(layer.geojson in script for layer in _outlines(result.map))


def test_serving_and_embedding_again_switch_the_same_layers(map_data_dir):
    result = build_map(cloud(50, seed=15), overlays_apart=True)
    assert all(layer.served_url for layer in _outlines(result.map))
    embed_outlines(result.map)
    assert not any(layer.served_url for layer in _outlines(result.map))
    serve_outlines(result.map)
    assert len(FETCHED.findall(_script(result.map))) == 2
