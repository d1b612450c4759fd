"""How fast the dashboard answers a filter change with 100,000 incidents, and how big
the map it sends is.

Run:  .venv/bin/python bench/dashboard_bench.py [--incidents 100000] [--repeat 3]

It fills a temporary store with synthetic incidents, runs dashboard.py under
streamlit.testing.v1.AppTest (the whole script: sidebar, filtering, headline,
map building and st_folium serialisation, timeline, table, export buttons),
then times reruns after each filter change. AppTest runs the script in-process
without a browser, so the figures are server time only. Separately it builds
the map exactly as the map section does and prints the size of the HTML/JS
payload st_folium ships to the browser.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

STEPS = (
    ("country = Mali", "f_countries", "multiselect", ["Mali"]),
    ("+ admin1 = Segou", "f_admin1s", "multiselect", ["Segou"]),
    ("- admin1, 2024", "f_admin1s", "multiselect", []),
    ("+ period 2024", "f_dates", "date_input", (date(2024, 1, 1), date(2024, 12, 31))),
    ("+ text 'clash'", "f_text", "text_input", "clash"),
    ("- country (2024, text kept)", "f_countries", "multiselect", []),
)


def fill_store(home: Path, count: int) -> float:
    from incidents.store import open_store
    from incidents.synthetic import synthetic_incidents

    started = time.perf_counter()
    open_store(home / "incidents.sqlite").import_records(
        synthetic_incidents(count, seed=7), source_name="synthetic-bench"
    )
    return time.perf_counter() - started


def time_reruns(repeat: int) -> list[tuple[str, float, str]]:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(PROJECT_DIR / "dashboard.py"), default_timeout=600)
    started = time.perf_counter()
    at.run()
    first = time.perf_counter() - started
    if at.exception:
        raise SystemExit(f"dashboard raised: {at.exception[0].value}")
    rows = [("first run (loads the store)", first, metric(at))]
    for label, key, kind, value in STEPS:
        timings = []
        for _ in range(repeat):
            getattr(at, kind)(key=key).set_value(value)
            started = time.perf_counter()
            at.run()
            timings.append(time.perf_counter() - started)
        rows.append((label, statistics.median(timings), metric(at)))
    return rows


def metric(at) -> str:
    return next((m.value for m in at.metric if m.label == "Incidents"), "?")


def map_payloads() -> list[tuple[str, int, str, float]]:
    from streamlit_folium import _get_map_string

    from incidents.config import default_store_path
    from incidents.filters import FilterSpec, apply_filters
    from incidents.maps.build import build_map
    from incidents.store import open_store
    from ui.map_view import extent_view

    gdf = open_store(default_store_path()).load()
    rows = []
    for label, spec in (
        ("all incidents", FilterSpec()),
        ("country = Mali", FilterSpec(countries=("Mali",))),
        ("admin1 = Segou, 2024", FilterSpec(admin1s=("Segou",), start=date(2024, 1, 1),
                                            end=date(2024, 12, 31))),
    ):
        shown = apply_filters(gdf, spec)
        started = time.perf_counter()
        result = build_map(shown, view=extent_view(shown), language="en")
        html = result.map.get_root().render()
        script = _get_map_string(result.map)
        elapsed = time.perf_counter() - started
        rows.append((label, len(shown), result.mode,
                     max(len(html.encode()), len(script.encode())) / 1e6, elapsed))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dashboard-bench-") as tmp:
        home = Path(tmp)
        os.environ["INCIDENTS_HOME"] = str(home)
        shared = Path(PROJECT_DIR / "var" / "gazetteer")
        if shared.is_dir():
            (home / "gazetteer").symlink_to(shared, target_is_directory=True)
        print(f"store: {args.incidents:,} synthetic incidents "
              f"(import took {fill_store(home, args.incidents):.1f} s)")
        print("\nserver time per rerun (AppTest, median of "
              f"{args.repeat}; budget 1.0 s):")
        for label, seconds, shown in time_reruns(args.repeat):
            print(f"  {label:<30} {seconds:6.3f} s   incidents shown: {shown}")
        print("\nmap payload sent by st_folium (budget 5 MB):")
        for label, count, mode, megabytes, seconds in map_payloads():
            print(f"  {label:<22} {count:>7,} incidents  mode={mode:<6} "
                  f"{megabytes:5.2f} MB  built in {seconds:.2f} s")


if __name__ == "__main__":
    main()
