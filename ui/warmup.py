"""Work the dashboard's first page would otherwise do while its first visitor waits.

``serve.py`` starts :func:`warm` in a background thread as the server starts:
the imports (folium, geopandas, the core, the page's modules), the
bundled samples when the store never had an import (as the page would load
them), the store's map snapshot and quarantine (into the same Streamlit caches
the page reads), and the first page's headline and map for its default
filters, which fills the per-frame arrays they share with every later view and
the base map's own caches (country outlines, town labels, the admin-1 index).
The extraction helper starts once the browser has drawn the first map, and while it
is still loading its models it is paused during every script run and for
``DRAW_GRACE_S`` after (:func:`script_run`). The server listens meanwhile, so a
browser opened at once loads Streamlit's frontend while the store loads; the
page's script calls :func:`wait_for_warmup` before touching any data, and then
finds it all cached instead of doing it a second time beside the warm-up.

Nothing here may import ``streamlit_folium`` (or any module declaring a
Streamlit component): ``declare_component`` only registers a component when it
runs inside a script run, so importing it here, before any, would leave the
map's component unregistered and the map blank. The heavy imports happen in
:func:`warm`, not at the top, so that ``serve.py`` importing this module does
not hold up the server's start.
"""

from __future__ import annotations

import importlib
import logging
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from incidents.extract.worker import ExtractionWorker

LOGGER = logging.getLogger(__name__)
# What the page's first script run imports, minus the modules declaring a component
# (ui.map_view, ui.correct): its own modules, those the map's and the correction's
# modules import, and Pillow, through which Streamlit reads the page icon (0.1 s).
PAGE_MODULES = ("ui.admin", "ui.duplicates", "ui.exports", "ui.headline",
                "ui.layout", "ui.quarantine", "ui.record", "ui.setup_check", "ui.sidebar",
                "ui.state", "ui.table", "ui.timeline", "ui.upload",
                "incidents.maps.choropleth", "incidents.maps.draw", "incidents.maps.reference",
                "incidents.maps.served", "incidents.regions.sets", "PIL.Image", "PIL.ImageFile")
# A page never waits longer than this for a warm-up that hangs; it then loads itself.
WAIT_LIMIT_S = 300.0
# The gazetteer and the report's map load once no script ran for this long.
QUIET_S = 10.0
# The extraction helper starts once a browser has drawn the first map (or this long
# after the warm-up without one, or when an extraction is asked for before): its
# start (a new interpreter importing pandas, about 0.45 s of CPU at the usual
# priority) while the browser was still drawing the first page delayed that page on
# two cores (at 1,000 incidents, 6.4 s against 5.6 s without a helper); started after
# the page's script run, it still was. Waiting for a quiet moment instead left the
# language models unloaded until the report and the first article (a 100k bench:
# first extraction 10.1 s against 0.9 s, report 10.0 s against 5.5 s).
HELPER_WAIT_S = 10.0
# After a script run the helper stays paused this long more, while the browser draws
# what the run sent (a filter change's map is drawn 0.1-0.3 s after its run ends).
DRAW_GRACE_S = 0.5
# Streamlit warns once per call that a cached function ran outside a script run,
# which is exactly what warming is.
_NO_SCRIPT_RUN_LOGGER = "streamlit.runtime.scriptrunner_utils.script_run_context"
# Set while no warm-up is running: ``streamlit run dashboard.py`` never waits.
_settled = threading.Event()
_settled.set()
# Set once a browser reported a drawn map (``map_drawn``).
_first_map_drawn = threading.Event()
_last_activity = time.monotonic()
_runs_in_progress = 0
_runs_started = 0  # ever: a resume waits for no run to have started since the last ended
_runs_lock = threading.Lock()
_worker: ExtractionWorker | None = None
# Whether an extraction helper is still to be started (by a background warm-up).
_helper_wanted = False
_worker_lock = threading.Lock()
_report_warmup: threading.Thread | None = None
_report_warmup_lock = threading.Lock()


@contextmanager
def _outside_script_run() -> Iterator[None]:
    logger = logging.getLogger(_NO_SCRIPT_RUN_LOGGER)
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def warm() -> int | None:
    """Load the current store into the page's caches and work out the first page's
    figures and map; the number of incidents loaded, or None when
    warming failed (the page then meets and reports the problem itself).

    The store loads in a second thread (one long read, mostly outside the
    interpreter's lock) while this one imports the page's modules and fills the
    base map's caches; this one then computes the first page's figures and map.
    Those run here, one after the other, not beside the imports: a thread making
    many short numpy calls beside one busy importing gets the interpreter's lock
    only every few milliseconds, and the two took longer than in turn.
    """
    started = time.perf_counter()
    try:
        with _outside_script_run(), ThreadPoolExecutor(1, "dashboard-warmup-load") as pool:
            from ui import data

            loading = pool.submit(_load_store, data)
            from incidents.maps.base import make_base_map
            from incidents.maps.incident_layer import region_geometry

            make_base_map()
            region_geometry("", "", "")
            for module in PAGE_MODULES:
                importlib.import_module(module)
            frame = loading.result()
            _first_view(frame)
    except Exception:  # noqa: BLE001 - warming is an optimisation, never a reason not to start
        LOGGER.exception("warming the dashboard's caches failed; the first page will do it")
        return None
    print(f"  Dashboard ready: {len(frame):,} incidents loaded in "
          f"{time.perf_counter() - started:.1f} s.", file=sys.stderr, flush=True)
    return len(frame)


def _first_view(frame: pd.DataFrame) -> None:
    """The first page's headline and map for its default filters, so that what those
    compute once per frame (the headline's arrays, the map's columns) and the base
    map's caches are in place when the page comes, and the map itself is kept for it
    (``ui.map_cache``: at a million incidents, counting the hexagons is most of the
    page's own run)."""
    from incidents.selection import Selection
    from incidents.summary import headline_figures
    from ui.headline import has_possible_duplicates
    from ui.i18n import DEFAULT_LANGUAGE
    from ui.map_cache import MapRequest, cached_map, selection_extent
    from ui.state import widgets_to_spec

    spec = widgets_to_spec({})
    selection = Selection.of(frame, spec)
    headline_figures(frame, selection.rows)
    has_possible_duplicates(frame)
    # The map the first page asks for (ui.map_view: the store's data key, the data's
    # extent, no week, overlay or drawn area), kept for it in ui.map_cache.
    request = MapRequest(data_key=f"store?{spec.to_query_string()}", week="",
                         view=selection_extent(selection), language=DEFAULT_LANGUAGE,
                         near=spec.near)
    cached_map(selection, request).map.render()


def _load_store(data: ModuleType) -> pd.DataFrame:
    """The store's map frame and quarantine, into the page's caches (samples seeded
    first when the store never had an import, as the page would)."""
    path = data.store_path()
    data.seed_store_if_empty(data.get_store(str(path)))
    version = data.store_version(path)
    data.load_store_quarantine(str(path), version)
    if data.served(str(path)) is not None:
        # A server store is never loaded: its filter choices are all the page keeps.
        data.store_choices(str(path), version)
        return data.as_map_frame(data.model.empty_frame())
    return data.load_store_frame(str(path), version)


def warm_in_background() -> threading.Thread:
    """Start :func:`warm` in a thread; pages wait for it in :func:`wait_for_warmup`."""
    global _helper_wanted
    _settled.clear()
    _helper_wanted = True

    def run() -> None:
        try:
            warm()
        finally:
            _settled.set()
        _first_map_drawn.wait(HELPER_WAIT_S)
        _start_extraction_worker()
        page_activity()
        _load_gazetteer_and_report_map()

    thread = threading.Thread(target=run, name="dashboard-warmup", daemon=True)
    thread.start()
    return thread


def page_activity() -> None:
    """Called as a script run (or a map fragment run) starts and ends: the article and
    report tools wait for a quiet moment (``QUIET_S`` without any)."""
    global _last_activity
    _last_activity = time.monotonic()


@contextmanager
def script_run() -> Iterator[None]:
    """Around a script run, a run of the map's fragment or a report being drawn: marks
    the activity (:func:`page_activity`) and, while an extraction helper is still
    loading its models, keeps it paused from the first run's start until
    ``DRAW_GRACE_S`` after the last run's end. Loading beside them, it made the first
    filter changes at a million incidents about a fifth slower even at the idle
    scheduling class; paused, it loads in the moments between them."""
    global _runs_in_progress, _runs_started
    page_activity()
    with _runs_lock:
        _runs_in_progress += 1
        _runs_started += 1
        worker = _worker
    try:
        if worker is not None:
            worker.pause()
        yield
    finally:
        page_activity()
        with _runs_lock:
            _runs_in_progress -= 1
            started = _runs_started
        if worker is not None and worker.paused:
            timer = threading.Timer(DRAW_GRACE_S, _resume_when_idle, (worker, started))
            timer.daemon = True
            timer.start()


def _resume_when_idle(worker: ExtractionWorker, started: int) -> None:
    """Continue the helper unless a run is in progress or one started since the run
    that scheduled this ended ``started`` runs in (that run's end resumes it; the
    worker's own pause limit bounds any pause anyway)."""
    with _runs_lock:  # held while resuming: a run starting meanwhile pauses it again
        if _runs_in_progress == 0 and _runs_started == started:
            worker.resume()


def stop_helper() -> None:
    """As the server stops: end the extraction helper, even in the middle of loading,
    and start none after."""
    global _helper_wanted
    with _worker_lock:
        _helper_wanted = False
        worker = _worker
    if worker is not None:
        worker.stop()


def map_drawn() -> None:
    """Called when a browser has reported the view of a map it drew (st_folium's
    value after its frame drew the map): the first page is on screen."""
    _first_map_drawn.set()


def extraction_worker() -> ExtractionWorker | None:
    """The helper process extractions go to, or None when there is none (``streamlit
    run dashboard.py``, or it could not start). The background warm-up starts it once
    the first map has been drawn; an extraction asked for before then starts it now
    (the extraction then waits for the helper's models, outside this interpreter)."""
    if _helper_wanted and not warming():
        _start_extraction_worker()
    return _worker


def _start_extraction_worker() -> None:
    """Start the article extractor's helper process, which loads the language models
    on its own (``incidents.extract.worker``), unless it was started (or tried) before."""
    global _worker, _helper_wanted
    with _worker_lock:
        if not _helper_wanted:
            return
        _helper_wanted = False
        try:
            from incidents.extract.worker import ExtractionWorker

            _worker = ExtractionWorker()
        except Exception:  # noqa: BLE001 - extractions then run in this process
            LOGGER.exception("the extraction helper did not start")


def export_tab_opened() -> None:
    """The export tab is drawn: prepare the report's map (about 2 s, once) in the
    background now rather than when its button is clicked."""
    global _report_warmup
    with _report_warmup_lock:
        if _report_warmup is None:
            _report_warmup = threading.Thread(
                target=_quietly(_report_boundaries, "the report's map"), name="report-warmup",
                daemon=True)
            _report_warmup.start()


def _quietly(step: Callable[[], None], name: str) -> Callable[[], None]:
    """``step`` logging its failure: what it prepares is then done, and any problem
    met and reported, where it is first used."""
    def run() -> None:
        try:
            step()
        except Exception:  # noqa: BLE001 - preparing ahead is an optimisation
            LOGGER.exception("%s not prepared ahead", name)
    return run


def _wait_for_a_quiet_moment() -> None:
    """Until no script ran for ``QUIET_S``: what loads next holds the server's one
    interpreter for seconds, which beside a filter change would double it."""
    while time.monotonic() - _last_activity < QUIET_S:
        time.sleep(0.5)


def _load_gazetteer_and_report_map() -> None:
    """Load the built gazetteer index (place search, geocoding; an unbuilt one is left
    to the geocoder, which builds it on first use) and the report's simplified
    boundaries (about 2 s), so that their first use does not wait for them.

    Each step waits for its own quiet moment: the steps hold the interpreter for
    0.1-1 s each (2-3 s in all), and a filter change clicked while they ran got its
    map from the server 1.1 s after the click instead of 0.25-0.35 s (9,841 ACLED
    incidents); one clicked meanwhile now meets at most the step under way.

    The language models are not loaded here but in the extraction helper: in this
    process they held its one interpreter for about 4 s (beside the first page they
    delayed its map, its tiles and the map's first report back by seconds).
    """
    loading_s = 0.0
    for name, step in (("gazetteer", _gazetteer), ("the report's charts", _report_charts),
                       ("the report's map", _report_boundaries),
                       ("the sign-in's decoy hash", _decoy_hash),
                       ("the article page", _article_page)):
        _wait_for_a_quiet_moment()
        started = time.perf_counter()
        _quietly(step, name)()
        loading_s += time.perf_counter() - started
    print(f"  Gazetteer and report map loaded in {loading_s:.1f} s.", file=sys.stderr, flush=True)


def _gazetteer() -> None:
    from incidents.geocode.build import is_built
    from incidents.geocode.gazetteer import load_gazetteer

    if is_built():
        load_gazetteer()


def _article_page() -> None:
    """The article page's module (the extraction's text tools), which the dashboard
    imports only when the page is opened: not the first page's to wait for."""
    importlib.import_module("ui.add_article")


def _decoy_hash() -> None:
    from incidents.users import decoy_hash

    decoy_hash()


def _report_charts() -> None:
    """matplotlib, through the report's drawing module (about 0.5 s of imports)."""
    importlib.import_module("incidents.report.render")


def _report_boundaries() -> None:
    from incidents.report.static_map import warm_up as warm_report_map

    warm_report_map()


def warming() -> bool:
    """Whether a warm-up is still running."""
    return not _settled.is_set()


def wait_for_warmup(timeout_s: float = WAIT_LIMIT_S) -> bool:
    """Block until no warm-up is running (at once when none was started); False if
    it was still running after ``timeout_s``."""
    return _settled.wait(timeout_s)
