"""Every check on its own exercise: the instructor's solution and a differently written one pass the visible and
the hidden cases; each catalogued mistake fails, and where its outputs are recorded, with its own words."""

import contextlib
import io

import numpy as np
import pytest

from answer_key import submissions
from answer_key.specs import SPECS
from fashion_helpers import checks, exercises
from fashion_helpers.checks import HOOKS, _framework
from fashion_helpers.tools import export, series
from fashion_helpers.tools.autograde_check import fill_in

from ..conftest import NOTEBOOK_DIR

CELLS = {name: source for name, _, source in export.solution_cells(series.list_notebooks(directory=NOTEBOOK_DIR))}
NAMES = exercises.names()


def verdict(fn, name):
    """The first failing finding over the visible, then the hidden cases (None: passes everything)."""
    exercise = exercises.exercise(name)
    for cases, hidden in ((exercise.cases, False), (exercises.hidden_cases(name), True)):
        with np.errstate(all="ignore"), contextlib.redirect_stdout(io.StringIO()):
            outcomes = [_framework.run_case(fn, exercise, case, watch=False) for case in cases]
        found = _framework.judge(exercise, cases, outcomes, HOOKS.get(name, _framework.NO_HOOKS), hidden=hidden)
        if found:
            return found
    return None


@pytest.mark.parametrize("name", NAMES)
def test_the_instructors_solution_passes_its_check_in_one_line(name, reference, hidden_cases, capsys):
    fn = getattr(reference, name)
    assert verdict(fn, name) is None
    assert getattr(checks, f"check_{name}")(fn) is fn
    assert capsys.readouterr().out == f"PASS  {name}: {exercises.exercise(name).passed}\n"


@pytest.mark.parametrize("name", NAMES)
def test_a_solution_written_differently_passes_too(name, reference, hidden_cases):
    namespace = dict(vars(reference))
    exec(compile(fill_in(CELLS[name], submissions.ALTERNATIVES[name]), "<alternative>", "exec"), namespace)
    assert namespace[name] is not getattr(reference, name)
    assert verdict(namespace[name], name) is None


MISTAKES = [(name, message, mutant) for name in NAMES for message, mutant in SPECS[name].mistakes]


@pytest.mark.parametrize("name, message, mutant", MISTAKES, ids=[f"{n}: {m[:40]}" for n, m, _ in MISTAKES])
def test_each_catalogued_mistake_is_caught_and_named(name, message, mutant, hidden_cases):
    found = verdict(mutant, name)
    assert found is not None, "the mistake passes every case"
    recorded = any(message == m["message"] for case in exercises.exercise(name).cases for m in case.get("mistakes", []))
    if recorded:
        assert found[0] == message


def test_a_loop_that_takes_each_image_as_a_flat_vector_is_told_to_keep_it_a_column(hidden_cases):
    def forward_prop_loop(W1, b1, W2, b2, X):
        m = X.shape[1]
        Z1, A1 = np.zeros((W1.shape[0], m)), np.zeros((W1.shape[0], m))
        Z2, A2 = np.zeros((W2.shape[0], m)), np.zeros((W2.shape[0], m))
        for j in range(m):
            Z1[:, j] = W1 @ X[:, j] + b1  # (hidden,) + (hidden, 1) broadcasts to (hidden, hidden)
        return Z1, A1, Z2, A2

    message, generic = verdict(forward_prop_loop, "forward_prop_loop")
    assert "keep image j two-dimensional, shape (n, 1)" in message and not generic
