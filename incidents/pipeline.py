"""One file end to end: read → geocode the rows without coordinates → store.

The CLI's ``ingest`` command and the dashboard's upload both call
:func:`ingest_file`; the summary it returns is plain JSON-able data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from incidents import config
from incidents.io import read_incidents
from incidents.io.mapping import AUTHORITATIVE_MAPPINGS, Mapping
from incidents.io.source import Source
from incidents.store import Store

Progress = Callable[[int, int], None]

# The bundled files `load_samples` ingests, in this order.
SAMPLE_FILES = ("seed_incident.csv", "sahel_sample.csv", "bad_rows.csv")


def geocoding_counts(before: pd.DataFrame, after: pd.DataFrame) -> dict[str, Any]:
    """How the rows that arrived without coordinates came out of geocoding."""
    lacked = before["latitude"].isna().to_numpy() | before["longitude"].isna().to_numpy()
    placed_now = after["latitude"].notna().to_numpy() & after["longitude"].notna().to_numpy()
    newly_placed = lacked & placed_now
    precision = after.loc[newly_placed, "geo_precision"]
    by_precision = {
        str(int(code)): int(count)
        for code, count in precision.dropna().value_counts().sort_index().items()
    }
    unknown_precision = int(precision.isna().sum())
    if unknown_precision:
        by_precision["unknown"] = unknown_precision
    return {
        "needed_geocoding": int(lacked.sum()),
        "geocoded": int(newly_placed.sum()),
        "geocoded_by_precision": by_precision,
        "not_geocoded": int((lacked & ~placed_now).sum()),
    }


def ingest_file(
    path: Source,
    *,
    store: Store,
    geocode: bool = True,
    geocoder: Any | None = None,
    assign_regions: bool = True,
    progress: Progress | None = None,
    filename: str | None = None,
    source_name: str | None = None,
    max_bytes: int = config.MAX_INPUT_BYTES,
    sheet: str | None = None,
    mapping: Mapping | None = None,
) -> dict[str, Any]:
    """Read ``path`` (a path, bytes or binary upload), geocode, and import it in one go.

    ``geocoder`` defaults to the offline gazetteer (through ``geocode_frame``);
    nothing goes online unless the caller passes an online geocoder. Placed rows
    then take admin1/admin2 from the active region set (``assign_regions``), which
    flags a record whose own admin1 disagrees with the polygon it falls in. Raises
    ``IngestError`` for an unusable file, ``GeocodeError`` or ``StoreError``
    when a later stage fails; the store is then unchanged.
    """
    name = source_name or filename or _display_name(path)
    if isinstance(path, (str, Path)) and filename is None:
        streamed = _ingest_in_parts(Path(path), store, name, geocode=geocode, geocoder=geocoder,
                                    assign_regions=assign_regions, max_bytes=max_bytes,
                                    mapping=mapping)
        if streamed is not None:
            return streamed
    result = read_incidents(path, filename=filename, max_bytes=max_bytes, sheet=sheet,
                            mapping=mapping)
    records, counts = _place(result, geocode=geocode, geocoder=geocoder,
                             assign_regions=assign_regions, progress=progress)
    summary = store.import_records(records, result.quarantine, source_name=name,
                                   folded_rows=result.counts.get("folded_actor_rows", 0))
    return _summary(name, summary, result.counts, counts, geocode, geocoder)


def _place(result: Any, *, geocode: bool, geocoder: Any | None, assign_regions: bool,
           progress: Progress | None = None) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Records geocoded (rows lacking coordinates) and given their regions; the counts."""
    records = result.records
    if geocode and len(records):
        from incidents.geocode import geocode_frame

        placed = geocode_frame(records, geocoder=geocoder, progress=progress)
        counts = geocoding_counts(records, placed)
        records = placed
    else:
        counts = geocoding_counts(records, records)
        counts["not_geocoded"] = counts["needed_geocoding"]
    counts["region_disagreements"] = 0
    if assign_regions and len(records):
        records, counts["region_disagreements"] = _assign_regions(
            records, keep_source_admin=is_authoritative(result.counts.get("mapping"))
        )
    return records, counts


def _ingest_in_parts(path: Path, store: Store, name: str, *, geocode: bool,
                     geocoder: Any | None, assign_regions: bool, max_bytes: int,
                     mapping: Mapping | None) -> dict[str, Any] | None:
    """A large CSV read, placed and stored part by part in one transaction, so the
    peak memory is a part's (``incidents.io.stream``); None when it is read whole.

    A file of several parts is read and placed in a child process one part ahead
    of the store (``stream.read_ahead``), unless the caller passed its own geocoder
    (whatever it learns, e.g. a cache, must stay in this process)."""
    from contextlib import closing

    from incidents.errors import FileTooLargeError
    from incidents.io import stream

    size = path.stat().st_size if path.is_file() else 0
    if size > max_bytes:
        raise FileTooLargeError(size, max_bytes)
    results = stream.stream_csv(path, mapping=mapping)
    if results is None:
        return None
    reader: dict[str, Any] = {}
    counts: dict[str, Any] = {}
    asked = None
    if geocode:
        from incidents.geocode import GazetteerGeocoder

        # One index for every part, and each distinct place asked once in the file.
        asked = OncePerPlace(geocoder if geocoder is not None else GazetteerGeocoder())

    def placed() -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
        for result in results:
            records, placing = _place(result, geocode=geocode, geocoder=asked,
                                      assign_regions=assign_regions)
            tallies.append((result.counts, placing))
            yield records, result.quarantine

    def prepared() -> Iterator[tuple[Any, dict, dict]]:
        """Parts placed and prepared for the store (``rules.prepared_parts``), each
        with its reader's and placing's counts."""
        from incidents.store.rules import prepared_parts

        for part in prepared_parts(placed()):
            yield part, *tallies.pop(0)

    tallies: list[tuple[dict, dict]] = []
    ahead = geocoder is None and size >= stream.READ_AHEAD_MIN_BYTES

    def parts() -> Iterator[Any]:
        with closing(stream.read_ahead(prepared) if ahead else prepared()) as items:
            for part, read_counts, placing in items:
                _add(reader, read_counts)
                _add(counts, placing)
                yield part

    try:
        summary = store.import_parts(parts(), source_name=name)
    except (stream.NotStreamable, UnicodeDecodeError):
        return None  # nothing was stored: the transaction rolled back
    return _summary(name, summary, reader, counts, geocode, geocoder)


class OncePerPlace:
    """A geocoder that asks the one it wraps once per distinct question: a file read
    in parts names the same places in every part. Its ``geocode`` has the wrapped
    one's signature (``functools.wraps``), so callers pass it the same arguments."""

    def __init__(self, geocoder: Any) -> None:
        import functools

        self.geocoder = geocoder
        answers: dict[tuple, Any] = {}

        @functools.wraps(geocoder.geocode)
        def geocode(query: Any, *args: Any, **kwargs: Any) -> Any:
            key = (str(query), args, tuple(sorted((k, str(v)) for k, v in kwargs.items())))
            if key not in answers:
                answers[key] = geocoder.geocode(query, *args, **kwargs)
            return answers[key]

        self.geocode = geocode


def _add(totals: dict[str, Any], counts: dict[str, Any]) -> None:
    """Sum one part's counts into the file's (numbers add up, nested dicts too,
    anything else keeps the first part's value)."""
    for key, value in counts.items():
        if isinstance(value, bool) or not isinstance(value, (int, dict)):
            totals.setdefault(key, value)
        elif isinstance(value, dict):
            _add(totals.setdefault(key, {}), value)
        else:
            totals[key] = totals.get(key, 0) + value


def _summary(name: str, summary: Any, reader: dict[str, Any], counts: dict[str, Any],
             geocode: bool, geocoder: Any | None) -> dict[str, Any]:
    result_counts = reader
    return {
        "source": name,
        "import_id": summary.import_id,
        # Every input row is counted once: rows = accepted + quarantined + merged
        # (an actor-based export's extra row per event, folded into its incident),
        # and accepted = inserted + updated + unchanged.
        "rows": summary.rows,
        "accepted": summary.accepted,
        "quarantined": summary.quarantined,
        "merged": summary.merged,
        "inserted": summary.inserted,
        "updated": summary.updated,
        "unchanged": summary.unchanged,
        "possible_duplicates": summary.possible_duplicates,
        "geocoding": _geocoding_label(geocode, geocoder),
        **counts,
        "reader": {k: v for k, v in result_counts.items() if k not in summary.to_dict()},
    }


def load_samples(
    store: Store, *, geocode: bool = True, geocoder: Any | None = None
) -> list[dict[str, Any]]:
    """Ingest the bundled sample files, so the dashboard can start on real-looking data."""
    return [
        ingest_file(config.SAMPLES_DIR / name, store=store, geocode=geocode, geocoder=geocoder)
        for name in SAMPLE_FILES
    ]


def is_authoritative(mapping_name: str | None) -> bool:
    """Whether records read with this mapping keep their own admin names."""
    return str(mapping_name or "").split("+")[0].split(" ")[0] in AUTHORITATIVE_MAPPINGS


def _assign_regions(
    records: pd.DataFrame, *, keep_source_admin: bool = False
) -> tuple[pd.DataFrame, int]:
    from incidents.regions.assign import assign_regions

    flagged_before = records["status_reason"].fillna("").str.contains("admin1 reported as", regex=False)
    assigned = assign_regions(records, keep_source_admin=keep_source_admin)
    assigned = assigned.drop(columns="region_distance_km")
    flagged_after = assigned["status_reason"].fillna("").str.contains("admin1 reported as", regex=False)
    return assigned, int((flagged_after & ~flagged_before).sum())


def _geocoding_label(geocode: bool, geocoder: Any | None) -> str:
    if not geocode:
        return "skipped"
    return "offline gazetteer" if geocoder is None else type(geocoder).__name__


def _display_name(source: Source) -> str:
    if isinstance(source, (str, Path)):
        return Path(source).name
    return str(getattr(source, "name", None) or "upload")
