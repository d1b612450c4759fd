"""Time the streamed GeoJSON and CSV exports and measure their memory.

Usage (from the project root):

    .venv/bin/python bench/export_bench.py [rows] [--fmt geojson|csv|kml|gpkg] [--no-trace]
    .venv/bin/python bench/export_bench.py --store PATH [--fmt ...] [--no-trace]

Without ``--store`` the input is ``rows`` synthetic incidents (default one
million); with it, the incidents of an existing store (opened read-only
through ``IncidentStore.load``) filtered to the five event types the
dashboard's scale benchmark exports. Without ``--fmt`` GeoJSON and CSV are
measured, each in a fresh child process so one format's peak memory never
hides the other's.

For each format it prints the wall and CPU time of an untraced export, the
output size, the resident memory when the export starts and its highest value
during the export (sampled every 5 ms from /proc/self/statm), the peak of the
Arrow memory the export allocated (tracemalloc does not see Arrow's pool,
which holds the encoded chunk) and, from a second export under tracemalloc
(several times slower), the peak of Python's allocations.

Measured 2026-11-23 on the 2-core build machine (shared, so wall times vary
by about +-30%), store /tmp/big1m/incidents.sqlite (1,000,000 incidents,
880,068 after the filter), command
``.venv/bin/python bench/export_bench.py --store /tmp/big1m/incidents.sqlite``:

    format   wall    RSS during export   Arrow peak   tracemalloc peak   written
    before (058d90b: pandas to_json per 20k chunk; one to_csv of the whole frame):
    geojson  14.6 s  +227 MB              2 MB        342 MB             1165 MB
    csv       8.6 s  +343 MB             24 MB        409 MB              403 MB
    after (column-wise encoding, one Arrow gather per 20k chunk):
    geojson   3.1 s   +34 MB             93 MB         52 MB             1165 MB
    csv       2.1 s   +39 MB             46 MB         48 MB              403 MB

Both outputs are byte for byte those of before (checked with cmp), also when
the map snapshot (``load_map_snapshot()[mask]``) is exported. Of the 3.1 s of
GeoJSON, about a quarter is the Arrow gather and a third writing 1.2 GB.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from incidents import model
from incidents.io.writers import export

SCALE_EVENT_TYPES = ("Battles", "Violence against civilians", "Explosions/Remote violence",
                     "Strategic developments", "Riots")


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


def store_records(path: str) -> pd.DataFrame:
    from incidents.filters import FilterSpec, apply_filters
    from incidents.store import open_store

    spec = FilterSpec(event_types=SCALE_EVENT_TYPES)
    return apply_filters(open_store(path).load(), spec)


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


@contextmanager
def sampled_rss(period: float = 0.005) -> Iterator[list[float]]:
    """Yield a list that ends up holding the highest resident memory seen (MB)."""
    highest = [rss_mb()]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(period):
            highest[0] = max(highest[0], rss_mb())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield highest
    finally:
        done.set()
        sampler.join()
        highest[0] = max(highest[0], rss_mb())


def measure(records: pd.DataFrame, fmt: str, trace: bool) -> None:
    arrow_pool = pa.proxy_memory_pool(pa.default_memory_pool())
    pa.set_memory_pool(arrow_pool)
    with tempfile.TemporaryDirectory() as workdir:
        path = Path(workdir) / f"bench.{fmt}"
        rss_before = rss_mb()
        with sampled_rss() as rss_peak:
            start, cpu_start = time.perf_counter(), time.process_time()
            summary = export(records, fmt, path)
            elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        size_mb = path.stat().st_size / 1e6
        if trace:
            path.unlink()
            tracemalloc.start()
            export(records, fmt, path)
            traced_peak = tracemalloc.get_traced_memory()[1] / 1e6
            tracemalloc.stop()
    print(f"{fmt}: {len(records)} rows in {elapsed:.2f} s wall ({cpu:.2f} s CPU), "
          f"{len(records) / elapsed:,.0f} rows/s, {size_mb:.0f} MB written "
          f"({summary.rows_written} written, {summary.rows_skipped} skipped)")
    print(f"  resident memory {rss_before:.0f} MB at the start, at most {rss_peak[0]:.0f} MB "
          f"during the export (+{rss_peak[0] - rss_before:.0f} MB); "
          f"Arrow memory allocated by the export: peak {arrow_pool.max_memory() / 1e6:.0f} MB")
    if trace:
        print(f"  tracemalloc peak of Python allocations: {traced_peak:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", nargs="?", type=int, default=1_000_000)
    parser.add_argument("--store", help="export the filtered incidents of this store")
    parser.add_argument("--fmt", choices=["geojson", "csv", "kml", "gpkg"])
    parser.add_argument("--no-trace", action="store_true", help="skip the tracemalloc run")
    args = parser.parse_args()
    if args.fmt is None:
        for fmt in ("geojson", "csv"):
            subprocess.run([sys.executable, __file__, *sys.argv[1:], "--fmt", fmt], check=True)
        return
    start = time.perf_counter()
    records = store_records(args.store) if args.store else synthetic_records(args.rows)
    source = args.store or "synthetic incidents"
    print(f"[{source}: {len(records)} rows ready in {time.perf_counter() - start:.1f} s]")
    measure(records, args.fmt, trace=not args.no_trace)


if __name__ == "__main__":
    main()
