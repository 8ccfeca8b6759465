"""nbgrader: the committed notebooks carry the cell metadata it needs, and its whole round trip (release,
three submissions, autograde, feedback) scores each submission as an instructor expects."""

import copy

import nbformat
import pytest

from fashion_helpers.errors import CourseInputError
from fashion_helpers.tools import cli, grading, runner

from ..conftest import NOTEBOOK_DIR

NOTEBOOKS = runner.list_notebooks(directory=NOTEBOOK_DIR)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_notebooks_carry_the_metadata_their_structure_gives(path):
    from nbgrader.nbgraderformat import MetadataValidator

    nb = nbformat.read(str(path), as_version=4)
    marked = copy.deepcopy(nb)
    grading.mark_cells(marked, path.name)
    assert [c.metadata.get("nbgrader") for c in nb.cells] == [c.metadata.get("nbgrader") for c in marked.cells], \
        "nbgrader metadata out of step with the notebook: make refresh writes it"
    MetadataValidator().validate_nb(nb)  # what nbgrader's own CheckCellMetadata runs


def test_every_exercise_is_a_solution_cell_graded_by_the_self_check_after_it():
    solutions, tests = [], []
    for path in NOTEBOOKS:
        for cell in nbformat.read(str(path), as_version=4).cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("solution"):
                solutions.append(meta["grade_id"].removesuffix("_solution"))
                assert "### BEGIN SOLUTION" in cell.source and not meta["locked"]
            if meta.get("grade"):
                tests.append(meta["grade_id"].split("_check")[0])
                assert "checks.check_" in cell.source and meta["locked"] and meta["points"] == grading.POINTS
    assert len(solutions) >= 10 and set(tests) == set(solutions)


def test_an_exercise_without_a_self_check_is_refused():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("def relu(Z):\n    ### BEGIN SOLUTION\n    return Z\n    ### END SOLUTION\n")]
    with pytest.raises(CourseInputError, match=r"01_x.ipynb, cell 0: the exercise relu has no self-check cell"):
        grading.mark_cells(nb, "01_x.ipynb")


def test_the_autograding_round_trip_scores_each_submission_as_expected(tmp_path, capsys):
    """Solutions: full points; untouched stubs: 0 and no crash; one bug: exactly that exercise lost, named."""
    code = cli.main(["autograde-check", "--notebooks", str(NOTEBOOK_DIR), "--out", str(tmp_path / "grading")])
    out = capsys.readouterr().out
    assert code == 0, out
    results = {s: grading._result(tmp_path / "grading" / s, s) for s in ("solutions", "stubs", "one_bug")}
    maximum = results["solutions"]["max"]
    assert maximum >= 10
    assert results["solutions"]["total"] == maximum and not results["solutions"]["lost"]
    assert results["stubs"]["total"] == 0 and not results["stubs"]["crashed"]
    assert results["stubs"]["feedback_says_not_implemented"]
    assert results["one_bug"]["lost"] == ["02_activations/softmax_check"]
    assert results["one_bug"]["total"] == maximum - grading.POINTS and results["one_bug"]["feedback_names_bug"]
    assert not any(r["crashed"] for r in results.values())
