"""The instructor's side of the exercises; it is never installed, released or handed to a student.

- the reference solutions are the instructor's notebooks themselves, exported to ``notebooks/my_functions.py``
  (:func:`reference` loads them);
- :mod:`.specs` gathers, per exercise, its visible cases (written into the course's ``exercises.json`` with the
  reference's outputs), its hidden cases (given to the grader only) and the catalogued mistakes whose outputs the
  self-checks recognise and name;
- :mod:`.submissions` holds the hand-ins of the grading round trip: solutions written differently from the
  instructor's, and the attempts at points without the work.

The course's tooling (``fashion-course cases``, the graded course directory, the round trip) imports it from the
repository; a student's environment has no copy of it.
"""

from __future__ import annotations

import functools
import types
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO / "notebooks" / "my_functions.py"


@functools.cache
def reference() -> types.ModuleType:
    """The instructor's solutions, as a module (loaded from ``notebooks/my_functions.py``)."""
    module = types.ModuleType("reference")
    module.__file__ = str(REFERENCE)
    exec(compile(REFERENCE.read_text(encoding="utf-8"), str(REFERENCE), "exec"), module.__dict__)
    return module
