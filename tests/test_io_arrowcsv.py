"""Arrow's CSV parser takes only files pandas would read the same way; both give one table."""

from __future__ import annotations

import pandas as pd
import pytest

from incidents.io import arrowcsv, csvfile
from incidents.io.arrowcsv import quotes_well_placed, read_well_formed, scan_utf8
from incidents.io.csvfile import read_csv_table

PLAIN = b'id,notes,date\nr1,"a, b",2024-01-02\nr2,"say ""hi""\nthen go",2024-01-03\nr3,,\n'


def test_a_well_formed_file_is_read_by_arrow_as_pandas_reads_it() -> None:
    frame = read_well_formed(PLAIN, scan_utf8(PLAIN), ",")
    assert frame is not None
    expected = pd.read_csv(pd.io.common.BytesIO(PLAIN), dtype=str, keep_default_na=False,
                           na_filter=False)
    pd.testing.assert_frame_equal(frame, expected, check_exact=True)
    assert str(frame["notes"].array._pa_array.type) == "large_string"


@pytest.mark.parametrize(
    ("label", "data"),
    [
        ("NUL byte", PLAIN.replace(b"r3", b"r\x003")),
        ("lone carriage return", PLAIN.replace(b"\nr3", b"\rr3")),
        ("carriage return ending the file", PLAIN + b"\r"),
        ("whitespace-only line", PLAIN.replace(b"\nr3", b"\n  \nr3")),
        ("whitespace-only line, one column", b"a\n1\n  \n2\n"),
        ("blank before the header", b"\n" + PLAIN),
        ("space before the header", b" " + PLAIN),
        ("stray quote in a value", PLAIN.replace(b"r3,", b'r3 5" gun,')),
        ("empty header name", PLAIN.replace(b"id,", b",")),
        ("repeated header name", PLAIN.replace(b"date", b"id")),
        ("short row", PLAIN.replace(b"r3,,", b"r3,")),
        ("long row", PLAIN.replace(b"r3,,", b"r3,,,")),
        ("wider than the reader takes",
         (",".join(f"c{n}" for n in range(1_001)) + "\n" + "x," * 1_000 + "x\n").encode()),
    ],
)
def test_files_the_parsers_could_read_apart_go_to_pandas(label: str, data: bytes) -> None:
    assert read_well_formed(data, scan_utf8(data), ",") is None, label


@pytest.mark.parametrize(
    "data",
    ["id,lieu\nr1,Ségou\n".encode("cp1252"), "id,lieu\nr1,S\u00e9gou\n".encode("cp1252") * 2,
     "id,lieu\xe9\nr1,x\n".encode("cp1252")],
)
def test_a_byte_that_is_not_utf_8_sends_the_file_to_the_decided_encoding(data: bytes) -> None:
    assert read_well_formed(data, scan_utf8(data), ",") is None
    assert read_csv_table(data).meta["encoding"] == "cp1252"


def test_a_quoted_first_name_after_a_bom_is_read_by_arrow() -> None:
    data = b'\xef\xbb\xbf"id",notes\nr1,x\n'
    frame = read_well_formed(data, scan_utf8(data), ",")
    assert frame is not None and list(frame.columns) == ["id", "notes"]


def test_a_bom_is_skipped_as_utf_8_sig_skips_it() -> None:
    data = b"\xef\xbb\xbf" + PLAIN
    frame = read_well_formed(data, scan_utf8(data), ",")
    assert frame is not None and list(frame.columns) == ["id", "notes", "date"]


@pytest.mark.parametrize(
    ("data", "placed"),
    [
        (b'a,"b",c\n', True),
        (b'"a ""q"" b",c\n', True),
        (b'a,"",c\r\n', True),
        (b'"""",c\n', True),
        (b'a,b"c\n', False),
        (b'a,"b"c\n', False),
        (b'a, "b"\n', False),
        (b'a,"b\n', False),
    ],
)
def test_quotes_are_placed_as_rfc_4180_places_them(data: bytes, placed: bool) -> None:
    assert quotes_well_placed(data, scan_utf8(data).quotes, ",") is placed


@pytest.mark.parametrize(
    "data",
    [b"", b"abc", "é€😀".encode(), b"\xed\xa0\x80", b"\xc0\xaf", b"\xf4\x90\x80\x80",
     b"\xe2\x82", b"a\xc3", b"\x80", b"\xff"],
)
def test_utf_8_is_told_as_python_decodes_it(data: bytes) -> None:
    try:
        data.decode("utf-8")
        decodes = True
    except UnicodeDecodeError:
        decodes = False
    assert csvfile.is_utf8(data) is decodes


@pytest.mark.parametrize(
    "data",
    [
        PLAIN,
        PLAIN.replace(b"\n", b"\r\n"),
        b"\xef\xbb\xbf" + PLAIN,
        b'\xef\xbb\xbf"id",notes\nr1,x\n',
        PLAIN.replace(b",", b";"),
        b"a,b\n",
        b"a,b\n1,2",
        b"a,b\n1,2\n\n\n3,4\n",
        b"a, ,c\n1,2,3\n",
        b'a,b\n1,"' + b"y" * (3 << 20) + b'"\n',
    ],
)
def test_the_table_is_the_same_through_either_parser(data: bytes, monkeypatch) -> None:
    fast = read_csv_table(data)
    monkeypatch.setattr(csvfile, "read_well_formed", lambda *args: None)
    slow = read_csv_table(data)
    pd.testing.assert_frame_equal(fast.frame, slow.frame, check_exact=True)
    assert list(fast.row_numbers) == list(slow.row_numbers)
    assert fast.meta == slow.meta and fast.rejected == slow.rejected


def test_bad_utf_8_after_a_bom_fails_as_pandas_fails() -> None:
    data = b"\xef\xbb\xbfa,b\n\xff,1\n"
    assert read_well_formed(data, scan_utf8(data), ",") is None


def test_the_fast_path_is_taken_for_a_plain_file(monkeypatch) -> None:
    taken = []
    original = arrowcsv.read_well_formed
    monkeypatch.setattr(csvfile, "read_well_formed",
                        lambda *args: taken.append(original(*args)) or taken[-1])
    read_csv_table(PLAIN)
    assert taken and taken[0] is not None
