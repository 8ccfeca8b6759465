"""Fixtures of the end-to-end tests: a copy of the course to open, one JupyterLab server and one Chromium for the
whole session, and the folder their screenshots and the server log go to (runs/e2e/, gitignored).

These tests run only with ``--e2e`` (``make test-e2e``): tests/conftest.py leaves this folder out otherwise.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import nbformat
import pytest

from fashion_helpers import yours
from fashion_helpers.tools import editions

from ..conftest import NOTEBOOK_DIR, ROOT
from .server import JupyterLab, ServerError

ARTIFACTS = Path(os.environ.get("E2E_ARTIFACTS") or ROOT / "runs" / "e2e")
SERVER_LOG = ARTIFACTS / "jupyterlab.log"
#: Debian's chromium; headless as root needs the sandbox off, and with background networking left on it keeps
#: opening connections that this machine refuses. A fresh profile is made by Playwright for each launch.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path or not os.access(path, os.X_OK):
        pytest.exit(
            "error: no chromium: run `make test-e2e` as root to install Debian's chromium, or "
            "`sudo apt-get install chromium`, or set CHROMIUM=/path/to/chromium",
            returncode=2,
        )
    return path


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """runs/e2e/, emptied at the start: what is there after a run is that run's."""
    if ARTIFACTS.exists():
        shutil.rmtree(ARTIFACTS)
    ARTIFACTS.mkdir(parents=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS, timeout=60_000
        )
        try:
            yield browser
        finally:
            browser.close()


def cleared_copy(source: Path, target: Path) -> None:
    """A notebook without its outputs and execution counts: whatever the browser shows, the run produced."""
    nb = nbformat.read(str(source), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbformat.write(nb, str(target))


@pytest.fixture(scope="session")
def course(tmp_path_factory) -> Path:
    """What JupyterLab serves: the course (``course/notebooks`` beside ``course/data``, outputs cleared) and the
    student edition (``student/notebooks`` beside ``student/data``). Copies, because JupyterLab saves what it
    runs: notebooks/ is never touched. The layout is the repository's, so the notebooks find their data."""
    root = tmp_path_factory.mktemp("lab-root")
    (root / "course" / "notebooks").mkdir(parents=True)
    shutil.copytree(ROOT / "data", root / "course" / "data")
    for path in sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb")):
        cleared_copy(path, root / "course" / "notebooks" / path.name)
    shutil.copy2(NOTEBOOK_DIR / yours.RECORD_NAME, root / "course" / "notebooks")  # the record, as the repository has
    editions.write_student_edition(sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb")), root / "student")
    # a second self-study edition, for the student who writes an exercise (the other's stay open)
    editions.write_student_edition(sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb")), root / "mine")
    return root


@pytest.fixture(scope="session")
def lab(course, artifacts, tmp_path_factory):
    """One JupyterLab for the session, stopped (with its kernels) whatever happens."""
    server = JupyterLab(course, SERVER_LOG, tmp_path_factory.mktemp("lab-home"))
    try:
        server.start()
    except ServerError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def page(browser, lab):
    """A fresh browser tab (its own cookies), logged in to the session's JupyterLab by its token."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.console_errors = []
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    try:
        yield page
    finally:
        context.close()
