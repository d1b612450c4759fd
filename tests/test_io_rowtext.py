"""Row assembly: fixed text chosen by the neighbouring cells' states, one gather per chunk."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from incidents.io.rowtext import Slot, assemble
from incidents.io.textcells import BARE, MISSING, QUOTED, Cells

JSON_SLOTS = [Slot('{"a":', missing="null"), Slot(',"b":', missing="null")]


def cells(texts: list[str], states: list[int]) -> Cells:
    return Cells(pa.array(texts, type=pa.large_string()), np.array(states, dtype=np.int8))


def test_every_state_pair_gets_its_own_fixed_text() -> None:
    a = cells(["x", "1", "", "y"], [QUOTED, BARE, MISSING, QUOTED])
    b = cells(["", "z", "2", "w"], [MISSING, QUOTED, BARE, QUOTED])
    text = assemble([a, b], JSON_SLOTS, "}\n").to_pybytes().decode()
    assert text.splitlines() == [
        '{"a":"x","b":null}', '{"a":1,"b":"z"}', '{"a":null,"b":2}', '{"a":"y","b":"w"}',
    ]


def test_opening_and_closing_wrap_only_present_cells() -> None:
    point = Slot("[", missing="null", opening="<", closing=">")
    text = assemble([cells(["1,2", ""], [BARE, MISSING])], [point], "]")
    assert text.to_pybytes() == b"[<1,2>][null]"


def test_columns_missing_throughout_fold_into_the_fixed_text() -> None:
    slots = [Slot("", ), Slot(","), Slot(","), Slot(",")]
    columns = [cells(["", ""], [MISSING, MISSING]), cells(["1", "2"], [BARE, BARE]),
               cells(["", ""], [MISSING, MISSING]), cells(["", ""], [MISSING, MISSING])]
    assert assemble(columns, slots, "\n").to_pybytes() == b",1,,\n,2,,\n"


def test_a_row_of_nothing_but_missing_cells_still_has_its_separators() -> None:
    slots = [Slot("<"), Slot("|", missing="-")]
    columns = [cells([""], [MISSING]), cells([""], [MISSING])]
    assert assemble(columns, slots, ">").to_pybytes() == b"<|->"


def test_missing_cells_never_leak_their_text() -> None:
    text = assemble([cells(["stale", "ok"], [MISSING, BARE])], [Slot("", missing="NA")], ";")
    assert text.to_pybytes() == b"NA;ok;"


def test_sliced_inputs_and_empty_chunks() -> None:
    sliced = Cells(pa.array(["skip", "a", "b"], type=pa.large_string()).slice(1),
                   np.array([BARE, BARE], dtype=np.int8))
    assert assemble([sliced], [Slot("")], ",").to_pybytes() == b"a,b,"
    assert assemble([cells([], [])], [Slot("")], ",").to_pybytes() == b""
    with pytest.raises(ValueError):
        assemble([sliced], [], ",")
