"""Imported MBTiles basemaps: checked, copied into the state dir, read tile by tile."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from incidents.maps.basemaps import (BasemapError, basemap_layer, import_basemap,
                                     list_basemaps, read_tile)
from incidents.maps.tiles import tile_index

MOPTI = (14.49, -4.19)
TILE_COLOUR = (200, 30, 160)


def make_mbtiles(path: Path, *, zooms: range = range(9, 12), fmt: str = "png",
                 around: tuple[float, float] = MOPTI, colour=TILE_COLOUR) -> Path:
    """A small raster MBTiles: a 3 x 3 block of one-colour tiles around ``around`` at each
    zoom, with a cross drawn on each (so a test can tell them from the bundled tiles)."""
    from PIL import Image, ImageDraw

    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
    connection.execute("CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER,"
                       " tile_row INTEGER, tile_data BLOB)")
    connection.executemany("INSERT INTO metadata VALUES (?, ?)", [
        ("name", "Test region"), ("format", fmt), ("attribution", "Test tiles"),
        ("bounds", "-5.5,13.5,-3,15.5")])
    for zoom in zooms:
        x0, y0 = tile_index(*around, zoom)
        for x in range(x0 - 1, x0 + 2):
            for y in range(y0 - 1, y0 + 2):
                image = Image.new("RGB", (256, 256), colour)
                ImageDraw.Draw(image).line([(0, 0), (255, 255)], fill="white", width=6)
                data = io.BytesIO()
                image.save(data, format="PNG")
                connection.execute("INSERT INTO tiles VALUES (?, ?, ?, ?)",
                                   (zoom, x, (1 << zoom) - 1 - y, data.getvalue()))
    connection.commit()
    connection.close()
    return path


def test_import_lists_and_serves_tiles(incidents_home: Path, tmp_path: Path) -> None:
    source = make_mbtiles(tmp_path / "region.mbtiles")
    found = import_basemap(source, "Mopti Région")
    assert found.name == "mopti-region" and (found.min_zoom, found.max_zoom) == (9, 11)
    assert found.path.parent == incidents_home / "basemaps"
    assert [b.name for b in list_basemaps()] == ["mopti-region"]
    x, y = tile_index(*MOPTI, 10)
    data, mime = read_tile("mopti-region", 10, x, y)
    assert mime == "image/png" and data.startswith(b"\x89PNG")
    assert read_tile("mopti-region", 10, x + 5, y) is None
    assert read_tile("../incidents", 10, x, y) is None
    layer = basemap_layer(found)
    assert layer.tiles == "/basemaps/mopti-region/{z}/{x}/{y}" and not layer.overlay


def test_files_that_cannot_be_basemaps_are_refused_with_a_reason(incidents_home: Path,
                                                                  tmp_path: Path) -> None:
    with pytest.raises(BasemapError, match="lists no vector_layers"):
        import_basemap(make_mbtiles(tmp_path / "vector.mbtiles", fmt="pbf"))
    with pytest.raises(BasemapError, match="holds tiff tiles"):
        import_basemap(make_mbtiles(tmp_path / "odd.mbtiles", fmt="tiff"))
    pmtiles = tmp_path / "region.pmtiles"
    pmtiles.write_bytes(b"PMTiles\x03")
    with pytest.raises(BasemapError, match="not a PMTiles file"):
        import_basemap(pmtiles)
    not_sqlite = tmp_path / "notes.mbtiles"
    not_sqlite.write_text("hello")
    with pytest.raises(BasemapError, match="not an MBTiles"):
        import_basemap(not_sqlite)
    assert list_basemaps() == []


@pytest.mark.parametrize("container", ["mbtiles", "pmtiles"])
def test_vector_tiles_are_served_uncompressed_and_styled_per_layer(
        incidents_home: Path, tmp_path: Path, container: str) -> None:
    from vector_tiles import make_vector_mbtiles, make_vector_pmtiles, vector_tile

    x, y = tile_index(*MOPTI, 10)
    make = make_vector_mbtiles if container == "mbtiles" else make_vector_pmtiles
    found = import_basemap(make(tmp_path / f"roads.{container}", [(10, x, y)], "Sévaré"))
    assert found.vector and found.vector_layers == ("water", "transportation", "place")
    assert (found.min_zoom, found.max_zoom) == (10, 10)
    assert [b.name for b in list_basemaps()] == ["vector-region"]
    data, mime = read_tile("vector-region", 10, x, y)
    assert mime == "application/x-protobuf" and data == vector_tile("Sévaré")
    assert read_tile("vector-region", 10, x + 1, y) is None
    html = _rendered(basemap_layer(found))
    assert "P.leafletLayer(" in html and "protomapsL" in html and '"layer": "water"' in html
    assert "<b>" not in html  # the file's attribution is text, not markup


def test_a_reimport_under_the_same_name_replaces_the_other_container(
        incidents_home: Path, tmp_path: Path) -> None:
    from vector_tiles import make_vector_pmtiles

    x, y = tile_index(*MOPTI, 10)
    import_basemap(make_mbtiles(tmp_path / "region.mbtiles"), "region")
    import_basemap(make_vector_pmtiles(tmp_path / "region.pmtiles", [(10, x, y)], "A"), "region")
    assert [(b.name, b.format) for b in list_basemaps()] == [("region", "pbf")]


def test_a_tile_that_inflates_beyond_the_cap_is_not_served(incidents_home: Path,
                                                           tmp_path: Path,
                                                           monkeypatch) -> None:
    from incidents.maps import basemaps
    from vector_tiles import make_vector_mbtiles

    x, y = tile_index(*MOPTI, 10)
    import_basemap(make_vector_mbtiles(tmp_path / "v.mbtiles", [(10, x, y)], "x" * 500), "v")
    monkeypatch.setattr(basemaps, "MAX_TILE_BYTES", 100)
    assert read_tile("v", 10, x, y) is None


def _rendered(layer) -> str:
    import folium

    fmap = folium.Map()
    layer.add_to(fmap)
    return fmap.get_root().render()


def test_the_basemap_commands(incidents_home: Path, tmp_path: Path) -> None:
    from incidents.cli import cli

    source = make_mbtiles(tmp_path / "region.mbtiles")
    result = CliRunner().invoke(cli, ["basemap", "import", str(source), "--name", "mopti"])
    assert result.exit_code == 0 and "zoom 9-11" in result.output
    assert "mopti" in CliRunner().invoke(cli, ["basemap", "list"]).output
    bad = CliRunner().invoke(cli, ["basemap", "import", str(source), "--name", "///"])
    assert bad.exit_code == 2 and "Traceback" not in bad.output
