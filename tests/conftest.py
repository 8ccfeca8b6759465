"""Shared fixtures: the shipped course data, split the way every notebook splits it; the official IDX files."""

import importlib.util
import os
from pathlib import Path

import numpy as np
import pytest

from fashion_helpers import data
from fashion_helpers._formats import have_official_idx, official_idx_dir

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
DATA_CSV = ROOT / "data" / "fashion_data.csv"
HOLDOUT_CSV = ROOT / "data" / "fashion_holdout.csv"
SEED = 42  # the notebooks' default seed
HIDDEN_CASES = ROOT / "answer_key" / "hidden_cases.json"
IDX_DIR = official_idx_dir()
HAVE_IDX = have_official_idx(IDX_DIR)
_skipped_for_idx: list[str] = []


def load_script(name: str):
    """A repository script under scripts/ (not part of the package), imported as a module."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def official_idx(request):
    """The folder of the official IDX files. Without them the test is skipped (and listed in one line at the
    end), except under CI, where .ci/run installs them and a missing file is a failure."""
    if not HAVE_IDX:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs the official Fashion-MNIST files in {IDX_DIR}: .ci/run installs them with make idx")
        _skipped_for_idx.append(request.node.name)
        pytest.skip(f"needs the official Fashion-MNIST IDX files in {IDX_DIR}: run make idx")
    return IDX_DIR


def pytest_terminal_summary(terminalreporter):
    if _skipped_for_idx:
        terminalreporter.write_line(
            f"skipped {len(_skipped_for_idx)} checks that need the official Fashion-MNIST files "
            f"({', '.join(_skipped_for_idx)}): run `make idx` (Debian's dataset-fashion-mnist) or set "
            "FASHION_MNIST_DIR to enable them"
        )


@pytest.fixture(scope="session")
def reference():
    """The instructor's solutions (notebooks/my_functions.py) as a module."""
    import answer_key

    return answer_key.reference()


@pytest.fixture
def hidden_cases(monkeypatch):
    """This process as a grader's kernel: the hidden cases available to ``check_X(fn, hidden=True)``."""
    monkeypatch.setenv("FASHION_HIDDEN_CASES", str(HIDDEN_CASES))
    return HIDDEN_CASES


def notebook_cell(source: str, namespace: dict | None = None) -> dict:
    """Run ``source`` as IPython runs a notebook cell (kept in linecache with no modification time, so a check can
    read it back and record it); returns the namespace."""
    import linecache

    name = f"<cell-{next(_CELLS)}>"
    linecache.cache[name] = (len(source), None, source.splitlines(keepends=True), name)
    namespace = {"np": np} if namespace is None else namespace
    exec(compile(source, name, "exec"), namespace)
    return namespace


_CELLS = __import__("itertools").count()


@pytest.fixture(scope="session")
def course_data():
    """(pixels, labels) of data/fashion_data.csv."""
    return data.load_data(DATA_CSV)


@pytest.fixture(scope="session")
def split(course_data):
    """X_train, Y_train, X_dev, Y_dev with the notebooks' defaults (seed 42, dev_size 400)."""
    pixels, labels = course_data
    return data.split_dev_train(pixels, labels, 400, np.random.default_rng(SEED))


# The end-to-end tests (tests/e2e/: JupyterLab and the HTML edition in a real Chromium) take minutes and need a
# browser, so a plain `pytest` (make test, make unit) leaves them out; `make test-e2e` runs them with --e2e.
E2E_DIR = Path(__file__).resolve().parent / "e2e"


def pytest_addoption(parser):
    parser.addoption(
        "--e2e",
        action="store_true",
        help="also collect tests/e2e/ (a real browser on JupyterLab and the HTML edition; make test-e2e)",
    )


def pytest_ignore_collect(collection_path, config):
    if collection_path == E2E_DIR and not config.getoption("--e2e"):
        return True
    return None


@pytest.fixture(autouse=True)
def _durations_in_tmp(tmp_path, monkeypatch):
    """Runs in tests record how long notebooks took in the test's own folder, never in the real runs/."""
    from fashion_helpers.tools import runner

    monkeypatch.setattr(runner, "DURATIONS", tmp_path / "durations.json")
