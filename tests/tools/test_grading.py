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
            if meta.get("solution") and cell.cell_type == "code":
                solutions.append(meta["grade_id"].removesuffix("_solution"))
                assert "### BEGIN SOLUTION" in cell.source and not meta["locked"]
            if meta.get("grade") and cell.cell_type == "code":
                tests.append(meta["grade_id"].split("_check")[0])
                assert "checks.check_" in cell.source and meta["locked"] and meta["points"] == grading.POINTS
    assert len(solutions) >= 10 and set(tests) == set(solutions)


def test_an_exercise_without_a_self_check_is_refused():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("def relu(Z):\n    ### BEGIN SOLUTION\n    return Z\n    ### END SOLUTION\n")]
    with pytest.raises(CourseInputError, match=r"01_x.ipynb, cell 0: the exercise relu has no self-check cell"):
        grading.mark_cells(nb, "01_x.ipynb")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_inline_questions_have_answers_graded_by_hand(path):
    cells = nbformat.read(str(path), as_version=4).cells
    questions = [i for i, c in enumerate(cells) if c.cell_type == "markdown" and c.source.startswith("**Question ")]
    assert len(questions) >= 2, "a few inline questions per notebook"
    for i in questions:
        answer = cells[i + 1]
        assert grading.ANSWER_TAG in answer.metadata.get("tags", []) and answer.source.startswith("**Answer.**")
        meta = answer.metadata["nbgrader"]
        assert meta["solution"] and meta["grade"] and not meta["locked"] and meta["points"] == grading.POINTS


def _markdown(source, tags=()):
    cell = nbformat.v4.new_markdown_cell(source)
    cell.metadata["tags"] = list(tags)
    return cell


def test_an_answer_without_its_question_and_a_question_without_an_answer_are_refused():
    nb = nbformat.v4.new_notebook()
    nb.cells = [_markdown("Some text."), _markdown("**Answer.** 42", tags=["answer"])]
    with pytest.raises(CourseInputError, match=r"01_x.ipynb, cell 1 is tagged 'answer' but does not follow"):
        grading.mark_cells(nb, "01_x.ipynb")
    nb.cells = [_markdown("**Question 1.** Why?"), _markdown("Because.")]
    with pytest.raises(CourseInputError, match=r"01_x.ipynb, cell 0 asks a question without an answer cell"):
        grading.mark_cells(nb, "01_x.ipynb")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_expected_output_cells_printed_text_and_are_quoted_after_themselves(path):
    nb = nbformat.read(str(path), as_version=4)
    tagged = [c for c in nb.cells if grading.EXPECTED_TAG in c.metadata.get("tags", [])]
    assert tagged, "each notebook with exercises shows students some expected output"
    grading.with_expected_outputs(nb, path.name)
    for cell in tagged:
        block = nb.cells[nb.cells.index(cell) + 1]
        assert block.source.startswith("**Expected output**") and grading.text_output(cell) in block.source


def test_an_expected_output_cell_without_text_is_refused():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("fig")
    cell.metadata["tags"] = ["expected-output"]
    nb.cells = [cell]
    with pytest.raises(CourseInputError, match=r"01_x.ipynb, cell 0 is tagged 'expected-output' but has no text"):
        grading.with_expected_outputs(nb, "01_x.ipynb")


def test_the_autograding_round_trip_scores_each_submission_as_expected(tmp_path, capsys):
    """Solutions: full points, and every exercise's own code ran in the notebook after its check (the submitted
    solutions differ from the instructor's: each says once when the notebook, not its check, calls it); untouched
    stubs: 0 and no crash; one bug: exactly that exercise lost, named."""
    # the quick parameters: what is checked here is the grading, not the numbers (make autograde-check: defaults)
    code = cli.main(["autograde-check", "--notebooks", str(NOTEBOOK_DIR), "--out", str(tmp_path / "grading"),
                     "--params", str(NOTEBOOK_DIR.parent / "params" / "quick.yaml")])
    out = capsys.readouterr().out
    assert code == 0, out
    results = {s: grading._result(tmp_path / "grading" / s, s) for s in ("solutions", "stubs", "one_bug")}
    maximum = results["solutions"]["max"]
    assert maximum >= 10
    assert results["solutions"]["total"] == maximum and not results["solutions"]["lost"]
    assert set(results["solutions"]["ran_students_code"]) == grading.course_exercises(NOTEBOOKS)
    answers = sum(grading.ANSWER_TAG in c.metadata.get("tags", []) for p in NOTEBOOKS
                  for c in nbformat.read(str(p), as_version=4).cells)
    assert len(results["solutions"]["to_grade_by_hand"]) == answers and not results["stubs"]["to_grade_by_hand"]
    assert results["stubs"]["total"] == 0 and not results["stubs"]["crashed"]
    assert results["stubs"]["feedback_says_not_implemented"]
    assert results["one_bug"]["lost"] == ["02_activations/softmax_check"]
    assert results["one_bug"]["total"] == maximum - grading.POINTS and results["one_bug"]["feedback_names_bug"]
    assert not any(r["crashed"] for r in results.values())
    released = nbformat.read(str(tmp_path / "grading" / "course" / "release" / "fashion" / NOTEBOOKS[-1].name), 4)
    injected = [c for c in released.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and "epochs = 2" in injected[0].source
