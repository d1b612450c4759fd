"""Time the streamed GeoJSON export of synthetic incidents (default one million).

Usage (from the project root): .venv/bin/python bench/export_bench.py [rows] [fmt]

Prints the export's wall and CPU time (wall time varies with other load on
the machine and the disk), the output size, and the process's peak
resident memory before and after the export (getrusage), so the export's own
share is the difference. Pass --trace to also report tracemalloc's peak of
Python allocations (that run is several times slower).
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from incidents import model
from incidents.io.writers import export


def synthetic_records(rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(11)
    types = model.event_types()
    latitude = np.round(rng.uniform(11.0, 16.0, rows), 4)
    latitude[::50] = np.nan
    frame = pd.DataFrame(
        {
            "incident_id": np.char.add("inc-", np.arange(rows).astype(str)),
            "event_date": pd.Timestamp("2024-01-01")
            + pd.to_timedelta(rng.integers(0, 365, rows), unit="D"),
            "event_type": np.array(types, dtype=object)[rng.integers(0, len(types), rows)],
            "country": "Mali",
            "location": "Place",
            "latitude": latitude,
            "longitude": np.round(rng.uniform(-8.0, -2.0, rows), 4),
            "geo_precision": rng.integers(1, 4, rows),
            "notes": "Synthetic row for the export benchmark.",
            "fatalities": rng.integers(0, 20, rows),
        }
    )
    return model.conform(frame)


def main() -> None:
    trace = "--trace" in sys.argv
    args = [a for a in sys.argv[1:] if a != "--trace"]
    rows = int(args[0]) if args else 1_000_000
    fmt = args[1] if len(args) > 1 else "geojson"
    records = synthetic_records(rows)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with tempfile.TemporaryDirectory() as workdir:
        path = Path(workdir) / f"bench.{fmt}"
        if trace:
            tracemalloc.start()
        start, cpu_start = time.perf_counter(), time.process_time()
        summary = export(records, fmt, path)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        if trace:
            traced_peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        size_mb = path.stat().st_size / 1e6
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    speed = rows / elapsed
    print(f"{fmt} export of {rows} rows: {elapsed:.2f} s wall ({cpu:.2f} s CPU), "
          f"{speed:,.0f} rows/s, {size_mb:.0f} MB")
    print(f"written {summary.rows_written}, skipped {summary.rows_skipped}")
    print(f"peak RSS: {rss_peak:.0f} MB (before the export, input built: {rss_before:.0f} MB)")
    if trace:
        print(f"peak Python allocations during export (tracemalloc): {traced_peak / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
