"""Editions of the series: the self-study edition (nbgrader's own release: solutions stubbed, outputs cleared,
the course's working copies beside the notebooks), a graded course directory (the release holds no working copy),
and a read-only HTML edition.

Solutions sit between nbgrader's markers::

    ### BEGIN SOLUTION
    return np.maximum(0, Z)
    ### END SOLUTION

In the student edition the lines between the markers become one ``raise NotImplementedError(...)`` at the same
indentation (the markers stay, so students see where to write); see :mod:`.grading`.

The HTML edition works offline: its pages load MathJax 2.7 from a copy beside them (``mathjax/``), taken from the
``jupyter-server-mathjax`` package (PyPI, pinned in requirements.txt), and no page loads anything from a CDN.
"""

from __future__ import annotations

import html
import shutil
import tempfile
from pathlib import Path

from .. import yours
from ..errors import CourseInputError
from . import grading


def _data_dir(notebooks: list[Path], data_dir: Path | None) -> Path:
    data_dir = data_dir or notebooks[0].parent.parent / "data"
    if not data_dir.is_dir():
        raise CourseInputError(
            f"no data folder at {data_dir}: an edition copies the course data from the data/ "
            "folder beside the notebooks' folder"
        )
    return data_dir


def _record(notebooks: list[Path]) -> Path:
    record = notebooks[0].parent / yours.RECORD_NAME
    if not record.is_file():
        raise CourseInputError(f"no {record}: run make refresh (fashion-course cases) to write the instructor's record")
    return record


def write_student_edition(notebooks: list[Path], out: Path, data_dir: Path | None = None) -> list[Path]:
    """Write the self-study edition into ``out/notebooks/``, with a copy of the course data in ``out/data/`` and
    the course's working copies (``course_functions.py``) beside the notebooks, for the exercises still open.

    nbgrader's ``generate_assignment`` makes it, so its notebooks are exactly what an instructor releases. The
    layout mirrors the repository's, so the notebooks find their data (``data.course_file``) as they do there.
    Returns the notebooks written.
    """
    data_dir = _data_dir(notebooks, data_dir)
    with tempfile.TemporaryDirectory(prefix="nbgrader-") as work:
        return grading.release(notebooks, data_dir, out, Path(work), _record(notebooks))


def write_graded_course(
    notebooks: list[Path],
    out: Path,
    *,
    per_notebook: bool = False,
    earlier_copies: bool = False,
    release: bool = False,
    data_dir: Path | None = None,
) -> list[Path]:
    """A graded nbgrader course directory at ``out`` (see :func:`grading.write_course`), released when asked;
    returns the assignments' source folders."""
    from . import cases

    try:
        import answer_key
    except ImportError:
        raise CourseInputError(
            "a graded course needs the hidden cases of the answer key: run this from the course repository's root"
        ) from None
    hidden = answer_key.REPO / cases.HIDDEN_FILE
    sources = grading.write_course(
        out,
        notebooks,
        _data_dir(notebooks, data_dir),
        key=(_record(notebooks), hidden),
        per_notebook=per_notebook,
        earlier_copies=earlier_copies,
    )
    if release:
        for source in sources:
            grading.nbgrader(out, "generate_assignment", source.name, "--force")
    return sources


def _title(nb, fallback: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return fallback


#: MathJax 2.7's combined TeX configuration as jupyter-server-mathjax ships it, then our own settings (below).
MATHJAX_CONFIG = "TeX-AMS-MML_HTMLorMML-full,Safe,local/course"
#: jupyter-server-mathjax ships only the STIX-Web fonts (no TeX fonts, no image fonts): say so, or MathJax looks
#: for the missing ones and warns on the page.
_MATHJAX_LOCAL_CONFIG = """\
MathJax.Hub.Config({"HTML-CSS": {availableFonts: [], preferredFont: null, webFont: "STIX-Web", imageFont: null}});
MathJax.Ajax.loadComplete("[MathJax]/config/local/course.js");
"""
# The lab template loads require.js from a CDN for widgets; these pages have none, and must not need the network.
_OFFLINE_TEMPLATE = """\
{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
"""


def local_mathjax() -> Path | None:
    """The folder of MathJax 2.7 that the ``jupyter-server-mathjax`` package ships, or None when it is missing."""
    import importlib.util

    spec = importlib.util.find_spec("jupyter_server_mathjax")
    if spec is None or not spec.origin:
        return None
    folder = Path(spec.origin).parent / "static"
    return folder if (folder / "MathJax.js").is_file() else None


def _bundle_mathjax(source: Path, out: Path) -> str:
    """Copy MathJax into ``out/mathjax`` with the course's font settings; returns the pages' (relative) URL."""
    shutil.copytree(source, out / "mathjax")
    (out / "mathjax" / "config" / "local").mkdir(parents=True, exist_ok=True)
    (out / "mathjax" / "config" / "local" / "course.js").write_text(_MATHJAX_LOCAL_CONFIG, encoding="utf-8")
    return f"mathjax/MathJax.js?config={MATHJAX_CONFIG}"


def write_html_edition(
    notebooks: list[Path],
    out: Path,
    note: str = "The notebooks in teaching order, with the outputs of their last refresh.",
    mathjax: Path | None = None,
) -> list[Path]:
    """Render executed notebooks to HTML pages with an ``index.html`` in teaching order; ``note`` heads the list.

    mathjax: a MathJax 2.7 folder to bundle into ``out/mathjax`` (default: :func:`local_mathjax`), so the formulas
    render offline; without one the pages fall back to MathJax's CDN.
    """
    import nbformat
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    exporter = HTMLExporter(
        extra_loaders=[DictLoader({"course_offline.html.j2": _OFFLINE_TEMPLATE})],
        template_file="course_offline.html.j2",
    )
    mathjax = mathjax or local_mathjax()
    if mathjax is not None:
        exporter.mathjax_url = _bundle_mathjax(mathjax, out)
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
        '<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8">'
        "<title>A neural network from scratch: Fashion-MNIST</title>\n"
        "<style>body{font-family:sans-serif;max-width:46em;margin:3em auto;line-height:1.5}</style></head>\n"
        "<body>\n  <h1>A neural network from scratch in NumPy, on Fashion-MNIST</h1>\n"
        f"  <p>{html.escape(note)}</p>\n"
        f"  <ol>\n{items}\n  </ol>\n</body>\n</html>\n",
        encoding="utf-8",
    )
    return [index, *written]
