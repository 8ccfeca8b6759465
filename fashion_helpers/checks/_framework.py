"""How a self-check works: run the student's function on an exercise's recorded cases, judge what came back, say
so in one line, and hand back the function the rest of the notebook should use.

The judging (:func:`judge`) looks only at what the function returned for each call, against the outputs the
instructor's solution gave and the outputs of catalogued mistakes, all recorded in ``exercises.json``; the
exercise's own check module may add what only it can say (:class:`Hooks`). The isolated grader
(``fashion_helpers.tools.verify``) runs the calls in another process and judges their outputs with the same
:func:`judge`, so a notebook's check and the grade say the same thing.
"""

from __future__ import annotations

import builtins
import copy
import io
import os
import sys
from collections.abc import Callable
from contextlib import redirect_stdout
from dataclasses import dataclass, field

import numpy as np

from .. import exercises, yours
from ..errors import CourseInputError
from ._diagnose import diagnose
from ._values import close, decode, matches

#: Set by nbgrader while it autogrades: an open exercise's line goes to stderr there, which costs the test cell its
#: points while the rest of the notebook runs.
NBGRADER = "NBGRADER_EXECUTION"


class CheckFailed(AssertionError):
    """A self-check found a mistake; the message says which. ``generic``: the message names no cause."""

    def __init__(self, message: str, generic: bool = False):
        super().__init__(message)
        self.generic = generic


@dataclass
class Outcome:
    """What one call of the student's function did."""

    returned: object = None
    raised: tuple[str, str] | None = None  # (exception type, message)
    changed: list[str] = field(default_factory=list)  # arguments it changed in place
    printed: str = ""


@dataclass(frozen=True)
class Hooks:
    """What an exercise's check adds to the recorded cases: each takes (case, outcomes) and returns a message or
    None. ``before`` runs before the comparison with the expected outputs, ``after`` once it failed and no
    catalogued mistake matched; ``raised`` words an exception of one call (case, outcome)."""

    before: Callable | None = None
    after: Callable | None = None
    raised: Callable | None = None


NO_HOOKS = Hooks()


# --------------------------------------------------------------------------- running


def arguments(exercise: exercises.Exercise, call: dict) -> tuple[list, dict]:
    """The decoded positional and keyword arguments of one recorded call."""
    return [decode(a) for a in call["args"]], {k: decode(v) for k, v in call.get("kwargs", {}).items()}


def named_inputs(exercise: exercises.Exercise, case: dict, index: int = 0) -> dict:
    """The arguments of a case's call by parameter name (for messages)."""
    args, kwargs = arguments(exercise, case["calls"][index])
    # a call may leave trailing parameters to their defaults: fewer args than params
    return {**dict(zip(exercise.params, args, strict=False)), **kwargs}


class _Watch:
    """Notices a call of the course's working copy of the exercise itself (a solution that delegates)."""

    def __init__(self, name: str, enabled: bool = True):
        path = yours.working_copies_path() if enabled else None
        self.target = (str(path), name) if path is not None else None
        self.seen = False

    def __call__(self, frame, event, arg):
        if event == "call" and (frame.f_code.co_filename, frame.f_code.co_name) == self.target:
            self.seen = True

    def __enter__(self):
        if self.target:
            self._previous = sys.getprofile()
            sys.setprofile(self)
        return self

    def __exit__(self, *exc):
        if self.target:
            sys.setprofile(self._previous)


def _data(value) -> bool:
    """Whether an argument is data a function must leave as it is (a Generator is meant to advance)."""
    return not isinstance(value, np.random.Generator)


def run_case(fn, exercise: exercises.Exercise, case: dict, watch: bool = True) -> list[Outcome]:
    """Call ``fn`` on each call of the case; NotImplementedError (an open exercise) propagates."""
    outcomes = []
    for call in case["calls"]:
        args, kwargs = arguments(exercise, call)
        before = copy.deepcopy((args, kwargs))
        outcome, printed = Outcome(), io.StringIO()
        with _Watch(exercise.name, enabled=watch) as seen:
            try:
                with redirect_stdout(printed):
                    outcome.returned = fn(*args, **kwargs)
            except NotImplementedError:
                raise
            except Exception as error:  # the student's function failed: judged below, with its message
                outcome.raised = (type(error).__name__, str(error).splitlines()[0] if str(error) else "")
        if seen.seen:
            outcome.raised = (
                "Delegation",
                f"it calls the course's working copy of {exercise.name} instead of computing the result itself",
            )
        outcome.printed = printed.getvalue()
        names = exercise.params
        for i, (old, new) in enumerate(zip(before[0], args, strict=True)):
            if _data(old) and not close(new, old):
                outcome.changed.append(names[i] if i < len(names) else f"argument {i + 1}")
        outcome.changed += [k for k in kwargs if _data(before[1][k]) and not close(kwargs[k], before[1][k])]
        outcomes.append(outcome)
    return outcomes


# --------------------------------------------------------------------------- judging


def _ask(hook, *args) -> str | None:
    """A hook's words, or None; a hook that trips over a strange result says nothing (the comparison goes on)."""
    if hook is None:
        return None
    try:
        return hook(*args)
    except Exception:
        return None


#: What a hidden case says of an exception the course's own code raises (the message itself stays unsaid).
_HIDDEN_KINDS = {
    "Delegation": "it called the course's copy of the exercise itself",
    "NotWrittenYet": "it called an exercise that is not written yet",
    "GradingSandbox": "it tried something the grading sandbox refuses",
}


def _raised_message(exercise, case, outcome, hooks, reveal: bool = True) -> str:
    kind, message = outcome.raised
    if not reveal:  # a hidden case: an exception's words could carry its inputs out, so only its kind is told
        known = isinstance(getattr(builtins, kind, None), type)  # the name of a class of its own could carry them too
        return _HIDDEN_KINDS.get(kind, f"it raised {kind}" if known else "it raised an exception of its own")
    words = _ask(hooks.raised, case, outcome)
    if words:
        return words
    if kind in _HIDDEN_KINDS:
        return message
    return f"it raised {kind}: {message}" if message else f"it raised {kind}"


def _sibling(case: dict, outcomes, others) -> str | None:
    """What a case that differs from another in one argument only says: a function that gives the same for both
    ignores that argument; one that is right for the other case is wrong in the part that argument enters."""
    if others is None:
        return None
    here = next((i for i, o in enumerate(others) if o is outcomes), None)
    pairs = []
    if case.get("same_as"):
        pairs.append((case["same_as"], case["same_as"]["case"], True))
    pairs += [(c["same_as"], i, False) for i, c in enumerate(others.cases) if c.get("same_as", {}).get("case") == here]
    for relation, index, this_is_the_variant in pairs:
        mine = others[index]
        if mine is None:
            continue
        argument, was, now = relation["argument"], relation["was"], relation["now"]
        if not this_is_the_variant:
            was, now = now, was
        if all(o.raised is None for o in mine) and all(
            close(a.returned, b.returned) for a, b in zip(outcomes, mine, strict=True)
        ):
            return (
                f"it gives the same result for {argument} = {now} as for {argument} = {was}: it ignores its "
                f"argument {argument} (a value written into the code?)"
            )
        if this_is_the_variant and others.passed[index]:
            return (
                f"it is right for {argument} = {was} and wrong for {argument} = {now}: the part of the result "
                f"that {argument} enters is off"
            )
    return None


class _Outcomes(list):
    """The outcomes of every case of an exercise, in order, with each case and whether it passed."""

    def __init__(self, cases, outcomes):
        super().__init__(outcomes)
        self.cases, self.passed = list(cases), [None] * len(outcomes)


def judge_case(
    exercise: exercises.Exercise,
    case: dict,
    outcomes: list[Outcome],
    hooks: Hooks = NO_HOOKS,
    reveal: bool = True,
    earlier: list | None = None,
) -> tuple[str, bool] | None:
    """None when the outcomes are right, else ``(message, generic)``."""
    for outcome in outcomes:
        if outcome.raised:
            return _raised_message(exercise, case, outcome, hooks, reveal), False
        if outcome.changed:
            return (
                f"it changed its argument {', '.join(outcome.changed)} in place: leave the caller's arrays "
                "as they are (work on copies, or build new arrays)"
            ), False
    words = _ask(hooks.before, case, outcomes)
    if words:
        return words, False
    if case["expected"] is None:  # a case of properties only: the exercise's hooks judged it
        return None
    expected = [decode(e) for e in case["expected"]]
    printed = case.get("printed")
    right = all(close(o.returned, e) for o, e in zip(outcomes, expected, strict=True))
    if right and printed is not None:
        for o, lines in zip(outcomes, printed, strict=True):
            if len(o.printed.splitlines()) != lines:
                return (
                    f"it printed {len(o.printed.splitlines())} lines on {case['about']}, expected {lines} (one "
                    "per record when print_every is given, none when it is None)"
                ), False
    if right:
        return None
    for mistake in case.get("mistakes", []):
        if all(matches(o.returned, r) for o, r in zip(outcomes, mistake["returned"], strict=True)):
            return mistake["message"], False
    sibling = _sibling(case, outcomes, earlier)
    if sibling:
        return sibling, False
    words = _ask(hooks.after, case, outcomes)
    if words:
        return words, False
    for index, (outcome, e) in enumerate(zip(outcomes, expected, strict=True)):
        if not close(outcome.returned, e):
            message, generic = diagnose(
                exercise.name,
                exercise.outputs,
                outcome.returned,
                e,
                inputs=named_inputs(exercise, case, index),
                quantities=case.get("quantities", {}),
                reveal=reveal,
                order=exercise.order,
            )
            return f"{message} ({case['about']})", generic
    return None


def judge(
    exercise: exercises.Exercise, cases, outcomes, hooks: Hooks = NO_HOOKS, hidden: bool = False
) -> tuple[str, bool] | None:
    """The first failing case's ``(message, generic)``, or None when every case is right. ``outcomes``: one list
    per case (None for a case that was not run)."""
    every = _Outcomes(cases, outcomes)
    for index, (case, case_outcomes) in enumerate(zip(cases, outcomes, strict=True)):
        every.passed[index] = judge_case(exercise, case, case_outcomes, hooks, reveal=not hidden) is None
    for case, case_outcomes, passed in zip(cases, outcomes, every.passed, strict=True):
        if passed:
            continue
        message, generic = judge_case(exercise, case, case_outcomes, hooks, reveal=not hidden, earlier=every)
        return (f"on a case kept hidden, {message}" if hidden else message), generic
    return None


# --------------------------------------------------------------------------- the self-check a notebook calls


def _to_grader(message: str) -> None:
    print(message, file=sys.stderr if os.environ.get(NBGRADER) else sys.stdout)


def _not_yet(name: str):
    stand_in = yours.stand_in(name)
    if os.environ.get(NBGRADER):
        _to_grader(f"NOT YET  {name}: not implemented yet (it still raises NotImplementedError); no points.")
    elif yours.origin(stand_in) == "course":
        print(f"NOT YET  {name}: not written yet; until it passes, the notebook uses the course's working copy.")
    else:
        print(f"NOT YET  {name}: not written yet; a later cell that calls it stops until it passes.")
    return stand_in


def self_check(fn, name: str, hooks: Hooks = NO_HOOKS, hidden: bool = False):
    """Check ``fn`` as exercise ``name`` on its recorded cases; see the package's docstring for what it returns."""
    exercise = exercises.exercise(name)
    if hidden:
        return _hidden_check(fn, exercise, hooks)
    if getattr(fn, "stands_in_for_an_open_exercise", False):
        return _not_yet(name)
    try:
        outcomes = [run_case(fn, exercise, case) for case in exercise.cases]
    except NotImplementedError:
        return _not_yet(name)
    found = judge(exercise, exercise.cases, outcomes, hooks)
    try:
        recorded = False if found else yours.record(fn, name)
    except CourseInputError as error:
        found = (str(error), False)
    if found:
        if os.environ.get(NBGRADER):
            # under nbgrader: one line on stderr costs the test cell its points, and shows no traceback, whose
            # context lines would show the test cell's hidden tests in the feedback
            _to_grader(f"FAIL  {name}: {found[0]}")
            return fn
        raise CheckFailed(f"{name}: {found[0]}", generic=found[1])
    print(f"PASS  {name}: {exercise.passed}" + (f" (recorded in {yours.RECORD_NAME})" if recorded else ""))
    return fn


def _hidden_check(fn, exercise: exercises.Exercise, hooks: Hooks) -> None:
    """The hidden cases, under a grader only: silent when they pass, one line on stderr when they do not (so the
    test cell loses its points without a traceback that would show the hidden test)."""
    cases = exercises.hidden_cases(exercise.name)
    if cases is None:
        if os.environ.get(NBGRADER):
            print(
                f"{exercise.name}: the hidden cases are missing in this kernel (grade with fashion-course "
                "autograde, which provides them); no points.",
                file=sys.stderr,
            )
        return None
    if getattr(fn, "stands_in_for_an_open_exercise", False):
        print(f"NOT YET  {exercise.name}: not implemented yet; no points.", file=sys.stderr)
        return None
    try:
        outcomes = [run_case(fn, exercise, case) for case in cases]
    except NotImplementedError:
        print(f"NOT YET  {exercise.name}: not implemented yet; no points.", file=sys.stderr)
        return None
    found = judge(exercise, cases, outcomes, hooks, hidden=True)
    if found:
        print(f"FAIL  {exercise.name}: {found[0]}", file=sys.stderr)
    return None
