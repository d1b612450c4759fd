"""Shared fixtures: a built gazetteer, a temporary state dir, a free port, a running
dashboard server and a headless Chromium (Debian's /usr/bin/chromium through Playwright).

The gazetteer index takes tens of seconds to build, so it is built once per test
session and linked into each temporary ``INCIDENTS_HOME``.
"""

from __future__ import annotations

import itertools
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
ARTIFACTS_DIR = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SERVER_START_TIMEOUT = 90.0


def pytest_sessionstart(session: pytest.Session) -> None:
    """Compile the message catalogs when a ``.po`` is newer than its ``.mo`` (a fresh clone has none)."""
    from incidents import i18n

    if not i18n.catalogs_are_compiled():
        i18n.compile_catalogs()


ONE_THREAD_ENV = "INCIDENTS_TEST_IN_OWN_PROCESS"


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """A test marked ``one_thread`` (it forks, which only a one-thread process may do)
    runs in a pytest process of its own when this one already runs other threads
    (left by earlier tests), so the whole suite never skips it; that run must pass."""
    import threading

    if pyfuncitem.get_closest_marker("one_thread") is None or os.environ.get(ONE_THREAD_ENV) \
            or threading.active_count() == 1:
        return None
    answer = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider",
         pyfuncitem.nodeid], cwd=pyfuncitem.config.rootpath, capture_output=True, text=True,
        env={**os.environ, ONE_THREAD_ENV: "1"}, timeout=900)
    if answer.returncode != 0 or "1 passed" not in answer.stdout or "skipped" in answer.stdout:
        pytest.fail(f"in a process of its own:\n{answer.stdout[-4000:]}\n{answer.stderr[-2000:]}",
                    pytrace=False)
    return True


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def built_gazetteer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A gazetteer index built once for the whole session."""
    from incidents.geocode import build_gazetteer

    directory = tmp_path_factory.mktemp("gazetteer-home") / "gazetteer"
    build_gazetteer(directory)
    return directory


def make_home(root: Path, gazetteer: Path) -> Path:
    """A fresh state dir whose gazetteer index files are the session's built ones.

    Only the index files are linked; the directory itself is the test's own, so
    manual placements, imported layers and the online cache a test writes stay in
    that test and never leak into the shared index.
    """
    own = root / "gazetteer"
    own.mkdir(parents=True, exist_ok=True)
    for built in gazetteer.iterdir():
        link = own / built.name
        if built.is_file() and not link.exists():
            link.symlink_to(built)
    return root


def seed_home_with_users(home: Path, roles: dict[str, str], password: str) -> Path:
    """Fill ``home``'s store with the bundled samples and add ``roles``' users (name →
    role), all with ``password``: a dashboard that requires sign-in."""
    from incidents.store import open_store
    from incidents.users import UsersFile
    from ui.data import seed_store_if_empty

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("INCIDENTS_HOME", str(home))
        seed_store_if_empty(open_store(home / "incidents.sqlite"))
        users = UsersFile()
        for name, role in roles.items():
            users.add(name, role, password)
    return home


@pytest.fixture(scope="session")
def new_home(tmp_path_factory: pytest.TempPathFactory,
             built_gazetteer: Path) -> Callable[[str], Path]:
    """Make a fresh, empty state dir (sharing the built gazetteer) named after ``label``."""
    return lambda label: make_home(tmp_path_factory.mktemp(label), built_gazetteer)


@pytest.fixture
def incidents_home(tmp_path: Path, built_gazetteer: Path,
                   monkeypatch: pytest.MonkeyPatch) -> Path:
    """INCIDENTS_HOME pointed at an empty temporary state dir for this test."""
    home = make_home(tmp_path / "home", built_gazetteer)
    monkeypatch.setenv("INCIDENTS_HOME", str(home))
    return home


def _wait_healthy(url: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"streamlit did not answer at {url} within {timeout:.0f}s")


@contextmanager
def streamlit_server(script: str, *, cwd: Path, log_path: Path,
                     env: dict[str, str] | None = None) -> Iterator[str]:
    """Run ``streamlit run script`` in ``cwd`` on a free loopback port; yield its URL.

    The server is stopped when the block ends; its output goes to ``log_path``.
    """
    port = free_port()
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", script,
             "--server.port", str(port), "--server.address", "127.0.0.1",
             "--server.headless", "true", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none"],
            cwd=cwd, env={**os.environ, **(env or {})}, stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_healthy(url, process, SERVER_START_TIMEOUT)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="module")
def start_dashboard(tmp_path_factory: pytest.TempPathFactory
                    ) -> Iterator[Callable[[Path], str]]:
    """Start the dashboard as ``make run`` does (``streamlit run serve.py``) on a free
    port with a given INCIDENTS_HOME.

    Returns a function ``start(home) -> base_url``; servers stop when the module ends.
    """
    logs = tmp_path_factory.mktemp("streamlit-logs")
    with ExitStack() as servers:

        def start(home: Path) -> str:
            return servers.enter_context(streamlit_server(
                "serve.py", cwd=PROJECT_DIR, env={"INCIDENTS_HOME": str(home)},
                log_path=logs / f"{home.name}-{len(os.listdir(logs))}.log",
            ))

        yield start


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    """A headless Chromium browser (Playwright's sync API)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def artifacts_dir() -> Path:
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS_DIR


@pytest.fixture(scope="session")
def postgis_server() -> Iterator[str]:
    """A real PostgreSQL + PostGIS cluster for the session (see ``tests/pgserver.py``);
    its URL. Skips, saying why, where the server packages are missing."""
    import pgserver

    reason = pgserver.missing_reason()
    if reason is not None:
        pytest.skip(f"PostGIS backend not tested: {reason}")
    with pgserver.postgis_cluster(free_port()) as url:
        yield url


_database_numbers = itertools.count(1)


@pytest.fixture
def postgis_url(postgis_server: str) -> str:
    """The URL of a new, empty PostGIS database for this test."""
    import pgserver

    return pgserver.fresh_database(postgis_server, f"test_{next(_database_numbers)}")
