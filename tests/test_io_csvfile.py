"""Encoding and delimiter detection for delimited text."""

from __future__ import annotations

import pytest

from incidents.errors import IngestError
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


def test_a_quote_left_open_is_refused_with_its_line() -> None:
    data = b'event_date,event_type,notes\n2024-01-01,Battles,ok\n2024-01-02,Battles,"never closed\n2024-01-03,Battles,lost\n'
    with pytest.raises(IngestError, match="opened on line 3 is never closed"):
        read_csv_table(data)


def test_a_stray_quote_inside_a_value_is_not_mistaken_for_an_open_one() -> None:
    data = b'event_date,event_type,notes\n2024-01-01,Battles,a 5" pipe\n2024-01-02,Battles,ok\n'
    assert len(read_csv_table(data).frame) == 2
