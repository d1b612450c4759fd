"""Encoding and delimiter detection for delimited text."""

from __future__ import annotations

import pytest

from incidents.io.csvfile import detect_delimiter, detect_encoding, read_csv_table


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("é".encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbfabc", "utf-8-sig"),
        ("é".encode("utf-16"), "utf-16"),
        ("Ségou – “x”".encode("cp1252"), "cp1252"),
        (b"\x81\x8d", "latin-1"),
    ],
)
def test_detect_encoding(data: bytes, expected: str) -> None:
    assert detect_encoding(data) == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("a,b,c", ","),
        ("a;b;c", ";"),
        ("a\tb\tc", "\t"),
        ("a;b,c", ","),
        ("only", ","),
    ],
)
def test_detect_delimiter(header: str, expected: str) -> None:
    assert detect_delimiter(header) == expected


def test_cells_are_text_and_nothing_becomes_nan() -> None:
    table = read_csv_table(b"a,b\nNA,\n007,null\n")
    assert table.frame["a"].tolist() == ["NA", "007"]
    assert table.frame["b"].tolist() == ["", "null"]
    assert table.row_numbers.tolist() == [1, 2]


def test_utf16_tab_export_from_excel() -> None:
    table = read_csv_table("event_date\tlocation\n2024-12-07\tSégou\n".encode("utf-16"))
    assert table.meta["delimiter"] == "\t"
    assert table.frame.loc[0, "location"] == "Ségou"
