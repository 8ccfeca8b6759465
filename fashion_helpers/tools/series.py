"""The series on disk: its notebooks in teaching order, the parameters each declares, the headline numbers an
executed one printed, and what ``make refresh`` writes into them and the README from the parameters' one source.

The notebooks are found in a folder the caller names (the command line's ``--notebooks``, by default
``notebooks/`` under the working directory), never through this package's own location. What their tags and
markers mean is :mod:`fashion_helpers.conventions`.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from ..conventions import METRICS_TAG, NOTEBOOK_GLOB, PARAMETERS_TAG, tags
from ..errors import CourseInputError
from ..report import parse_headline
from .parameters import cell_source, table

#: Where the series is looked for, relative to the working directory, unless the caller says otherwise.
DEFAULT_NOTEBOOK_DIR = Path("notebooks")


def list_notebooks(selection=None, directory: Path | None = None) -> list[Path]:
    """The series in ``directory`` (default ``./notebooks``) in teaching order, or the ones selected by number
    (``"05"``) or stem (``"05_gradient_descent"``)."""
    directory = Path(directory) if directory is not None else DEFAULT_NOTEBOOK_DIR
    everything = sorted(directory.glob(NOTEBOOK_GLOB))
    if not everything:
        raise CourseInputError(
            f"no notebooks NN_*.ipynb in {directory}/: run from the repository root, "
            "or name the folder with --notebooks DIR"
        )
    if not selection:
        return everything
    chosen = []
    for item in selection:
        key = Path(str(item)).stem
        found = [p for p in everything if p.stem == key or p.stem.split("_", 1)[0] == key.zfill(2)]
        if not found:
            names = ", ".join(p.stem for p in everything)
            raise CourseInputError(f"no notebook {item!r} in {directory.name}/; choose from: {names}")
        chosen.extend(p for p in found if p not in chosen)
    return chosen


def declared_parameters(notebook: Path) -> dict:
    """Names and default values of the cell tagged ``parameters`` (papermill's own inspection)."""
    import ast

    import papermill

    declared = {}
    for name, info in papermill.inspect_notebook(str(notebook)).items():
        try:  # papermill reports the default as source text
            declared[name] = ast.literal_eval(info["default"])
        except (ValueError, SyntaxError):
            declared[name] = info["default"]
    return declared


def declarations(notebooks: list[Path]) -> dict[Path, dict]:
    """Each notebook's declared parameters, inspected once for the whole run."""
    return {nb: declared_parameters(nb) for nb in notebooks}


def read_metrics(notebook) -> dict:
    """The headline numbers printed by the cell tagged ``metrics`` of an executed notebook (path or node)."""
    import nbformat

    nb = nbformat.read(str(notebook), as_version=4) if isinstance(notebook, (str, Path)) else notebook
    metrics = {}
    for cell in nb.cells:
        if cell.cell_type != "code" or METRICS_TAG not in tags(cell):
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stdout":
                metrics.update(parse_headline(output.get("text", "")))
    return metrics


# --------------------------------------------------------------------------- what make refresh writes from SPEC

#: The README's generated parameter table sits between these two lines.
README_TABLE = re.compile(r"(<!-- parameters: [^\n]*-->\n)(.*?)(<!-- parameters: end -->)", re.S)


def parameter_table(notebooks: list[Path]) -> str:
    """The markdown table of every parameter (:func:`.parameters.table`), with the notebooks declaring each."""
    users: dict[str, list[str]] = {}
    for notebook, declared in declarations(notebooks).items():
        for name in declared:
            users.setdefault(name, []).append(notebook.stem[:2])
    return table(users)


def write_parameter_cells(notebooks: list[Path]) -> list[Path]:
    """Rewrite each notebook's parameters cell from ``SPEC`` (the names it assigns, in its order: read as Python,
    not through papermill, which skips a line it cannot parse); returns the notebooks changed. Only that cell's
    source changes: it has no outputs."""
    import nbformat

    changed = []
    for path in notebooks:
        nb = nbformat.read(str(path), as_version=4)
        (cell,) = [c for c in nb.cells if PARAMETERS_TAG in tags(c)]
        names = [node.targets[0].id for node in ast.parse(cell.source).body if isinstance(node, ast.Assign)]
        wanted = cell_source(names)
        if cell.source != wanted:
            cell.source = wanted
            nbformat.write(nb, str(path))
            changed.append(path)
    return changed


def write_readme_table(readme: Path, notebooks: list[Path]) -> bool:
    """Write the parameter table into ``readme`` between its markers; returns whether it changed. A README
    without the markers is refused: the table has nowhere to go."""
    text = readme.read_text(encoding="utf-8")
    if not README_TABLE.search(text):
        raise CourseInputError(
            f"{readme} has no parameter table markers: put '<!-- parameters: ... -->' and "
            "'<!-- parameters: end -->' lines where the table goes"
        )
    new = README_TABLE.sub(lambda m: m.group(1) + parameter_table(notebooks) + m.group(3), text, count=1)
    if new != text:
        readme.write_text(new, encoding="utf-8")
    return new != text
