"""A notebook's headline numbers: the last cell of each notebook, tagged ``metrics``, prints them with :func:`headline`.

One ``name: value`` line each, the value in JSON and rounded as the notebooks print such numbers, so the line a
reader sees matches the one printed above it (83.06, not 83.0625) and the runner (``fashion_helpers.tools``) can
collect them from the executed notebook. A number's kind is declared where it is reported, never guessed from
its name:

- :func:`as_percent`: percentages and percentage points, 2 decimals written out (83.06, 72.50);
- :func:`as_loss`: losses, 4 decimals written out (0.4900);
- any other float: 4 significant digits (a lambda of 0.003 stays 0.003); whole numbers, flags and text as they are.
"""

from __future__ import annotations

import json
import numbers

import numpy as np


class Percent(float):
    """A percentage (or percentage points): printed with 2 decimals."""

    decimals = 2


class Loss(float):
    """A loss: printed with 4 decimals."""

    decimals = 4


def _declared(kind, value):
    if value is None:
        return None  # a number the notebook could not compute (kept as null)
    if isinstance(value, (list, tuple)):
        return [_declared(kind, v) for v in value]
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"as_{kind.__name__.lower()}() takes a number or a list of numbers, got {value!r}")
    return kind(value)


def as_percent(value):
    """``value`` (a number, or a list of them) declared a percentage: :func:`headline` prints 2 decimals."""
    return _declared(Percent, value)


def as_loss(value):
    """``value`` (a number, or a list of them) declared a loss: :func:`headline` prints 4 decimals."""
    return _declared(Loss, value)


def _json(value) -> str:
    """The JSON text of a metric, floats written with their kind's decimals (0.4900, not 0.49)."""
    if isinstance(value, (bool, np.bool_)):
        return json.dumps(bool(value))
    if isinstance(value, numbers.Integral):
        return json.dumps(int(value))
    if isinstance(value, numbers.Real):
        if not np.isfinite(float(value)):
            return json.dumps(str(float(value)))
        if isinstance(value, (Percent, Loss)):
            return f"{float(value):.{value.decimals}f}"
        return json.dumps(float(f"{float(value):.4g}"))
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_json(v) for v in value) + "]"
    if value is None:
        return "null"
    return json.dumps(str(value))


def headline(**metrics) -> None:
    """Print a notebook's headline numbers, one ``name: value`` line each (value in JSON).

    Call it in the notebook's last cell, tagged ``metrics``, with each percentage wrapped in :func:`as_percent` and
    each loss in :func:`as_loss`: the runner collects these lines into ``metrics.json`` and the run's summary.
    """
    for name, value in metrics.items():
        print(f"{name}: {_json(value)}")


def parse_headline(text: str) -> dict:
    """The metrics printed by :func:`headline`, read back from its output text."""
    metrics = {}
    for line in text.splitlines():
        name, sep, value = line.partition(": ")
        if sep:
            metrics[name.strip()] = json.loads(value)
    return metrics
