"""Reading every row of an SQLite store without its snapshot, this checkout against
another, side by side in one run.

    .venv/bin/python bench/store_read.py --store STORE.sqlite [--baseline CHECKOUT] [--rounds 2]

A store's map snapshot is rebuilt from all its rows when it is missing or behind (a
store copied without it, made by another version, in a directory that cannot be
written). Each round reads the store read-only (nothing is written, the snapshot is
not used) in a fresh process of each checkout, alternating, and prints the seconds
of the read, the peak resident memory of that process and of its children (the
read's helper), and a digest of the rows as the snapshot takes them
(``model.conform``): the two checkouts must print the same digest.

Make a store with ``python -m incidents ingest FILE --no-geocode --store STORE.sqlite``
(e.g. the CSV ``bench/store_scale.py`` writes).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent

READ = """
import hashlib, json, resource, sys, time
import pandas as pd
from incidents import model
from incidents.store.sqlite import SQLiteStore
store = SQLiteStore(sys.argv[1], read_only=True)
started = time.perf_counter()
generation, rows = store._read_incidents()
seconds = time.perf_counter() - started
digest = hashlib.sha1(pd.util.hash_pandas_object(model.conform(rows), index=False).values).hexdigest()
print(json.dumps({"seconds": seconds, "rows": len(rows), "digest": digest[:12],
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "child_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def read_once(code: Path, store: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", READ, str(store)], cwd=code, check=True,
                          capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(code)})
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--baseline", type=Path)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    sides = [("baseline", args.baseline)] if args.baseline else []
    sides.append(("this checkout", PROJECT))
    print(f"store {args.store} ({args.store.stat().st_size / 1e6:,.0f} MB); "
          f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"{'round':>5}  {'code':<14} {'rows':>10} {'seconds':>8} {'peak MB':>8} "
          f"{'helper MB':>9}  digest")
    for round_number in range(1, args.rounds + 1):
        for name, code in sides:
            r = read_once(code, args.store.resolve())
            print(f"{round_number:>5}  {name:<14} {r['rows']:>10,} {r['seconds']:>8.1f} "
                  f"{r['peak_mb']:>8,.0f} {r['child_mb']:>9,.0f}  {r['digest']}", flush=True)


if __name__ == "__main__":
    main()
