"""The store at scale, both backends side by side, in one run.

    .venv/bin/python bench/store_scale.py [--rows 1000000] [--large 10000000] [--store URL]
        [--no-sqlite | --no-postgis] [--baseline CHECKOUT] [--import-only | --measure-only]

1. **Import**: one synthetic ACLED-like CSV of ``--rows`` incidents (ACLED's 31
   columns, fictional events at real Sahel towns and villages, ``SYN`` ids; written
   once, untimed) is ingested by ``python -m incidents ingest --no-geocode`` into an
   empty SQLite file and into an empty PostGIS database: wall seconds and peak memory
   for each (of all the CLI's processes, as it reads in a child process, and of the
   largest one). With ``--baseline``, whether each backend stored the same columns
   as the baseline's (a SHA-1 per stored column, the import's own times left out). A file this size is read in parts
   (``incidents.io.stream``), so the peak should not grow with the file.
2. **A filter change on PostGIS**, at ``--rows`` and (with ``--large``) at that many
   incidents: what the dashboard's map page asks of the server for one filter
   (``incidents.store.queries.ServedSelection``: the headline, the extent, the map of
   that extent, as ``ui.map_view`` builds it),
   plus the table's newest 1,000 rows, asked by a fresh process that never loads
   the store. Printed: server seconds (first and second filter change), the bytes
   of what the page receives (the map's data layers as st_folium gets them, the
   headline, the table as JSON), and the peak resident memory of that process.
   The large store is made on the server by copying the imported rows under new
   ids (``INSERT ... SELECT``), never through Python.
   With ``--baseline CHECKOUT`` (e.g. a worktree of main), the same filter change is
   also asked by that checkout's code, in the same run, of a copy of the database
   taken back to that code's schema (``BASELINE_SCHEMA``: without the incidents
   counted per group, ``incidents.store.postgis_groups``, or the newest-rows index).
   ``--no-sqlite`` leaves out the SQLite import (the PostGIS one makes the data);
   ``--no-postgis`` the PostGIS import (and no server is started: with ``--import-only``);
   ``--measure-only --store URL`` only asks the filter change of a store a previous
   run filled (and grew), e.g. after changing the code (the baseline's copy that run
   made is asked again).
   ``--import-only`` stops after 1.

With ``--baseline DIR`` the same CSV is also imported, in the same run, by the program
checked out in DIR (e.g. ``git worktree add /tmp/main main``, then ``make messages``
there), into its own empty SQLite file and PostGIS database: the import's figures
before and after, side by side under the same load.

The machine is shared (2 cores, several engineers): every figure depends on the
load, so the run first prints a **baseline measured in the same run** (how long
pandas takes to parse this CSV as text, and the load average) to read them against.

Without ``--store`` a throwaway PostgreSQL + PostGIS cluster is started (as the tests
do, ``tests/pgserver.py``) and removed at the end (also when the run is terminated).
Figures of the last runs are in the README's "Speed" section.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
sys.path.insert(0, str(PROJECT / "tests"))

# How often the memory of an import's processes is sampled.
SAMPLE_SECONDS = 0.1
FILTERS = ("start=2023-01-01&event_types=Battles&event_types=Violence+against+civilians",
           "start=2022-06-01&countries=Mali&countries=Burkina+Faso")
TABLE_ROWS = 1_000


def write_acled_like_csv(path: Path, rows: int) -> None:
    """``rows`` fictional incidents in ACLED's export columns (see the module docstring)."""
    from incidents import model
    from incidents.synthetic import synthetic_incidents

    step = 250_000
    with path.open("w", encoding="utf-8", newline="") as out:
        for start in range(0, rows, step):
            frame = synthetic_incidents(min(step, rows - start), seed=7 + start)
            frame["event_id_cnty"] = [f"SYN{start + i}" for i in range(len(frame))]
            frame[list(model.ACLED_COLUMNS)].to_csv(out, index=False, header=start == 0,
                                                    date_format="%Y-%m-%d")


def baseline(csv_path: Path) -> float:
    """Seconds pandas takes to parse the CSV as text: the machine's speed in this run."""
    import pandas as pd

    started = time.perf_counter()
    pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    return time.perf_counter() - started


def ingest(csv_path: Path, store: str, home: Path,
           code: Path = PROJECT) -> tuple[float, float, float, dict]:
    """(seconds, peak MB of all its processes, peak MB of its largest process, summary)
    of one CLI ingest of ``csv_path`` into ``store``, by the program in ``code`` (this
    checkout by default). The import may read in a child process: the first peak is
    the sum over the process and its children (proportional set size, so the pages a
    fork shares count once), the second the largest resident size of one of them,
    both sampled every ``SAMPLE_SECONDS`` (not ``ru_maxrss``: a process forked from
    this one would start from this one's size)."""
    size_mb = csv_path.stat().st_size / 1e6
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "incidents", "ingest", str(csv_path), "--no-geocode",
             "--store", store, "--max-mb", str(int(size_mb) + 1)],
            cwd=code, env={**os.environ, "INCIDENTS_HOME": str(home), "PYTHONPATH": str(code)},
            stdout=out, stderr=err)
        tree_peak = largest = 0.0
        while True:
            pid, status, _ = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            total, biggest = tree_memory_mb(process.pid)
            tree_peak, largest = max(tree_peak, total), max(largest, biggest)
            time.sleep(SAMPLE_SECONDS)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if process.returncode:
            sys.exit(f"ingest failed ({process.returncode}): {err.read().decode()[-2000:]}")
        summary = json.loads(out.read())
    return seconds, tree_peak, largest, summary


def tree_memory_mb(root: int) -> tuple[float, float]:
    """(proportional set size of process ``root`` and all its descendants, the largest
    resident size among them), in MB."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(f"/proc/{entry.name}/stat").read_text()
            except OSError:
                continue
            children.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(
                int(entry.name))
    total_kb = largest_kb = 0
    todo = [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            with open(f"/proc/{pid}/smaps_rollup") as rollup:
                for line in rollup:
                    if line.startswith("Pss:"):
                        total_kb += int(line.split()[1])
                    elif line.startswith("Rss:"):
                        largest_kb = max(largest_kb, int(line.split()[1]))
        except OSError:
            continue
    return total_kb / 1024, largest_kb / 1024


# Stored columns that hold the import's own time, left out of the comparison.
_STAMPED = ("created_at", "updated_at", "written_generation", "imported_at", "id", "import_id")


def stored_digest(store: str) -> dict[str, str]:
    """A SHA-1 per stored column of ``incidents`` (rows in id order) and of the
    quarantine and imports tables, to tell whether two imports stored the same."""
    import hashlib

    def digests(rows: Any, names: list[str]) -> dict[str, str]:
        hashes = {name: hashlib.sha1() for name in names}
        for row in rows:
            for name, value in zip(names, row):
                hashes[name].update(repr(value).encode() + b"\0")
        return {name: digest.hexdigest() for name, digest in hashes.items()}

    queries = {
        "incidents": "SELECT * FROM incidents ORDER BY incident_id",
        "quarantine": "SELECT * FROM quarantine ORDER BY id",
        "imports": "SELECT * FROM imports",
    }
    result: dict[str, str] = {}
    if store.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(store) as conn:
            for table, query in queries.items():
                cursor = conn.execute(query.replace("ORDER BY incident_id",
                                                    'ORDER BY incident_id COLLATE "C"'))
                names = [d.name for d in cursor.description]
                result.update({f"{table}.{k}": v for k, v in digests(cursor, names).items()})
    else:
        import sqlite3

        with sqlite3.connect(store) as conn:
            for table, query in queries.items():
                cursor = conn.execute(query)
                names = [d[0] for d in cursor.description]
                result.update({f"{table}.{k}": v for k, v in digests(cursor, names).items()})
    return {k: v for k, v in result.items() if k.split(".", 1)[1] not in _STAMPED}


def _differing(stored: dict, backend: str, baseline: Path) -> str:
    ours, theirs = stored[(backend, PROJECT)], stored[(backend, baseline)]
    return ", ".join(sorted(k for k in ours.keys() | theirs.keys() if ours.get(k) != theirs.get(k)))


def filter_change(url: str) -> None:
    """Run in a child process: each filter of FILTERS in turn, as the dashboard asks for
    it; print one JSON line per filter (seconds, payload bytes, mode, count) and the
    process's peak resident memory."""
    from incidents.filters import FilterSpec
    from incidents.maps.served import build_served_map
    from incidents.store.postgis import PostgisStore
    from incidents.store.queries import ServedSelection, served_queries
    from ui.headline import headline_html
    from ui.map_cache import selection_extent as _extent
    from ui.table import table_frame

    store = PostgisStore(url, snapshot_dir=Path(tempfile.mkdtemp()))
    queries = served_queries(store)
    answers = []
    for query in FILTERS:
        spec = FilterSpec.from_query_string(query)
        started = time.perf_counter()
        selection = ServedSelection(queries, spec)
        headline = selection.headline()
        view = _extent(selection)
        result = build_served_map(selection, view=view, overlays_apart=True)
        seconds = time.perf_counter() - started
        started = time.perf_counter()
        table = table_frame(selection.newest(TABLE_ROWS), "en")
        table_seconds = time.perf_counter() - started
        overlays = sum(_rendered_bytes(group) for group in result.overlays)
        payload = overlays + len(headline_html(headline, "en"))
        answers.append({"filter": query, "seconds": round(seconds, 3), "payload": payload,
                        "table_seconds": round(table_seconds, 3),
                        "table_payload": len(table.to_json(orient="records")),
                        "mode": result.mode, "cells": result.n_cells,
                        "count": headline.incidents})
    print(json.dumps({"answers": answers, "peak_mb": own_peak_mb()}))


def _rendered_bytes(group) -> int:
    """The bytes a data layer adds to a page (what st_folium sends for a
    ``feature_group_to_add``): a page holding it less the same page without it."""
    import folium

    empty = len(folium.Map().get_root().render())
    holder = folium.Map()
    group.add_to(holder)
    return len(holder.get_root().render().encode()) - empty


def own_peak_mb() -> float:
    """This process image's peak resident memory (VmHWM). Not ru_maxrss: Linux carries
    that over fork and exec, so a child would report at least its parent's size."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_filter_change(url: str, checkout: Path = PROJECT) -> dict:
    """The filter change asked by ``checkout``'s code (this one by default)."""
    python = checkout / ".venv" / "bin" / "python"
    answer = subprocess.run(
        [str(python if python.exists() else sys.executable),
         str(checkout / "bench" / "store_scale.py"), "--filter-change", url], cwd=checkout,
        capture_output=True, text=True, check=True)
    return json.loads(answer.stdout.strip().splitlines()[-1])


# The schema the baseline's code knows: before step 6 (incidents counted per group).
BASELINE_SCHEMA = 5
_TO_BASELINE = (
    "DROP FUNCTION IF EXISTS incident_groups_follow() CASCADE",
    "DROP TABLE IF EXISTS incident_groups",
    "DROP TABLE IF EXISTS incident_months",
    "DROP INDEX IF EXISTS incidents_newest",
    "CREATE INDEX IF NOT EXISTS incidents_date ON incidents (event_date)",
    "CREATE INDEX IF NOT EXISTS incidents_cell ON incidents (h3_r9)",
    f"DELETE FROM schema_version WHERE version > {BASELINE_SCHEMA}",
)


def baseline_copy(url: str, name: str, *, reuse: bool = False) -> str:
    """A copy of the database at ``url`` named ``name``, taken back to BASELINE_SCHEMA
    (with ``reuse``, one made by an earlier run of the same incidents is kept)."""
    import psycopg

    server, source = url.rsplit("/", 1)
    copy = f"{server}/{name}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        if reuse and conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                  (name,)).fetchone():
            return copy
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
    with psycopg.connect(copy) as conn:
        for statement in _TO_BASELINE:
            conn.execute(statement)
    return copy


def print_filter_change(total: int, figures: dict, label: str) -> None:
    for number, answer in enumerate(figures["answers"], start=1):
        shown = f"{answer['mode']} {answer['cells']}" if answer["mode"] == "cells" \
            else answer["mode"]
        print(f"{total:>12,} {label:<9} {'#' + str(number):<3} {answer['count']:>10,}"
              f" {shown:>10} {answer['seconds']:>9.2f} {answer['payload']:>10,}"
              f" {figures['peak_mb']:>11.0f} {answer['table_seconds']:>8.2f}"
              f" {answer['table_payload']:>9,}", flush=True)


def grow(url: str, target: int) -> int:
    """Copy the stored rows under new ids until the store holds ``target`` incidents."""
    import psycopg

    from incidents import model
    from incidents.store.postgis import _CELL, _q

    columns = [c for c in model.CANONICAL_COLUMNS if c != "incident_id"] + [_CELL]
    listed = ", ".join(_q(c) for c in columns)
    with psycopg.connect(url) as conn:
        base = conn.execute("SELECT COUNT(*) FROM incidents").fetchone()[0]
        copies = max(0, -(-target // base) - 1)
        conn.execute("SET LOCAL incidents.store_write = 'on'")
        conn.execute(
            f"INSERT INTO incidents (incident_id, {listed})"
            f" SELECT incident_id || '-copy' || k, {listed}"
            " FROM incidents, generate_series(1, %s) AS k", (copies,))
        conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'generation'")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE incidents")
        return int(conn.execute("SELECT COUNT(*) FROM incidents").fetchone()[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--large", type=int, default=0,
                        help="also measure a filter change at this many incidents (PostGIS)")
    parser.add_argument("--store", help="an empty PostGIS database URL (default: a throwaway one)")
    parser.add_argument("--no-sqlite", action="store_true",
                        help="leave out the SQLite import")
    parser.add_argument("--no-postgis", action="store_true",
                        help="leave out the PostGIS import (needs --import-only)")
    parser.add_argument("--baseline", type=Path,
                        help="also import and ask the filter change with this checkout's code")
    parser.add_argument("--import-only", action="store_true",
                        help="measure the import only (no filter change)")
    parser.add_argument("--measure-only", action="store_true",
                        help="only the filter change, of the incidents already at --store")
    parser.add_argument("--filter-change", help=argparse.SUPPRESS)
    args = parser.parse_args()
    # A terminated run still stops and removes its throwaway cluster.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.filter_change:
        filter_change(args.filter_change)
        return
    if args.no_postgis and not args.import_only:
        sys.exit("--no-postgis needs --import-only (the filter change is asked of PostGIS)")
    if args.measure_only:
        if not args.store:
            sys.exit("--measure-only needs --store")
        import psycopg

        with psycopg.connect(args.store) as conn:
            total = int(conn.execute("SELECT COUNT(*) FROM incidents").fetchone()[0])
        print(f"load average {' '.join(f'{v:.1f}' for v in os.getloadavg())}", flush=True)
        print_header()
        measure(args.store, total, args.baseline, reuse=True)
        print_legend()
        return
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="bench-store-") as directory:
        work = Path(directory)
        url = args.store
        if url is None and not args.no_postgis:
            import pgserver
            from conftest import free_port

            reason = pgserver.missing_reason()
            if reason:
                sys.exit(f"cannot start PostGIS: {reason}")
            server = stack.enter_context(pgserver.postgis_cluster(free_port()))
            url = pgserver.fresh_database(server, "bench")
        csv_path = work / "incidents.csv"
        write_acled_like_csv(csv_path, args.rows)
        print(f"{args.rows:,} synthetic ACLED-like incidents, CSV"
              f" {csv_path.stat().st_size / 1e6:,.0f} MB", flush=True)
        print(f"baseline (same run): pandas parses the CSV as text in {baseline(csv_path):.1f} s;"
              f" load average {' '.join(f'{v:.1f}' for v in os.getloadavg())}", flush=True)
        print(f"\n{'import':<44} {'seconds':>8} {'peak MB':>8} {'largest':>8} {'load':>5}",
              flush=True)
        runs = [("sqlite", PROJECT, str(work / "bench.sqlite")), ("postgis", PROJECT, url)]
        if args.baseline:
            runs.insert(0, ("sqlite", args.baseline, str(work / "baseline.sqlite")))
            if args.store is None and not args.no_postgis:
                runs.insert(2, ("postgis", args.baseline,
                                pgserver.fresh_database(server, "bench_baseline")))
        if args.no_sqlite:
            runs = [run for run in runs if run[0] != "sqlite"]
        if args.no_postgis:
            runs = [run for run in runs if run[0] != "postgis"]
        stored: dict[tuple[str, Path], dict[str, str]] = {}
        for number, (backend, code, store) in enumerate(runs):
            home = work / f"home-{number}"
            home.mkdir()
            seconds, peak, largest, summary = ingest(csv_path, store, home, code)
            label = f"{backend} ({summary['accepted']:,} rows)"
            if args.baseline:
                label += " baseline" if code == args.baseline else " this checkout"
            print(f"{label:<44} {seconds:>8.1f} {peak:>8.0f} {largest:>8.0f}"
                  f" {os.getloadavg()[0]:>5.1f}", flush=True)
            stored[(backend, code)] = stored_digest(store)
        for backend in ("sqlite", "postgis"):
            if args.baseline and (backend, PROJECT) in stored and (backend, args.baseline) in stored:
                same = stored[(backend, PROJECT)] == stored[(backend, args.baseline)]
                print(f"{backend}: stored columns {'identical to' if same else 'DIFFER from'}"
                      " the baseline's" + ("" if same else f": {_differing(stored, backend, args.baseline)}"),
                      flush=True)
        if args.import_only:
            return
        print_header()
        sizes = [None] + ([args.large] if args.large else [])
        for size in sizes:
            started = time.perf_counter()
            total = grow(url, size) if size else args.rows
            if size:
                print(f"(grown to {total:,} on the server in {time.perf_counter() - started:.0f} s;"
                      f" load average {os.getloadavg()[0]:.1f})", flush=True)
            measure(url, total, args.baseline)
        print_legend()


def measure(url: str, total: int, baseline_checkout: Path | None, *,
            reuse: bool = False) -> None:
    """The filter change asked twice by this code, then (on a copy at its schema)
    twice by the baseline's."""
    print_filter_change(total, measure_filter_change(url), "this")
    print_filter_change(total, measure_filter_change(url), "this")
    print(f"(load average {' '.join(f'{v:.1f}' for v in os.getloadavg())})", flush=True)
    if baseline_checkout:
        copy = baseline_copy(url, f"baseline_{total}", reuse=reuse)
        for _ in range(2):
            print_filter_change(total, measure_filter_change(copy, baseline_checkout),
                                "baseline")
        print(f"(load average {' '.join(f'{v:.1f}' for v in os.getloadavg())})", flush=True)


def print_header() -> None:
    print("\nfilter change on PostGIS (the map page of a fresh dashboard process)")
    print(f"{'incidents':>12} {'code':<9} {'#':<3} {'selected':>10} {'map':>10}"
          f" {'server s':>9} {'payload B':>10} {'process MB':>11} {'table s':>8}"
          f" {'table B':>9}", flush=True)


def print_legend() -> None:
    print(f"\nfilters: {'; '.join(f'#{i} {q}' for i, q in enumerate(FILTERS, start=1))}")
    print("code: this checkout, or the --baseline one on a copy at its schema; each"
          " asked twice by a fresh process (first and second filter change)")
    print("server s: headline, extent, map of the extent (the map page);"
          " payload: its data layers and headline; process MB: peak of"
          f" that process; table: the table tab's newest {TABLE_ROWS:,} rows, apart")


if __name__ == "__main__":
    main()
