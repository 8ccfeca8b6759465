"""fashion_helpers.checks._framework: what a check says and hands back, in a notebook and under nbgrader."""

import numpy as np
import pytest

from fashion_helpers import checks, yours
from fashion_helpers.checks import _framework

from ..conftest import notebook_cell

RIGHT = "def ReLU(Z):\n    return np.maximum(0, Z)\n"
OPEN = "def ReLU(Z):\n    raise NotImplementedError\n"


@pytest.fixture
def student(tmp_path, monkeypatch):
    """A notebook's folder with no record and no working copies (a graded assignment), as the kernel's cwd."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    monkeypatch.delenv("FASHION_COURSE_FUNCTIONS", raising=False)
    monkeypatch.delenv("FASHION_MY_FUNCTIONS", raising=False)
    return tmp_path


def test_a_right_function_passes_in_one_line_is_recorded_and_handed_back(student, capsys):
    ReLU = notebook_cell(RIGHT)["ReLU"]
    assert checks.check_ReLU(ReLU) is ReLU
    assert capsys.readouterr().out == "PASS  ReLU: max(0, Z), element-wise (recorded in my_functions.py)\n"
    assert "ReLU" in yours.read_sections(student / yours.RECORD_NAME)


def test_an_open_exercise_says_not_yet_and_hands_back_what_stands_in(student, capsys, reference):
    stand_in = checks.check_ReLU(notebook_cell(OPEN)["ReLU"])
    assert capsys.readouterr().out.startswith("NOT YET  ReLU: not written yet; a later cell that calls it stops")
    with pytest.raises(yours.NotWrittenYet):
        stand_in(np.ones(2))
    (student / yours.WORKING_COPIES_NAME).write_text(open(reference.__file__).read())
    stand_in = checks.check_ReLU(notebook_cell(OPEN)["ReLU"])
    assert "the notebook uses the course's working copy" in capsys.readouterr().out
    assert np.array_equal(stand_in(np.array([-1.0, 1.0])), [0.0, 1.0])
    checks.check_ReLU(stand_in)  # checking what stands in says NOT YET again, never PASS
    assert capsys.readouterr().out.startswith("NOT YET  ReLU") and not (student / yours.RECORD_NAME).exists()


def test_a_wrong_function_raises_in_a_notebook_and_writes_one_stderr_line_under_nbgrader(student, capsys, monkeypatch):
    wrong = notebook_cell("def ReLU(Z):\n    return np.abs(Z)\n")["ReLU"]
    with pytest.raises(checks.CheckFailed, match="ReLU: negative inputs became positive"):
        checks.check_ReLU(wrong)
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert checks.check_ReLU(wrong) is wrong
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith("FAIL  ReLU: negative inputs became positive")
    checks.check_ReLU(notebook_cell(OPEN)["ReLU"])
    assert capsys.readouterr().err.startswith("NOT YET  ReLU: not implemented yet")


def test_hidden_cases_run_silently_for_a_grader_and_only_there(student, capsys, monkeypatch, hidden_cases):
    right, tuned = notebook_cell(RIGHT)["ReLU"], notebook_cell("def ReLU(Z):\n    return Z * 0\n")["ReLU"]
    assert checks.check_ReLU(right, hidden=True) is None and capsys.readouterr() == ("", "")
    checks.check_ReLU(tuned, hidden=True)
    err = capsys.readouterr().err
    assert err.startswith("FAIL  ReLU: on a case kept hidden") and "expected" not in err  # no hidden value shown
    monkeypatch.delenv("FASHION_HIDDEN_CASES")
    assert checks.check_ReLU(tuned, hidden=True) is None and capsys.readouterr() == ("", "")
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    checks.check_ReLU(right, hidden=True)
    assert "the hidden cases are missing in this kernel" in capsys.readouterr().err


def test_a_function_that_calls_the_working_copy_of_its_own_exercise_fails(student, reference):
    (student / yours.WORKING_COPIES_NAME).write_text(open(reference.__file__).read())
    delegating = notebook_cell(
        'from fashion_helpers import yours\n\n\ndef ReLU(Z):\n    return yours.use("ReLU")(Z)\n'
    )["ReLU"]
    with pytest.raises(checks.CheckFailed, match="calls the course's working copy of ReLU"):
        checks.check_ReLU(delegating)


def test_a_function_whose_cell_needs_another_cell_fails_before_it_is_recorded(student):
    helper_elsewhere = notebook_cell(
        "def ReLU(Z):\n    return clip_below(Z)\n", {"np": np, "clip_below": lambda Z: np.maximum(0, Z)}
    )["ReLU"]
    with pytest.raises(checks.CheckFailed, match="ReLU uses clip_below, defined in another cell"):
        checks.check_ReLU(helper_elsewhere)


def test_changing_an_argument_in_place_is_named(student):
    def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
        W1 -= alpha * dW1
        return W1, b1 - alpha * db1, W2 - alpha * dW2, b2 - alpha * db2

    with pytest.raises(checks.CheckFailed, match="it changed its argument W1 in place"):
        checks.check_update_params(update_params)


def test_a_hook_that_trips_over_a_strange_result_leaves_the_judging_to_the_rest(student):
    hooks = _framework.Hooks(before=lambda case, outcomes: 1 / 0)
    outcome = [_framework.Outcome(returned=np.zeros((2, 3)))]
    case = {"about": "a case", "calls": [{"args": [], "kwargs": {}}], "expected": [np.ones((2, 3)).tolist()]}
    from fashion_helpers import exercises

    case["expected"] = [__import__("fashion_helpers.checks._values", fromlist=["encode"]).encode(np.ones((2, 3)))]
    message, _ = _framework.judge_case(exercises.exercise("ReLU"), case, outcome, hooks)
    assert message.startswith("ReLU(Z) is all zeros")
