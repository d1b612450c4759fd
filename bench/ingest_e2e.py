"""The whole ``python -m incidents ingest`` of an N-row CSV into an empty store (default 1M).

    .venv/bin/python bench/ingest_e2e.py [--rows 1000000] [--csv existing.csv]

Writes the CSV once (synthetic incidents exported as the dashboard exports CSV:
coordinates on 97% of the rows, the rest left for the offline gazetteer),
unless --csv names one. Then runs the CLI in a fresh process with a fresh
INCIDENTS_HOME (the gazetteer and region files linked from var/, which
``make setup`` builds) and prints its wall time, its peak resident memory and
the summary it printed. Untimed: writing the CSV.

Measured 2026-11-24 on 2 shared cores: the generated 1,000,000-row CSV (387 MB)
in 42.2 s with a 3.8 GB peak; a 451 MB export of a million synthetic incidents
with every column (--csv) in 44.3 s, 3.6 GB. That second file took 63.5 s and
5.9 GB before the CSV reader and the first import were reworked.
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--csv", type=Path, help="ingest this file instead of a new one")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as directory:
        work = Path(directory)
        csv_path = args.csv
        if csv_path is None:
            csv_path = work / "incidents.csv"
            export(to_geodataframe(synthetic_incidents(args.rows, seed=7)), "csv", csv_path)
        home = work / "home"
        home.mkdir()
        state = config.default_store_path().parent
        for name in ("gazetteer", "regions"):
            if (state / name).exists():
                (home / name).symlink_to(state / name)
        size_mb = csv_path.stat().st_size / 1e6
        started = time.perf_counter()
        answer = subprocess.run(
            [sys.executable, "-m", "incidents", "ingest", str(csv_path),
             "--max-mb", str(int(size_mb) + 1)],
            cwd=PROJECT, env={**os.environ, "INCIDENTS_HOME": str(home)},
            capture_output=True, text=True, check=True,
        )
        seconds = time.perf_counter() - started
        peak_gb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1e6
    summary = json.loads(answer.stdout)
    print(f"file              {size_mb:,.0f} MB, {summary['rows']:,} rows")
    print(f"ingest (CLI)      {seconds:.1f} s wall, {summary['rows'] / seconds:,.0f} rows/s")
    print(f"peak memory       {peak_gb:.2f} GB (resident, the CLI process)")
    print(f"accepted {summary['accepted']:,}, quarantined {summary['quarantined']:,}, "
          f"geocoded {summary['geocoded']:,} of {summary['needed_geocoding']:,}, "
          f"possible duplicates {summary['possible_duplicates']:,}")


if __name__ == "__main__":
    main()
