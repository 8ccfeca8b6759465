"""Running the notebook series with papermill: parameters, metrics, summaries, refreshing committed outputs.

A notebook reports its headline numbers from its last cell, tagged ``metrics``, with :func:`headline`;
the runner reads them back from the executed notebook.
"""

from __future__ import annotations

import json
import numbers
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
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


def headline(**metrics) -> dict:
    """Print a notebook's headline numbers, one ``name: value`` line each (value in JSON); returns them.

    Call it in the notebook's last cell, tagged ``metrics``: the runner collects these lines into
    ``metrics.json`` and the run's summary.
    """
    clean = {name: _plain(value) for name, value in metrics.items()}
    for name, value in clean.items():
        print(f"{name}: {json.dumps(value)}")
    return clean


def read_metrics(notebook) -> dict:
    """The headline numbers printed by the cell tagged ``metrics`` of an executed notebook (path or node)."""
    import nbformat

    nb = nbformat.read(str(notebook), as_version=4) if isinstance(notebook, (str, Path)) else notebook
    metrics = {}
    for cell in nb.cells:
        if cell.cell_type != "code" or METRICS_TAG not in cell.get("metadata", {}).get("tags", []):
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stdout":
                for line in output.get("text", "").splitlines():
                    name, sep, value = line.partition(": ")
                    if sep:
                        metrics[name.strip()] = json.loads(value)
    return metrics
