"""Column encoders: the JSON and CSV text must be what pandas writes for the same values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from incidents.io.formulas import defused_frame
from incidents.io.textcells import (
    BARE, MISSING, QUOTED, csv_cells, json_cells, json_escaped, json_key,
)

TRICKY_TEXT = (
    [chr(code) for code in range(0x20)]
    + ['a/b', 'say "hi"', "back\\slash", "é ü 中文 😀", "\u2028\u2029", "\x7f", "",
       "line\nbreak, comma", "tab\tand\rcr", "ends with \\", '"', "/"]
)


def _pandas_json_values(values: pd.Series) -> list[str]:
    lines = pd.DataFrame({"k": values}).to_json(
        orient="records", lines=True, force_ascii=False, double_precision=15
    )
    return [line[len('{"k":'):-1] for line in lines.rstrip("\n").split("\n")]


def _rendered(cells, missing: str) -> list[str]:
    """Each cell as the writer will print it: quoted, bare, or ``missing``."""
    return [
        missing if state == MISSING else f'"{text}"' if state == QUOTED else text
        for text, state in zip(cells.text.to_pylist(), cells.state.tolist())
    ]


def _rendered_json(values: pd.Series) -> list[str]:
    return _rendered(json_cells(values), "null")


@pytest.mark.parametrize("dtype", ["string", "str", object])
def test_json_strings_match_pandas_including_every_control_character(dtype) -> None:
    values = pd.Series(TRICKY_TEXT + [None], dtype=dtype)
    assert _rendered_json(values) == _pandas_json_values(values)


def test_json_escaping_keeps_row_boundaries_when_a_row_starts_or_ends_with_an_escape() -> None:
    array = pa.array(['"', "x", "\x01", "/y/", ""], type=pa.large_string()).slice(1)
    assert json_escaped(array).to_pylist() == ["x", "\\u0001", "\\/y\\/", ""]


@pytest.mark.parametrize(
    "values",
    [
        pd.Series([1, None, -7, 2**40], dtype="Int64"),
        pd.Series(np.array([3, -2, 0], dtype=np.int32)),
        pd.Series([True, False, True]),
        pd.Series([12.0, -4.92, 0.1 + 0.2, 1e-5, 1e17, 150.123456, -0.0, np.nan, 1 / 3]),
        pd.Series([[1, 2], {"a": "/"}, None, 3.5], dtype=object),
        pd.Series([True, None, False], dtype="boolean"),
        pd.Series([1.5, None, 1e17], dtype="Float64"),
        pd.Series(pd.Categorical(["a/b", None, "c"])),
    ],
    ids=["Int64", "int32", "bool", "float", "mixed-objects", "boolean", "Float64", "category"],
)
def test_json_other_kinds_match_pandas(values) -> None:
    assert _rendered_json(values) == _pandas_json_values(values)


def test_json_dates_are_quoted_days_and_nat_is_null() -> None:
    values = pd.to_datetime(pd.Series(["2024-12-07", None, "1969-01-31 13:45"]), format="ISO8601")
    assert _rendered_json(values) == ['"2024-12-07"', "null", '"1969-01-31"']


def test_json_key_escapes_like_pandas() -> None:
    assert json_key("a/b") == '"a\\/b"'
    assert json_key('q"') == '"q\\""'


def _pandas_csv_fields(values: pd.Series) -> list[str]:
    """Each value's CSV field, read off a two-column pandas CSV."""
    frame = pd.DataFrame({"k": values, "end": "|"})
    text = frame.to_csv(index=False, header=False, lineterminator="\n")
    assert text.endswith(",|\n")
    return text[: -len(",|\n")].split(",|\n")


def _rendered_csv(values: pd.Series) -> list[str]:
    return _rendered(csv_cells(values), "")


@pytest.mark.parametrize(
    "values",
    [
        pd.Series(TRICKY_TEXT + [None], dtype="string"),
        pd.Series(["x,y", 'a "b"', "two\nlines", "cr\ronly", " pad ", None], dtype=object),
        pd.Series([1, None, -7], dtype="Int64"),
        pd.Series([True, False]),
        pd.Series([12.0, -4.92, 0.1 + 0.2, 1e-5, 1e16, 1e22, -0.0, np.nan, 150.123456]),
    ],
    ids=["string", "object", "Int64", "bool", "float"],
)
def test_csv_fields_match_pandas(values) -> None:
    """Byte for byte what pandas writes, once formula-like text has its leading ``'``."""
    assert _rendered_csv(values) == _pandas_csv_fields(defused_frame(values.to_frame()).iloc[:, 0])


def test_csv_dates_are_days_and_nat_is_empty() -> None:
    values = pd.to_datetime(pd.Series(["2024-12-07", None]))
    cells = csv_cells(values)
    assert cells.text.to_pylist()[0] == "2024-12-07"
    assert cells.state.tolist() == [BARE, MISSING]


def test_csv_has_no_encoder_for_objects_that_are_not_text() -> None:
    assert csv_cells(pd.Series([[1, 2], "x"], dtype=object)) is None


def test_bytes_objects_are_left_to_pandas() -> None:
    values = pd.Series([b"raw", "text", None], dtype=object)
    assert _rendered_json(values) == _pandas_json_values(values)
    assert csv_cells(values) is None


def test_a_null_row_stays_missing_whatever_bytes_arrow_kept_for_it() -> None:
    from incidents.io.textcells import _csv_text

    validity = pa.py_buffer(np.packbits([0, 1], bitorder="little"))
    offsets = pa.py_buffer(np.array([0, 3, 4], dtype=np.int64))
    array = pa.LargeStringArray.from_buffers(2, offsets, pa.py_buffer(b"a,bx"), validity)
    assert array.to_pylist() == [None, "x"]
    assert _csv_text(array).state.tolist() == [MISSING, BARE]
