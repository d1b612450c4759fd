"""Extraction in the dashboard's helper process, and one pipeline load per process."""

from __future__ import annotations

import sys
import threading
import types

from incidents.extract import extract_incidents
from incidents.extract import language
from incidents.extract.language import pipeline
from incidents.extract.worker import ExtractionWorker

# Written for this test (no real article): one attack at a place the gazetteer knows.
ARTICLE = ("Mopti, 12 mars 2024 - Des hommes armés ont attaqué le village de Kimparana, "
           "dans le cercle de San. Quatre civils ont été tués, selon un élu local.")


def test_the_helper_gives_the_candidates_this_process_would(built_gazetteer, monkeypatch) -> None:
    monkeypatch.setenv("INCIDENTS_HOME", str(built_gazetteer.parent))
    helper = ExtractionWorker()
    helper.ready.result(timeout=300)
    there = helper.extract(ARTICLE, "2024-03-13")
    here = extract_incidents(ARTICLE, "2024-03-13")
    helper.close()
    after_close = helper.extract(ARTICLE, "2024-03-13")
    assert [c.record for c in there] == [c.record for c in here]
    assert there and there[0].record["location"] == "Kimparana"
    assert [c.record for c in after_close] == [c.record for c in here]


def test_a_pipeline_asked_for_from_two_threads_is_loaded_once(monkeypatch) -> None:
    loads = []
    real_load = language._load
    monkeypatch.setattr(language, "_loaded", {})
    monkeypatch.setattr(language, "_load", lambda *key: loads.append(key) or real_load(*key))
    pipeline.cache_clear()
    got = []
    threads = [threading.Thread(target=lambda: got.append(pipeline("fr"))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    pipeline.cache_clear()
    assert loads == [("fr", None)] and got[0] is got[1]


def test_the_helper_starts_when_the_main_script_cannot_run_again(built_gazetteer, monkeypatch,
                                                                  tmp_path) -> None:
    # Under Streamlit, __main__ is the dashboard script; a spawned process would run it again.
    script = tmp_path / "app_script.py"
    script.write_text("raise SystemExit('the main script ran in the helper')\n")
    main = types.ModuleType("__main__")
    main.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", main)
    monkeypatch.setenv("INCIDENTS_HOME", str(built_gazetteer.parent))
    helper = ExtractionWorker()
    helper.ready.result(timeout=300)
    assert sys.modules["__main__"] is main
    candidates = helper.extract(ARTICLE, "2024-03-13")
    helper.close()
    assert candidates[0].record["location"] == "Kimparana"


def test_the_models_load_only_on_time_nothing_else_wants() -> None:
    """The loading thread takes the idle class; the thread that extracts keeps its own."""
    import os

    from incidents.extract.worker import _lower_priority

    seen = []

    def load() -> None:
        _lower_priority()
        seen.append(os.sched_getscheduler(0))

    loading = threading.Thread(target=load)
    loading.start()
    loading.join()
    assert seen == [os.SCHED_IDLE]
    assert os.sched_getscheduler(0) == os.SCHED_OTHER
