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

:func:`read_ahead` runs the reading in a forked child process, one part ahead of
the caller, so reading the next part and storing this one use both cores.
"""

from __future__ import annotations

import codecs
import mmap
import multiprocessing
import os
import pickle
import threading
from collections.abc import Callable, Iterator
from multiprocessing import reduction
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from incidents.io.mapping import Mapping
from incidents.io.reader import IngestResult, read_incidents

PART_ROWS = 100_000
# The file is searched for record ends this many bytes at a time.
BLOCK_BYTES = 4 * 1024 * 1024
_QUOTE, _NEWLINE = ord('"'), ord("\n")
# Bytes that are whitespace to ``bytes.strip``.
_SPACE = np.zeros(256, dtype=bool)
_SPACE[list(b" \t\n\r\x0b\x0c")] = True
# Smaller files are read whole: one part anyway.
MIN_STREAM_BYTES = 32 * 1024 * 1024


def csv_parts(path: Path, rows: int | None = None) -> Iterator[tuple[bytes, int]]:
    """(header + up to ``rows`` records, number of records before them), in file order.
    Blank lines are dropped, as the whole-file reader drops them. Raises
    ``UnicodeDecodeError`` on a byte sequence that is not UTF-8."""
    rows = rows or PART_ROWS
    header: bytes | None = None
    pieces: list[bytes] = []
    count = before = 0
    for data, ends in _record_blocks(path):
        starts = np.concatenate([[0], ends[:-1]])
        if header is None:
            header = data[:ends[0]]
            starts, ends = starts[1:], ends[1:]
        kept = ~_blank(data, starts, ends)
        starts, ends = starts[kept], ends[kept]
        if not kept.all():
            # Rare: rebuild the block without its blank records.
            data = b"".join(data[a:b] for a, b in zip(starts.tolist(), ends.tolist()))
            ends = np.cumsum(ends - starts)
            starts = np.concatenate([[0], ends[:-1]])
        at = 0
        while at < len(ends):
            take = min(rows - count, len(ends) - at)
            low = int(starts[at])
            high = int(ends[at + take - 1])
            pieces.append(data[low:high])
            count += take
            at += take
            if count == rows:
                yield header + b"".join(pieces), before
                before += count
                pieces, count = [], 0
    if pieces:
        yield header + b"".join(pieces), before


def _record_blocks(path: Path) -> Iterator[tuple[bytes, np.ndarray]]:
    """The file in blocks of whole records, each with the end offset of every record
    in it: a record ends at a line end where the quotes seen since it began are
    balanced (found with numpy over the block, not line by line). The last record
    runs to the end of the file (a newline added if it has none)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    buffer = bytearray()
    scanned = 0  # bytes of the buffer already searched (no record ends there)
    quotes = 0  # quote characters among them
    with path.open("rb") as handle:
        while True:
            block = handle.read(BLOCK_BYTES)
            if not block:
                break
            decoder.decode(block)
            buffer += block
            view = np.frombuffer(buffer, dtype=np.uint8)[scanned:]
            quote_at = np.flatnonzero(view == _QUOTE)
            newline_at = np.flatnonzero(view == _NEWLINE)
            del view  # a bytearray cannot be resized while a view of it exists
            balanced = (np.searchsorted(quote_at, newline_at) + quotes) % 2 == 0
            ends = newline_at[balanced] + scanned + 1
            if len(ends):
                cut = int(ends[-1])
                with memoryview(buffer) as whole:
                    records = bytes(whole[:cut])
                yield records, ends
                quotes = int(((quote_at + scanned) >= cut).sum())
                del buffer[:cut]
            else:
                quotes += len(quote_at)
            scanned = len(buffer)
        decoder.decode(b"", final=True)
    if buffer:
        if not buffer.endswith(b"\n"):
            buffer += b"\n"
        yield bytes(buffer), np.array([len(buffer)])


def _blank(data: bytes, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Whether each record [start, end) holds nothing but whitespace: only a record
    that begins with whitespace can, and only those few are looked at."""
    blank = np.zeros(len(starts), dtype=bool)
    if len(starts):
        first = np.frombuffer(data, dtype=np.uint8)[starts]
        for at in np.flatnonzero(_SPACE[first]).tolist():
            blank[at] = not data[starts[at]:ends[at]].strip()
    return blank


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


# Files from this size on are read ahead in a child process (two parts at least).
READ_AHEAD_MIN_BYTES = 2 * MIN_STREAM_BYTES
Item = TypeVar("Item")


def can_read_ahead() -> bool:
    """Whether this process may fork a reader: only while it runs one thread (a fork
    copies no other thread, and a lock another thread held stays held in the child,
    e.g. in a dashboard's server)."""
    return hasattr(os, "fork") and hasattr(os, "memfd_create") and \
        threading.active_count() == 1


def read_ahead(produce: Callable[[], Iterator[Item]]) -> Iterator[Item]:
    """The items of ``produce()``, made in a forked child process while the caller
    works on the previous one: at most one item waits (the child makes the next only
    once this side took the last), so memory holds two items, not the whole file.

    An item travels as a pickle whose arrays (protocol 5's out-of-band buffers) the
    child writes once into an anonymous memory file (``memfd``) handed over with the
    message; this side maps it, so its columns are never copied again.
    An error in the child is raised here as the same exception (pickled back, so
    an ``IngestError`` stays one). Closing this iterator early (the caller failed)
    stops the child; a killed caller's child ends at its next message (the
    connection's other end is gone). Falls back to ``produce()`` in this process
    when it cannot fork (:func:`can_read_ahead`).
    """
    if not can_read_ahead():
        yield from produce()
        return
    context = multiprocessing.get_context("fork")
    ours, theirs = context.Pipe(duplex=True)  # a Unix socket pair: it can carry a file
    child = context.Process(target=_send_items, args=(produce, theirs, ours),
                            name="incidents-read-ahead", daemon=True)
    child.start()
    theirs.close()
    try:
        while True:
            try:
                kind, payload = ours.recv()
                if kind == "item":
                    item = _mapped(payload, reduction.recv_handle(ours))
                    ours.send(True)  # taken: the child may make the next one
            except (EOFError, ConnectionError):
                child.join()
                raise ChildProcessError(
                    f"the reading process stopped (exit code {child.exitcode})") from None
            if kind == "end":
                return
            if kind == "error":
                raise _rebuilt(payload)
            yield item
    finally:
        ours.close()
        if child.is_alive():
            child.terminate()
        child.join()


def _send_items(produce: Callable[[], Iterator[Any]], connection: Any, other: Any) -> None:
    """The child's side of :func:`read_ahead`."""
    other.close()  # the parent's end: a dead parent then closes the connection
    try:
        for item in produce():
            pickled, lengths, memory = _in_memory_file(item)
            try:
                connection.send(("item", (pickled, lengths)))
                reduction.send_handle(connection, memory, os.getppid())
            finally:
                os.close(memory)
            connection.recv()
        connection.send(("end", None))
    except (EOFError, ConnectionError):
        return
    except BaseException as error:  # noqa: BLE001 - every error goes back to the parent
        try:
            connection.send(("error", _portable(error)))
        except ConnectionError:
            return


def _in_memory_file(item: Any) -> tuple[bytes, list[int], int]:
    """``item`` pickled (protocol 5) with its buffers written one after the other into
    a new anonymous memory file: (pickle, buffer lengths, the file's descriptor)."""
    buffers: list[pickle.PickleBuffer] = []
    pickled = pickle.dumps(item, protocol=5, buffer_callback=buffers.append)
    memory = os.memfd_create("incidents-part", os.MFD_CLOEXEC)
    lengths = []
    with open(memory, "wb", closefd=False) as out:
        for buffer in buffers:
            with buffer.raw() as view:
                lengths.append(view.nbytes)
                out.write(view)
    return pickled, lengths, memory


def _mapped(payload: tuple[bytes, list[int]], memory: int) -> Any:
    """The item :func:`_in_memory_file` wrote, its buffers read in place from a private
    (copy-on-write) mapping of the memory file, which lives as long as they do."""
    pickled, lengths = payload
    try:
        if not sum(lengths):
            return pickle.loads(pickled, buffers=[b"" for _ in lengths])
        mapping = mmap.mmap(memory, sum(lengths), access=mmap.ACCESS_COPY)
    finally:
        os.close(memory)
    whole = memoryview(mapping)
    offsets = np.cumsum([0, *lengths]).tolist()
    return pickle.loads(pickled, buffers=[whole[low:high] for low, high in
                                          zip(offsets[:-1], offsets[1:])])


def _portable(error: BaseException) -> Any:
    """``error`` as it can be pickled: itself when it round-trips, else its class,
    arguments and attributes (an exception whose constructor takes other arguments
    than the ``args`` it keeps, e.g. ``FileTooLargeError``)."""
    try:
        pickle.loads(pickle.dumps(error))
        return error
    except Exception:  # noqa: BLE001 - any failure to round-trip
        return (type(error), error.args, dict(vars(error)))


def _rebuilt(payload: Any) -> BaseException:
    if isinstance(payload, BaseException):
        return payload
    kind, args, attributes = payload
    error = kind.__new__(kind)
    error.args = args
    vars(error).update(attributes)
    return error


__all__ = ["NotStreamable", "PART_ROWS", "READ_AHEAD_MIN_BYTES", "can_read_ahead", "csv_parts",
           "read_ahead", "stream_csv"]
