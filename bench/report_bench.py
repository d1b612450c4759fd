"""Time to build the situation report of N synthetic incidents (default 100,000).

Usage (from the project root): .venv/bin/python bench/report_bench.py [--n 100000]

Prints, in seconds: generating the incidents (not part of the report), the report's
figures (``report_content``), and the PDF and PNG (``report_bytes``), each twice
(the first PDF also loads the boundaries and matplotlib's fonts).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from incidents.filters import FilterSpec  # noqa: E402
from incidents.report import report_bytes, report_content  # noqa: E402
from incidents.synthetic import synthetic_incidents  # noqa: E402


def timed(label: str, function):
    start = time.perf_counter()
    value = function()
    print(f"{label}: {time.perf_counter() - start:.2f} s", flush=True)
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    args = parser.parse_args()
    frame = timed(f"synthetic incidents (n={args.n})", lambda: synthetic_incidents(args.n))
    spec = FilterSpec(countries=("Mali",), preset="last_365")
    for attempt in ("first", "second"):
        content = timed(f"report figures, {attempt}",
                        lambda: report_content(frame, spec, language="en"))
        pdf = timed(f"report PDF ({content.total} incidents), {attempt}",
                    lambda: report_bytes(content, "pdf"))
        png = timed(f"report PNG, {attempt}", lambda: report_bytes(content, "png"))
    print(f"PDF {len(pdf) / 1e6:.2f} MB, PNG {len(png) / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
