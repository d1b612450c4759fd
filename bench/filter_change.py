"""A filter change in the real dashboard, timed and costed, against a baseline in the same run.

    .venv/bin/python bench/filter_change.py [--n 1000000 | --store PATH] [--baseline CHECKOUT]
                                            [--rounds 1] [--settle-s 0] [--json]

One store (N synthetic incidents, or a copy of ``--store``: ``bench/scale.py``'s
``adopt_store``) is served by each checkout in turn (``streamlit run serve.py``, as
``make run``), the baseline first in every round. In headless Chromium the first page
is loaded, then the sidebar's "Event type" filter is changed five times, as
``bench/scale.py``'s ``measure_dashboard`` does (Battles, + Riots, - Battles,
+ Protests, + Battles), each time until the headline and the map show the new view.

Besides that wall time (``runs_s``; ``filter_s`` is the median of the first three,
the figure ``bench/ui_timing.py`` prints) and the bytes the browser received on
Streamlit's websocket until then (``payload_bytes``), each change's CPU seconds are read from
/proc, which a busy machine disturbs far less than wall time: the dashboard server's
(``server_cpu_s``, every thread) and its helper processes' (``helpers_cpu_s``: the
article extractor loading its language models after the first page). ``--settle-s``
waits that long after the first page before the changes. The load average is printed
with the figures; nothing here touches the internet.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scale  # noqa: E402
import ui_timing  # noqa: E402

TIMEOUT_S = 600
SUMMARY = ("filter_s", "server_cpu_median_s", "payload_median_bytes")
CHANGES = (("pick", "Battles"), ("pick", "Riots"), ("unpick", "Battles"),
           ("pick", "Protests"), ("pick", "Battles"))


def cpu_seconds(pid: int) -> tuple[float, float]:
    """(CPU seconds of process ``pid``, of its child processes) so far, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")

    def used(process: str) -> float:
        try:
            fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / tick  # utime + stime

    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True,
                              text=True).stdout.split()
    return used(str(pid)), sum(used(child) for child in children)


def server_pid() -> int:
    """The streamlit server this process started (its only streamlit child)."""
    found = subprocess.run(["pgrep", "-P", str(os.getpid()), "-f", "streamlit"],
                           capture_output=True, text=True).stdout.split()
    return int(found[0])


def _change(page: object, kind: str, event_type: str) -> Callable[[], float]:
    side = page.locator('[data-testid="stSidebar"]')
    if kind == "unpick":
        return lambda: scale._click(side.get_by_role("button", name=f"Remove {event_type}"))

    def click() -> float:
        box = side.get_by_role("combobox", name="Event type", exact=True)
        box.click()
        box.type(event_type)
        option = page.get_by_role("option", name=event_type, exact=True)
        option.wait_for(timeout=TIMEOUT_S * 1000)
        return scale._click(option)
    return click


def measure_checkout(project: Path, home: Path, settle_s: float) -> dict:
    """First page, then the filter changes, on ``project``'s dashboard over ``home``."""
    with scale.chromium() as browser, scale.streamlit_server(
            "serve.py", project, {"INCIDENTS_HOME": str(home)},
            home / f"dashboard-{project.name}.log") as url:
        pid = server_pid()
        context = browser.new_context(viewport={"width": 1500, "height": 1100})
        watched = scale.Watched(context.new_page())
        page = watched.page
        try:
            started = time.perf_counter()
            page.goto(url, wait_until="load", timeout=TIMEOUT_S * 1000)
            watched.wait_until(lambda: scale._dashboard_map(watched, None, set()),
                               started + TIMEOUT_S, "the first map")
            first_page_s = time.perf_counter() - started
            watched.wait_quiet()
            time.sleep(settle_s)
            runs, server, helpers, payload = [], [], [], []
            for kind, event_type in CHANGES:
                watched.wait_quiet()
                before = cpu_seconds(pid)
                figures = scale._dashboard_change(watched, _change(page, kind, event_type),
                                                  TIMEOUT_S)
                after = cpu_seconds(pid)
                runs.append(figures["browser_s"])
                payload.append(figures["payload_bytes"])
                server.append(after[0] - before[0])
                helpers.append(after[1] - before[1])
        finally:
            context.close()
    return {"first_page_s": first_page_s, "filter_s": statistics.median(runs[:3]),
            "runs_s": runs, "server_cpu_s": server, "helpers_cpu_s": helpers,
            "server_cpu_median_s": statistics.median(server),
            "payload_bytes": payload, "payload_median_bytes": statistics.median(payload),
            "load_average": [round(value, 2) for value in os.getloadavg()]}


def measure(n: int | None, store: Path | None, baseline: Path | None, rounds: int,
            settle_s: float) -> dict[str, list[dict]]:
    home = Path(tempfile.mkdtemp(prefix="bench-filter-"))
    try:
        if store is None:
            scale.fill_store(home, n)
        else:
            scale.adopt_store(home, store.resolve())
        ui_timing.give_gazetteer(home)
        checkouts = ([("baseline", baseline)] if baseline else []) + [("this", scale.PROJECT)]
        results: dict[str, list[dict]] = {name: [] for name, _ in checkouts}
        for _ in range(rounds):
            for name, project in checkouts:
                results[name].append(measure_checkout(project, home, settle_s))
        return results
    finally:
        shutil.rmtree(home, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="synthetic incidents")
    parser.add_argument("--store", type=Path, help="serve a copy of this store instead")
    parser.add_argument("--baseline", type=Path, help="another checkout, e.g. a worktree of main")
    parser.add_argument("--rounds", type=int, default=1, help="times each checkout is measured")
    parser.add_argument("--settle-s", type=float, default=0.0,
                        help="seconds to wait after the first page before the changes")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    options = parser.parse_args(argv)
    print(f"load average before: {os.getloadavg()}", file=sys.stderr)
    results = measure(options.n, options.store, options.baseline, options.rounds,
                      options.settle_s)
    if options.json:
        print(json.dumps(results))
        return 0
    for name, rounds in results.items():
        for number, figures in enumerate(rounds, 1):
            print(f"{name} round {number}: load {figures['load_average']}")
            for key, value in figures.items():
                if key != "load_average":
                    print(f"  {key:20} {ui_timing._rounded(value)}")
    print("medians over the rounds:" + "".join(f"  {name:>12}" for name in results))
    for key in SUMMARY:
        print(f"  {key:20}" + "".join(
            f"  {ui_timing._rounded(statistics.median(r[key] for r in rounds))!s:>12}"
            for rounds in results.values()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
