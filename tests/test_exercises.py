"""fashion_helpers.exercises and its one source: the recorded cases and the instructor's record are what the
notebooks' solutions give, and a test fails when they drift."""

import ast
import json

import pytest

from fashion_helpers import exercises, yours
from fashion_helpers.tools import cases, export, series

from .conftest import HIDDEN_CASES, NOTEBOOK_DIR

NOTEBOOKS = series.list_notebooks(directory=NOTEBOOK_DIR)


def test_the_catalogue_is_every_exercise_of_the_notebooks_in_teaching_order():
    cells = export.solution_cells(NOTEBOOKS)
    assert [(name, notebook) for name, notebook, _ in cells] == [
        (e.name, e.notebook) for e in exercises.catalogue().values()
    ]
    assert len(cells) == 27


def test_the_instructors_record_is_the_export_of_the_notebooks_solutions():
    assert (NOTEBOOK_DIR / yours.RECORD_NAME).read_text() == export.export_text(NOTEBOOKS), (
        "notebooks/my_functions.py is out of step with the notebooks' solution cells: make refresh writes it"
    )


@pytest.mark.parametrize("which", [0, 1], ids=["visible exercises.json", "hidden answer_key/hidden_cases.json"])
def test_the_recorded_cases_are_what_the_instructors_solutions_give(which):
    built = cases.build(NOTEBOOKS)[which]
    committed = json.loads((exercises.CASES_FILE if which == 0 else HIDDEN_CASES).read_text())
    assert cases.drift(built, committed) is None


def test_drift_names_the_first_place_two_recordings_differ_and_ignores_the_last_digits():
    recorded = {"ReLU": [{"expected": [{"array": [0.1, 0.2], "dtype": "float64", "shape": [2]}], "about": "a case"}]}
    rounded = json.loads(json.dumps(recorded).replace("0.2", "0.20000000000001"))
    assert cases.drift(recorded, rounded) is None
    assert cases.drift(recorded, json.loads(json.dumps(recorded).replace("0.2", "0.3"))) == "cases.ReLU[0].expected[0]"
    assert cases.drift(recorded, json.loads(json.dumps(recorded).replace("a case", "b case"))) == "cases.ReLU[0].about"
    assert cases.drift(recorded, {"ReLU": []}) == "cases.ReLU"


def _rounded_elsewhere(value):
    """The recording as another CPU might give it: every float off in its 13th significant digit."""
    if isinstance(value, float):
        return value * (1 + 3e-13)
    if isinstance(value, dict):
        return {k: _rounded_elsewhere(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded_elsewhere(v) for v in value]
    return value


def test_a_refresh_leaves_the_cases_files_alone_when_only_the_last_digits_differ(tmp_path):
    visible, hidden = tmp_path / "visible.json", tmp_path / "hidden.json"
    for path, content in zip((visible, hidden), cases.build(NOTEBOOKS), strict=True):
        path.write_text(cases.dumps(_rounded_elsewhere(content)), encoding="utf-8")
        assert path.read_text() != cases.dumps(content)  # the digits do differ
    before = visible.read_text()
    assert cases.write(NOTEBOOKS, visible, hidden) == [] and visible.read_text() == before
    visible.write_text(before.replace('"about":"', '"about":"changed ', 1))
    assert cases.write(NOTEBOOKS, visible, hidden) == [visible]
    assert cases.drift(json.loads(visible.read_text()), cases.build(NOTEBOOKS)[0]) is None


def test_hidden_cases_exist_only_for_a_grader(monkeypatch):
    monkeypatch.delenv(exercises.HIDDEN_CASES_VARIABLE, raising=False)
    assert exercises.hidden_cases("ReLU") is None
    monkeypatch.setenv(exercises.HIDDEN_CASES_VARIABLE, str(HIDDEN_CASES))
    assert len(exercises.hidden_cases("ReLU")) >= 1


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def test_the_shipped_cases_hold_numbers_and_words_never_code():
    content = json.loads(exercises.CASES_FILE.read_text())
    for text in _strings(content):
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue  # words
        assert not any(
            isinstance(n, (ast.FunctionDef, ast.Lambda, ast.Import, ast.ImportFrom, ast.ClassDef))
            for n in ast.walk(tree)
        ), text
    assert "hidden" not in content  # the hidden cases never ship
