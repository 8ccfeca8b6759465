"""The editions: the self-study release runs with every exercise open; a graded release holds nothing that
implements an exercise; the HTML edition reads offline."""

import ast
import importlib
import inspect
import json
import pkgutil
import re
import shutil
from pathlib import Path

import nbformat
import pytest

import fashion_helpers
from fashion_helpers import conventions, exercises, yours
from fashion_helpers.checks._values import decode
from fashion_helpers.tools import cli, editions, grading, runner, sandbox, series, values, verify

from ..conftest import HIDDEN_CASES, NOTEBOOK_DIR

NOTEBOOKS = series.list_notebooks(directory=NOTEBOOK_DIR)
SELF_STUDY = NOTEBOOKS[:5]


@pytest.fixture(scope="module")
def self_study(tmp_path_factory):
    """The self-study edition of 01-05 (05 runs every earlier exercise; the whole series is make test-e2e's)."""
    folder = tmp_path_factory.mktemp("self-study")
    editions.write_student_edition(SELF_STUDY, folder)
    return folder


def test_the_self_study_edition_is_the_release_with_the_working_copies_beside_it(self_study):
    assert sorted(p.name for p in (self_study / "data").iterdir()) == [
        "README.md",
        "fashion_data.csv",
        "fashion_holdout.csv",
    ]
    assert (self_study / "notebooks" / yours.WORKING_COPIES_NAME).read_text() == (
        NOTEBOOK_DIR / yours.RECORD_NAME
    ).read_text()
    assert not (self_study / "notebooks" / yours.RECORD_NAME).exists()
    for path in SELF_STUDY:
        nb = nbformat.read(str(self_study / "notebooks" / path.name), as_version=4)
        assert all(c.outputs == [] for c in nb.cells if c.cell_type == "code")
        assert "".join(c.source for c in nb.cells).count(grading.STUB) == len(
            [n for n in exercises.names() if exercises.exercise(n).notebook == path.stem]
        )


def test_the_self_study_edition_runs_top_to_bottom_with_every_exercise_open(self_study):
    """02 (its own exercises open) and 05 (its loop and every earlier exercise open), as a student would run them."""
    written = [self_study / "notebooks" / name for name in ("02_activations.ipynb", "05_gradient_descent.ipynb")]
    run = values.Run(written, series.declarations(written), {}).with_values({"iterations": 30})
    jobs = run.jobs(self_study / "executed")
    results = runner.execute_many(jobs, workers=2, progress=False)
    assert [r["status"] for r in results] == ["ok", "ok"], [r["error"] for r in results]
    text = "".join(
        o.get("text", "")
        for path in sorted((self_study / "executed").glob("*.ipynb"))
        for c in nbformat.read(str(path), as_version=4).cells
        for o in c.get("outputs", [])
    )
    assert text.count("the notebook uses the course's working copy") == 4  # ReLU, ReLU_deriv, softmax, the loop
    assert "not passed yet, so the course's working copy stands in: init_params (01_initialization)" in text
    assert "Traceback" not in text


def test_unbalanced_markers_are_refused_in_one_line(tmp_path, capsys):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("def f():\n    ### BEGIN SOLUTION\n    return 1\n")]
    (tmp_path / "nbs").mkdir()
    nbformat.write(nb, str(tmp_path / "nbs" / "01_broken.ipynb"))
    (tmp_path / "nbs" / yours.RECORD_NAME).write_text(yours.HEADER)
    (tmp_path / "data").mkdir()
    code = cli.main(["student", "--notebooks", str(tmp_path / "nbs"), "--out", str(tmp_path / "student")])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: 01_broken.ipynb, cell 0 has unbalanced") and err.count("\n") == 1


# --------------------------------------------------------------------------- the graded release holds no answer


MODULES = [info.name for info in pkgutil.walk_packages(fashion_helpers.__path__, "fashion_helpers.")]


def _package_callables():
    """Every function and class the installed course package defines, from the module it can be imported from."""
    found = {}
    for name in MODULES:
        module = importlib.import_module(name)
        for attr, value in vars(module).items():
            if (
                (inspect.isfunction(value) or inspect.isclass(value))
                and id(value) not in found
                and getattr(value, "__module__", "").startswith("fashion_helpers")
            ):
                found[id(value)] = (f"from {name} import {attr} as _candidate", value)
    return list(found.values())


def _notebook_functions(folder: Path):
    """Every function the notebooks in ``folder`` define outside their exercise cells, with its source: what the
    release holds of them too (nbgrader changes only the exercise cells, test_grading.py checks what else the
    release holds)."""
    found = []
    for path in sorted(folder.glob("*.ipynb")):
        for cell in nbformat.read(str(path), as_version=4).cells:
            if cell.cell_type != "code" or conventions.BEGIN in cell.source:
                continue
            try:
                tree = ast.parse(cell.source)
            except SyntaxError:
                continue
            for node in tree.body:
                if isinstance(node, ast.FunctionDef):
                    found.append((f"{ast.get_source_segment(cell.source, node)}\n\n\n_candidate = {node.name}", None))
    return found


def _binds(value, exercise) -> bool:
    if value is None:
        return True
    try:
        call = exercise.cases[0]["calls"][0]
        inspect.signature(value).bind(
            *[decode(a) for a in call["args"]], **{k: decode(v) for k, v in call["kwargs"].items()}
        )
        return True
    except (TypeError, ValueError):
        return False


def test_nothing_a_student_of_a_graded_course_can_import_or_read_passes_any_exercise():
    """Every callable of the installed package, and every function the notebooks define outside their exercise
    cells, put in the place of each exercise whose inputs it accepts and graded by the isolated grader: none earns
    a point."""
    reference = yours.read_sections(NOTEBOOK_DIR / yours.RECORD_NAME)
    hidden = json.loads(HIDDEN_CASES.read_text())["cases"]
    candidates = _package_callables() + _notebook_functions(NOTEBOOK_DIR)
    tried = 0
    with sandbox.Sandbox(preload=tuple(MODULES)) as server:
        for header, value in candidates:
            tries = [
                (name, f"{header}\n\n\ndef {name}(*args, **kwargs):\n    return _candidate(*args, **kwargs)\n")
                for name in exercises.names()
                if _binds(value, exercises.exercise(name))
            ]
            for (name, _), verdict in zip(
                tries, verify.grade_many(server, tries, reference, hidden, seconds=5), strict=True
            ):
                assert verdict.points == 0, f"{header.splitlines()[0]} passes {name}"
            tried += len(tries)
    assert tried >= 500, f"only {tried} candidates tried"


# --------------------------------------------------------------------------- HTML


def test_html_edition_has_every_page_and_an_index_in_teaching_order(tmp_path):
    written = editions.write_html_edition(NOTEBOOKS, tmp_path / "html")
    index = (tmp_path / "html" / "index.html").read_text()
    positions = [index.index(f'href="{p.stem}.html"') for p in NOTEBOOKS]
    assert positions == sorted(positions)
    for path in NOTEBOOKS:
        page = (tmp_path / "html" / f"{path.stem}.html").read_text()
        assert "<html" in page and "data:image/png;base64" in page
    assert len(written) == len(NOTEBOOKS) + 1


def test_html_edition_bundles_mathjax_so_its_pages_load_nothing_from_the_network(tmp_path):
    editions.write_html_edition(NOTEBOOKS[:1], tmp_path / "html")
    page = (tmp_path / "html" / f"{NOTEBOOKS[0].stem}.html").read_text()
    assert f'<script src="mathjax/MathJax.js?config={editions.MATHJAX_CONFIG}">' in page
    assert not re.findall(r'<script[^>]*\ssrc="(?:https?:)?//', page), "a page loads a script from the network"
    bundle = tmp_path / "html" / "mathjax"
    for name in editions.MATHJAX_CONFIG.split(","):
        assert (bundle / "config" / f"{name}.js").is_file() or (bundle / "extensions" / f"{name}.js").is_file()
    assert list((bundle / "fonts" / "HTML-CSS" / "STIX-Web" / "woff").glob("*.woff"))


def test_html_edition_without_a_local_mathjax_falls_back_to_its_cdn(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(editions, "local_mathjax", lambda: None)
    source = tmp_path / "executed"  # one page is enough to see where its MathJax comes from
    source.mkdir()
    shutil.copy(NOTEBOOKS[0], source)
    assert cli.main(["html", "--source", str(source), "--out", str(tmp_path / "html")]) == 0
    assert "MathJax from its CDN" in capsys.readouterr().out
    assert not (tmp_path / "html" / "mathjax").exists()
    assert "cdnjs.cloudflare.com/ajax/libs/mathjax/" in (tmp_path / "html" / f"{NOTEBOOKS[0].stem}.html").read_text()
