"""The notebooks as the ecosystem's own tools run them: papermill's and nbconvert's command lines, typed in
another folder than the notebook's. A light notebook does what every course notebook does first (parameters,
the package, the data, the student's functions from the record), in a second: how the series itself runs is
nbval's and the runner's to check. It passes no self-check: from the repository's root that would record into
the real notebooks/my_functions.py."""

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from .conftest import NOTEBOOK_DIR, ROOT

BIN = Path(sys.executable).parent

LIGHT_CELLS = (
    ("data_path = None  # None: the course's data/fashion_data.csv", ["parameters"]),
    ("from fashion_helpers import data, yours", []),
    ('pixels, labels = data.load_data(data_path)\nprint(f"{pixels.shape[0]} images")', []),
    ('softmax = yours.use("softmax")', []),
)


@pytest.fixture
def light_notebook(tmp_path) -> Path:
    """A notebook outside the repository's notebooks/ folder that reads the data and uses a function from the
    record."""
    kernel = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": kernel, "language_info": {"name": "python"}})
    for source, tags in LIGHT_CELLS:
        nb.cells.append(nbformat.v4.new_code_cell(source, metadata={"tags": tags}))
    path = tmp_path / "light" / "light.ipynb"
    path.parent.mkdir()
    nbformat.write(nb, str(path))
    return path


def outputs_text(path: Path) -> str:
    nb = json.loads(path.read_text())
    return "".join("".join(o.get("text", "")) for c in nb["cells"] if c["cell_type"] == "code" for o in c["outputs"])


def papermill(notebook: Path, out: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    command = [str(BIN / "papermill"), str(notebook), str(out), *args, "--no-progress-bar"]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True)


@pytest.mark.parametrize("where", ["root", "elsewhere"])
def test_papermill_runs_a_notebook_from_the_repository_root_or_from_anywhere(tmp_path, light_notebook, where):
    """From the root the kernel finds the data in data/ and the record in notebooks/; from anywhere else
    papermill's --cwd says where the notebooks (and so the record) are."""
    cwd, where_to = (ROOT, []) if where == "root" else (tmp_path, ["--cwd", str(NOTEBOOK_DIR)])
    run = papermill(light_notebook, tmp_path / "o.ipynb", *where_to, cwd=cwd)
    assert run.returncode == 0, run.stderr[-2000:]
    text = outputs_text(tmp_path / "o.ipynb")
    assert "2000 images" in text and "your softmax (recorded in my_functions.py)" in text, text


def test_an_explicit_data_path_is_taken_as_given(tmp_path, light_notebook):
    """A relative data_path is the kernel's working folder's, as typed; a missing one fails in one line."""
    rows = (ROOT / "data" / "fashion_data.csv").read_text().splitlines(keepends=True)[:31]
    (tmp_path / "mine.csv").write_text("".join(rows))
    run = papermill(light_notebook, tmp_path / "o.ipynb", "-p", "data_path", "mine.csv", cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "30 images" in outputs_text(tmp_path / "o.ipynb")
    missing = papermill(light_notebook, tmp_path / "o.ipynb", "-p", "data_path", "not_here.csv", cwd=tmp_path)
    assert missing.returncode != 0 and "data file not found: not_here.csv" in missing.stderr


def test_nbconvert_executes_a_notebook_from_another_folder(tmp_path):
    """nbconvert runs the kernel in the notebook's own folder: the real 02 (no data, a self-check per cell)."""
    run = subprocess.run(
        [
            str(BIN / "jupyter"),
            "nbconvert",
            "--to",
            "notebook",
            "--execute",
            str(NOTEBOOK_DIR / "02_activations.ipynb"),
            "--output-dir",
            str(tmp_path),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert "PASS" in outputs_text(tmp_path / "02_activations.ipynb")
