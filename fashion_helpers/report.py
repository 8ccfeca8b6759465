"""A notebook's headline numbers: the last cell of each notebook, tagged ``metrics``, prints them with :func:`headline`.

One ``name: value`` line each, the value in JSON and rounded as the notebook prints it, so a reader sees the
numbers and the runner (``fashion_helpers.tools``) can collect them from the executed notebook.
"""

from __future__ import annotations

import json
import numbers

#: The tag of the cell whose output holds the headline numbers.
METRICS_TAG = "metrics"


def _plain(value):
    """A JSON-ready, rounded copy of a metric: floats to 4 decimals, numpy scalars to Python numbers."""
    if isinstance(value, bool):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return round(float(value), 4)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return str(value)


def headline(**metrics) -> None:
    """Print a notebook's headline numbers, one ``name: value`` line each (value in JSON).

    Call it in the notebook's last cell, tagged ``metrics``: the runner collects these lines into
    ``metrics.json`` and the run's summary.
    """
    for name, value in metrics.items():
        print(f"{name}: {json.dumps(_plain(value))}")


def parse_headline(text: str) -> dict:
    """The metrics printed by :func:`headline`, read back from its output text."""
    metrics = {}
    for line in text.splitlines():
        name, sep, value = line.partition(": ")
        if sep:
            metrics[name.strip()] = json.loads(value)
    return metrics
