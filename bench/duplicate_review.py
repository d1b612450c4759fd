"""Duplicate review over two real sources of one country: flags, groups, figures, decisions.

    .venv/bin/python bench/duplicate_review.py [--real DIR]

Imports a real ACLED export of Burkina Faso and then a real UCDP GED website
export of the same country (both from ``../shared/real/``) into a temporary
SQLite store, without geocoding, and prints: the cross-source possible
duplicates the second import flagged, the groups the review page lists, the
headline figures with and without "count possible duplicates once", and the
seconds a group listing, a merge, a keep-both and an undo take. Nothing from the
files is written anywhere but the temporary store.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from bench.real_load import real_dir  # noqa: E402
from incidents.io import read_incidents  # noqa: E402
from incidents.store import open_store  # noqa: E402
from incidents.store.review import duplicate_groups  # noqa: E402
from incidents.summary import headline_figures  # noqa: E402

FILES = ("acled_bfa_1997_2020_export/1997-01-01-2020-12-10-Burkina_Faso.csv",
         "ucdp_ged_bfa_2025_web_export/gedevents-2025-01-17.csv")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", default=None)
    folder = real_dir(parser.parse_args().real)
    if folder is None:
        print("real material not found (../shared/real, $INCIDENTS_REAL_DIR): skipped")
        return
    with tempfile.TemporaryDirectory() as directory:
        store = open_store(Path(directory) / "incidents.sqlite")
        for name in FILES:
            result = read_incidents(folder / name)
            started = time.perf_counter()
            summary = store.import_records(result.records, result.quarantine,
                                           source_name=Path(name).name)
            print(f"{name}: {summary.rows:,} rows, {summary.inserted:,} new,"
                  f" {summary.possible_duplicates:,} flagged as possible duplicates"
                  f" ({time.perf_counter() - started:.1f} s)")
        frame = store.load_map_snapshot()
        started = time.perf_counter()
        groups = duplicate_groups(frame)
        listed = time.perf_counter() - started
        sizes = [len(g) for g in groups]
        print(f"groups to review: {len(groups):,} (pairs {sizes.count(2):,}, larger"
              f" {sum(s > 2 for s in sizes):,}), listed in {listed:.3f} s")
        every = headline_figures(frame)
        once = headline_figures(frame, duplicates_once=True)
        print(f"headline: {every.incidents:,} incidents, {every.fatalities:,} fatalities;"
              f" counting duplicates once: {once.incidents:,} incidents,"
              f" {once.fatalities:,} fatalities")
        if len(groups) < 2:
            return
        ids = [list(frame["incident_id"].iloc[g].astype(str)) for g in groups[:2]]
        for label, action in (
            ("merge", lambda: store.merge(ids[0][0], ids[0][1:], user="bench")),
            ("keep both", lambda: store.keep_apart(ids[1], user="bench")),
            ("undo the merge", lambda: store.unmerge(ids[0][0], user="bench")),
        ):
            started = time.perf_counter()
            action()
            print(f"{label}: {time.perf_counter() - started:.2f} s")
        print(f"edit history: {store.verify().messages()[0]}")


if __name__ == "__main__":
    main()
