"""Article extraction in a process of its own, whose language models load ahead.

Loading the spaCy pipelines takes seconds of one interpreter. Done in the
dashboard's own process (at start, or when the article page opened), it held
that interpreter while the first page, a filter change or the first extraction
waited. :class:`ExtractionWorker` starts one helper process (``spawn``: the
dashboard's threads are not copied) that loads the pipelines and the gazetteer
on the machine's other core as the dashboard starts; extractions are then sent to
it and come back as the same :class:`~incidents.extract.Candidate` objects.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import sys
import threading
import types
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import date, datetime

from incidents.extract.candidate import Candidate

HELPER_NICENESS = 10
PARENT_CHECK_S = 1.0


class ExtractionWorker:
    """One helper process for ``extract_incidents``; :meth:`extract` falls back to this
    process when the helper is gone."""

    def __init__(self) -> None:
        self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
        self._closed = False
        with _bare_main():
            # The first submit starts the helper process.
            self.ready: Future[None] = self._pool.submit(warm)

    def extract(self, text: str, published: date | datetime | str | None = None,
                url: str | None = None) -> list[Candidate]:
        """The candidates of ``text``, extracted with the offline gazetteer geocoder."""
        from incidents.extract import extract_incidents

        if self._closed:
            return extract_incidents(text, published, url)
        try:
            return self._pool.submit(extract_incidents, text, published, url).result()
        except BrokenProcessPool:
            return extract_incidents(text, published, url)

    def close(self) -> None:
        """Stop the helper process and wait for it (a notebook or a test that is done
        with it); :meth:`extract` then runs in this process."""
        self._closed = True
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


def warm() -> None:
    """In the helper: load the pipelines and the built gazetteer (an unbuilt one is left
    to the first extraction, which builds it), in a thread of lower scheduling priority
    that only takes the time the dashboard and the browser leave. Extractions run in
    the helper's main thread at the usual priority (on Linux a thread's niceness is
    its own)."""
    import os

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
    import os
    import time

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
    import os

    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        return
    except (AttributeError, OSError):  # not on this system
        pass
    try:
        os.setpriority(os.PRIO_PROCESS, 0, HELPER_NICENESS)
    except (AttributeError, OSError):  # not on this system
        pass
