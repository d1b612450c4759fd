"""Streaming GeoJSON (RFC 7946) writer.

Features are written chunk by chunk, so memory stays flat however many
incidents there are: each chunk's properties are encoded by pandas' C JSON
encoder, and only the small geometry member is formatted in Python. Output is
WGS84 with [longitude, latitude] order and no ``crs`` member, as the RFC asks.
A row without coordinates becomes a feature with ``"geometry": null``, which
the RFC allows, so no incident is dropped.
"""

from __future__ import annotations

from typing import TextIO

import numpy as np
import pandas as pd

from incidents.io.exportframe import iso_dates

CHUNK_ROWS = 20_000


def _geometries(latitude: np.ndarray, longitude: np.ndarray) -> list[str]:
    placed = ~np.isnan(latitude)
    return [
        f'{{"type":"Point","coordinates":[{x},{y}]}}' if ok else "null"
        for x, y, ok in zip(longitude.tolist(), latitude.tolist(), placed.tolist())
    ]


def write_geojson(
    frame: pd.DataFrame, latitude: np.ndarray, longitude: np.ndarray, stream: TextIO
) -> int:
    """Write a FeatureCollection to a text stream; returns the number of features."""
    stream.write('{"type":"FeatureCollection","features":[')
    written = 0
    for start in range(0, len(frame), CHUNK_ROWS):
        chunk = iso_dates(frame.iloc[start : start + CHUNK_ROWS])
        properties = chunk.to_json(
            orient="records", lines=True, force_ascii=False, double_precision=15
        ).rstrip("\n").split("\n")
        geometries = _geometries(
            latitude[start : start + CHUNK_ROWS], longitude[start : start + CHUNK_ROWS]
        )
        features = ",\n".join(
            f'{{"type":"Feature","geometry":{g},"properties":{p}}}'
            for g, p in zip(geometries, properties)
        )
        stream.write(",\n" if written else "\n")
        stream.write(features)
        written += len(chunk)
    stream.write("\n]}\n")
    return written
