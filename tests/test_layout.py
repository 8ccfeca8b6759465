"""The house: course modules (what students read) never import the tooling or the answer key, and need only
their four libraries; notebooks import only course modules; the Makefile's nbval runs cover the series."""

import ast
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

import fashion_helpers
from fashion_helpers.tools.cli import TOOL_MODULES

from .conftest import NOTEBOOK_DIR, ROOT

PACKAGE = Path(fashion_helpers.__file__).parent
COURSE_MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "tools" not in p.relative_to(PACKAGE).parts)


def imported_modules(source: str, module: str) -> set[str]:
    """Absolute names of the modules a source imports; ``module`` is its own dotted name (for relative imports)."""
    package = module.rsplit(".", 1)[0]
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parent = ".".join(parts[: len(parts) - node.level + 1])
                base = f"{parent}.{base}" if base else parent
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)  # `from . import tools`
    return names


def imports_tools(source: str, module: str) -> bool:
    return any(
        name == "fashion_helpers.tools" or name.startswith("fashion_helpers.tools.")
        for name in imported_modules(source, module)
    )


@pytest.mark.parametrize(
    "source, verdict",
    [
        ("from .tools import runner", True),
        ("from . import tools", True),
        ("import fashion_helpers.tools.cli", True),
        ("from fashion_helpers.tools.runner import headline", True),
        ("def f():\n    from .tools.sweep import plan\n", True),
        ("from . import network\nfrom .data import CLASS_NAMES", False),
    ],
)
def test_the_import_walker_catches_every_way_of_importing_tools(source, verdict):
    assert imports_tools(source, "fashion_helpers.plots") is verdict


@pytest.mark.parametrize("path", COURSE_MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_course_modules_never_import_the_tools_or_the_answer_key(path):
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    module = ".".join(("fashion_helpers", *parts))
    assert not imports_tools(path.read_text(), module), f"{path.name} imports fashion_helpers.tools"
    assert not any(name.split(".")[0] == "answer_key" for name in imported_modules(path.read_text(), module))


def test_only_the_tooling_and_the_tests_import_the_answer_key():
    for path in sorted(PACKAGE.rglob("*.py")):
        names = imported_modules(path.read_text(), "fashion_helpers.x")
        if any(n.split(".")[0] == "answer_key" for n in names):
            assert path.parent.name == "tools", f"{path} imports the answer key"


def test_course_modules_import_and_train_without_the_tools_libraries():
    """As after `pip install .` without the tools extra: papermill, nbformat, nbconvert, yaml and tqdm missing."""
    script = f"""
import sys
class Missing:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {set(TOOL_MODULES)!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
sys.meta_path.insert(0, Missing())
import numpy as np
from fashion_helpers import analysis, checks, data, errors, gradcheck, network, plots, report, training, yours
pixels, labels = data.load_data({str(ROOT / "data" / "fashion_data.csv")!r})
X_train, Y_train, X_dev, Y_dev = data.split_dev_train(pixels, labels, 400, np.random.default_rng(42))
import os; os.chdir({str(NOTEBOOK_DIR)!r})  # a student's notebook folder: their functions, recorded
gradient_descent, get_accuracy, make_predictions = yours.use("gradient_descent", "get_accuracy", "make_predictions")
params, history = gradient_descent(X_train, Y_train, 0.10, 30, np.random.default_rng(42))
report.headline(dev_accuracy=get_accuracy(make_predictions(X_dev, *params), Y_dev))
try:
    import papermill
except ModuleNotFoundError:
    print("papermill blocked")
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd="/")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[1].startswith("dev_accuracy: ") and "papermill blocked" in out.stdout


@pytest.mark.parametrize("path", sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb")), ids=lambda p: p.stem)
def test_notebooks_import_only_course_modules(path):
    nb = nbformat.read(str(path), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not imports_tools(cell.source, "notebook.cell"), f"{path.name} imports the tooling"


def _nbval_runs(target: str) -> dict[str, set[str]]:
    """What ``make TARGET`` would run: for each OpenBLAS set-up (its OPENBLAS_CORETYPE), the notebooks nbval gets,
    over all the commands that use it."""
    printed = subprocess.run(
        ["make", "--no-print-directory", "-n", target], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    runs: dict[str, set[str]] = {}
    for command in re.split(r"[;&]", printed):
        if "--nbval" in command and "OPENBLAS_CORETYPE=" in command:
            kernel = re.search(r"OPENBLAS_CORETYPE=(\w+)", command).group(1)
            threads = re.search(r"OPENBLAS_NUM_THREADS=(\d+)", command).group(1)
            runs.setdefault(f"{threads} {kernel}", set()).update(re.findall(r"notebooks/(\d\d_\w+)\.ipynb", command))
    return runs


def test_make_test_and_nbval_swap_check_every_notebook_under_both_blas_set_ups():
    """make test's nbval checks each notebook under one set-up and make nbval-swap (CI's next step) under the
    other: together, every notebook of the series under both, and each half of the series a fair share."""
    series = {p.stem for p in NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb")}
    half, swap = _nbval_runs("nbval-half"), _nbval_runs("nbval-swap")
    assert len(half) == 2 and set(half) == set(swap), (half, swap)
    for setup in half:
        assert half[setup] | swap[setup] == series, setup
        assert not half[setup] & swap[setup], setup
        assert abs(len(half[setup]) - len(series) / 2) <= 0.5, setup
    assert _nbval_runs("nbval") == {setup: series for setup in half}
