"""The course's exercises in teaching order: the notebook of each, the earlier exercises it calls, and the cases
its self-check runs.

Everything here is read from ``exercises.json`` beside this module, which ``make refresh`` writes from the
instructor's solutions (``fashion-course cases``): each case's inputs, the outputs the instructor's solution gives
for them, and the outputs of catalogued mistakes with what to say about each. The file holds numbers and words,
never code: nothing a student can import from the course computes an exercise's answer.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

#: The visible cases: shipped with the course, run by every self-check.
CASES_FILE = Path(__file__).with_name("exercises.json")
#: Where a grader's kernel finds the hidden cases (never shipped to students; see fashion_helpers.tools.grading).
HIDDEN_CASES_VARIABLE = "FASHION_HIDDEN_CASES"


@dataclass(frozen=True)
class Exercise:
    """One exercise: a function the student writes in ``notebook``."""

    name: str
    notebook: str
    params: tuple[str, ...]  # its parameters' names, in order
    needs: tuple[str, ...]  # earlier exercises the instructor's solution calls
    outputs: tuple[str, ...]  # names of the parts of its result, for messages ("dW1", "db1", ...)
    order: tuple[str, ...]  # the parts in the order they are computed (empty: as returned)
    passed: str  # what a PASS line says the function does
    cases: tuple[dict, ...]  # the visible cases


@cache
def _read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def catalogue(path: Path | None = None) -> dict[str, Exercise]:
    """Every exercise by name, in teaching order, with its visible cases."""
    data = _read(Path(path or CASES_FILE))
    return {
        e["name"]: Exercise(
            e["name"],
            e["notebook"],
            tuple(e["params"]),
            tuple(e["needs"]),
            tuple(e["outputs"]),
            tuple(e.get("order", ())),
            e["passed"],
            tuple(e["cases"]),
        )
        for e in data["exercises"]
    }


def exercise(name: str) -> Exercise:
    """The exercise ``name``; a one-line KeyError names the known ones."""
    known = catalogue()
    if name not in known:
        raise KeyError(f"{name!r} is not an exercise of the course; the exercises are {', '.join(known)}")
    return known[name]


def names() -> list[str]:
    """Every exercise's name, in teaching order."""
    return list(catalogue())


def hidden_cases(name: str) -> tuple[dict, ...] | None:
    """The hidden cases of ``name`` when this process is a grader's (``FASHION_HIDDEN_CASES`` names their file),
    else None."""
    path = os.environ.get(HIDDEN_CASES_VARIABLE)
    if not path:
        return None
    data = _read(Path(path))
    return tuple(data["cases"].get(name, ()))
