"""Getting a source's bytes within the size limit, and telling its format."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest

from incidents.errors import FileTooLargeError, IngestError
from incidents.io.source import cell_text, detect_format, read_source_bytes


class Upload(io.BytesIO):
    """Shaped like Streamlit's UploadedFile: a binary stream with name and size."""

    def __init__(self, data: bytes, name: str) -> None:
        super().__init__(data)
        self.name = name
        self.size = len(data)


def test_upload_name_is_used_and_size_checked_first() -> None:
    data, name = read_source_bytes(Upload(b"abc", "dir/file.csv"), max_bytes=10)
    assert (data, name) == (b"abc", "file.csv")
    upload = Upload(b"x" * 20, "big.csv")
    with pytest.raises(FileTooLargeError):
        read_source_bytes(upload, max_bytes=10)
    assert upload.tell() == 0


def test_stream_without_size_is_read_only_one_byte_past_the_limit() -> None:
    stream = io.BytesIO(b"x" * 100)
    with pytest.raises(FileTooLargeError):
        read_source_bytes(stream, max_bytes=10)
    assert stream.tell() == 11


def test_missing_path_is_an_ingest_error(tmp_path) -> None:
    with pytest.raises(IngestError, match="cannot open"):
        read_source_bytes(tmp_path / "nope.csv", max_bytes=10)


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (b"a,b", "x.CSV", "csv"),
        (b"a\tb", "x.tsv", "csv"),
        (b"{}", "x.geojson", "geojson"),
        (b"PK\x03\x04rest", None, "xlsx"),
        (b"SQLite format 3\x00", None, "gpkg"),
        (b"\xef\xbb\xbf  [{}]", None, "json"),
        (b"event_date,event_type", None, "csv"),
    ],
)
def test_detect_format(data: bytes, name: str | None, expected: str) -> None:
    assert detect_format(data, name) == expected


def test_old_excel_is_refused_with_advice() -> None:
    with pytest.raises(IngestError, match="xlsx"):
        detect_format(b"\xd0\xcf\x11\xe0", "old.xls")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (float("nan"), ""),
        (3.0, "3"),
        (12.8333, "12.8333"),
        (True, "true"),
        (datetime(2024, 12, 7), "2024-12-07"),
        (datetime(2024, 12, 7, 10, 30), "2024-12-07 10:30:00"),
        (date(2024, 12, 7), "2024-12-07"),
        ({"a": "é"}, '{"a": "é"}'),
    ],
)
def test_cell_text(value: object, text: str) -> None:
    assert cell_text(value) == text
