"""Streaming GeoJSON (RFC 7946) writer.

Features are written chunk by chunk, so memory stays flat however many
incidents there are. Each chunk is encoded a column at a time
(``incidents.io.textcells``) and laid out as features in one gather
(``incidents.io.rowtext``); the bytes are the ones pandas' JSON encoder and
Python's float formatting gave when every cell went through them, only
several times faster. Output is WGS84 with [longitude, latitude] order and no
``crs`` member, as the RFC asks. A row without coordinates becomes a feature
with ``"geometry": null``, which the RFC allows, so no incident is dropped.
"""

from __future__ import annotations

from typing import BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from incidents.io.rowtext import Slot, assemble
from incidents.io.textcells import BARE, MISSING, TEXT, Cells, json_cells, json_key

CHUNK_ROWS = 20_000
# Between these magnitudes Arrow and repr both write floats without an exponent
# (repr from 1e-4 to 1e16, Arrow's cast up to about 1e15); coordinates always are.
FIXED_FROM = 1e-4
FIXED_BELOW = 1e9
DOCUMENT_START = b'{"type":"FeatureCollection","features":['
DOCUMENT_END = b"\n]}\n"
# Every feature after the first is preceded by ",\n"; the first only by "\n".
GEOMETRY_SLOT = Slot(
    separator=',\n{"type":"Feature","geometry":',
    missing="null",
    opening='{"type":"Point","coordinates":[',
    closing="]}",
)


def coordinate_text(values: np.ndarray) -> pa.LargeStringArray:
    """Floats as Python's ``repr`` writes them.

    Arrow's cast gives the same shortest digits as ``repr`` but writes whole
    numbers without ``.0`` and switches to exponents at other magnitudes, so
    whole numbers get their ``.0`` and the rare very small or very large
    values are formatted by numpy instead (its ``str`` of a float64 is ``repr``).
    """
    text = pc.cast(pa.array(values, from_pandas=True), TEXT)
    whole = pc.invert(pc.match_substring(text, "."))
    with_point = pc.binary_join_element_wise(text, pa.scalar(".0", TEXT), pa.scalar("", TEXT))
    text = pc.if_else(whole, with_point, text)
    magnitude = np.abs(values)
    unusual = ((magnitude < FIXED_FROM) & (magnitude != 0)) | (magnitude >= FIXED_BELOW)
    if unusual.any():
        exact = pa.array(values[unusual].astype(str), type=TEXT)
        text = pc.replace_with_mask(text, pa.array(unusual), exact)
    return text


def _geometry_cells(latitude: np.ndarray, longitude: np.ndarray) -> Cells:
    placed = ~(np.isnan(latitude) | np.isnan(longitude))
    pairs = pc.binary_join_element_wise(
        coordinate_text(longitude), coordinate_text(latitude), pa.scalar(",", TEXT)
    )
    return Cells(pairs, np.where(placed, BARE, MISSING).astype(np.int8))


def _property_slots(columns: pd.Index) -> list[Slot]:
    keys = [json_key(name) for name in columns]
    slots = [Slot(separator=f',"properties":{{{keys[0]}:', missing="null")] if keys else []
    slots += [Slot(separator=f",{key}:", missing="null") for key in keys[1:]]
    return slots


def write_geojson(
    frame: pd.DataFrame, latitude: np.ndarray, longitude: np.ndarray, stream: BinaryIO
) -> int:
    """Write a FeatureCollection to a binary stream as UTF-8; returns the number of features."""
    slots = [GEOMETRY_SLOT] + _property_slots(frame.columns)
    row_end = "}}" if len(frame.columns) else ',"properties":{}}'
    stream.write(DOCUMENT_START)
    for start in range(0, len(frame), CHUNK_ROWS):
        stop = start + CHUNK_ROWS
        chunk = frame.iloc[start:stop]
        cells = [_geometry_cells(latitude[start:stop], longitude[start:stop])]
        cells += [json_cells(chunk.iloc[:, i]) for i in range(chunk.shape[1])]
        text = memoryview(assemble(cells, slots, row_end))
        stream.write(text[1:] if start == 0 else text)
    stream.write(DOCUMENT_END)
    return len(frame)
