"""Streaming CSV writer: the bytes ``DataFrame.to_csv`` wrote, a chunk at a time.

The header is written by Python's ``csv`` module (as pandas does); rows are
encoded a column at a time (``incidents.io.textcells``) and laid out in one
gather (``incidents.io.rowtext``). Dates are ``yyyy-mm-dd``; missing values
are empty fields. Text cells that start like a spreadsheet formula get a
leading ``'`` (``incidents.io.formulas``). A frame with a column kind the encoders do not know (say,
a column of lists) is written chunk by chunk by pandas itself instead, so
the output never depends on which path wrote it.
"""

from __future__ import annotations

import csv
import io
from typing import BinaryIO

import pandas as pd

from incidents.io.exportframe import iso_dates
from incidents.io.formulas import defused_frame, defused_text
from incidents.io.rowtext import Slot, assemble
from incidents.io.textcells import Cells, csv_cells

CHUNK_ROWS = 20_000
LINE_END = "\n"


def _header(columns: pd.Index) -> bytes:
    text = io.StringIO()
    csv.writer(text, lineterminator=LINE_END).writerow(
        [defused_text(str(name)) for name in columns]
    )
    return text.getvalue().encode("utf-8")


def _encoded(chunk: pd.DataFrame) -> list[Cells] | None:
    cells = []
    for position in range(chunk.shape[1]):
        column = csv_cells(chunk.iloc[:, position])
        if column is None:
            return None
        cells.append(column)
    return cells


def write_csv(frame: pd.DataFrame, stream: BinaryIO) -> int:
    """Write the frame's columns and rows to a binary stream as UTF-8; returns the row count."""
    stream.write(_header(frame.columns))
    if not len(frame.columns):
        return len(frame)
    slots = [Slot(separator="")] + [Slot(separator=",") for _ in frame.columns[1:]]
    for start in range(0, len(frame), CHUNK_ROWS):
        chunk = frame.iloc[start : start + CHUNK_ROWS]
        cells = _encoded(chunk)
        if cells is None:
            text = defused_frame(iso_dates(chunk)).to_csv(
                None, header=False, index=False, lineterminator=LINE_END
            )
            stream.write(text.encode("utf-8"))
        else:
            stream.write(assemble(cells, slots, LINE_END))
    return len(frame)
