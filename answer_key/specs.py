"""What an exercise's cases are made of, and all of them in teaching order (:data:`SPECS`).

A :class:`Spec` names an exercise's visible cases (shipped with the course, inputs and the reference's outputs),
its hidden cases (run by the grader only) and its catalogued mistakes: plausible wrong versions, each with what to
tell the student, whose outputs on every case are recorded so that a self-check can recognise them without any
code that computes an answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from fashion_helpers.checks._values import Seeded

from . import reference


@dataclass(frozen=True)
class Call:
    args: tuple
    kwargs: dict = field(default_factory=dict)


def call(*args, **kwargs) -> Call:
    return Call(args, kwargs)


@dataclass(frozen=True)
class Case:
    """One case: ``about`` completes "... (on <about>)" in messages."""

    about: str
    calls: tuple[Call, ...]
    quantities: dict = field(default_factory=dict)  # named numbers for "m = 6 times too large" messages
    same_as: tuple[int, str] | None = None  # (case, argument): this case differs from that one in the argument only
    printed: bool = False  # the number of lines printed is part of the answer
    exact: bool = True  # False: no outputs recorded; the exercise's check judges properties
    tag: str = ""  # lets an exercise's check single the case out


@dataclass(frozen=True)
class Spec:
    name: str
    passed: str  # what a PASS line says
    outputs: tuple[str, ...]  # names of the parts of the result
    visible: tuple[Case, ...]
    hidden: tuple[Case, ...]
    mistakes: tuple[tuple[str, Callable], ...] = ()
    order: tuple[str, ...] = ()  # the parts in the order they are computed, when it is not the order returned


def rng(seed: int) -> Seeded:
    """A Generator argument, recorded as its seed."""
    return Seeded(seed)


def network(seed: int = 7, input_size: int = 8, hidden: int = 5, m: int = 6, labels=None, coarse: bool = False):
    """Small deterministic inputs: X (input_size, m) in [0, 1), labels Y (m,), parameters drawn by the reference.

    coarse: pixels on a grid of eighths, so the recorded numbers stay short.
    """
    R = reference()
    gen = np.random.default_rng(seed)
    X = gen.random((input_size, m))
    if coarse:
        X = np.round(X * 8) / 8
    Y = np.array(labels) if labels is not None else gen.integers(0, 10, m)
    return X, Y, R.init_params(gen, input_size, hidden, 10)


def _all() -> dict[str, Spec]:
    from . import cases_backward, cases_forward, cases_improving, cases_selection, cases_training

    found = {}
    for module in (cases_forward, cases_backward, cases_training, cases_improving, cases_selection):
        for spec in module.specs():
            found[spec.name] = spec
    return found


SPECS: dict[str, Spec] = _all()
