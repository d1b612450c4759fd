"""The README's notebook session, run as a script and as a Jupyter notebook (nbclient),
and its map drawn by Chromium with every request leaving the machine refused."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
LOCAL_SCHEMES = {"file", "data", "about", "blob"}
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def readme_session() -> str:
    readme = (PROJECT_DIR / "README.md").read_text("utf-8")
    found = re.search(r"## In a notebook.*?```python\n(.*?)```", readme, re.S)
    assert found, "README.md has no python block under '## In a notebook'"
    return found.group(1)


def test_the_readme_session_is_five_lines() -> None:
    assert len(readme_session().strip().splitlines()) == 5


def test_the_readme_session_runs_as_a_script(incidents_home: Path) -> None:
    code = readme_session() + "\nprint(len(battles), type(incidents.to_map(battles)).__name__)\n"
    done = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_DIR, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    count, kind = done.stdout.split()
    assert int(count) > 0 and kind == "NotebookMap"


def is_remote(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme not in LOCAL_SCHEMES and parts.hostname not in LOCAL_HOSTS


def draw_offline(browser, cell_html: str, workdir: Path, screenshot: Path) -> tuple[int, int, list[str]]:
    """Open a notebook cell's HTML in ``browser`` refusing every request that leaves the
    machine; returns the tiles and markers drawn and the URLs refused."""
    page_file = workdir / "notebook-output.html"
    page_file.write_text(f"<!doctype html><html><body style='margin:0;width:960px'>{cell_html}</body></html>",
                         "utf-8")
    context = browser.new_context(viewport={"width": 960, "height": 640})
    refused: list[str] = []

    def guard(route) -> None:
        if is_remote(route.request.url):
            refused.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    context.route("**/*", guard)
    page = context.new_page()
    page.goto(page_file.as_uri())
    frame = page.frame_locator("iframe")
    frame.locator(".leaflet-tile-loaded").first.wait_for(timeout=60_000)
    frame.locator("path.leaflet-interactive").first.wait_for(timeout=60_000)
    page.wait_for_timeout(800)  # let the fitBounds animation settle before the picture
    tiles = frame.locator(".leaflet-tile-loaded").count()
    markers = frame.locator("path.leaflet-interactive").count()
    page.screenshot(path=str(screenshot))
    context.close()
    return tiles, markers, refused


@pytest.mark.browser
def test_the_readme_session_runs_as_a_notebook_and_its_map_draws_offline(
    incidents_home: Path, chromium, tmp_path: Path, artifacts_dir: Path
) -> None:
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(readme_session())])
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(PROJECT_DIR)}}).execute()
    outputs = notebook.cells[0].outputs
    shown = [o["data"]["text/html"] for o in outputs if o.get("output_type") == "execute_result"]
    assert shown, f"the last line showed no HTML: {outputs}"
    tiles, markers, refused = draw_offline(chromium, shown[0], tmp_path,
                                           artifacts_dir / "api_notebook_map.png")
    assert refused == []
    assert tiles >= 4 and markers >= 1
