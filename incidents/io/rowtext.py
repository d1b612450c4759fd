"""Rows of text from encoded columns, without a Python object per cell.

A row of an export is fixed text between cell values: a separator, maybe a
quote or ``null``, the value, maybe a closing quote, the next separator...
Which fixed text sits between two cells depends only on the two cells'
states (see ``incidents.io.textcells``), so every variant is written once into
a small table. The chunk's text is then one Arrow ``take`` over [table, the
columns' values] in row order: a single C++ gather whose result's data buffer
*is* the chunk's bytes, ready to be written.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from incidents.io.textcells import BARE, MISSING, QUOTED, TEXT, Cells

STATES = (MISSING, BARE, QUOTED)


@dataclass(frozen=True)
class Slot:
    """The fixed text around one column's cells.

    ``separator`` comes before the cell whatever its state; then ``missing``
    stands for a missing cell, ``opening``/``closing`` wrap a present one and a
    quoted cell is also wrapped in double quotes (inside opening/closing).
    """

    separator: str
    missing: str = ""
    opening: str = ""
    closing: str = ""

    def before(self, state: int) -> str:
        if state == MISSING:
            return self.separator + self.missing
        return self.separator + self.opening + ('"' if state == QUOTED else "")

    def after(self, state: int) -> str:
        if state == MISSING:
            return ""
        return ('"' if state == QUOTED else "") + self.closing


def _fixed_texts(slots: list[Slot], row_end: str) -> list[str]:
    """Row start (3 states), every boundary (3 x 3 states), row end (3 states)."""
    texts = [slots[0].before(state) for state in STATES]
    for previous, slot in zip(slots, slots[1:]):
        texts += [previous.after(p) + slot.before(s) for p in STATES for s in STATES]
    texts += [slots[-1].after(state) + row_end for state in STATES]
    return texts


def _gather_order(columns: list[Cells], empty: int, first_value: int) -> np.ndarray:
    """Row-major indices into [fixed texts, column values] for ``take``."""
    states = [cells.state.astype(np.int64) for cells in columns]
    rows, width = len(states[0]), len(columns)
    order = np.empty((rows, 2 * width + 1), dtype=np.int64)
    order[:, 0] = states[0]
    base = first_value
    row_numbers = np.arange(rows, dtype=np.int64)
    boundary = len(STATES)
    for j, cells in enumerate(columns):
        if j:
            order[:, 2 * j] = boundary + states[j - 1] * len(STATES) + states[j]
            boundary += len(STATES) ** 2
        order[:, 2 * j + 1] = np.where(states[j] == MISSING, empty, base + row_numbers)
        base += len(cells.text)
    order[:, 2 * width] = boundary + states[-1]
    return order.ravel()


def _fold_missing(
    columns: list[Cells], slots: list[Slot], row_end: str
) -> tuple[list[Cells], list[Slot], str]:
    """Drop columns missing in every row, their fixed text joining the next slot's.

    Many columns are empty throughout a chunk (most of our own columns in an
    ACLED import); each one dropped saves two gathered pieces per row.
    """
    kept_columns: list[Cells] = []
    kept_slots: list[Slot] = []
    pending = ""
    for position, (cells, slot) in enumerate(zip(columns, slots)):
        last_chance = position == len(columns) - 1 and not kept_columns
        if (cells.state == MISSING).all() and not last_chance:
            pending += slot.before(MISSING)
            continue
        kept_columns.append(cells)
        kept_slots.append(replace(slot, separator=pending + slot.separator))
        pending = ""
    if pending:
        return kept_columns, kept_slots, pending + row_end
    return kept_columns, kept_slots, row_end


def assemble(columns: list[Cells], slots: list[Slot], row_end: str) -> pa.Buffer:
    """The rows' text, each row being its slots and cells in order followed by ``row_end``."""
    if len(columns) != len(slots) or not columns:
        raise ValueError("assemble needs one slot per column and at least one column")
    if not len(columns[0].state):
        return pa.py_buffer(b"")
    columns, slots, row_end = _fold_missing(columns, slots, row_end)
    fixed = _fixed_texts(slots, row_end)
    empty = len(fixed)
    table = pa.array(fixed + [""], type=TEXT)
    source = pa.concat_arrays([table] + [cells.text for cells in columns])
    gathered = pc.take(source, pa.array(_gather_order(columns, empty, empty + 1)))
    offsets = np.frombuffer(gathered.buffers()[1], dtype=np.int64)
    start = offsets[gathered.offset]
    stop = offsets[gathered.offset + len(gathered)]
    return gathered.buffers()[2][start:stop]
