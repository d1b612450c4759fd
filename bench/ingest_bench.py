"""Time read_incidents on a synthetic ACLED-style CSV (default one million rows).

Usage (from the project root): .venv/bin/python bench/ingest_bench.py [rows]

Prints the file size, the wall time of read_incidents (encoding and delimiter
detection, parsing, mapping, validation including the lat/lon swap test) and
rows per second. The synthetic rows mix date formats, and one row in a
thousand is broken so the quarantine path is exercised too.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from incidents import model
from incidents.io import read_incidents


def synthetic_csv(rows: int, path: Path) -> None:
    rng = np.random.default_rng(7)
    types = model.event_types()
    days = pd.date_range("2018-01-01", "2024-12-31", freq="D")
    chosen = days[rng.integers(0, len(days), rows)]
    iso = chosen.strftime("%Y-%m-%d").to_numpy(dtype=object)
    long_form = chosen.strftime("%d %B %Y").to_numpy(dtype=object)
    dates = np.where(rng.random(rows) < 0.2, long_form, iso)
    latitude = np.round(rng.uniform(11.0, 16.0, rows), 4).astype(object)
    latitude[::1000] = "95"
    frame = pd.DataFrame(
        {
            "event_id_cnty": np.char.add("MLI", np.arange(rows).astype(str)),
            "event_date": dates,
            "event_type": np.array(types, dtype=object)[rng.integers(0, len(types), rows)],
            "actor1": "Armed group",
            "inter1": rng.integers(1, 9, rows),
            "country": "Mali",
            "admin1": "Segou",
            "location": "Place",
            "latitude": latitude,
            "longitude": np.round(rng.uniform(-8.0, -2.0, rows), 4),
            "geo_precision": rng.integers(1, 4, rows),
            "source": "Synthetic",
            "notes": "Synthetic row for the ingest benchmark, with a comma, inside quotes.",
            "fatalities": rng.integers(0, 20, rows),
        }
    )
    frame.to_csv(path, index=False)


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory() as workdir:
        path = Path(workdir) / "bench.csv"
        synthetic_csv(rows, path)
        size_mb = path.stat().st_size / 1e6
        start, cpu_start = time.perf_counter(), time.process_time()
        result = read_incidents(path)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    counts = result.counts
    print(f"file: {rows} rows, {size_mb:.1f} MB CSV")
    print(f"read_incidents: {elapsed:.2f} s wall ({cpu:.2f} s CPU), {rows / elapsed:,.0f} rows/s")
    print(
        f"accepted {counts['accepted']}, quarantined {counts['quarantined']}, "
        f"needs_review {counts['needs_review']}, encoding {counts['encoding']}"
    )


if __name__ == "__main__":
    main()
