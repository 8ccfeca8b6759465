"""The course's errors, by meaning, and the one argument check behind every "must be a number" message.

- :class:`CourseInputError`: bad input, caught before any work starts (the command line exits with 2).
- :class:`RunFailed`: the input was fine but a notebook run (or a sweep point) failed (exit status 1).
"""

import numbers

import numpy as np


class CourseInputError(ValueError):
    """Bad input, caught before any work starts.

    The message is one line: what is wrong, then how to fix it. It subclasses ValueError so
    ordinary ``except ValueError`` code still catches it.
    """


class RunFailed(RuntimeError):
    """A notebook run or a sweep point failed; the message names it and where its output is."""


def require_number(
    name: str,
    value,
    *,
    whole: bool = False,
    minimum: float | None = None,
    maximum: float | None = None,
    strict: bool = False,
    fix: str = "",
) -> None:
    """Raise a one-line CourseInputError unless ``value`` is a finite number (``whole``: an integer) within bounds.

    minimum, maximum: the bounds, included unless ``strict`` (then excluded).
    fix: appended to the message after a colon, to say how to put it right.
    """
    kind = "a whole number" if whole else "a number"
    ok_type = isinstance(value, numbers.Integral if whole else numbers.Real) and not isinstance(value, bool)
    if not ok_type or not np.isfinite(value):
        raise CourseInputError(f"{name} must be {kind}, got {value!r}")
    below = minimum is not None and (value < minimum or (strict and value == minimum))
    above = maximum is not None and (value > maximum or (strict and value == maximum))
    if below or above:
        bounds = [
            f"{'>' if strict else '>='} {minimum:g}" if minimum is not None else "",
            f"{'<' if strict else '<='} {maximum:g}" if maximum is not None else "",
        ]
        message = f"{name} must be {' and '.join(b for b in bounds if b)}, got {value!r}"
        raise CourseInputError(f"{message}: {fix}" if fix else message)


def require_generator(rng) -> None:
    """Raise a one-line CourseInputError unless ``rng`` is a numpy Generator."""
    if not isinstance(rng, np.random.Generator):
        raise CourseInputError(
            f"rng must be a numpy Generator, got {type(rng).__name__}: create one with np.random.default_rng(seed)."
        )
