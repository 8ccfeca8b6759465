"""The instructor's record, ``notebooks/my_functions.py``, written from the notebooks' solution cells (nbdev-style).

It is what a student's self-checks write as their exercises pass, written here at once for every exercise of the
instructor's notebooks: the course's reference solutions, with the notebooks as their one source. ``make refresh``
writes it and a test fails when it drifts from the notebooks. It never reaches a student: the editions copy
notebooks and data only, and a graded course keeps it in its instructor-only ``grading/`` folder.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

from .. import yours
from ..conventions import BEGIN
from ..search import SEARCHED
from . import grading


def solution_cells(notebooks: list[Path]) -> list[tuple[str, str, str]]:
    """``(exercise, notebook stem, cell source)`` of every exercise of the series with recorded cases, in teaching
    order (the model-selection search, judged by retraining, has none: :data:`fashion_helpers.search.SEARCHED`)."""
    found = []
    for path in notebooks:
        for index, cell in enumerate(nbformat.read(str(path), as_version=4).cells):
            if cell.cell_type == "code" and BEGIN in cell.source:
                for function, _ in grading.exercises(cell.source, f"{path.name}, cell {index}"):
                    if function not in SEARCHED:
                        found.append((function, path.stem, cell.source))
    return found


def export_text(notebooks: list[Path]) -> str:
    """The text of the instructor's record for ``notebooks``."""
    cells = solution_cells(notebooks)
    order = [name for name, _, _ in cells]
    sections = {}
    for name, notebook, source in cells:
        text = yours.section(source, name, notebook, order)
        yours.check_section(text, name, order)
        sections[name] = text
    return yours.compose(sections, order)


def write_record(notebooks: list[Path], path: Path | None = None) -> bool:
    """Write the instructor's record beside the notebooks (or at ``path``); returns whether it changed."""
    path = Path(path or notebooks[0].parent / yours.RECORD_NAME)
    text = export_text(notebooks)
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True
