"""Small vector-tile files for tests: one Mapbox Vector Tile (encoded here by hand, after
the MVT 2.1 specification) in MBTiles and PMTiles containers."""

from __future__ import annotations

import gzip
import json
import sqlite3
from pathlib import Path

EXTENT = 4096


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _field(number: int, wire: int, payload: bytes | int) -> bytes:
    key = _varint((number << 3) | wire)
    if wire == 0:
        return key + _varint(int(payload))
    return key + _varint(len(payload)) + payload


def _zigzag(value: int) -> int:
    return (value << 1) ^ (value >> 31)


def _packed(values: list[int]) -> bytes:
    return b"".join(_varint(v) for v in values)


def _feature(kind: int, points: list[tuple[int, int]], tags: list[int]) -> bytes:
    """kind: 1 point, 2 line, 3 polygon (closed with ClosePath)."""
    geometry = [(1 | (1 << 3)), _zigzag(points[0][0]), _zigzag(points[0][1])]
    if len(points) > 1:
        geometry.append(2 | ((len(points) - 1) << 3))
        x, y = points[0]
        for px, py in points[1:]:
            geometry += [_zigzag(px - x), _zigzag(py - y)]
            x, y = px, py
    if kind == 3:
        geometry.append(7 | (1 << 3))
    return (_field(2, 2, _packed(tags)) + _field(3, 0, kind)
            + _field(4, 2, _packed(geometry)))


def _layer(name: str, features: list[bytes], keys: list[str], values: list[str]) -> bytes:
    body = _field(15, 0, 2) + _field(1, 2, name.encode())
    body += b"".join(_field(2, 2, feature) for feature in features)
    body += b"".join(_field(3, 2, key.encode()) for key in keys)
    body += b"".join(_field(4, 2, _field(1, 2, value.encode())) for value in values)
    return _field(3, 2, body + _field(5, 0, EXTENT))


def vector_tile(label: str) -> bytes:
    """A tile with a water polygon, a road across it and a labelled place in the middle."""
    water = _layer("water", [_feature(3, [(0, 0), (4096, 0), (4096, 1600), (0, 1600)], [])],
                   [], [])
    road = _layer("transportation", [_feature(2, [(0, 4096), (4096, 2200)], [])], [], [])
    place = _layer("place", [_feature(1, [(2048, 2600)], [0, 0])], ["name"], [label])
    return water + road + place


LAYERS = {"vector_layers": [{"id": "water"}, {"id": "transportation"}, {"id": "place"}]}


def make_vector_mbtiles(path: Path, tiles: list[tuple[int, int, int]], label: str) -> Path:
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
    connection.execute("CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER,"
                       " tile_row INTEGER, tile_data BLOB)")
    connection.executemany("INSERT INTO metadata VALUES (?, ?)", [
        ("name", "Vector region"), ("format", "pbf"), ("attribution", "Test vector tiles"),
        ("json", json.dumps(LAYERS))])
    for z, x, y in tiles:
        connection.execute("INSERT INTO tiles VALUES (?, ?, ?, ?)",
                           (z, x, (1 << z) - 1 - y, gzip.compress(vector_tile(label))))
    connection.commit()
    connection.close()
    return path


def make_vector_pmtiles(path: Path, tiles: list[tuple[int, int, int]], label: str) -> Path:
    from pmtiles.tile import Compression, TileType, zxy_to_tileid
    from pmtiles.writer import write

    zooms = [z for z, _, _ in tiles]
    with write(str(path)) as writer:
        for tile_id, z, x, y in sorted((zxy_to_tileid(z, x, y), z, x, y) for z, x, y in tiles):
            writer.write_tile(tile_id, gzip.compress(vector_tile(label)))
        writer.finalize(
            {"tile_type": TileType.MVT, "tile_compression": Compression.GZIP,
             "min_zoom": min(zooms), "max_zoom": max(zooms),
             "min_lon_e7": int(-5.5e7), "min_lat_e7": int(13.5e7),
             "max_lon_e7": int(-3e7), "max_lat_e7": int(15.5e7),
             "center_zoom": max(zooms), "center_lon_e7": int(-4.19e7),
             "center_lat_e7": int(14.49e7)},
            {"name": "Vector region", "attribution": "Test <b>vector</b> tiles", **LAYERS})
    return path
