"""The committed notebooks: structure, parameters, one home per function, and no run noise."""

import ast
import json
import re

import nbformat
import pytest

import fashion_helpers
from fashion_helpers import exercises
from fashion_helpers.tools.parameters import DEFAULTS
from fashion_helpers.tools.runner import list_notebooks

from .conftest import NOTEBOOK_DIR, ROOT

EXPECTED = [
    "01_initialization",
    "02_activations",
    "03_forward_propagation",
    "04_backward_propagation",
    "05_gradient_descent",
    "06_validation",
    "07_error_analysis_l2",
    "08_improving_the_model",
]
NOTEBOOKS = list_notebooks(directory=NOTEBOOK_DIR)


def load(path):
    return nbformat.read(str(path), as_version=4)


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def test_the_series_is_complete_and_in_order():
    assert [p.stem for p in NOTEBOOKS] == EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_one_parameters_cell_near_the_top_with_the_shared_defaults(path):
    nb = load(path)
    tagged = [i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, "exactly one cell tagged 'parameters'"
    assert tagged[0] <= 4, "the parameters cell sits near the top"
    cell = nb.cells[tagged[0]]
    tree = ast.parse(cell.source)
    for node in tree.body:
        assert isinstance(node, ast.Assign), "the parameters cell only assigns values"
        name = node.targets[0].id
        assert name in DEFAULTS, f"{name} is not a course parameter (fashion_helpers/parameters.py)"
        assert ast.literal_eval(node.value) == DEFAULTS[name], f"{name}'s default differs from the shared one"
    for line in cell.source.splitlines():
        if line.strip():
            assert "#" in line, f"parameter without a comment: {line}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_last_code_cell_reports_headline_numbers(path):
    last = code_cells(load(path))[-1]
    assert "metrics" in last.metadata.get("tags", [])
    assert "headline(" in last.source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_outputs_carry_no_run_noise(path):
    nb = load(path)
    assert "papermill" not in nb.metadata
    assert "version" not in nb.metadata.get("language_info", {})
    for i, cell in enumerate(code_cells(nb)):
        assert "papermill" not in cell.metadata and "execution" not in cell.metadata, f"cell {i}: run metadata"
        assert cell.execution_count is not None, f"cell {i} was not executed (make refresh)"
        for output in cell.outputs:
            assert output.output_type != "error", f"cell {i} has an error output"
            text = json.dumps(output)
            assert " at 0x" not in text, f"cell {i} prints a memory address"
            assert "np.float64(" not in text and "np.int64(" not in text, f"cell {i} prints a numpy scalar repr"
            assert "/tmp/" not in text and str(ROOT) not in text, f"cell {i} prints a path"
            if output.output_type == "stream":
                assert output.name == "stdout", f"cell {i} writes to stderr (a warning?)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_randomness_comes_from_one_seeded_generator(path):
    source = "\n".join(c.source for c in code_cells(load(path)))
    assert "np.random.seed" not in source and "import random" not in source
    assert not re.search(r"np\.random\.(rand|randn|randint|shuffle|choice|permutation)\(", source)
    assert "pyplot" not in source
    if "rng" in source:  # the notebook's one generator, from the seed (01 also shows a twin made from the seed)
        assert len(re.findall(r"^rng = np\.random\.default_rng\(seed\)", source, re.M)) == 1
        assert not re.search(r"default_rng\(\)", source), "an unseeded generator"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_a_notebook_takes_the_earlier_exercises_from_the_students_record_only(path):
    """What a notebook calls of an earlier notebook's exercises comes from yours.use, never from a course module
    (there is none to come from): so a student's bug shows where the function is used."""
    nb = load(path)
    source = "\n".join(c.source for c in code_cells(nb))
    earlier = [n for n in exercises.names() if exercises.exercise(n).notebook < path.stem]
    for name in earlier:
        assert not re.search(rf"fashion_helpers\.\w+ import [^\n]*\b{name}\b", source), (
            f"{name} imported from the package"
        )
    if any(re.search(rf"\b{name}\(", source) for name in earlier):
        assert source.count("yours.use(") == 1, "one yours.use in the set-up loads the earlier exercises"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_solution_markers_are_balanced_and_inside_functions(path):
    for cell in code_cells(load(path)):
        begins = [i for i, line in enumerate(cell.source.splitlines()) if line.strip() == "### BEGIN SOLUTION"]
        ends = [i for i, line in enumerate(cell.source.splitlines()) if line.strip() == "### END SOLUTION"]
        assert len(begins) == len(ends)
        for b, e in zip(begins, ends, strict=True):
            assert b < e
            assert cell.source.splitlines()[b].startswith(" "), "solution blocks sit inside a function"


def test_every_notebook_has_exercises():
    assert {exercises.exercise(n).notebook for n in exercises.names()} == {p.stem for p in NOTEBOOKS}


def test_the_readme_lists_every_parameter_with_its_default_and_notebooks():
    from fashion_helpers.tools.cli import parameter_table

    readme = (ROOT / "README.md").read_text()
    assert parameter_table(NOTEBOOK_DIR) in readme, "README's parameter table is stale: paste `fashion-course params`"


def test_package_import_has_no_side_effects():
    import subprocess
    import sys

    code = (
        "import matplotlib; before = matplotlib.get_backend();"
        "import numpy as np; np.random.seed(1); s = np.random.get_state()[1].copy();"
        "import fashion_helpers, fashion_helpers.network, fashion_helpers.plots, fashion_helpers.checks;"
        "assert (np.random.get_state()[1] == s).all(); assert matplotlib.get_backend() == before; print('ok')"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout == "ok\n", done.stderr
    assert fashion_helpers.__version__
