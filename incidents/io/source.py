"""Getting an input's bytes (within the size limit) and telling its format.

A source is a path, raw bytes, or a binary file-like object such as a
Streamlit upload. The size is checked before anything is parsed, so a huge
upload is refused without being read into memory first.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, Any, Union

import pandas as pd

from incidents.errors import FileTooLargeError, IngestError

Source = Union[str, os.PathLike, bytes, bytearray, IO[bytes]]

FORMATS_BY_EXTENSION = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".json": "json",
    ".geojson": "geojson",
    ".gpkg": "gpkg",
}
# Incident exports have a few dozen columns (ACLED 31, UCDP GED 49); thousands mean a
# wrong delimiter or a hostile file, and each column costs time in every later stage.
# The reader refuses a wider table (after reading it).
MAX_COLUMNS = 1_000
# File types an upload may have (the dashboard's uploaders): every readable extension,
# and a zip holding one such file (``unwrap_zip``).
UPLOAD_TYPES = tuple(sorted({extension[1:] for extension in FORMATS_BY_EXTENSION} | {"zip"}))


@dataclass
class RawTable:
    """A source table as text: one row per data row, ``""`` where a cell is empty.

    ``rejected`` holds rows that could not become a table row at all (a JSON
    record that is not an object, a CSV line with too many fields) as
    ``(row_number, reason, original values)``.
    """

    frame: pd.DataFrame
    row_numbers: Any
    rejected: list[tuple[int, str, dict[str, str]]] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)


def read_source_bytes(source: Source, max_bytes: int) -> tuple[bytes, str | None]:
    """The source's bytes and its file name if it has one; too-large sources are refused."""
    if isinstance(source, (bytes, bytearray)):
        if len(source) > max_bytes:
            raise FileTooLargeError(len(source), max_bytes)
        return bytes(source), None
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise IngestError(f"cannot open {path}: {exc.strerror or exc}") from exc
        if size > max_bytes:
            raise FileTooLargeError(size, max_bytes)
        return path.read_bytes(), path.name
    if hasattr(source, "read"):
        size = getattr(source, "size", None)
        if isinstance(size, int) and size > max_bytes:
            raise FileTooLargeError(size, max_bytes)
        data = source.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise FileTooLargeError(len(data), max_bytes)
        name = getattr(source, "name", None)
        return bytes(data), os.path.basename(name) if isinstance(name, str) else None
    raise IngestError(f"cannot read incidents from a {type(source).__name__}")


def detect_format(data: bytes, filename: str | None) -> str:
    """The format from the file name's extension, else from the first bytes."""
    if filename:
        suffix = Path(filename).suffix.lower()
        if suffix == ".xls":
            raise IngestError("old Excel .xls files are not supported: save the sheet as .xlsx")
        if suffix in FORMATS_BY_EXTENSION:
            return FORMATS_BY_EXTENSION[suffix]
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    if data.startswith(b"SQLite format 3\x00"):
        return "gpkg"
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] in (b"{", b"["):
        return "json"
    return "csv"


ZIP_MEMBER_FORMATS = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".json", ".geojson", ".gpkg")


def unwrap_zip(data: bytes, filename: str | None) -> tuple[bytes, str | None]:
    """A zipped CSV or workbook opens as what it holds.

    A workbook is itself a zip (with ``[Content_Types].xml``) and is returned
    as it is. Any other zip must hold exactly one incident file (folders and
    macOS ``__MACOSX`` entries aside); that member's bytes and name come back.
    """
    if not data.startswith(b"PK\x03\x04"):
        return data, filename
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, NotImplementedError, ValueError, OSError, EOFError) as exc:
        raise IngestError(f"not a readable zip archive (damaged or of an unsupported kind: "
                          f"{_shown(str(exc))})") from exc
    with archive:
        names = archive.namelist()
        if "[Content_Types].xml" in names:
            return data, filename
        members = [
            n for n in names
            if not n.endswith("/") and not n.startswith("__MACOSX/")
            and Path(n).suffix.lower() in ZIP_MEMBER_FORMATS
        ]
        if len(members) != 1:
            listed = ", ".join(_shown(n) for n in names[:10]) or "nothing"
            raise IngestError(
                f"the zip archive holds {len(members)} incident files; expected exactly one "
                f"(.csv, .xlsx, .json, .geojson or .gpkg). It holds: {listed}"
            )
        try:
            return archive.read(members[0]), _shown(Path(members[0]).name)
        except (zipfile.BadZipFile, NotImplementedError, ValueError, OSError, EOFError,
                zlib.error) as exc:
            raise IngestError(f"{_shown(members[0])} in the zip archive cannot be unpacked "
                              f"(damaged or compressed in an unsupported way: "
                              f"{_shown(str(exc))})") from exc


def _shown(text: str, limit: int = 80) -> str:
    """A name or message from inside a file, fit for a message: control characters as '?'."""
    cleaned = "".join(c if c.isprintable() else "?" for c in text)
    return cleaned[:limit] + ("…" if len(cleaned) > limit else "")


def cell_text(value: Any) -> str:
    """One cell of a spreadsheet, JSON record or GeoPackage row as text ("" when empty)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value != value:
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
