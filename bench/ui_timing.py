"""What an analyst waits for in the real dashboard, in one run, at N incidents (default 100,000).

    .venv/bin/python bench/ui_timing.py [--n 100000 | --store STORE.sqlite] [--json]
                                        [--baseline CHECKOUT] [--dashboard-only]

Fills a temporary store with N synthetic incidents (untimed; at 1M about a minute),
or with --store works on a copy of an existing one (``bench/scale.py``'s
``adopt_store``: its snapshot linked, read only), gives it the built
gazetteer index as ``make setup`` does (copied from this checkout's state dir when
built there: a state dir without one made the first extraction build it, about
30 s), starts the dashboard as ``make run`` does (``streamlit run serve.py``) and
drives it with headless Chromium (/usr/bin/chromium through Playwright).

With ``--baseline CHECKOUT`` (e.g. a worktree of main) the same store is served by
that checkout too, one after the other in the same run (baseline first), each from
its own copy of the store in a state dir of its own, and both figures are printed
side by side with the load average, so a change is judged against a baseline
measured under the same load; ``--rounds K`` has them take turns K times and prints
medians (each round's figure in ``*_rounds``). ``--dashboard-only`` stops after
the filter changes (at 1M a baseline's report can take minutes). It prints, in seconds:

- start_s / first_page_s / cold_s: launch until the server answers; the first page
  until its map is drawn; the two added (``bench/scale.py``'s dashboard figures);
- server_cpu_s: CPU seconds the server process (and its children) used from launch
  until that first map was drawn: what the server did for it, far less moved by other
  work on the machine than the seconds waited;
- filter_s: median of three "Event type" changes, click until the headline and the
  map show the new view (``bench/scale.py``'s ``measure_dashboard``);
- tab_table_s, tab_time_s, tab_map_s: a click on the explore tab until its content is
  drawn (the table's grid, the timeline's chart, the map's overlay);
- report_pdf_s: a click on "Situation report (PDF)" until the browser has the file
  (the report is built from the whole filtered view when clicked);
- first_extraction_s: on "Add from article", a click on "Extract incidents" with a
  short text until the first candidate's heading shows (the first extraction of the
  server process: the spaCy model is loaded ahead, after the first page, so this is
  what remains of it when the analyst gets there).

Everything runs in one process on one machine: compare figures of one run with
each other, and with ``bench/scale.py`` run alongside for the baseline map. Nothing
here touches the internet.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scale  # noqa: E402

# Written for this bench (not from any article): one incident, a place the gazetteer knows.
ARTICLE = ("Mopti, 12 mars 2024 - Des hommes armés ont attaqué le village de Kimparana, "
           "dans le cercle de San, dans la nuit de lundi à mardi. Quatre civils ont été tués, "
           "selon un élu local.")
TIMEOUT_S = 600


def _until(page: object, found: str, started: float, what: str) -> float:
    """Seconds from ``started`` until the CSS selector ``found`` is visible in ``page``."""
    page.locator(found).first.wait_for(state="visible", timeout=TIMEOUT_S * 1000)
    if page.locator('[data-testid="stException"]').count():
        raise scale.DashboardError(f"exception while waiting for {what}")
    return time.perf_counter() - started


def _open_tab(page: object, name: str) -> float:
    tab = page.get_by_role("tab", name=name, exact=True)
    tab.scroll_into_view_if_needed()
    return scale._click(tab)


def measure_tabs_report_article(url: str, browser: object) -> dict:
    context = browser.new_context(viewport={"width": 1500, "height": 1100}, accept_downloads=True)
    page = context.new_page()
    watched = scale.Watched(page)
    figures: dict = {}
    try:
        page.goto(url, wait_until="load", timeout=TIMEOUT_S * 1000)
        watched.wait_until(lambda: scale._dashboard_map(watched, None, set()),
                           time.perf_counter() + TIMEOUT_S, "the first map")
        watched.wait_quiet()
        figures["tab_table_s"] = _until(page, '[data-testid="stDataFrame"]',
                                        _open_tab(page, "Table"), "the table")
        watched.wait_quiet()
        figures["tab_time_s"] = _until(page, '[data-testid="stVegaLiteChart"]',
                                       _open_tab(page, "Over time"), "the timeline")
        watched.wait_quiet()
        started = _open_tab(page, "Map")
        watched.wait_until(lambda: _drawn_map(watched), started + TIMEOUT_S, "the map tab")
        figures["tab_map_s"] = time.perf_counter() - started
        watched.wait_quiet()
        _open_tab(page, "Export")
        button = page.get_by_role("button", name="Situation report (PDF)")
        button.wait_for(timeout=TIMEOUT_S * 1000)
        watched.wait_quiet()
        with page.expect_download(timeout=TIMEOUT_S * 1000) as download:
            started = scale._click(button)
        download.value.path()
        figures["report_pdf_s"] = time.perf_counter() - started
        page.goto(f"{url}/article", wait_until="load", timeout=TIMEOUT_S * 1000)
        page.get_by_label("Article text (French or English)").fill(ARTICLE)
        page.get_by_label("Article text (French or English)").press("Control+Enter")
        watched.wait_quiet()
        started = scale._click(page.get_by_role("button", name="Extract incidents"))
        figures["first_extraction_s"] = _until(page, 'h3:has-text("Candidate 1")', started,
                                               "the first candidate")
    finally:
        context.close()
    return figures


def _drawn_map(watched: scale.Watched) -> object:
    for frame in watched.map_frames():
        state = scale._evaluate(frame, scale.DASHBOARD_MAP_JS, scale.SELECTORS["ours"])
        if state and state["drawn"] and state["tiles"]:
            return frame
    return None


def give_gazetteer(home: Path) -> None:
    """The built gazetteer index in ``home``'s state dir, as ``make setup`` leaves it."""
    from incidents.geocode.build import is_built

    built = scale.PROJECT / "var" / "gazetteer"
    if is_built(built):
        shutil.copytree(built, home / "gazetteer", dirs_exist_ok=True)
    else:
        print("  (no built gazetteer in var/: the first extraction builds it)", file=sys.stderr)


def measure_project(project: Path, home: Path, n: int, everything: bool = True) -> dict:
    """The dashboard of the checkout ``project`` over the store in ``home``."""
    with scale.chromium() as browser:
        launched = time.perf_counter()
        with scale.streamlit_server("serve.py", project, {"INCIDENTS_HOME": str(home)},
                                    home / f"dashboard-{project.name}.log") as url:
            start_s = time.perf_counter() - launched
            dashboard = scale.measure_dashboard(url, browser, timeout_s=TIMEOUT_S)
            rest = measure_tabs_report_article(url, browser) if everything else {}
    return {"n": n, "start_s": start_s, "first_page_s": dashboard["dashboard_page_s"],
            "server_cpu_s": dashboard["dashboard_page_server_cpu_s"],
            "cold_s": start_s + dashboard["dashboard_page_s"],
            "filter_s": statistics.median(dashboard["dashboard_filter_runs_s"]),
            "filter_runs_s": dashboard["dashboard_filter_runs_s"], **rest}


def measure(n: int | None, baseline: Path | None = None, everything: bool = True,
            store: Path | None = None, rounds: int = 1) -> dict[str, dict]:
    """Figures per checkout served ("baseline" first when given, then "this"), on N
    synthetic incidents or a copy of ``store``.

    Each checkout serves its own copy of the store in a state dir of its own, so
    neither finds what the other left there (a snapshot rewritten, derived files).
    With ``rounds`` above one the checkouts take turns that many times and each
    figure is the median of its rounds (every round's value under ``runs``).
    """
    work = Path(tempfile.mkdtemp(prefix="bench-ui-"))
    try:
        if store is None:
            (work / "filled").mkdir()
            store = scale.fill_store(work / "filled", n)
        n = scale.open_store(store).count()
        projects = ([("baseline", baseline)] if baseline else []) + [("this", scale.PROJECT)]
        runs: dict[str, list[dict]] = {name: [] for name, _ in projects}
        for turn in range(rounds):
            for name, project in projects:
                home = work / f"{name}-{turn}"
                home.mkdir()
                scale.adopt_store(home, store.resolve())
                give_gazetteer(home)
                runs[name].append({**measure_project(project, home, n, everything),
                                   "load_average": [round(v, 2) for v in os.getloadavg()]})
        return {name: _median_of(measured) for name, measured in runs.items()}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _median_of(measured: list[dict]) -> dict:
    """One checkout's figures: each the median over its rounds, with every round kept."""
    if len(measured) == 1:
        return measured[0]
    figures: dict = {}
    for key in measured[0]:
        values = [m.get(key) for m in measured]
        if key == "n" or not all(isinstance(v, (int, float)) for v in values):
            figures[key] = values[0] if key == "n" else values
        else:
            figures[key] = statistics.median(values)
            figures[f"{key}_rounds"] = values
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="synthetic incidents in the store")
    parser.add_argument("--store", type=Path, default=None,
                        help="measure a copy of this existing store (its size overrides --n), "
                             "e.g. one bench/scale.py's fill_store made once")
    parser.add_argument("--rounds", type=int, default=1,
                        help="serve each checkout this many times, taking turns (medians)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--baseline", type=Path, default=None,
                        help="another checkout (e.g. a worktree of main) to serve the same store")
    parser.add_argument("--dashboard-only", action="store_true",
                        help="only the start, the first page and the filter changes")
    options = parser.parse_args(argv)
    print(f"load average before: {os.getloadavg()}", file=sys.stderr)
    runs = {name: {key: _rounded(value) for key, value in figures.items()}
            for name, figures in measure(options.n, options.baseline,
                                         not options.dashboard_only, options.store,
                                         options.rounds).items()}
    if options.json:
        print(json.dumps(runs if options.baseline else runs["this"]))
    else:
        names = list(runs)
        print(f"{'':20} " + " ".join(f"{name:>24}" for name in names))
        for key in runs["this"]:
            print(f"{key:20} " + " ".join(f"{str(runs[name].get(key)):>24}" for name in names))
    return 0


def _rounded(value: object) -> object:
    if isinstance(value, float):
        return round(value, 3)
    if isinstance(value, list):
        return [_rounded(item) for item in value]
    return value


if __name__ == "__main__":
    raise SystemExit(main())
