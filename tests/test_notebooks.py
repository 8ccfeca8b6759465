"""The committed notebooks: structure, parameters, one home per function, and no run noise."""

import ast
import json
import re
import shutil

import nbformat
import pytest

import fashion_helpers
from fashion_helpers import conventions, exercises, search
from fashion_helpers.tools import series
from fashion_helpers.tools.parameters import DEFAULTS, SPEC, cell_source
from fashion_helpers.tools.series import list_notebooks

from .conftest import NOTEBOOK_DIR, ROOT

EXPECTED = [
    "01_initialization",
    "02_activations",
    "03_forward_propagation",
    "04_backward_propagation",
    "05_gradient_descent",
    "06_validation",
    "07_error_analysis_l2",
    "08_initialization_and_optimizers",
    "09_regularization_and_the_honest_table",
    "10_model_selection",
]
NOTEBOOKS = list_notebooks(directory=NOTEBOOK_DIR)


def load(path):
    return nbformat.read(str(path), as_version=4)


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def test_the_series_is_complete_and_in_order():
    assert [p.stem for p in NOTEBOOKS] == EXPECTED


def test_the_first_notebook_names_the_whole_series_in_order():
    intro = " ".join(load(NOTEBOOKS[0]).cells[0].source.split()).lower()
    titles = [re.match(r"# (\d\d) · ([^:\n]+)", load(p).cells[0].source).groups() for p in NOTEBOOKS]
    named = " · ".join(f"{number} {title.lower()}" for number, title in titles)  # "07 error analysis and l2 ..."
    assert f"**the series.** {named}." in intro


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_one_parameters_cell_near_the_top_with_the_shared_defaults(path):
    nb = load(path)
    tagged = [i for i, c in enumerate(nb.cells) if conventions.PARAMETERS_TAG in conventions.tags(c)]
    assert len(tagged) == 1, "exactly one cell tagged 'parameters'"
    assert tagged[0] <= 4, "the parameters cell sits near the top"
    cell = nb.cells[tagged[0]]
    names = [node.targets[0].id for node in ast.parse(cell.source).body]
    unknown = [name for name in names if name not in DEFAULTS]
    assert not unknown, f"{unknown} are not course parameters (fashion_helpers/tools/parameters.py)"
    assert cell.source == cell_source(names), "the parameters cell is not SPEC's: make refresh writes it"


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
    catalogued = {exercises.exercise(n).notebook for n in exercises.names()}
    assert catalogued | set(search.SEARCHED.values()) == {p.stem for p in NOTEBOOKS}


def test_the_readme_lists_every_parameter_with_its_default_and_notebooks():
    readme = (ROOT / "README.md").read_text()
    assert series.parameter_table(NOTEBOOKS) in readme, "README's parameter table is stale: make refresh writes it"


def test_every_parameters_comment_reads_back_through_papermill():
    """papermill takes the text after an "=" for a value, even in a comment: a comment holding one would hide the
    parameter from every run."""
    assert not [name for name, spec in SPEC.items() if "=" in spec.comment]


def test_refresh_writes_the_parameters_cells_and_the_readme_table_from_spec(tmp_path):
    """A parameters cell edited by hand and a stale README table are written back from SPEC."""
    notebook = tmp_path / "05_gradient_descent.ipynb"
    shutil.copy(NOTEBOOK_DIR / notebook.name, notebook)

    def parameters_cell(nb):
        return next(c for c in nb.cells if conventions.PARAMETERS_TAG in conventions.tags(c))

    nb = load(notebook)
    parameters_cell(nb).source = "alpha = 0.5  # changed by hand\niterations = 500"
    nbformat.write(nb, str(notebook))
    readme = tmp_path / "README.md"
    readme.write_text("# x\n<!-- parameters: generated -->\n| stale |\n<!-- parameters: end -->\nafter\n")
    assert series.write_parameter_cells([notebook]) == [notebook]
    assert parameters_cell(load(notebook)).source == cell_source(["alpha", "iterations"])
    assert series.write_readme_table(readme, [notebook])
    text = readme.read_text()
    assert "| stale |" not in text and "| `alpha` | `0.1` |" in text and text.endswith("after\n")
    assert not series.write_parameter_cells([notebook]) and not series.write_readme_table(readme, [notebook])


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
