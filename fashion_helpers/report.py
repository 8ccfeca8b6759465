"""A notebook's headline numbers: the last cell of each notebook, tagged ``metrics``, prints them with :func:`headline`.

One ``name: value`` line each, the value in JSON and rounded as the notebooks print such numbers, so the line a
reader sees matches the one printed above it (83.06, not 83.0625) and the runner (``fashion_helpers.tools``) can
collect them from the executed notebook:

- percentages and percentage points (a name with ``accuracy``/``accuracies``, ``gap``, ``gain`` or ``percent``):
  2 decimals, written out (83.06, 72.50);
- losses (a name with ``loss``): 4 decimals, written out (0.4900);
- any other float: 4 significant digits (a lambda of 0.003 stays 0.003).
"""

from __future__ import annotations

import json
import numbers

import numpy as np

#: Name fragments of percentages (printed with 2 decimals) and of losses (4 decimals).
PERCENT_WORDS = ("accurac", "gap", "gain", "percent")
LOSS_WORDS = ("loss",)


def _json(name: str, value) -> str:
    """The JSON text of a metric, floats written with the notebooks' decimals (0.4900, not 0.49)."""
    if isinstance(value, (bool, np.bool_)):
        return json.dumps(bool(value))
    if isinstance(value, numbers.Integral):
        return json.dumps(int(value))
    if isinstance(value, numbers.Real):
        value = float(value)
        if not np.isfinite(value):
            return json.dumps(str(value))
        if any(word in name for word in PERCENT_WORDS):
            return f"{value:.2f}"
        if any(word in name for word in LOSS_WORDS):
            return f"{value:.4f}"
        return json.dumps(float(f"{value:.4g}"))
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_json(name, v) for v in value) + "]"
    return json.dumps(str(value))


def headline(**metrics) -> None:
    """Print a notebook's headline numbers, one ``name: value`` line each (value in JSON).

    Call it in the notebook's last cell, tagged ``metrics``: the runner collects these lines into
    ``metrics.json`` and the run's summary.
    """
    for name, value in metrics.items():
        print(f"{name}: {_json(name, value)}")


def parse_headline(text: str) -> dict:
    """The metrics printed by :func:`headline`, read back from its output text."""
    metrics = {}
    for line in text.splitlines():
        name, sep, value = line.partition(": ")
        if sep:
            metrics[name.strip()] = json.loads(value)
    return metrics
