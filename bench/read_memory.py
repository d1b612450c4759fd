"""Peak memory of ``read_incidents`` on many tiny CSV rows, against the hostile-input bound.

The bound (issue 14) is 10 x the file size + 300 MB for any file under the upload
limit. Two million rows of ``event_date,event_type`` make a 38 MB file (bound
680 MB); it once peaked at 1.6 GB because every empty canonical column cost
8-16 bytes a row. Each size is read in a fresh process, whose peak resident size
(VmHWM, the kernel's own figure) is printed beside the bound.

    .venv/bin/python bench/read_memory.py [--rows 2000000 500000] [--ids]

``--ids`` adds an ``event_id_cnty`` column (a unique id per row, as an export has).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024


def peak_mb() -> float:
    """This process's resident-memory high-water mark (VmHWM), in MB."""
    return next(int(line.split()[1]) for line in Path("/proc/self/status").read_text()
                .splitlines() if line.startswith("VmHWM:")) / 1024


def child(path: str) -> None:
    sys.path.insert(0, str(PROJECT))
    from incidents.io import read_incidents

    started = time.perf_counter()
    result = read_incidents(Path(path))
    seconds = time.perf_counter() - started
    print(json.dumps({"peak_mb": peak_mb(), "seconds": seconds,
                      "accepted": result.counts["accepted"], "rows": result.counts["rows"]}))


def write_rows(path: Path, rows: int, ids: bool) -> None:
    with path.open("w") as out:
        out.write("event_id_cnty,event_date,event_type\n" if ids else "event_date,event_type\n")
        for n in range(rows):
            day = f"2024-01-{n % 28 + 1:02d},Battles\n"
            out.write(f"r{n},{day}" if ids else day)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[2_000_000])
    parser.add_argument("--ids", action="store_true", help="add a unique event_id_cnty column")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        child(options.child)
        return
    print(f"{'rows':>10} {'file MB':>8} {'peak MB':>8} {'bound MB':>9} {'seconds':>8}  within")
    for rows in options.rows:
        with tempfile.TemporaryDirectory(prefix="read-memory-") as folder:
            path = Path(folder) / "tiny.csv"
            write_rows(path, rows, options.ids)
            size_mb = path.stat().st_size / MB
            out = subprocess.run([sys.executable, __file__, "--child", str(path)],
                                 capture_output=True, text=True, check=True).stdout
            figures = json.loads(out.strip().splitlines()[-1])
            bound = 10 * size_mb + 300
            assert figures["rows"] == figures["accepted"] == rows, figures
            print(f"{rows:>10,} {size_mb:>8.1f} {figures['peak_mb']:>8.0f} {bound:>9.0f} "
                  f"{figures['seconds']:>8.1f}  {'yes' if figures['peak_mb'] <= bound else 'NO'}")


if __name__ == "__main__":
    main()
