"""Article extraction in a process of its own, whose language models load ahead.

Loading the spaCy pipelines takes seconds of one interpreter. Done in the
dashboard's own process (at start, or when the article page opened), it held
that interpreter while the first page, a filter change or the first extraction
waited. :class:`ExtractionWorker` starts one helper process (``spawn``: the
dashboard's threads are not copied) that loads the pipelines and the gazetteer
on the machine's other core as the dashboard starts; extractions are then sent to
it and come back as the same :class:`~incidents.extract.Candidate` objects.

While the helper is still loading, the dashboard may :meth:`~ExtractionWorker.pause`
it (``SIGSTOP``) for an interactive step, such as a filter change, and resume it
afterwards. The loading took about 5 s of a core (4 s of it spent in spaCy compiling its
French tokenizer's pattern, one step that cannot be interrupted), and even at Linux's
idle scheduling class it slowed the filter changes that ran beside it by a fifth. A pause
never lasts longer than its limit: a timer resumes the helper. A stopped helper cannot
notice that its dashboard died, so a small watcher process, forked from the helper
before it starts anything else and never stopped, ends the helper when the dashboard is
gone. The helper also leads a process group of its own: where the kernel's rule for a
newly orphaned process group with a stopped member applies (SIGHUP then SIGCONT), that
ends it too; it does not apply under a reaper in the same session, such as a
container's first process.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
import time
import types
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import date, datetime
from typing import Any

from incidents.extract.candidate import Candidate

HELPER_NICENESS = 10
PARENT_CHECK_S = 1.0
# The longest a pause lasts before the helper is resumed whatever the dashboard does.
PAUSE_LIMIT_S = 3.0
# Where the system can stop and continue a process (not Windows).
CAN_PAUSE = hasattr(signal, "SIGSTOP") and hasattr(os, "setpgrp")


class ExtractionWorker:
    """One helper process for ``extract_incidents``; :meth:`extract` falls back to this
    process when the helper is gone."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        # The helper's process id, written by the helper as it starts (0 until then).
        self._pid = context.Value("i", 0, lock=False)
        self._pool = ProcessPoolExecutor(1, mp_context=context, initializer=_in_helper,
                                         initargs=(self._pid, os.getpid()))
        self._closed = False
        self._lock = threading.Lock()
        self._paused = False
        self._pauses = 0  # counts pauses, so that a pause's timer resumes only its own
        self._extracting = 0
        with _bare_main():
            # The first submit starts the helper process.
            self.ready: Future[None] = self._pool.submit(warm)

    @property
    def pid(self) -> int | None:
        """The helper's process id, once it has started."""
        return self._pid.value or None

    def pause(self, limit_s: float = PAUSE_LIMIT_S) -> bool:
        """Stop the helper while it is still loading, for at most ``limit_s``; whether it
        was stopped. Nothing happens once its models are loaded, during an extraction,
        before its process has started or where processes cannot be stopped."""
        with self._lock:
            pid = self._pid.value
            if (self._paused or self._closed or self._extracting or not pid or not CAN_PAUSE
                    or self.ready.done()):
                return False
            try:
                os.kill(pid, signal.SIGSTOP)
            except OSError:
                return False
            self._paused = True
            self._pauses += 1
            pause = self._pauses
        timer = threading.Timer(limit_s, self._resume_pause, (pause,))
        timer.daemon = True
        try:
            timer.start()
        except RuntimeError:  # no thread for the limit: no pause either
            self._resume_pause(pause)
            return False
        return True

    def resume(self) -> None:
        """Continue a paused helper (nothing when it is not paused)."""
        self._resume_pause(None)

    @property
    def paused(self) -> bool:
        return self._paused

    def _resume_pause(self, pause: int | None) -> None:
        """Continue the helper if it is paused (by pause number ``pause``, if given)."""
        with self._lock:
            if not self._paused or (pause is not None and pause != self._pauses):
                return
            self._paused = False
            with contextlib.suppress(OSError):
                os.kill(self._pid.value, signal.SIGCONT)

    def extract(self, text: str, published: date | datetime | str | None = None,
                url: str | None = None) -> list[Candidate]:
        """The candidates of ``text``, extracted with the offline gazetteer geocoder."""
        from incidents.extract import extract_incidents

        if self._closed:
            return extract_incidents(text, published, url)
        with self._lock:
            self._extracting += 1
        self.resume()
        try:
            return self._pool.submit(extract_incidents, text, published, url).result()
        except BrokenProcessPool:
            return extract_incidents(text, published, url)
        finally:
            with self._lock:
                self._extracting -= 1

    def stop(self) -> None:
        """End the helper at once, loaded or not (the dashboard is stopping: the helper
        leads its own process group, so the terminal's Ctrl-C no longer reaches it, and a
        shutdown waiting for its models would wait seconds); :meth:`extract` then runs in
        this process."""
        self._closed = True
        # Through the pool's own handles (private to ProcessPoolExecutor, hence the
        # fallback): they exist from the first submit, before the helper says its id,
        # and never signal a process id that was reused after the helper ended.
        for process in list((getattr(self._pool, "_processes", None) or {}).values()):
            with contextlib.suppress(OSError, ValueError):
                process.kill()
        self._pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        """Stop the helper process and wait for it (a notebook or a test that is done
        with it); :meth:`extract` then runs in this process."""
        self._closed = True
        self.resume()
        self._pool.shutdown(wait=True, cancel_futures=True)


_MAIN_SWAP = threading.Lock()


@contextlib.contextmanager
def _bare_main() -> Iterator[None]:
    """Start processes meanwhile without re-running ``__main__`` in them.

    A spawned process first runs the parent's ``__main__`` file again. Under
    Streamlit that is the dashboard script (or, in the tests, an app script), which
    must not run in the helper: it failed there and the helper died before its first
    extraction, which then fell back to this process."""
    with _MAIN_SWAP:
        main = sys.modules["__main__"]
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            yield
        finally:
            sys.modules["__main__"] = main


def _in_helper(pid: Any, dashboard: int) -> None:
    """First thing in the helper: lead a process group of its own and start its watcher
    (see the module's docstring), then say which process it is. Out of the terminal's
    foreground group, a write to the terminal would stop the helper (SIGTTOU under
    ``stty tostop``) with nothing to continue it: that signal is ignored."""
    if CAN_PAUSE:
        os.setpgrp()
        signal.signal(signal.SIGTTOU, signal.SIG_IGN)
        _start_watcher(dashboard)
    pid.value = os.getpid()


def _start_watcher(dashboard: int) -> None:
    """Fork the process that ends this helper once ``dashboard`` is gone (forked now,
    before the helper has any thread). It ends itself when the helper does."""
    helper = os.getpid()
    if os.fork() != 0:
        return
    try:
        while os.getppid() == helper:
            if not _parent_is(helper, dashboard):
                os.kill(helper, signal.SIGKILL)
                break
            time.sleep(PARENT_CHECK_S)
    finally:
        os._exit(0)


def _parent_is(child: int, parent: int) -> bool:
    """Whether ``parent`` is still ``child``'s parent process (Linux: from /proc, which
    sees the dashboard's end at once, even before anything reaps it; elsewhere whether
    the dashboard's process id still exists)."""
    try:
        with open(f"/proc/{child}/stat") as stat:
            return int(stat.read().rsplit(")", 1)[1].split()[1]) == parent
    except OSError:
        pass
    try:
        os.kill(parent, 0)
    except ProcessLookupError:
        return False
    except OSError:
        pass
    return True


def warm() -> None:
    """In the helper: load the pipelines and the built gazetteer (an unbuilt one is left
    to the first extraction, which builds it), in a thread of lower scheduling priority
    that only takes the time the dashboard and the browser leave. Extractions run in
    the helper's main thread at the usual priority (on Linux a thread's niceness is
    its own). Where no watcher process was forked (``_in_helper``), a thread of the
    helper's own ends it once the dashboard is gone."""
    if not CAN_PAUSE:
        _exit_with(os.getppid())
    loading = threading.Thread(target=_load, name="load-language-models")
    loading.start()
    loading.join()


def _load() -> None:
    from incidents.extract import warm_up
    from incidents.geocode.build import is_built
    from incidents.geocode.gazetteer import load_gazetteer

    _lower_priority()
    warm_up()
    if is_built():
        load_gazetteer()


def _exit_with(parent: int) -> None:
    """End the helper once the dashboard that started it is gone, however it ended (a
    killed server leaves no one to shut the helper down)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_S)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-dashboard", daemon=True).start()


def _lower_priority() -> None:
    """Let the calling thread run only on time the dashboard and the browser leave.

    Linux's idle scheduling class (a thread's class is its own) runs it only on a core
    nothing else wants: a niceness of 10 still took a tenth of a busy core, so loading
    the models beside the first filter changes slowed them. Elsewhere the helper's
    niceness is the fallback."""
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        return
    except (AttributeError, OSError):  # not on this system
        pass
    try:
        os.setpriority(os.PRIO_PROCESS, 0, HELPER_NICENESS)
    except (AttributeError, OSError):  # not on this system
        pass
