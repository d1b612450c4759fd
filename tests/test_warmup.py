"""serve.py's warm-up: it must fill the caches the page reads, and never break the map."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import streamlit as st

from incidents.store import IncidentStore, open_store
from incidents.synthetic import synthetic_incidents
from ui import data, warmup
from ui.warmup import wait_for_warmup, warm, warm_in_background, warming

PROJECT_DIR = Path(__file__).resolve().parent.parent


@pytest.fixture
def home(new_home, monkeypatch: pytest.MonkeyPatch) -> Path:
    from incidents.extract import worker

    home = new_home("warm")
    monkeypatch.setenv("INCIDENTS_HOME", str(home))
    monkeypatch.setattr(worker, "ExtractionWorker", lambda: "stub helper")
    st.cache_resource.clear()
    st.cache_data.clear()
    yield home
    st.cache_resource.clear()
    st.cache_data.clear()
    # A warm-up thread of this test may still be waiting for a first map; it must not
    # start a real extraction helper (a process loading the language models) that
    # outlives the test and is torn down only when the interpreter exits.
    warmup._helper_wanted = False


def test_warm_loads_the_store_into_the_cache_the_page_reads(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_store(home / "incidents.sqlite").import_records(
        synthetic_incidents(60, seed=3), source_name="warm.csv")
    assert warm() == 60

    def no_second_load(self: IncidentStore) -> None:
        raise AssertionError("the page loaded the snapshot again after warm-up")

    monkeypatch.setattr(IncidentStore, "load_map_snapshot", no_second_load)
    path = data.store_path()
    assert len(data.load_store_frame(str(path), data.store_version(path))) == 60


def test_the_first_page_finds_its_arrays_computed(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The headline's arrays, the map's columns and the hexagons' grouping of the first
    page (default filters, the map fitted to them) are worked out by the warm-up."""
    from incidents.maps import cells, columns
    from incidents.maps.build import DEFAULT_MAX_POINTS, build_map
    from incidents import summary
    from incidents.selection import Selection
    from ui.map_view import extent_view
    from ui.state import widgets_to_spec

    open_store(home / "incidents.sqlite").import_records(
        synthetic_incidents(DEFAULT_MAX_POINTS + 1500, seed=4), source_name="warm.csv")
    assert warm() == DEFAULT_MAX_POINTS + 1500

    def again(*_args: object) -> None:
        raise AssertionError("the first page computed a per-frame array again")

    for module, name in ((cells, "_sorted_groups"), (columns, "_convert"),
                         (summary, "_figures")):
        monkeypatch.setattr(module, name, again)
    path = data.store_path()
    frame = data.load_store_frame(str(path), data.store_version(path))
    rows = Selection.of(frame, widgets_to_spec({})).rows
    summary.headline_figures(frame, rows)
    result = build_map(frame, rows=rows, view=extent_view(frame, rows), overlays_apart=True)
    assert result.mode == "cells"


def test_a_store_that_cannot_be_opened_is_logged_not_raised(
    home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (home / "incidents.sqlite").mkdir()
    assert warm() is None
    assert "warming the dashboard's caches failed" in caplog.text


def test_a_store_that_never_had_an_import_gets_the_samples_as_the_page_would(
    home: Path,
) -> None:
    loaded = warm()
    assert loaded and loaded == open_store(home / "incidents.sqlite").count()


def test_a_store_emptied_on_purpose_stays_empty(home: Path) -> None:
    open_store(home / "incidents.sqlite").import_records(
        synthetic_incidents(0), source_name="nothing.csv")
    assert warm() == 0


def test_warm_imports_the_page_but_no_streamlit_component(new_home) -> None:
    """A component module imported outside a script run is never registered: blank map."""
    home = new_home("warm-imports")
    check = ("import sys; from ui.warmup import PAGE_MODULES, warm; warm(); "
             "print(all(m in sys.modules for m in PAGE_MODULES), "
             "sorted(m for m in sys.modules if m.startswith('streamlit_folium')))")
    answer = subprocess.run([sys.executable, "-c", check], cwd=PROJECT_DIR, capture_output=True,
                            text=True, check=True, env={"INCIDENTS_HOME": str(home),
                                                        "PATH": "/usr/bin:/bin"})
    assert answer.stdout.strip().splitlines()[-1] == "True []"


def test_the_article_page_is_imported_after_the_first_page_not_before(new_home) -> None:
    """Its extraction tools are not the first page's to wait for; a quiet moment later
    they are loaded, so opening the page does not wait for them either."""
    home = new_home("warm-article")
    check = ("import sys; from ui import warmup; warmup.warm(); "
             "first = sorted(m for m in sys.modules if m in ('ui.add_article', "
             "'incidents.extract.pipeline')); "
             "warmup.QUIET_S = 0; warmup._load_gazetteer_and_report_map(); "
             "print(first, 'ui.add_article' in sys.modules)")
    answer = subprocess.run([sys.executable, "-c", check], cwd=PROJECT_DIR, capture_output=True,
                            text=True, check=True, env={"INCIDENTS_HOME": str(home),
                                                        "PATH": "/usr/bin:/bin"})
    assert answer.stdout.strip().splitlines()[-1] == "[] True"


def test_a_page_waits_for_the_background_warmup_then_finds_the_store_loaded(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert wait_for_warmup(0) and not warming()  # nothing started: pages never wait
    open_store(home / "incidents.sqlite").import_records(
        synthetic_incidents(40, seed=5), source_name="warm.csv")
    thread = warm_in_background()
    assert wait_for_warmup(120) and not warming()
    thread.join(5)
    monkeypatch.setattr(IncidentStore, "load_map_snapshot",
                        lambda self: pytest.fail("the page loaded the snapshot again"))
    path = data.store_path()
    assert len(data.load_store_frame(str(path), data.store_version(path))) == 40


@pytest.fixture
def helper_starts(home: Path, monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """A store warmed in the background, with the extraction helper replaced by a
    recorder: the list of helpers started so far."""
    from incidents.extract import worker
    from ui import warmup

    started: list[object] = []
    monkeypatch.setattr(worker, "ExtractionWorker", lambda: started.append(1) or "helper")
    monkeypatch.setattr(warmup, "HELPER_WAIT_S", 3600.0)
    monkeypatch.setattr(warmup, "_worker", None)
    # An earlier test's page run may have marked this process's first map as drawn.
    monkeypatch.setattr(warmup, "_first_map_drawn", threading.Event())
    open_store(home / "incidents.sqlite").import_records(
        synthetic_incidents(20, seed=6), source_name="warm.csv")
    warm_in_background()
    assert wait_for_warmup(120)
    return started


def test_the_extraction_helper_starts_once_when_first_asked_for(helper_starts) -> None:
    """Before the first map has been drawn the helper is not started; an extraction
    asked for then starts it (once), rather than running in this process."""
    from ui import warmup

    assert helper_starts == []
    assert warmup.extraction_worker() == "helper"
    assert warmup.extraction_worker() == "helper" and helper_starts == [1]


def test_the_extraction_helper_starts_once_a_browser_has_drawn_the_map(helper_starts) -> None:
    """Not while the first page is still being drawn (it would take CPU from it), but
    as soon as the map is on screen."""
    from ui import warmup

    warmup.page_activity()
    time.sleep(0.5)
    assert helper_starts == []
    warmup.map_drawn()
    deadline = time.monotonic() + 30
    while not helper_starts and time.monotonic() < deadline:
        time.sleep(0.05)
    assert helper_starts == [1]


def test_a_failed_background_warmup_still_releases_the_page(home: Path) -> None:
    (home / "incidents.sqlite").mkdir()
    warm_in_background()
    assert wait_for_warmup(60) and not warming()


def test_the_first_page_finds_its_map_built(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The map the first page asks for (the store, default filters, its language, fitted
    to the data) is kept by the warm-up, so the page's run does not count hexagons."""
    from incidents.selection import Selection
    from ui import map_cache
    from ui.i18n import DEFAULT_LANGUAGE
    from ui.state import widgets_to_spec

    map_cache.clear_map_cache()
    open_store(home / "incidents.sqlite").import_records(
        synthetic_incidents(300, seed=4), source_name="warm.csv")
    assert warm() == 300

    def again(*_args: object) -> None:
        raise AssertionError("the first page built its map again")

    monkeypatch.setattr(map_cache, "build_dashboard_map", again)
    path = data.store_path()
    spec = widgets_to_spec({})
    selection = Selection.of(data.load_store_frame(str(path), data.store_version(path)), spec)
    request = map_cache.MapRequest(
        data_key=f"store?{spec.to_query_string()}", week="", language=DEFAULT_LANGUAGE,
        view=map_cache.selection_extent(selection), near=spec.near)
    assert map_cache.cached_map(selection, request).n_in_view > 0
    map_cache.clear_map_cache()


class RecordingHelper:
    """Stands in for a loading ExtractionWorker: records its pauses and resumes."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.paused = False

    def pause(self) -> bool:
        self.calls.append("pause")
        self.paused = True
        return True

    def resume(self) -> None:
        self.calls.append("resume")
        self.paused = False


def test_a_loading_helper_is_paused_through_script_runs_and_the_browser_s_drawing(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Paused as a run starts, kept paused while runs overlap and for the grace after the
    last, then resumed once; a run starting within the grace keeps it paused."""
    from ui import warmup

    helper = RecordingHelper()
    monkeypatch.setattr(warmup, "_worker", helper)
    monkeypatch.setattr(warmup, "DRAW_GRACE_S", 1.0)
    with warmup.script_run():
        with warmup.script_run():  # the map's fragment inside the page's run
            pass
        time.sleep(1.5)  # the fragment's grace passes while the page's run goes on
        assert "resume" not in helper.calls
    time.sleep(0.1)
    with warmup.script_run():  # the next run, well within the grace
        time.sleep(1.5)  # the first run's grace passes while this one goes on
        assert helper.calls == ["pause"] * 3  # each run asks; no end resumed it yet
    time.sleep(2.0)
    assert helper.calls == ["pause"] * 3 + ["resume"]


def test_a_failed_run_still_lets_the_helper_go_on(monkeypatch: pytest.MonkeyPatch) -> None:
    from ui import warmup

    helper = RecordingHelper()
    monkeypatch.setattr(warmup, "_worker", helper)
    monkeypatch.setattr(warmup, "DRAW_GRACE_S", 0.1)
    with pytest.raises(RuntimeError), warmup.script_run():
        raise RuntimeError("the page failed")
    time.sleep(0.5)
    assert helper.calls == ["pause", "resume"] and warmup._runs_in_progress == 0


def test_each_step_loaded_in_a_quiet_moment_waits_for_its_own(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A script run starting while one step loads holds the next step back until the
    page has been quiet for ``QUIET_S`` again, rather than the rest loading beside it."""
    from ui import warmup

    started: dict[str, float] = {}

    def step(name: str, clicked: bool = False):
        def run() -> None:
            started[name] = time.monotonic()
            if clicked:
                warmup.page_activity()  # the analyst clicks while this step loads
        return run

    monkeypatch.setattr(warmup, "QUIET_S", 0.6)
    monkeypatch.setattr(warmup, "_last_activity", time.monotonic() - 1.0)
    monkeypatch.setattr(warmup, "_gazetteer", step("gazetteer", clicked=True))
    for name in ("_report_charts", "_report_boundaries", "_decoy_hash", "_article_page"):
        monkeypatch.setattr(warmup, name, step(name))
    warmup._load_gazetteer_and_report_map()
    assert started["_report_charts"] - started["gazetteer"] >= 0.6
    assert started["_article_page"] - started["_report_charts"] < 0.6
