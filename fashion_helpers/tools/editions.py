"""Editions of the series: the student edition (nbgrader's own release: solutions stubbed, outputs cleared)
and a read-only HTML edition.

Solutions sit between nbgrader's markers::

    ### BEGIN SOLUTION
    return np.maximum(0, Z)
    ### END SOLUTION

In the student edition the lines between the markers become one ``raise NotImplementedError(...)`` at the same
indentation (the markers stay, so students see where to write); see :mod:`.grading`.
"""

from __future__ import annotations

import html
import shutil
import tempfile
from pathlib import Path

from ..errors import CourseInputError
from . import grading


def write_student_edition(notebooks: list[Path], out: Path, data_dir: Path | None = None) -> list[Path]:
    """Write the student edition into ``out/notebooks/``, with a copy of the course data in ``out/data/``.

    nbgrader's ``generate_assignment`` makes it, so it is exactly what an instructor releases with nbgrader.
    The layout mirrors the repository's, so the notebooks find their data (``data.course_file``) as they do
    there. Returns the notebooks written.
    """
    data_dir = data_dir or notebooks[0].parent.parent / "data"
    if not data_dir.is_dir():
        raise CourseInputError(f"no data folder at {data_dir}: the student edition copies the course data from "
                               "the data/ folder beside the notebooks' folder")
    with tempfile.TemporaryDirectory(prefix="nbgrader-") as work:
        return grading.release(notebooks, data_dir, out, Path(work))


def _title(nb, fallback: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return fallback


def write_html_edition(notebooks: list[Path], out: Path,
                       note: str = "The notebooks in teaching order, with the outputs of their last refresh.") -> list[Path]:
    """Render executed notebooks to HTML pages with an ``index.html`` in teaching order; ``note`` heads the list."""
    import nbformat
    from nbconvert import HTMLExporter

    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    exporter = HTMLExporter()
    entries, written = [], []
    for path in notebooks:
        nb = nbformat.read(str(path), as_version=4)
        body, _ = exporter.from_notebook_node(nb)
        target = out / f"{path.stem}.html"
        target.write_text(body, encoding="utf-8")
        written.append(target)
        entries.append((target.name, _title(nb, path.stem)))
    items = "\n".join(f'    <li><a href="{html.escape(name)}">{html.escape(title)}</a></li>' for name, title in entries)
    index = out / "index.html"
    index.write_text(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">"
        "<title>A neural network from scratch: Fashion-MNIST</title>\n"
        "<style>body{font-family:sans-serif;max-width:46em;margin:3em auto;line-height:1.5}</style></head>\n"
        "<body>\n  <h1>A neural network from scratch in NumPy, on Fashion-MNIST</h1>\n"
        f"  <p>{html.escape(note)}</p>\n"
        f"  <ol>\n{items}\n  </ol>\n</body>\n</html>\n",
        encoding="utf-8",
    )
    return [index, *written]
