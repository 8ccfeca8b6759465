"""The notebooks as the ecosystem's own tools run them: papermill's and nbconvert's command lines, typed in
another folder than the notebook's."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import NOTEBOOK_DIR, ROOT

BIN = Path(sys.executable).parent


def outputs_text(path: Path) -> str:
    nb = json.loads(path.read_text())
    return "".join("".join(o.get("text", "")) for c in nb["cells"] if c["cell_type"] == "code" for o in c["outputs"])


@pytest.mark.parametrize("where", ["root", "elsewhere"])
def test_papermill_runs_a_notebook_from_the_repository_root_or_from_anywhere(tmp_path, where):
    """From the root the kernel finds the record in notebooks/; from anywhere else papermill's --cwd says where
    the notebooks (and so the record) are."""
    notebook = NOTEBOOK_DIR / "02_activations.ipynb"
    cwd, source = (ROOT, notebook.relative_to(ROOT)) if where == "root" else (tmp_path, notebook)
    where_to = [] if where == "root" else ["--cwd", str(NOTEBOOK_DIR)]
    out = tmp_path / "o.ipynb"
    run = subprocess.run(
        [str(BIN / "papermill"), str(source), str(out), *where_to, "--no-progress-bar"],
        cwd=cwd,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert "PASS  softmax" in outputs_text(out)


def test_an_explicit_data_path_is_taken_as_given(tmp_path):
    (tmp_path / "mine.csv").write_text((ROOT / "data" / "fashion_data.csv").read_text())
    out = tmp_path / "o.ipynb"
    run = subprocess.run(
        [
            str(BIN / "papermill"),
            str(NOTEBOOK_DIR / "01_initialization.ipynb"),
            str(out),
            "-p",
            "data_path",
            "mine.csv",
            "--no-progress-bar",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    missing = subprocess.run(
        [
            str(BIN / "papermill"),
            str(NOTEBOOK_DIR / "01_initialization.ipynb"),
            str(out),
            "-p",
            "data_path",
            "not_here.csv",
            "--no-progress-bar",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert missing.returncode != 0 and "data file not found: not_here.csv" in missing.stderr


def test_nbconvert_executes_a_notebook_from_another_folder(tmp_path):
    run = subprocess.run(
        [
            str(BIN / "jupyter"),
            "nbconvert",
            "--to",
            "notebook",
            "--execute",
            str(NOTEBOOK_DIR / "01_initialization.ipynb"),
            "--output-dir",
            str(tmp_path),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert "PASS" in outputs_text(tmp_path / "01_initialization.ipynb")
