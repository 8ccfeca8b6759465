"""What can be said of a wrong result from the result itself: its type, shape, sign, scale, a term that is off, a
step too long or too short, which parts are right, where a history starts to go wrong. No reference code is
involved: each diagnosis compares what the student's function returned with the recorded expected output and the
case's inputs.

:func:`diagnose` returns ``(message, generic)``; ``generic`` is True only for the last resort, "differs at ...",
which names neither a cause nor a place.
"""

from __future__ import annotations

import numpy as np

from ._values import ATOL, RTOL, Unreadable, as_array, close, is_number

#: Constant factors worth a word of their own (when the case does not name a quantity with that value).
_FACTORS = {
    2.0: "twice too large",
    0.5: "half the expected value",
    10.0: "ten times too large",
    0.1: "ten times too small",
    -1.0: "the wrong sign",
}
#: ... and for a percentage (a case whose quantities hold "percent").
_PERCENT = {
    100.0: "a percentage where a fraction belongs",
    0.01: "a fraction where the course reports a percentage: multiply by 100",
}
#: Element-wise functions a result may have gone through by mistake.
_TRANSFORMS = {
    "the exponential": np.exp,
    "the square": np.square,
    "the logarithm": np.log,
    "the square root": np.sqrt,
    "the absolute value": np.abs,
    "one minus": lambda e: 1 - e,
    "the reciprocal": lambda e: 1 / e,
}


def _what(value) -> str:
    if isinstance(value, Unreadable):
        return repr(value)
    return "None" if value is None else type(value).__name__


def _is_array_like(value) -> bool:
    return isinstance(value, np.ndarray) or is_number(value)


def _proportional(a: np.ndarray, b: np.ndarray) -> float | None:
    """k when a == k * b everywhere (b not all zero), else None."""
    if a.shape != b.shape or not np.any(np.abs(b) > 1e-12):
        return None
    k = float(np.sum(a * b) / np.sum(b * b))
    if np.isfinite(k) and abs(k) > 1e-9 and np.allclose(a, k * b, rtol=1e-6, atol=1e-9):
        return k
    return None


def _quantity(factor: float, quantities: dict) -> str | None:
    """Words for a factor that equals a quantity of the case (m, the batch size, ...) or its inverse or square."""
    for name, value in quantities.items():
        if not value:
            continue
        if np.isclose(factor, value):
            return f"{name} = {value:g} times too large: did you forget to divide by {name}?"
        if np.isclose(factor, 1 / value):
            return f"{name} = {value:g} times too small: is {name} divided in twice?"
        if np.isclose(factor, value**2):
            return f"{name} squared times too large: multiplied by {name} where it divides?"
        if np.isclose(factor, 1 / value**2):
            return f"{name} squared times too small: divided by {name} twice, or by {name} squared?"
    return None


def _factor_words(factor: float, quantities: dict) -> str | None:
    """Words for a result that is ``factor`` times the expected one; None when the factor means nothing special
    (a single number is always some multiple of another: only a factor with a meaning says something)."""
    named = {k: v for k, v in quantities.items() if k != "percent"}
    known = {**_FACTORS, **(_PERCENT if quantities.get("percent") else {})}
    words = _quantity(factor, named) or next((w for f, w in known.items() if np.isclose(factor, f)), None)
    if words is None and not any(np.isclose(factor, n) or np.isclose(factor, 1 / n) for n in range(2, 21)):
        return None
    return f"{factor:.4g} times the expected value" + (f": {words}" if words else "")


def _where(diff: np.ndarray) -> str | None:
    """Which rows or columns of a 2-D result differ, when it is some of them only."""
    if diff.ndim != 2 or diff.all():
        return None
    rows = np.flatnonzero(diff.any(axis=1))
    cols = np.flatnonzero(diff.any(axis=0))
    if 0 < cols.size < diff.shape[1] and diff[:, cols].all():
        return f"only column(s) {', '.join(map(str, cols))} differ (the others are right)"
    if 0 < rows.size < diff.shape[0] and diff[rows].all():
        return f"only row(s) {', '.join(map(str, rows))} differ (the others are right)"
    return None


def _by_sign(got: np.ndarray, expected: np.ndarray, differs: np.ndarray) -> str | None:
    """Right exactly where the expected values are positive (or negative, or zero), wrong elsewhere."""
    for where, words in ((expected > 0, "positive"), (expected < 0, "negative")):
        if where.any() and (~where).any():
            if not differs[where].any() and differs[~where].all():
                return f"it is right where the expected values are {words} and wrong everywhere else"
            if differs[where].all() and not differs[~where].any():
                return f"it is wrong exactly where the expected values are {words} (and right elsewhere)"
    return None


def _numbers(name, got, expected, inputs, quantities, reveal, raw_got, raw_expected) -> tuple[str, bool]:
    """Why an array (or a number) ``got`` is not ``expected``."""
    if got.shape != expected.shape:
        if got.ndim == 2 and got.shape == expected.shape[::-1]:
            return f"{name} has shape {got.shape}, expected {expected.shape}: rows and columns are swapped", False
        if got.ndim == 0 and expected.ndim > 0:
            return (
                f"{name} is one number, expected shape {expected.shape}: did you sum or average over every "
                "axis? Keep one axis"
            ), False
        if expected.ndim == 2 and expected.shape[1] == 1 and got.shape == (expected.shape[0],):
            return f"{name} has shape {got.shape}, expected {expected.shape}: keep the summed axis (keepdims)", False
        if expected.ndim == 0 and got.ndim > 0:
            return f"{name} has shape {got.shape}, expected one number: average (or sum) it to a single value", False
        return f"{name} has shape {got.shape}, expected {expected.shape}", False
    if not np.all(np.isfinite(got)) and np.all(np.isfinite(expected)):
        return f"{name} contains NaN or inf where every expected value is finite (an overflow, or 0 / 0?)", False
    if (
        isinstance(raw_expected, np.ndarray)
        and raw_expected.dtype.kind in "iu"
        and isinstance(raw_got, np.ndarray)
        and raw_got.dtype.kind == "f"
        and np.allclose(got, expected)
    ):
        return f"{name} holds floats where whole numbers (class labels) are expected", False
    if expected.size and np.allclose(got, 0) and not np.allclose(expected, 0):
        return f"{name} is all zeros", False
    for arg, value in inputs.items():
        if isinstance(value, np.ndarray) and value.shape == got.shape and np.allclose(got, value, rtol=RTOL, atol=ATOL):
            return f"{name} is the argument {arg}, returned unchanged", False
    factor = _proportional(got, expected)
    if factor is not None and (expected.size > 1 or _factor_words(factor, quantities)):
        words = _factor_words(factor, quantities) or f"{factor:.4g} times the expected value"
        return f"{name} is {words}", False
    for total in (100.0, 1.0):
        if np.allclose(got, total - expected, rtol=RTOL, atol=ATOL) and not np.allclose(expected, total / 2):
            return (
                f"{name} is {total:g} minus the expected value: the complement (an error rate where the "
                "accuracy belongs?)"
            ), False
    change = _change(name, got, expected, inputs, quantities)
    if change:
        return change, False
    off = _off_by_input(name, got, expected, inputs)
    if off:
        return off, False
    offset = got - expected
    if expected.size > 1 and np.allclose(offset, offset.flat[0], rtol=1e-6, atol=1e-9) and abs(offset.flat[0]) > ATOL:
        return f"{name} is off by the same amount everywhere ({offset.flat[0]:+.4g}): a constant term is wrong", False
    with np.errstate(all="ignore"):
        for words, transform in _TRANSFORMS.items():
            seen = transform(expected)
            if np.all(np.isfinite(seen)) and np.allclose(got, seen, rtol=RTOL, atol=ATOL):
                return f"{name} is {words} of the expected value", False
    differs = ~np.isclose(got, expected, rtol=RTOL, atol=ATOL)
    if expected.size > 1 and np.array_equal(np.sort(got.ravel()), np.sort(expected.ravel())):
        return f"{name} holds the right values in the wrong places", False
    located = _where(differs) or (_by_sign(got, expected, differs) if expected.size > 1 else None)
    if located:
        return f"{name}: {located}", False
    scale = np.abs(expected).max() if expected.size else 0
    if scale and np.all(np.abs(got - expected) <= 1e-2 * scale):
        return (
            f"{name} is close to the expected values but not equal (within 1% of their size): a small "
            "constant or term is off (an epsilon, a beta, a forgotten correction?)"
        ), False
    if expected.ndim == 0:
        shown = f" (got {float(got):.6g}, expected {float(expected):.6g})" if reveal else ""
        return f"{name} is not the expected value{shown}", True
    worst = np.unravel_index(np.argmax(np.abs(got - expected)), expected.shape)
    shown = (
        f", e.g. at index {tuple(int(i) for i in worst)}: got {got[worst]:.6g}, expected {expected[worst]:.6g}"
        if reveal
        else ""
    )
    return f"{name} differs from the expected values{shown}", True


def _change(name, got, expected, inputs, quantities) -> str | None:
    """For a result that updates an input (same shape): its step against the expected step."""
    for arg, value in inputs.items():
        if not isinstance(value, np.ndarray) or value.shape != got.shape or value.dtype.kind != "f":
            continue
        step, wanted = got - value, expected - value
        if not np.any(np.abs(wanted) > 1e-12) or np.allclose(wanted, expected):
            continue
        k = _proportional(step, wanted)
        if k is not None:
            if np.isclose(k, -1):
                return f"{name} moved from the {arg} passed in by the expected step, but the wrong way"
            words = (_factor_words(k, quantities) or f"{k:.4g} times the expected value").replace("value", "step")
            return f"{name} moved from the {arg} passed in by {words}"
        for other, direction in inputs.items():
            if (
                other != arg
                and isinstance(direction, np.ndarray)
                and direction.shape == got.shape
                and _proportional(step, direction) is not None
            ):
                return (
                    f"{name} moved from the {arg} passed in by a multiple of {other}, not by the expected "
                    "step (a term of the update is left out or is the wrong one)"
                )
    return None


def _off_by_input(name, got, expected, inputs) -> str | None:
    """A difference proportional to an input (or its square): a term with that input has the wrong factor."""
    difference = got - expected
    for arg, value in inputs.items():
        if not isinstance(value, np.ndarray) or value.shape != got.shape or value.dtype.kind != "f":
            continue
        for form, shown in ((value, arg), (value**2, f"{arg} squared")):
            k = _proportional(difference, form)
            if k is not None:
                return f"{name} is off by {k:+.4g} times {shown}: a term with {arg} has the wrong factor or sign"
    return None


def _series(name, got: list, expected: list, iterations) -> str | None:
    """A recorded series (one value per record): where it starts to go wrong."""
    if len(got) != len(expected):
        return None
    wrong = [i for i, (g, e) in enumerate(zip(got, expected, strict=True)) if not close(g, e)]
    if not wrong:
        return None
    first = wrong[0]
    at = f" (iteration {iterations[first]})" if iterations is not None and first < len(iterations) else ""
    if first == 0:
        return (
            f"{name} is wrong from its first record on{at}, before any update: what is recorded is not computed "
            "as expected"
        )
    return (
        f"{name} is right for its first {first} record(s), then wrong from record {first}{at}: what is recorded "
        "is right, the updates between records are not"
    )


def diagnose_value(name: str, got, expected, *, inputs: dict, quantities: dict, reveal: bool) -> tuple[str, bool]:
    """One part of a result (an array, a number, a string, a list): why ``got`` is not ``expected``."""
    if got is None:
        return f"{name} is None: did you forget a return statement?", False
    if isinstance(expected, np.ndarray) and isinstance(got, (list, tuple)):
        return f"{name} is a {type(got).__name__}, expected a numpy array: build it with numpy operations", False
    if _is_array_like(expected) and not _is_array_like(got):
        kind = "a numpy array" if isinstance(expected, np.ndarray) else "a number"
        return f"{name} is {_what(got)}, expected {kind}", False
    if _is_array_like(expected):
        return _numbers(name, as_array(got), as_array(expected), inputs, quantities, reveal, got, expected)
    if isinstance(expected, (list, tuple)) and isinstance(got, (list, tuple)):
        if len(got) != len(expected):
            return f"{name} has {len(got)} items, expected {len(expected)}", False
        if sorted(map(repr, got)) == sorted(map(repr, expected)):
            return f"{name} has the right items in the wrong order", False
        for i, (g, e) in enumerate(zip(got, expected, strict=True)):
            if not close(g, e):
                return diagnose_value(f"{name}[{i}]", g, e, inputs=inputs, quantities=quantities, reveal=reveal)
    if type(got) is not type(expected) and not (is_number(got) and is_number(expected)):
        return f"{name} is {_what(got)}, expected {_what(expected)}", False
    shown = f": got {got!r}, expected {expected!r}" if reveal else ""
    return f"{name} is not the expected value{shown}", True


def _history(name, got: dict, expected: dict, inputs, quantities, reveal) -> tuple[str, bool]:
    if not isinstance(got, dict):
        return f"{name} is {_what(got)}, expected a dict", False
    missing = [k for k in expected if k not in got]
    if missing:
        return f"{name} has no {', '.join(map(repr, missing))}", False
    extra = [k for k in got if k not in expected]
    if extra:
        return f"{name} has keys the course does not use: {', '.join(map(repr, extra))}", False
    iterations = expected.get("iteration")
    for key, e in expected.items():
        g = got[key]
        if close(g, e):
            continue
        label = f"{name}[{key!r}]"
        if isinstance(e, list) and isinstance(g, list):
            if len(g) != len(e):
                return f"{label} has {len(g)} records, expected {len(e)}", False
            if all(isinstance(x, int) for x in e) and reveal:
                return f"{label} is {g}, expected {e}", False
            series = _series(label, g, e, iterations)
            if series:
                return series, False
        return diagnose_value(label, g, e, inputs=inputs, quantities=quantities, reveal=reveal)
    return f"{name} differs", True


_PARAMS = ("W1", "b1", "W2", "b2")


def labels(name: str, value) -> list[str]:
    """Names for the items of a tuple part: a network's four arrays by their names, Adam's state as m, v, t."""
    if isinstance(value, tuple) and len(value) == 4 and all(isinstance(v, np.ndarray) for v in value):
        return [f"{name} ({p})" for p in _PARAMS]
    if isinstance(value, tuple) and len(value) == 3 and all(isinstance(v, tuple) for v in value[:2]):
        return [f"{name} {part}" for part in ("m", "v", "t")]
    return [f"{name}[{i}]" for i in range(len(value))]


def _part(name, got, expected, inputs, quantities, reveal):
    if isinstance(expected, dict):
        return _history(name, got, expected, inputs, quantities, reveal)
    if isinstance(expected, tuple) and isinstance(got, (tuple, list)) and len(got) == len(expected):
        return _parts(name, labels(name, expected), got, expected, inputs, quantities, reveal, inputs)
    return diagnose_value(name, got, expected, inputs=inputs, quantities=quantities, reveal=reveal)


def flatten(inputs: dict) -> dict:
    """The inputs with tuples spread out under the names :func:`labels` gives ("params (W1)", "state m (W1)"), so
    a part of a result can be compared with the input it updates."""
    spread = {}
    for name, value in inputs.items():
        if isinstance(value, tuple):
            for label, item in zip(labels(name, value), value, strict=True):
                spread.update(flatten({label: item}) if isinstance(item, tuple) else {label: item})
        else:
            spread[name] = value
    return spread


def _parts(label, names, got, expected, inputs, quantities, reveal, _unused=None, order=None):
    """A tuple result: the first wrong part (in the order it is computed), and which parts are right."""
    rights = [close(g, e) for g, e in zip(got, expected, strict=True)]
    order = [names.index(n) for n in order] if order else range(len(names))
    first = next(i for i in order if not rights[i])
    message, generic = _part(names[first], got[first], expected[first], inputs, quantities, reveal)
    right = [names[i] for i in range(len(names)) if rights[i]]
    if generic and right:
        wrong = [names[i] for i in range(len(names)) if not rights[i]]
        verb = "is" if len(wrong) == 1 else "are"
        return (
            f"{', '.join(wrong)} {verb} wrong while {', '.join(right)} {'is' if len(right) == 1 else 'are'} "
            f"right: look at what computes {' and '.join(wrong)} alone"
        ), False
    return message, generic


def diagnose(
    label: str, parts: tuple[str, ...], got, expected, *, inputs: dict, quantities: dict, reveal: bool, order=None
) -> tuple[str, bool]:
    """Why the result ``got`` of a call is not ``expected``; ``parts`` names the items of a tuple result and
    ``order`` lists them in the order they are computed (the first wrong one is the one to look at)."""
    if isinstance(expected, tuple) and len(parts) == len(expected) > 1:
        if not isinstance(got, (tuple, list)):
            return f"{label} returns {_what(got)}, expected {len(parts)} things: {', '.join(parts)}", False
        if len(got) != len(expected):
            return f"{label} returns {len(got)} things, expected {len(parts)}: {', '.join(parts)}", False
        swapped = [
            (i, j)
            for i in range(len(parts))
            for j in range(i + 1, len(parts))
            if close(got[i], expected[j]) and close(got[j], expected[i]) and not close(got[i], expected[i])
        ]
        if swapped:
            i, j = swapped[0]
            return f"{parts[i]} and {parts[j]} are swapped", False
        return _parts(label, list(parts), got, expected, flatten(inputs), quantities, reveal, None, order)
    name = parts[0] if len(parts) == 1 else label
    if isinstance(expected, tuple) and isinstance(got, (tuple, list)) and len(got) == len(expected):
        return _parts(name, labels(name, expected), got, expected, flatten(inputs), quantities, reveal)
    return _part(name, got, expected, flatten(inputs), quantities, reveal)
