import sqlite3

import folium

from incidents.maps import assets
from incidents.maps.tiles import (
    MAX_NATIVE_ZOOM,
    TILES_DIR,
    extract_mbtiles,
    install_tiles,
    local_tile_layer,
    online_tile_layer,
    tile_index,
    tiles_covering,
    tiles_installed,
    xyz_row,
)


def _mbtiles(path, tiles):
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE metadata (name text, value text)")
    connection.execute(
        "CREATE TABLE tiles (zoom_level integer, tile_column integer, tile_row integer, tile_data blob)"
    )
    connection.execute("INSERT INTO metadata VALUES ('format', 'png')")
    connection.executemany("INSERT INTO tiles VALUES (?, ?, ?, ?)", tiles)
    connection.commit()
    connection.close()
    return path


def test_xyz_row_flips_tms_rows():
    assert xyz_row(0, 0) == 0
    assert xyz_row(1, 0) == 1
    assert xyz_row(2, 3) == 0
    assert xyz_row(6, 0) == 63


def test_extract_mbtiles_writes_xyz_paths(tmp_path):
    source = _mbtiles(tmp_path / "t.mbtiles", [(0, 0, 0, b"z0"), (2, 1, 3, b"top"), (2, 1, 0, b"bottom")])
    count = extract_mbtiles(source, tmp_path / "tiles")
    assert count == 3
    assert (tmp_path / "tiles/0/0/0.png").read_bytes() == b"z0"
    assert (tmp_path / "tiles/2/1/0.png").read_bytes() == b"top"
    assert (tmp_path / "tiles/2/1/3.png").read_bytes() == b"bottom"


def test_install_tiles_from_a_local_file_is_done_once(tmp_path):
    source = _mbtiles(tmp_path / "t.mbtiles", [(0, 0, 0, b"z0")])
    target = tmp_path / "tiles"
    assert install_tiles(target, mbtiles=source) is True
    assert tiles_installed(target)
    assert install_tiles(target, mbtiles=source) is False


def test_tile_index_matches_known_tiles():
    assert tile_index(0.0, 0.0, 1) == (1, 1)
    # Bamako (12.64 N, 8.0 W) at zoom 6 is tile x=30, y=29 in XYZ.
    assert tile_index(12.64, -8.0, 6) == (30, 29)


def test_tiles_covering_spans_the_bounds_at_each_zoom():
    covered = tiles_covering(((10.0, -10.0), (20.0, 5.0)), [0, 6])
    assert (0, 0, 0) in covered
    zoom6 = [t for t in covered if t[0] == 6]
    xs = {t[1] for t in zoom6}
    ys = {t[2] for t in zoom6}
    assert xs == set(range(tile_index(20.0, -10.0, 6)[0], tile_index(10.0, 5.0, 6)[0] + 1))
    assert len(zoom6) == len(xs) * len(ys)


def test_local_layer_overzooms_native_tiles():
    fmap = folium.Map(tiles=None)
    local_tile_layer(name="offline").add_to(fmap)
    page = fmap.get_root().render()
    assert '"maxNativeZoom": 6' in page
    assert '"maxZoom": 13' in page
    assert "/app/static/tiles/osm/{z}/{x}/{y}.png" in page
    assert "OpenStreetMap\\u003c/a\\u003e contributors" in page
    assert MAX_NATIVE_ZOOM == 6


def test_online_layer_is_opt_in_and_hidden():
    layer = online_tile_layer(name="live")
    assert getattr(layer, assets.ONLINE_OPT_IN) is True
    assert layer.show is False


def test_setup_installed_the_world_tiles():
    assert tiles_installed(TILES_DIR), "run `make setup` (incidents setup)"
    assert (TILES_DIR / "6" / "30" / "29.png").is_file()
