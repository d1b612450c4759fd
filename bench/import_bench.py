"""Import throughput: synthetic rows → CSV → read_incidents → IncidentStore.import_records.

Prints seconds and rows/s per stage. Geocoding is skipped by default (its cost
depends on the gazetteer, not on the store); pass --geocode to include it.

    .venv/bin/python bench/import_bench.py [--rows 100000] [--seed 0] [--geocode]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from incidents.frame import to_geodataframe
from incidents.io import read_incidents
from incidents.io.writers import export
from incidents.store import open_store
from incidents.synthetic import synthetic_incidents


def timed(label: str, rows: int, action):
    start = time.perf_counter()
    result = action()
    seconds = time.perf_counter() - start
    print(f"{label:<28} {seconds:7.2f} s  {rows / seconds:>10,.0f} rows/s")
    return result, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--geocode", action="store_true")
    args = parser.parse_args()
    n = args.rows
    with tempfile.TemporaryDirectory() as directory:
        csv_path = Path(directory) / "synthetic.csv"
        store = open_store(Path(directory) / "bench.sqlite")
        records, _ = timed("generate (synthetic)", n, lambda: synthetic_incidents(n, seed=args.seed))
        timed("write CSV (writers.export)", n, lambda: export(to_geodataframe(records), "csv", csv_path))
        result, read_s = timed("read_incidents", n, lambda: read_incidents(csv_path))
        accepted = result.records
        geocode_s = 0.0
        if args.geocode:
            from incidents.geocode import geocode_frame

            accepted, geocode_s = timed("geocode_frame (offline)", n, lambda: geocode_frame(accepted))
        summary, import_s = timed(
            "store import (new)", n,
            lambda: store.import_records(accepted, result.quarantine, source_name=csv_path.name),
        )
        _, again_s = timed(
            "store re-import (unchanged)", n,
            lambda: store.import_records(accepted, result.quarantine, source_name=csv_path.name),
        )
        _, load_s = timed("store load()", n, store.load)
        total = read_s + geocode_s + import_s
        print(f"{'read → store, end to end':<28} {total:7.2f} s  {n / total:>10,.0f} rows/s")
        print(f"accepted {summary.accepted:,}, quarantined {summary.quarantined:,}, "
              f"possible duplicates {summary.possible_duplicates:,}, "
              f"store file {store.path.stat().st_size / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
