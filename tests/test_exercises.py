"""fashion_helpers.exercises and its one source: the recorded cases and the instructor's record are what the
notebooks' solutions give, and a test fails when they drift."""

import ast
import json

import pytest

from fashion_helpers import exercises, yours
from fashion_helpers.checks._values import close, decode
from fashion_helpers.tools import cases, export, series

from .conftest import HIDDEN_CASES, NOTEBOOK_DIR

NOTEBOOKS = series.list_notebooks(directory=NOTEBOOK_DIR)


def test_the_catalogue_is_every_exercise_of_the_notebooks_in_teaching_order():
    cells = export.solution_cells(NOTEBOOKS)
    assert [(name, notebook) for name, notebook, _ in cells] == [
        (e.name, e.notebook) for e in exercises.catalogue().values()
    ]
    assert len(cells) == 25


def test_the_instructors_record_is_the_export_of_the_notebooks_solutions():
    assert (NOTEBOOK_DIR / yours.RECORD_NAME).read_text() == export.export_text(NOTEBOOKS), (
        "notebooks/my_functions.py is out of step with the notebooks' solution cells: make refresh writes it"
    )


def _same(a, b, where=""):
    """Equal structure and words, numbers within the course's tolerance (another machine's rounding)."""
    if isinstance(a, dict) and isinstance(b, dict) and ("array" in a or "ints" in a):
        assert close(decode(a), decode(b)), where
    elif isinstance(a, dict) and isinstance(b, dict):
        assert a.keys() == b.keys(), where
        for k in a:
            _same(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, list) and isinstance(b, list):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _same(x, y, f"{where}[{i}]")
    elif isinstance(a, float) or isinstance(b, float):
        assert close(a, b), where
    else:
        assert a == b, where


@pytest.mark.parametrize("which", [0, 1], ids=["visible exercises.json", "hidden answer_key/hidden_cases.json"])
def test_the_recorded_cases_are_what_the_instructors_solutions_give(which):
    built = cases.build(NOTEBOOKS)[which]
    committed = json.loads((exercises.CASES_FILE if which == 0 else HIDDEN_CASES).read_text())
    _same(built, committed, "cases")


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
