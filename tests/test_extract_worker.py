"""Extraction in the dashboard's helper process, and one pipeline load per process."""

from __future__ import annotations

import sys
import threading
import time
import types
from pathlib import Path

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


def _state(pid: int) -> str:
    """The process's state letter from /proc (T: stopped, Z: ended, "" when gone)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return ""


def _until(test, timeout_s: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while not test():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_a_loading_helper_is_paused_and_resumed_and_never_paused_for_long(
        built_gazetteer, monkeypatch) -> None:
    """Paused while it loads (the dashboard's interactive steps run without it), resumed
    on demand, by the pause's limit, and by an extraction; never paused once loaded."""
    monkeypatch.setenv("INCIDENTS_HOME", str(built_gazetteer.parent))
    helper = ExtractionWorker()
    try:
        assert _until(lambda: helper.pid is not None)
        assert helper.pause(limit_s=60) and _until(lambda: _state(helper.pid) == "T")
        assert not helper.pause()  # already paused
        helper.resume()
        assert not helper.paused and _until(lambda: _state(helper.pid) not in ("T", ""))
        assert helper.pause(limit_s=0.5)
        assert _until(lambda: not helper.paused and _state(helper.pid) != "T", 10)
        assert helper.pause(limit_s=60)
        candidates = helper.extract(ARTICLE, "2024-03-13")  # resumes it first
        assert candidates[0].record["location"] == "Kimparana" and not helper.paused
        helper.ready.result(timeout=300)
        assert not helper.pause() and _state(helper.pid) != "T"
    finally:
        helper.close()


DASHBOARD = """
import sys, time
from incidents.extract.worker import ExtractionWorker

if __name__ == "__main__":
    helper = ExtractionWorker()
    while helper.pid is None:
        time.sleep(0.05)
    print(helper.pid, helper.pause(limit_s=600), flush=True)
    time.sleep(600)
"""

# Runs the stand-in dashboard as a subreaper in the same session would (supervisord, a
# container's first process): the helper is then reparented to it, its process group is
# not orphaned and the kernel sends nothing; only the helper's watcher can end it.
SUPERVISOR = """
import ctypes, os, signal, subprocess, sys, time

ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
dashboard = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, text=True)
helper, paused = dashboard.stdout.readline().split()
time.sleep(0.5)
dashboard.send_signal(signal.SIGKILL)
dashboard.wait()

def state():
    try:
        with open(f"/proc/{helper}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return ""

deadline = time.monotonic() + 20
while state() not in ("Z", "") and time.monotonic() < deadline:
    time.sleep(0.1)
print(paused, state() or "gone", flush=True)
try:
    while os.waitpid(-1, os.WNOHANG)[0]:
        pass
except ChildProcessError:
    pass
"""


def _stand_in(tmp_path: Path, source: str, name: str) -> list[str]:
    """A command running ``source``; (-W: a killed stand-in's semaphores are the resource
    tracker's to clean, silently)."""
    script = tmp_path / name
    script.write_text(source)
    return [sys.executable, "-W", "ignore::UserWarning", str(script)]


def _stand_in_env(tmp_path: Path) -> dict[str, str]:
    import os

    root = str(Path(__file__).resolve().parents[1])
    return {**os.environ, "PYTHONPATH": root, "INCIDENTS_HOME": str(tmp_path)}


def test_a_helper_paused_when_its_dashboard_is_killed_does_not_stay_behind(tmp_path) -> None:
    """kill -9 of the dashboard while its helper is stopped: the helper ends (its
    watcher, or the kernel's SIGHUP to an orphaned process group with a stopped member)."""
    import signal
    import subprocess

    dashboard = subprocess.Popen(_stand_in(tmp_path, DASHBOARD, "dashboard_stand_in.py"),
                                 stdout=subprocess.PIPE, text=True, env=_stand_in_env(tmp_path))
    try:
        line = []
        reader = threading.Thread(target=lambda: line.append(dashboard.stdout.readline()),
                                  daemon=True)
        reader.start()
        reader.join(120)
        pid, paused = line[0].split()
        helper = int(pid)
        assert paused == "True" and _until(lambda: _state(helper) == "T")
    finally:
        dashboard.send_signal(signal.SIGKILL)
        dashboard.wait()
    # Ended: gone, or a zombie where nothing reaps orphans (a container's first process).
    assert _until(lambda: _state(helper) in ("Z", ""), 20)


def test_the_watcher_ends_a_stopped_helper_where_the_kernel_would_not(tmp_path) -> None:
    import subprocess

    dashboard = _stand_in(tmp_path, DASHBOARD, "dashboard_stand_in.py")
    supervisor = _stand_in(tmp_path, SUPERVISOR, "supervisor_stand_in.py")
    answer = subprocess.run(supervisor + dashboard, capture_output=True, text=True,
                            timeout=180, env=_stand_in_env(tmp_path))
    assert answer.stdout.split() in (["True", "Z"], ["True", "gone"]), answer.stderr[-2000:]


def test_a_stopped_dashboard_ends_its_helper_at_once_even_mid_load(built_gazetteer,
                                                                   monkeypatch) -> None:
    monkeypatch.setenv("INCIDENTS_HOME", str(built_gazetteer.parent))
    helper = ExtractionWorker()
    assert _until(lambda: helper.pid is not None)
    assert helper.pause(limit_s=60) and _until(lambda: _state(helper.pid) == "T")
    helper.stop()
    assert _until(lambda: _state(helper.pid) in ("Z", ""), 3)
