"""The one exception type the course raises for bad input, and the argument checks that raise it."""

import numbers

import numpy as np


class CourseInputError(ValueError):
    """Bad input, caught before any work starts.

    The message is one line: what is wrong, then how to fix it. It subclasses ValueError so
    ordinary ``except ValueError`` code still catches it.
    """


def require_number(name: str, value, *, minimum: float, inclusive: bool, whole: bool = False) -> None:
    """Raise a one-line CourseInputError unless ``value`` is a finite (whole) number above ``minimum``."""
    kind = "a whole number" if whole else "a number"
    ok_type = isinstance(value, numbers.Integral if whole else numbers.Real) and not isinstance(value, bool)
    if not ok_type or not np.isfinite(value):
        raise CourseInputError(f"{name} must be {kind}, got {value!r}")
    if value < minimum or (value == minimum and not inclusive):
        bound = f">= {minimum:g}" if inclusive else f"> {minimum:g}"
        raise CourseInputError(f"{name} must be {bound}, got {value!r}")


def require_generator(rng) -> None:
    """Raise a one-line CourseInputError unless ``rng`` is a numpy Generator."""
    if not isinstance(rng, np.random.Generator):
        raise CourseInputError(
            f"rng must be a numpy Generator, got {type(rng).__name__}: create one with np.random.default_rng(seed)."
        )
