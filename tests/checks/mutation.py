"""The mutation measurement behind tests/checks/test_mutation.py: every plausible mistake of :mod:`.mutants`,
judged by the exercise's self-check on its visible and hidden cases, as the grader judges a submission.

A mutant that passes every case is tried against the reference on perturbed inputs: if it agrees there too it is
equivalent (the same function written differently, like ``np.maximum(Z, 0)``) and left out of the count.
"""

from __future__ import annotations

import ast
import contextlib
import difflib
import io
import warnings

import numpy as np

import answer_key
from fashion_helpers import exercises
from fashion_helpers.checks import HOOKS, _framework
from fashion_helpers.checks._values import close
from fashion_helpers.tools import export, series

from ..conftest import NOTEBOOK_DIR
from .mutants import mutants, region


def hooks_of(name: str) -> _framework.Hooks:
    """The hooks an exercise's check adds (the same the isolated grader uses)."""
    return HOOKS.get(name, _framework.NO_HOOKS)


def _perturbed(value, gen):
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return value + gen.normal(0, 0.5 * (value.std() or 1.0), value.shape)
    if isinstance(value, float):
        return value * 1.37 + 0.11
    if isinstance(value, list) and value and all(isinstance(v, float) for v in value):
        return [v + float(gen.normal()) for v in value]
    if isinstance(value, int) and not isinstance(value, bool) and value > 1:
        return value + 3
    if isinstance(value, tuple):
        return tuple(_perturbed(v, gen) for v in value)
    if isinstance(value, np.random.Generator):
        return np.random.default_rng(int(gen.integers(1000)))
    return value


def _result(fn, args, kwargs):
    try:
        with np.errstate(all="ignore"), contextlib.redirect_stdout(io.StringIO()):
            return ("returned", fn(*args, **kwargs))
    except Exception as error:
        return ("raised", type(error).__name__)


def equivalent(mutant, reference, exercise, cases, tries: int = 4) -> bool:
    """Whether the mutant agrees with the reference on every case's inputs, perturbed ``tries`` times."""
    gen = np.random.default_rng(99)
    for case in cases:
        for call in case["calls"]:
            for attempt in range(tries):
                args, kwargs = _framework.arguments(exercise, call)
                if attempt:
                    args = [_perturbed(a, gen) for a in args]
                    kwargs = {k: _perturbed(v, gen) for k, v in kwargs.items()}
                state = np.random.get_state()
                mine = _result(mutant, *_fresh(args, kwargs))
                theirs = _result(reference, *_fresh(args, kwargs))
                np.random.set_state(state)
                if mine[0] != theirs[0] or (mine[0] == "returned" and not close(mine[1], theirs[1])):
                    return False
    return True


def _fresh(args, kwargs):
    """Copies of the arguments (a Generator re-seeded the same way), so both functions see the same inputs."""
    import copy

    return copy.deepcopy(args), copy.deepcopy(kwargs)


def verdict(fn, exercise, hidden, hooks):
    """The grader's finding for ``fn``: None when it passes every visible and hidden case."""
    for cases, is_hidden in ((exercise.cases, False), (hidden, True)):
        try:
            with np.errstate(all="ignore"), contextlib.redirect_stdout(io.StringIO()):
                outcomes = [_framework.run_case(fn, exercise, case, watch=False) for case in cases]
        except NotImplementedError:
            return ("not implemented", False)
        found = _framework.judge(exercise, cases, outcomes, hooks, hidden=is_hidden)
        if found:
            return found
    return None


def _compiled(only=()):
    """Every exercise's mutants, each run in the reference's namespace: ``(name, source, description, text,
    mutant)`` for each mutant that compiles and defines its function."""
    R = answer_key.reference()
    for name, _notebook, source in export.solution_cells(series.list_notebooks(directory=NOTEBOOK_DIR)):
        if only and name not in only:
            continue
        for description, text in mutants(source, name, region(source, name)):
            namespace = dict(vars(R))
            try:
                with contextlib.redirect_stdout(io.StringIO()):
                    exec(compile(text, "<mutant>", "exec"), namespace)
            except Exception:
                continue
            yield name, source, description, text, namespace[name]


def measure(only=()) -> dict:
    """Mutants per exercise: how many, how many equivalent, survived, and killed with a generic message."""
    warnings.simplefilter("ignore")
    R = answer_key.reference()
    by_exercise, survivors, generics = {}, [], []
    for name, _source, description, text, mutant in _compiled(only):
        exercise, hooks, hidden = exercises.exercise(name), hooks_of(name), exercises.hidden_cases(name)
        counts = by_exercise.setdefault(name, dict(mutants=0, equivalent=0, survived=0, generic=0))
        found = verdict(mutant, exercise, hidden, hooks)
        if found is None:
            if equivalent(mutant, getattr(R, name), exercise, list(exercise.cases) + list(hidden)):
                counts["equivalent"] += 1
                continue
            counts["survived"] += 1
            survivors.append((description, text))
        elif found[1]:
            counts["generic"] += 1
            generics.append((description, found[0]))
        counts["mutants"] += 1
    total = {key: sum(c[key] for c in by_exercise.values()) for key in ("mutants", "equivalent", "survived", "generic")}
    total["killed"] = total["mutants"] - total["survived"]
    return {"by_exercise": by_exercise, "total": total, "survivors": survivors, "generics": generics}


def messages(only=()) -> list[tuple[str, str, str]]:
    """``(mutant, changed line, message)`` for every killed mutant: to read what students would be told."""
    found = []
    for name, source, description, text, mutant in _compiled(only):
        result = verdict(mutant, exercises.exercise(name), exercises.hidden_cases(name), hooks_of(name))
        if result:
            original = ast.unparse(ast.parse(source)).splitlines()
            changed = [line.strip() for line in difflib.ndiff(original, text.splitlines()) if line.startswith("+ ")]
            found.append((description, changed[0][2:] if changed else "", result[0]))
    return found
