"""The whole ``python -m incidents ingest`` of an N-row CSV into an empty store (default 1M).

    .venv/bin/python bench/ingest_e2e.py [--rows 1000000] [--csv existing.csv] [--again K]

Writes the CSV once (synthetic incidents exported as the dashboard exports CSV:
coordinates on 97% of the rows, the rest left for the offline gazetteer),
unless --csv names one. Then runs the CLI in a fresh process with a fresh
INCIDENTS_HOME (the gazetteer and region files linked from var/, which
``make setup`` builds) and prints its wall time, its peak resident memory and
the summary it printed. With --again K (generated CSV only), a second CSV of
the same incidents with K of them corrected (their notes changed) is then
imported into the same store, as when an analyst refreshes a download; K=0
re-imports an identical file. Untimed: writing the CSVs.

Measured 2026-11-24 on 2 shared cores: the generated 1,000,000-row CSV (387 MB)
in 39.5-42.2 s with a 3.8-3.9 GB peak, and again with 1,000 rows corrected
(--again 1000) in 39.9 s, 3.9 GB; a 451 MB export of a million synthetic incidents
with every column (--csv) in 44.3 s, 3.6 GB. That second file took 63.5 s and
5.9 GB before the CSV reader and the first import were reworked. Importing it
again (measured with /usr/bin/time on the CLI) took 42.8 s and 4.0 GB unchanged,
45.4 s and 4.1 GB with 1,000 rows changed: 64 s / 6.6 GB and 60.5 s / 6.5 GB
before re-imports were streamed and patched into the snapshot.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from incidents import config  # noqa: E402
from incidents.frame import to_geodataframe  # noqa: E402
from incidents.io.writers import export  # noqa: E402
from incidents.synthetic import synthetic_incidents  # noqa: E402


# Runs one command and prints its peak resident memory (KB): the only child of this
# wrapper, so RUSAGE_CHILDREN is that command's own peak.
_PEAK_OF = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True); "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)")


def ingest(csv_path: Path, home: Path, label: str) -> None:
    """Time one ``python -m incidents ingest`` of ``csv_path`` into ``home`` and report it."""
    size_mb = csv_path.stat().st_size / 1e6
    started = time.perf_counter()
    answer = subprocess.run(
        [sys.executable, "-c", _PEAK_OF, sys.executable, "-m", "incidents", "ingest",
         str(csv_path), "--max-mb", str(int(size_mb) + 1)],
        cwd=PROJECT, env={**os.environ, "INCIDENTS_HOME": str(home)},
        capture_output=True, text=True, check=True,
    )
    seconds = time.perf_counter() - started
    peak_gb = int(answer.stderr.strip().splitlines()[-1]) / 1e6
    summary = json.loads(answer.stdout)
    print(f"{label}: {size_mb:,.0f} MB, {summary['rows']:,} rows")
    print(f"  ingest (CLI)    {seconds:.1f} s wall, {summary['rows'] / seconds:,.0f} rows/s")
    print(f"  peak memory     {peak_gb:.2f} GB (resident, the CLI process)")
    print(f"  accepted {summary['accepted']:,}, quarantined {summary['quarantined']:,}, "
          f"inserted {summary['inserted']:,}, updated {summary['updated']:,}, "
          f"unchanged {summary['unchanged']:,}, geocoded {summary['geocoded']:,} of "
          f"{summary['needed_geocoding']:,}, possible duplicates "
          f"{summary['possible_duplicates']:,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--csv", type=Path, help="ingest this file instead of a new one")
    parser.add_argument("--again", type=int, metavar="K",
                        help="then import the same incidents again, K of them corrected")
    args = parser.parse_args()
    if args.again is not None and args.csv is not None:
        parser.error("--again works on the generated CSV only")
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as directory:
        work = Path(directory)
        home = work / "home"
        home.mkdir()
        state = config.default_store_path().parent
        for name in ("gazetteer", "regions"):
            if (state / name).exists():
                (home / name).symlink_to(state / name)
        if args.csv is not None:
            ingest(args.csv, home, "first import")
            return
        records = synthetic_incidents(args.rows, seed=7)
        first = work / "incidents.csv"
        export(to_geodataframe(records), "csv", first)
        ingest(first, home, "first import")
        if args.again is not None:
            records.loc[records.index[:args.again], "notes"] = "Corrected by the source."
            again = work / "again.csv"
            export(to_geodataframe(records), "csv", again)
            ingest(again, home, f"same incidents again, {args.again:,} corrected")


if __name__ == "__main__":
    main()
