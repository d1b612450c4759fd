"""Peak memory of importing N identical rows (one duplicate block), per backend.

Before blocking with a cap, 3,000 identical rows peaked at 2 GB and 100,000 died
with MemoryError: duplicate candidates were joined pairwise. Each size runs in a
child process of its own, so its peak (max RSS) is its own: read the CSV, import
it into an empty store, then import it again (the second import compares every
row with the stored ones too).

    .venv/bin/python bench/duplicate_memory.py [--rows 3000 100000] [--postgis]

Each size goes to a new SQLite file; with --postgis, also to a new database on a
throwaway PostgreSQL + PostGIS cluster (as the tests start one, tests/pgserver.py).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ROW = ("2024-03-01,Battles,Armed clash,Mali,Menaka,Menaka,15.9182,2.4022,"
       "Military Forces of Mali,Islamic State Sahel Province,3,same wire story\n")
HEADER = ("event_date,event_type,sub_event_type,country,admin1,location,latitude,longitude,"
          "actor1,actor2,fatalities,notes\n")


def child(csv_path: str, location: str) -> None:
    from incidents.io import read_incidents
    from incidents.store import open_store

    started = time.perf_counter()
    result = read_incidents(Path(csv_path))
    store = open_store(location)
    first = store.import_records(result.records, result.quarantine, source_name="same.csv")
    again = store.import_records(result.records, result.quarantine, source_name="same.csv")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            # This process image's own peak; ru_maxrss also carries the parent's over exec.
            peak_mb = int(line.split()[1]) / 1024
    print(json.dumps({"seconds": time.perf_counter() - started, "peak_mb": peak_mb,
                      "duplicates": first.possible_duplicates, "accepted": first.accepted,
                      "unchanged_again": again.unchanged}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[3_000, 100_000])
    parser.add_argument("--postgis", action="store_true", help="also import into PostGIS")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    print(f"{'rows':>8} {'file MB':>8} {'peak MB':>8} {'seconds':>8} {'flagged':>8}  backend")
    with ExitStack() as stack:
        server = None
        if args.postgis:
            sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
            import pgserver
            from conftest import free_port

            reason = pgserver.missing_reason()
            if reason:
                sys.exit(f"cannot start PostGIS: {reason}")
            server = stack.enter_context(pgserver.postgis_cluster(free_port()))
        for rows in args.rows:
            for backend in ("sqlite", "postgis") if server else ("sqlite",):
                run(rows, backend, server)


def run(rows: int, backend: str, server: str | None) -> None:
    with tempfile.TemporaryDirectory() as directory:
        csv_path = Path(directory) / "same.csv"
        csv_path.write_text(HEADER + ROW * rows, encoding="utf-8")
        location = str(Path(directory) / "bench.sqlite")
        if backend == "postgis":
            import pgserver

            location = pgserver.fresh_database(server, f"dup_{rows}")
        output = subprocess.run(
            [sys.executable, __file__, "--child", str(csv_path), location],
            check=True, capture_output=True, text=True,
            env={**_environment(), "INCIDENTS_HOME": directory},
        ).stdout
        figures = json.loads(output.strip().splitlines()[-1])
        print(f"{rows:>8,} {csv_path.stat().st_size / 1e6:>8.1f} {figures['peak_mb']:>8.0f}"
              f" {figures['seconds']:>8.1f} {figures['duplicates']:>8,}  {backend}")


def _environment() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if k != "INCIDENTS_HOME"}


if __name__ == "__main__":
    main()
