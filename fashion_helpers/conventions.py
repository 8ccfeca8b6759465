"""The notebooks' conventions, named once: what a cell's tags, markers and first words mean to the tooling.

The course modules, the tooling (runner, grading, editions), the tests and the browser tests all read these names
from here, so a convention changes in one place.

- A notebook of the series is ``NN_topic.ipynb`` (:data:`NOTEBOOK_GLOB`), in teaching order by its number.
- Exactly one code cell is tagged ``parameters`` (papermill's tag): the values an instructor may change. papermill
  writes a run's values into a cell tagged ``injected-parameters`` after it.
- The last cell is tagged ``metrics``: it prints the headline numbers (:func:`fashion_helpers.report.headline`).
- An exercise is a code cell holding :data:`BEGIN` ... :data:`END` (nbgrader's solution markers); in a graded
  course its self-check cell gets a hidden-test region between :data:`HIDDEN_BEGIN` and :data:`HIDDEN_END`.
- An inline question is a markdown cell starting ``**Question N.**`` (:data:`QUESTION`); the cell after it, tagged
  ``answer``, holds the instructor's answer.
- A code cell tagged ``locked`` is read-only in a graded course (nbgrader restores it before grading).
- A code cell tagged ``expected-output`` is quoted, as printed in the instructor's run, in the student edition.
"""

from __future__ import annotations

import re

NOTEBOOK_GLOB = "[0-9][0-9]_*.ipynb"

PARAMETERS_TAG = "parameters"
INJECTED_TAG = "injected-parameters"
METRICS_TAG = "metrics"
ANSWER_TAG = "answer"
EXPECTED_TAG = "expected-output"
LOCKED_TAG = "locked"

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
HIDDEN_BEGIN = "### BEGIN HIDDEN TESTS"
HIDDEN_END = "### END HIDDEN TESTS"
#: The solution region of a cell: its indentation (group 1) and the lines between the markers (group 2).
SOLUTION_BLOCK = re.compile(rf"^([ \t]*){re.escape(BEGIN)}[ \t]*\n(.*?)^[ \t]*{re.escape(END)}[ \t]*$", re.M | re.S)
#: An inline question's first words; group 1 is its number.
QUESTION = re.compile(r"^\*\*Question (\d+)\.\*\*")


def tags(cell) -> list[str]:
    """A cell's tags (none when its metadata has no ``tags``)."""
    return cell.get("metadata", {}).get("tags", [])
