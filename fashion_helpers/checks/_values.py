"""Values as JSON: how a case's inputs and outputs are written down, read back and compared.

The same encoding carries the recorded cases (``exercises.json``), the hidden cases a grader holds, and the
outputs an isolated grading process sends back; :func:`close` is the one comparison every check makes.
"""

from __future__ import annotations

import math

import numpy as np

#: The tolerance of every comparison: loose enough for another CPU's rounding, tight enough for any real mistake.
RTOL, ATOL = 1e-7, 1e-10
_NON_FINITE = {"inf": math.inf, "-inf": -math.inf, "nan": math.nan}


#: Significant digits a recorded float keeps: far beyond the tolerance of a comparison, and a third shorter.
DIGITS = 12


def _number(x):
    if isinstance(x, float):
        if not math.isfinite(x):
            return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")
        return float(f"{x:.{DIGITS}g}")
    return x


def _nested(values):
    return [_nested(v) for v in values] if isinstance(values, list) else _number(values)


def _unnested(values):
    if isinstance(values, list):
        return [_unnested(v) for v in values]
    return _NON_FINITE.get(values, values) if isinstance(values, str) else values


def encode(value):
    """A JSON-able form of ``value``: numbers, strings, None, arrays, tuples, lists, dicts and seeded Generators."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.ndarray):
        grid = _grid(value)
        if grid:
            return {
                "ints": np.rint(value * grid).astype(np.int64).tolist(),
                "divide": grid,
                "dtype": str(value.dtype),
                "shape": list(value.shape),
            }
        return {"array": _nested(value.tolist()), "dtype": str(value.dtype), "shape": list(value.shape)}
    if isinstance(value, np.generic):
        return encode(value.item())
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return _number(value) if math.isfinite(value) else {"float": _number(value)}
    if isinstance(value, tuple):
        return {"tuple": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {"dict": [[encode(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, Seeded):
        return {"rng": value.seed}
    return {"unreadable": type(value).__name__}


def _grid(array: np.ndarray) -> int | None:
    """The smallest power of two (up to 1024) that makes every value of a float array a whole number: arrays of
    pixels on a grid are written as integers (a third of the text)."""
    if array.dtype.kind != "f" or array.size < 16 or not np.all(np.isfinite(array)) or np.abs(array).max() > 1e6:
        return None
    for power in range(11):
        scaled = array * 2**power
        if np.array_equal(scaled, np.rint(scaled)):
            return 2**power
    return None


def decode(value):
    """The value :func:`encode` wrote (a ``{"rng": seed}`` becomes a fresh ``np.random.default_rng(seed)``)."""
    if isinstance(value, list):
        return [decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "array" in value:
        array = np.array(_unnested(value["array"]), dtype=value["dtype"])
        return array.reshape(value["shape"])
    if "ints" in value:
        array = np.array(value["ints"], dtype=np.float64) / value["divide"]
        return array.astype(value["dtype"]).reshape(value["shape"])
    if "float" in value:
        return _NON_FINITE[value["float"]]
    if "tuple" in value:
        return tuple(decode(v) for v in value["tuple"])
    if "dict" in value:
        return {decode(k): decode(v) for k, v in value["dict"]}
    if "rng" in value:
        return np.random.default_rng(value["rng"])
    return Unreadable(value.get("unreadable", "?"))


class Seeded:
    """A case's Generator argument, written down as its seed (decoded into a fresh Generator for every call)."""

    def __init__(self, seed: int):
        self.seed = seed

    def __repr__(self):
        return f"np.random.default_rng({self.seed})"


class Unreadable:
    """Something a function returned that has no JSON form (a function, a module, ...): never equal to anything."""

    def __init__(self, kind: str):
        self.kind = kind

    def __repr__(self):
        return f"<{self.kind}>"


def is_number(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def as_array(value):
    """``value`` as a numeric array when it is an array or a number, else None."""
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        return value.astype(np.float64)
    if is_number(value) or isinstance(value, (bool, np.bool_)):
        return np.asarray(float(value))
    return None


def close(got, expected) -> bool:
    """Whether ``got`` equals ``expected`` within the course's tolerance, part by part (arrays, numbers, strings,
    None, tuples and lists alike, dicts key by key)."""
    if isinstance(expected, (tuple, list)):
        return (
            isinstance(got, (tuple, list))
            and len(got) == len(expected)
            and all(close(g, e) for g, e in zip(got, expected, strict=True))
        )
    if isinstance(expected, dict):
        return isinstance(got, dict) and set(got) == set(expected) and all(close(got[k], expected[k]) for k in expected)
    if isinstance(expected, np.ndarray) or is_number(expected):
        if isinstance(expected, np.ndarray) and not isinstance(got, np.ndarray):
            return False
        if is_number(expected) and isinstance(got, (bool, np.bool_)):
            return False
        g, e = as_array(got), as_array(expected)
        return (
            g is not None
            and e is not None
            and g.shape == e.shape
            and bool(np.all(np.isfinite(g) == np.isfinite(e)))
            and bool(np.allclose(g, e, rtol=RTOL, atol=ATOL, equal_nan=True))
        )
    if isinstance(expected, (bool, np.bool_)):
        return isinstance(got, (bool, np.bool_)) and bool(got) == bool(expected)
    return type(got) is type(expected) and got == expected


# --------------------------------------------------------------------------- fingerprints of catalogued mistakes

_SKETCH_ROWS = 6


def _projection(size: int) -> np.ndarray:
    """Fixed random directions for arrays of ``size`` numbers (the same on every machine: a seeded PCG64)."""
    return np.random.default_rng([2026, size]).standard_normal((_SKETCH_ROWS, size))


def sketch(value):
    """A short fingerprint of an output: every array of more than 6 numbers becomes its projections on 6 fixed
    random directions (with the scale to compare them at); everything else stays as it is. Two outputs that
    differ anywhere differ in their fingerprints (with probability 1)."""
    if (
        isinstance(value, np.ndarray)
        and value.dtype.kind in "biuf"
        and value.size > _SKETCH_ROWS
        and np.all(np.isfinite(value))
    ):
        flat = value.astype(np.float64).ravel()
        P = _projection(flat.size)
        return {
            "sketch": [_number(x) for x in (P @ flat).tolist()],
            "scale": _number(float((np.abs(P) @ np.abs(flat)).max())),
            "shape": list(value.shape),
        }
    if isinstance(value, tuple):
        return {"tuple": [sketch(v) for v in value]}
    if isinstance(value, list):
        return [sketch(v) for v in value]
    if isinstance(value, dict):
        return {"dict": [[encode(k), sketch(v)] for k, v in value.items()]}
    return encode(value)


def matches(got, fingerprint) -> bool:
    """Whether ``got`` is the output a :func:`sketch` was taken of (within the course's tolerance)."""
    if isinstance(fingerprint, dict) and "sketch" in fingerprint:
        if not isinstance(got, np.ndarray) or list(got.shape) != fingerprint["shape"] or got.dtype.kind not in "biuf":
            return False
        flat = got.astype(np.float64).ravel()
        if not np.all(np.isfinite(flat)):
            return False
        difference = np.abs(_projection(flat.size) @ flat - np.array(fingerprint["sketch"]))
        return bool(np.all(difference <= RTOL * fingerprint["scale"] + ATOL))
    if isinstance(fingerprint, dict) and "tuple" in fingerprint:
        parts = fingerprint["tuple"]
        return (
            isinstance(got, (tuple, list))
            and len(got) == len(parts)
            and all(matches(g, f) for g, f in zip(got, parts, strict=True))
        )
    if isinstance(fingerprint, list):
        return (
            isinstance(got, (tuple, list))
            and len(got) == len(fingerprint)
            and all(matches(g, f) for g, f in zip(got, fingerprint, strict=True))
        )
    if isinstance(fingerprint, dict) and "dict" in fingerprint:
        parts = {decode(k): f for k, f in fingerprint["dict"]}
        return isinstance(got, dict) and set(got) == set(parts) and all(matches(got[k], parts[k]) for k in parts)
    return close(got, decode(fingerprint))
