"""nbgrader: the notebooks' cell metadata, the graded course directory (one assignment or one per notebook),
and the grading round trip through nbgrader and the isolated grader."""

import copy
import re

import nbformat
import pytest

from fashion_helpers import conventions, exercises, search, yours
from fashion_helpers.errors import CourseInputError
from fashion_helpers.tools import cli, grading, series

from ..conftest import HIDDEN_CASES, NOTEBOOK_DIR, ROOT

NOTEBOOKS = series.list_notebooks(directory=NOTEBOOK_DIR)
RECORD = NOTEBOOK_DIR / yours.RECORD_NAME


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_notebooks_carry_the_metadata_their_structure_gives(path):
    from nbgrader.nbgraderformat import MetadataValidator

    nb = nbformat.read(str(path), as_version=4)
    marked = copy.deepcopy(nb)
    grading.mark_cells(marked, path.name)
    assert [c.metadata.get("nbgrader") for c in nb.cells] == [c.metadata.get("nbgrader") for c in marked.cells], (
        "nbgrader metadata out of step with the notebook: make refresh writes it"
    )
    MetadataValidator().validate_nb(nb)  # what nbgrader's own CheckCellMetadata runs
    assert conventions.HIDDEN_BEGIN not in "".join(c.source for c in nb.cells)  # hidden tests live in a graded course


def test_each_exercise_is_a_solution_cell_graded_by_the_self_check_after_it():
    solutions, tests = [], []
    for path in NOTEBOOKS:
        for cell in nbformat.read(str(path), as_version=4).cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("solution") and cell.cell_type == "code":
                solutions.append(meta["grade_id"].removesuffix("_solution"))
            if meta.get("grade") and cell.cell_type == "code":
                tests.append(meta["grade_id"].removesuffix("_check"))
                assert meta["locked"] and meta["points"] == grading.POINTS
    assert solutions == tests == [name.lower() for name in [*exercises.names(), *search.SEARCHED]]


def test_the_held_out_look_of_notebook_10_is_locked_and_its_search_has_no_hidden_tests():
    path = NOTEBOOK_DIR / f"{search.NOTEBOOK}.ipynb"
    nb = grading.with_hidden_tests(nbformat.read(str(path), as_version=4))
    locked = [c for c in nb.cells if conventions.LOCKED_TAG in conventions.tags(c)]
    assert len(locked) == 1 and "holdout_path" in locked[0].source
    assert locked[0].metadata.nbgrader["locked"] and not locked[0].metadata.nbgrader["grade"]
    check = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "next_trial_check")
    assert conventions.HIDDEN_BEGIN not in check.source  # the grader runs the search itself: nothing is hidden


@pytest.mark.parametrize(
    "source, message",
    [
        (
            "def relu(Z):\n    ### BEGIN SOLUTION\n    return Z\n    ### END SOLUTION\n",
            r"01_x.ipynb, cell 0: the exercise relu has no self-check cell",
        ),
        (
            "def a(Z):\n    ### BEGIN SOLUTION\n    return Z\n    ### END SOLUTION\n\n\n"
            "def b(Z):\n    ### BEGIN SOLUTION\n    return Z\n    ### END SOLUTION\n",
            r"01_x.ipynb, cell 0 holds the exercises a, b: give each its own cell",
        ),
    ],
)
def test_an_exercise_cell_without_its_own_self_check_is_refused(source, message):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source)]
    with pytest.raises(CourseInputError, match=message):
        grading.mark_cells(nb, "01_x.ipynb")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_inline_questions_have_answers_graded_by_hand(path):
    cells = nbformat.read(str(path), as_version=4).cells
    questions = [i for i, c in enumerate(cells) if c.cell_type == "markdown" and c.source.startswith("**Question ")]
    assert len(questions) >= 2, "a few inline questions per notebook"
    for i in questions:
        answer = cells[i + 1]
        assert conventions.ANSWER_TAG in answer.metadata.get("tags", []) and answer.source.startswith("**Answer.**")
        meta = answer.metadata["nbgrader"]
        assert meta["solution"] and meta["grade"] and not meta["locked"] and meta["points"] == grading.POINTS


def test_an_answer_without_its_question_and_a_question_without_an_answer_are_refused():
    def markdown(source, tags=()):
        cell = nbformat.v4.new_markdown_cell(source)
        cell.metadata["tags"] = list(tags)
        return cell

    nb = nbformat.v4.new_notebook()
    nb.cells = [markdown("Some text."), markdown("**Answer.** 42", tags=["answer"])]
    with pytest.raises(CourseInputError, match=r"01_x.ipynb, cell 1 is tagged 'answer' but does not follow"):
        grading.mark_cells(nb, "01_x.ipynb")
    nb.cells = [markdown("**Question 1.** Why?"), markdown("Because.")]
    with pytest.raises(CourseInputError, match=r"01_x.ipynb, cell 0 asks a question without an answer cell"):
        grading.mark_cells(nb, "01_x.ipynb")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_expected_output_cells_are_quoted_after_themselves_text_and_figures(path):
    nb = nbformat.read(str(path), as_version=4)
    tagged = [c for c in nb.cells if conventions.EXPECTED_TAG in c.metadata.get("tags", [])]
    assert tagged, "each notebook shows students some expected output"
    grading.with_expected_outputs(nb, path.name)
    nbformat.validate(nb)
    for cell in tagged:
        block = nb.cells[nb.cells.index(cell) + 1]
        assert block.source.startswith("**Expected output**") and grading.text_output(cell) in block.source
        shown = [block.attachments[n]["image/png"] for n in re.findall(r"\(attachment:([\w.-]+)\)", block.source)]
        assert shown == grading.figures(cell)  # every figure the cell drew, in order, and nothing else


def test_a_tagged_cell_that_only_draws_is_quoted_as_its_figure_and_one_that_never_ran_is_refused():
    drawn = nbformat.v4.new_code_cell("fig", metadata={"tags": [conventions.EXPECTED_TAG]})
    drawn.outputs = [
        nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"})
    ]
    nb = nbformat.v4.new_notebook(cells=[drawn])
    grading.with_expected_outputs(nb, "01_x.ipynb")
    assert "```" not in nb.cells[1].source and nb.cells[1].attachments == {
        "expected-1.png": {"image/png": "iVBORw0KGgo="}
    }
    drawn.outputs = []
    nb = nbformat.v4.new_notebook(cells=[drawn])
    with pytest.raises(CourseInputError, match=r"01_x.ipynb, cell 0 is tagged 'expected-output' but has no output"):
        grading.with_expected_outputs(nb, "01_x.ipynb")


@pytest.fixture
def graded_course(released_course):
    return released_course


def test_a_graded_course_keeps_its_key_in_an_instructor_only_folder_its_kernels_see(graded_course):
    key = graded_course / grading.GRADING
    assert (key / yours.WORKING_COPIES_NAME).read_text() == RECORD.read_text()
    assert (key / grading.HIDDEN_CASES).read_text() == HIDDEN_CASES.read_text()
    config = (graded_course / "nbgrader_config.py").read_text()
    assert f"'FASHION_HIDDEN_CASES', {str(key / grading.HIDDEN_CASES)!r}" in config and "ClearHiddenTests" in config
    source = nbformat.read(str(graded_course / "source" / "fashion" / NOTEBOOKS[1].name), as_version=4)
    tests = [c for c in source.cells if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"]
    assert tests and all("checks.check_" in c.source and "hidden=True" in c.source for c in tests)


def test_the_release_holds_notebooks_and_data_only_without_hidden_tests_or_solutions(graded_course):
    released = graded_course / "release" / grading.ASSIGNMENT
    files = sorted(str(p.relative_to(released)) for p in released.rglob("*") if p.is_file())
    released_notebooks = [p.name for p in NOTEBOOKS[1:3]]  # the session's graded course: 02 and 03
    data_files = ["data/README.md", "data/fashion_data.csv", "data/fashion_holdout.csv"]
    assert files == released_notebooks + data_files  # no module: nothing that implements an exercise
    assert not (released / grading.GRADING).exists()
    for name in released_notebooks:
        text = "".join(c.source for c in nbformat.read(str(released / name), as_version=4).cells)
        assert "HIDDEN TESTS" not in text and "hidden=True" not in text
        assert "np.maximum(0, Z)" not in text and text.count(grading.STUB) == text.count(conventions.BEGIN)


def test_one_assignment_per_notebook_each_with_its_data_and_the_earlier_working_copies(tmp_path):
    sources = grading.write_course(
        tmp_path, NOTEBOOKS[:4], ROOT / "data", key=(RECORD, HIDDEN_CASES), per_notebook=True, earlier_copies=True
    )
    assert [s.name for s in sources] == [p.stem for p in NOTEBOOKS[:4]]
    assert all((s / "data" / "fashion_data.csv").is_file() and (s / f"{s.name}.ipynb").is_file() for s in sources)
    assert not (sources[0] / yours.WORKING_COPIES_NAME).exists()  # nothing comes before 01
    copies = yours.read_sections(sources[3] / yours.WORKING_COPIES_NAME)
    assert set(copies) == {n for n in exercises.names() if exercises.exercise(n).notebook < NOTEBOOKS[3].stem}


def test_the_grading_round_trip_scores_each_hand_in_as_it_should(tmp_path, capsys):
    """Notebooks 02 and 03, quick, three hand-ins: the solutions get full points and 03 runs the student's 02
    functions; the untouched release (the student edition as released) runs to the end and gets 0; rebinding the
    checks in the kernel gets nothing. The six hand-ins on the whole series are make autograde-check, a CI step
    of its own; a delegating, a tuned and a one-bug answer are graded by the isolated grader in test_verify.py."""
    code = cli.main(
        [
            "autograde-check",
            "02",
            "03",
            "--notebooks",
            str(NOTEBOOK_DIR),
            "--out",
            str(tmp_path / "rt"),
            "--params",
            str(ROOT / "params" / "quick.yaml"),
            "--hand-ins",
            "solutions,stubs,rebinds",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "rebinds    0 / 7 points (the kernel's test cells claimed 7)" in out
    stubs = next(line for line in out.splitlines() if line.startswith("stubs "))
    assert stubs.startswith("stubs      0 / 7 points") and "no cell raised" in stubs, stubs
    ran = "ReLU, forward_prop, forward_prop_loop, get_accuracy, get_predictions, softmax"
    assert f"03_forward_propagation ran the student's: {ran}" in out
