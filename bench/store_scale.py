"""The store at scale, both backends side by side, in one run.

    .venv/bin/python bench/store_scale.py [--rows 1000000] [--large 10000000] [--store URL]

1. **Import**: one synthetic CSV of ``--rows`` incidents (written once, untimed) is
   ingested by ``python -m incidents ingest --no-geocode`` into an empty SQLite file and
   into an empty PostGIS database; wall seconds and the CLI process's peak resident
   memory for each.
2. **A filter change on PostGIS**, at ``--rows`` and (when ``--large`` is given) at that
   many incidents: what a dashboard over the server needs for one view (the count, the
   H3 cells at resolution 5, the admin1 counts for the choropleth, the newest 1,000 rows
   for the table), asked of the server by a fresh process that never loads the store.
   Prints server seconds, the bytes of that answer as JSON (the payload), and the peak
   resident memory of that process. The large store is made on the server by copying
   the imported rows under new ids (``INSERT ... SELECT``), never through Python.

Without ``--store`` a throwaway PostgreSQL + PostGIS cluster is started (as the tests
do, ``tests/pgserver.py``) and removed at the end (also when the run is terminated).

Measured 2026-12-01 on 2 cores shared with other jobs (load average 8-9, this run getting
about a fifth of a core, so the seconds are not the code's): 1M import 978.7 s / 3,178 MB
peak on SQLite, 624.2 s / 3,258 MB on PostGIS. A filter change at 1M on PostGIS (load
average 3-7): 1.8-2.6 s server time, 268 KB payload, 152 MB process peak. The 10M step
did not finish within the run's 50-minute limit (copying 9M rows server-side under that
load), so there is no 10M figure yet.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
sys.path.insert(0, str(PROJECT / "tests"))

_PEAK_OF = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True); "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)")
SPEC_QUERY = "start=2022-01-01&event_types=Battles&event_types=Violence+against+civilians"


def ingest(csv_path: Path, store: str, home: Path) -> tuple[float, float, dict]:
    """(seconds, peak MB, summary) of one CLI ingest of ``csv_path`` into ``store``."""
    size_mb = csv_path.stat().st_size / 1e6
    started = time.perf_counter()
    answer = subprocess.run(
        [sys.executable, "-c", _PEAK_OF, sys.executable, "-m", "incidents", "ingest",
         str(csv_path), "--no-geocode", "--store", store, "--max-mb", str(int(size_mb) + 1)],
        cwd=PROJECT, env={**os.environ, "INCIDENTS_HOME": str(home)},
        capture_output=True, text=True, check=True,
    )
    seconds = time.perf_counter() - started
    peak_mb = int(answer.stderr.strip().splitlines()[-1]) / 1024
    return seconds, peak_mb, json.loads(answer.stdout)


def filter_change(url: str) -> None:
    """Run in a child process: one view's queries; print seconds, payload bytes, peak MB."""
    from incidents.filters import FilterSpec
    from incidents.store.postgis import PostgisStore

    store = PostgisStore(url, snapshot_dir=Path(tempfile.mkdtemp()))
    spec = FilterSpec.from_query_string(SPEC_QUERY)
    started = time.perf_counter()
    count = store.count_matching(spec)
    cells = store.cell_counts(spec, 5)
    regions = store.region_counts(spec)
    table = store.select(spec, ["incident_id", "event_date", "event_type", "country", "admin1",
                                "location", "fatalities"], limit=1000)
    seconds = time.perf_counter() - started
    payload = json.dumps({
        "count": count,
        "cells": cells.astype({"cell": "str"}).to_dict(orient="records"),
        "regions": regions.to_dict(orient="records"),
        "table": table.astype(str).to_dict(orient="records"),
    }).encode()
    print(json.dumps({"seconds": seconds, "payload": len(payload), "peak_mb": own_peak_mb(),
                      "count": count, "cells": len(cells)}))


def own_peak_mb() -> float:
    """This process image's peak resident memory (VmHWM). Not ru_maxrss: Linux carries
    that over fork and exec, so a child would report at least its parent's size."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_filter_change(url: str) -> dict:
    answer = subprocess.run([sys.executable, __file__, "--filter-change", url], cwd=PROJECT,
                            capture_output=True, text=True, check=True)
    return json.loads(answer.stdout.strip().splitlines()[-1])


def grow(url: str, target: int) -> int:
    """Copy the stored rows under new ids until the store holds ``target`` incidents."""
    import psycopg

    from incidents import model
    from incidents.store.postgis import _CELL, _q

    columns = [c for c in model.CANONICAL_COLUMNS if c != "incident_id"] + [_CELL]
    listed = ", ".join(_q(c) for c in columns)
    with psycopg.connect(url) as conn:
        base = conn.execute("SELECT COUNT(*) FROM incidents").fetchone()[0]
        copies = max(0, -(-target // base) - 1)
        conn.execute("SET LOCAL incidents.store_write = 'on'")
        conn.execute(
            f"INSERT INTO incidents (incident_id, {listed})"
            f" SELECT incident_id || '-copy' || k, {listed}"
            " FROM incidents, generate_series(1, %s) AS k", (copies,))
        conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'generation'")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE incidents")
        return int(conn.execute("SELECT COUNT(*) FROM incidents").fetchone()[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--large", type=int, default=0,
                        help="also measure a filter change at this many incidents (PostGIS)")
    parser.add_argument("--store", help="an empty PostGIS database URL (default: a throwaway one)")
    parser.add_argument("--filter-change", help=argparse.SUPPRESS)
    args = parser.parse_args()
    # A terminated run still stops and removes its throwaway cluster.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.filter_change:
        filter_change(args.filter_change)
        return
    from incidents.frame import to_geodataframe
    from incidents.io.writers import export
    from incidents.synthetic import synthetic_incidents

    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="bench-store-") as directory:
        work = Path(directory)
        url = args.store
        if url is None:
            import pgserver
            from conftest import free_port

            reason = pgserver.missing_reason()
            if reason:
                sys.exit(f"cannot start PostGIS: {reason}")
            server = stack.enter_context(pgserver.postgis_cluster(free_port()))
            url = pgserver.fresh_database(server, "bench")
        csv_path = work / "incidents.csv"
        export(to_geodataframe(synthetic_incidents(args.rows, seed=7)), "csv", csv_path)
        print(f"{args.rows:,} synthetic incidents, CSV {csv_path.stat().st_size / 1e6:,.0f} MB")
        print(f"{'import':<34} {'seconds':>8} {'peak MB':>8}")
        for backend, store in (("sqlite", str(work / "bench.sqlite")), ("postgis", url)):
            home = work / f"home-{backend}"
            home.mkdir()
            seconds, peak, summary = ingest(csv_path, store, home)
            print(f"{backend + ' (' + format(summary['accepted'], ',') + ' rows)':<34}"
                  f" {seconds:>8.1f} {peak:>8.0f}")
        print(f"\nfilter change on PostGIS ({SPEC_QUERY})")
        print(f"{'incidents':>12} {'selected':>10} {'cells':>6} {'server s':>9} {'payload B':>10}"
              f" {'process MB':>11}")
        sizes = [None] + ([args.large] if args.large else [])
        for size in sizes:
            total = grow(url, size) if size else args.rows
            figures = measure_filter_change(url)
            print(f"{total:>12,} {figures['count']:>10,} {figures['cells']:>6,}"
                  f" {figures['seconds']:>9.2f} {figures['payload']:>10,}"
                  f" {figures['peak_mb']:>11.0f}")


if __name__ == "__main__":
    main()
