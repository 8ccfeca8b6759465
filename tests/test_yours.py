"""fashion_helpers.yours: what a passing check records, and what later notebooks load (or what stands in)."""

import numpy as np
import pytest

from fashion_helpers import exercises, yours
from fashion_helpers.errors import CourseInputError

from .conftest import notebook_cell

RELU_CELL = '''import math

SMALL = 0.0


def helper(Z):
    return np.maximum(SMALL, Z)


def ReLU(Z):
    """ReLU."""
    ### BEGIN SOLUTION
    return helper(Z)
    ### END SOLUTION


print(ReLU(np.array([1.0, -1.0])))
'''


def test_a_section_keeps_imports_constants_and_definitions_and_drops_the_rest():
    text = yours.section(RELU_CELL, "ReLU", "02_activations", exercises.names())
    assert text.startswith("# --- ReLU (02_activations) ---\nimport math\n\n\nSMALL = 0.0\n\n\ndef helper(Z):")
    assert "BEGIN SOLUTION" not in text and "print(" not in text and "return helper(Z)" in text


def test_a_section_leaves_out_the_other_exercises_of_its_cell():
    cell = "def ReLU(Z):\n    return Z\n\n\ndef softmax(Z):\n    return Z\n"
    assert "softmax" not in yours.section(cell, "ReLU", "02_activations", exercises.names())
    with pytest.raises(CourseInputError, match="the cell defines no function ReLU_deriv"):
        yours.section(cell, "ReLU_deriv", "02_activations", exercises.names())


@pytest.mark.parametrize(
    "body, words",
    [
        ("return Z + X_train.mean()", "X_train, defined in another cell"),
        ("return make_predictions(Z)", "make_predictions, an exercise of a later notebook"),
    ],
)
def test_a_function_that_needs_another_cell_is_not_recorded(body, words):
    text = yours.section(f"def ReLU(Z):\n    {body}\n", "ReLU", "02_activations", exercises.names())
    with pytest.raises(CourseInputError, match=words):
        yours.check_section(text, "ReLU", exercises.names())


def test_earlier_exercises_builtins_and_numpy_are_known_to_a_section():
    text = yours.section(
        "def forward_prop(W1, b1, W2, b2, X):\n    return softmax(ReLU(W1 @ X) + len(X) + np.e)\n",
        "forward_prop",
        "03_forward_propagation",
        exercises.names(),
    )
    yours.check_section(text, "forward_prop", exercises.names())


def test_a_cell_function_is_recorded_once_and_loaded_as_yours(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    ReLU = notebook_cell(RELU_CELL)["ReLU"]
    capsys.readouterr()
    assert yours.record(ReLU, "ReLU") is True
    record = tmp_path / yours.RECORD_NAME
    assert record.read_text().startswith(yours.HEADER) and "# --- ReLU (02_activations) ---" in record.read_text()
    assert yours.write_section(yours.read_sections(record)["ReLU"], "ReLU") is False  # unchanged: not rewritten
    loaded = yours.use("ReLU")
    assert capsys.readouterr().out == "From earlier notebooks: your ReLU (recorded in my_functions.py).\n"
    assert yours.origin(loaded) == "yours" and np.array_equal(loaded(np.array([-1.0, 2.0])), [0.0, 2.0])


def test_a_function_not_from_a_cell_is_not_recorded(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    def ReLU(Z):
        return np.maximum(0, Z)

    assert yours.record(ReLU, "ReLU") is False and not (tmp_path / yours.RECORD_NAME).exists()


def test_an_exercise_not_passed_is_the_working_copy_in_self_study(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / yours.WORKING_COPIES_NAME).write_text(
        yours.compose({"softmax": "# --- softmax (02_activations) ---\ndef softmax(Z):\n    return Z * 0 + 0.5\n"})
    )
    softmax = yours.use("softmax")
    assert capsys.readouterr().out == (
        "From earlier notebooks: not passed yet, so the course's working copy stands in: softmax (02_activations).\n"
    )
    assert yours.origin(softmax) == "course" and softmax.stands_in_for_an_open_exercise
    assert np.array_equal(softmax(np.zeros(2)), [0.5, 0.5])


def test_an_exercise_not_passed_stops_with_what_to_do_in_a_graded_assignment(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    softmax = yours.use("softmax")
    assert "not passed yet: softmax (02_activations): pass its self-check there first" in capsys.readouterr().out
    with pytest.raises(
        yours.NotWrittenYet,
        match="softmax has not passed its self-check yet: write it in 02_activations and run its check there",
    ):
        softmax(np.zeros((10, 1)))


def test_a_recorded_function_calls_what_stands_in_for_an_exercise_not_passed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / yours.RECORD_NAME).write_text(
        yours.compose(
            {
                "forward_prop": "# --- forward_prop (03_forward_propagation) ---\n"
                "def forward_prop(W1, b1, W2, b2, X):\n    return ReLU(X)\n"
            }
        )
    )
    forward_prop = yours.load().forward_prop
    with pytest.raises(yours.NotWrittenYet, match="ReLU has not passed"):
        forward_prop(None, None, None, None, np.ones(2))


def test_with_one_assignment_per_notebook_the_earlier_folders_records_count(tmp_path, monkeypatch, capsys):
    (tmp_path / "02_activations").mkdir()
    (tmp_path / "03_forward_propagation").mkdir()
    (tmp_path / "02_activations" / yours.RECORD_NAME).write_text(
        yours.compose({"ReLU": "# --- ReLU (02_activations) ---\ndef ReLU(Z):\n    return np.maximum(0, Z)\n"})
    )
    monkeypatch.chdir(tmp_path / "03_forward_propagation")
    assert yours.origin(yours.use("ReLU")) == "yours"
    assert yours.record_path() == tmp_path / "03_forward_propagation" / yours.RECORD_NAME


def test_a_root_run_finds_the_record_in_its_notebooks_folder_and_never_further_up(tmp_path, monkeypatch):
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / yours.RECORD_NAME).write_text(yours.HEADER)
    monkeypatch.chdir(tmp_path)
    assert yours.record_path() == tmp_path / "notebooks" / yours.RECORD_NAME
    (tmp_path / "editions" / "self-study" / "notebooks").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "editions" / "self-study" / "notebooks")
    assert yours.record_path() == tmp_path / "editions" / "self-study" / "notebooks" / yours.RECORD_NAME


def test_a_broken_record_is_refused_in_one_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / yours.RECORD_NAME).write_text("# --- ReLU (02_activations) ---\ndef ReLU(Z:\n")
    with pytest.raises(CourseInputError, match=r"my_functions.py does not run \(SyntaxError at line 2\)"):
        yours.load()


def test_an_unknown_name_is_refused_in_one_line():
    with pytest.raises(KeyError, match="'relu' is not an exercise of the course; the exercises are init_params"):
        yours.use("relu")
