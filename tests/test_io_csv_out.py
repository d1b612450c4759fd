"""Streamed CSV: the bytes pandas' to_csv wrote for the whole frame, written a chunk at a time."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from incidents import model
from incidents.io import csv_out
from incidents.io.csv_out import write_csv
from incidents.io.exportframe import export_frame, iso_dates


def tricky_frame() -> pd.DataFrame:
    raw = pd.DataFrame({
        "event_id_cnty": ["A/1", 'B"2', "C,3", "D\n4", None, "F\x01\r"],
        "event_date": pd.to_datetime(["2024-12-07", None, "2023-01-01", "2024-02-29",
                                      "2024-12-07", "2020-06-30"]),
        "latitude": [12.123456789, np.nan, 0.00001, 12.0, -0.0, 89.999999],
        "longitude": [-4.92, 3.0, 1e-6, 150.123456, -179.5, np.nan],
        "fatalities": [2, None, 0, 5, 1, 3],
        "geocode_score": [0.8333333333333334, None, 1.0, 0.1 + 0.2, 1e-7, 1e16],
        "synthetic": [True, False, True, False, False, True],
        "custom list": [[1, 2], None, {"k": "v"}, "text", 3, 4.5],
        "custom count": [1, 2, 3, 4, 5, 6],
    })
    return model.conform(raw)


def pandas_csv(frame: pd.DataFrame) -> bytes:
    return iso_dates(frame).to_csv(index=False, lineterminator="\n").encode("utf-8")


def written(frame: pd.DataFrame) -> bytes:
    stream = io.BytesIO()
    assert write_csv(frame, stream) == len(frame)
    return stream.getvalue()


@pytest.mark.parametrize("chunk_rows", [1, 4, 20_000])
def test_bytes_match_pandas_across_chunks(chunk_rows, monkeypatch) -> None:
    monkeypatch.setattr(csv_out, "CHUNK_ROWS", chunk_rows)
    frame, _, _ = export_frame(tricky_frame().drop(columns="custom list"))
    frame.loc[frame.index[2], "notes"] = 'comma, "quote" and\nnewline'
    assert written(frame) == pandas_csv(frame)


def test_a_column_the_encoders_do_not_know_goes_through_pandas(monkeypatch) -> None:
    monkeypatch.setattr(csv_out, "CHUNK_ROWS", 3)
    frame, _, _ = export_frame(tricky_frame())
    assert frame["custom list"].dtype == object
    assert written(frame) == pandas_csv(frame)


def test_header_only_when_there_are_no_rows() -> None:
    frame, _, _ = export_frame(tricky_frame().iloc[:0])
    assert written(frame) == pandas_csv(frame)
    assert written(frame).count(b"\n") == 1


def test_header_names_are_quoted_when_they_need_it() -> None:
    frame = pd.DataFrame({"plain": [1], "with, comma": [np.nan]})
    assert written(frame) == pandas_csv(frame)
