"""A large CSV file read in parts, so an import's memory stays that of one part.

The file is cut at record boundaries (a line ends a record when the quotes seen
so far are balanced, so a quoted value spanning lines stays whole), and every
part is the header plus its records, read by ``read_incidents`` like a small
file of its own: the same mapping, validation and quarantine reasons. Row
numbers are shifted so the quarantine names rows of the whole file.

Streaming is used only where a part reads as the whole would: a UTF-8 file
(the encoding is otherwise decided from the whole file) whose rows need no
folding across rows (an actor-based ACLED export's rows of one event may sit in
two parts). Elsewhere :func:`stream_csv` says no and the caller reads whole.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from pathlib import Path

from incidents.io.mapping import Mapping
from incidents.io.reader import IngestResult, read_incidents

PART_ROWS = 100_000
# Smaller files are read whole: one part anyway.
MIN_STREAM_BYTES = 32 * 1024 * 1024


def csv_parts(path: Path, rows: int | None = None) -> Iterator[tuple[bytes, int]]:
    """(header + up to ``rows`` records, number of records before them), in file order.
    Blank lines are dropped, as the whole-file reader drops them. Raises
    ``UnicodeDecodeError`` on a byte sequence that is not UTF-8."""
    rows = rows or PART_ROWS
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        header = _record(handle, decoder)
        if header is None:
            return
        records: list[bytes] = []
        before = 0
        while True:
            record = _record(handle, decoder)
            if record is None:
                break
            if not record.strip():
                continue
            records.append(record)
            if len(records) == rows:
                yield header + b"".join(records), before
                before += len(records)
                records = []
        decoder.decode(b"", final=True)
        if records:
            yield header + b"".join(records), before


def _record(handle, decoder: codecs.IncrementalDecoder) -> bytes | None:
    """The next whole record's bytes (one or more lines), None at the end."""
    line = handle.readline()
    if not line:
        return None
    decoder.decode(line)
    quotes = line.count(b'"')
    while quotes % 2:
        more = handle.readline()
        if not more:
            break
        decoder.decode(more)
        quotes += more.count(b'"')
        line += more
    if not line.endswith(b"\n"):
        line += b"\n"
    return line


def stream_csv(path: Path, *, mapping: Mapping | None = None,
               rows: int | None = None) -> Iterator[IngestResult] | None:
    """The file's parts as ``IngestResult``s, or None when it is read whole (not a CSV
    path, or small). Iterating raises :class:`NotStreamable` (or ``UnicodeDecodeError``)
    when a part shows the file must be read whole after all."""
    path = Path(path)
    if path.suffix.lower() not in (".csv", ".txt", ".tsv") or \
            path.stat().st_size < MIN_STREAM_BYTES:
        return None
    return _results(path, mapping, rows)


def _results(path: Path, mapping: Mapping | None,
             rows: int | None) -> Iterator[IngestResult]:
    for data, before in csv_parts(path, rows):
        result = read_incidents(data, filename=path.name, max_bytes=len(data) + 1,
                                mapping=mapping)
        if result.counts.get("folded_actor_rows"):
            raise NotStreamable("rows of one event fold across the file")
        result.quarantine["row_number"] = result.quarantine["row_number"] + before
        yield result


class NotStreamable(Exception):
    """The file cannot be read in parts (the caller reads it whole)."""


__all__ = ["NotStreamable", "PART_ROWS", "csv_parts", "stream_csv"]
