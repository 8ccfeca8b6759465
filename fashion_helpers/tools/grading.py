"""nbgrader, the tool instructors grade with: the notebooks' cell metadata, and a course directory to release and
grade the series with, as one assignment or one per notebook.

Each exercise cell (the one holding ``### BEGIN SOLUTION``) is a solution cell; the self-check cell after it
(``checks.check_<name>(<name>)``) is an autograded test cell worth :data:`POINTS`; markdown cells are locked.
:func:`mark_cells` derives all of it from the notebook's structure, so ``make refresh`` keeps it in step. Two more
kinds of cell come from the structure too:

- an inline question is a markdown cell starting ``**Question N.**``; the cell after it, tagged ``answer``, holds
  the instructor's answer: a manually graded answer cell, "YOUR ANSWER HERE" in the release;
- a code cell tagged ``locked`` is read-only, and nbgrader restores it from its gradebook before grading (notebook
  10's one look at the held-out set);
- a code cell tagged ``expected-output`` gets, in the assignment's source, a locked markdown cell after it quoting
  what it printed in the instructor's run (the release clears every output).

A graded course (:func:`write_course`) keeps the answer key out of what students receive: the release holds the
notebooks with their exercises stubbed and the data, nothing that implements an exercise. Its instructor-only
``grading/`` folder holds the course's working copies (the reference, for the grader's kernels: by grading time
the deadline has passed) and the hidden cases; each test cell gets a hidden-test region that runs them
(``checks.check_X(X, hidden=True)``), stripped from the release and from the feedback by nbgrader itself.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
from papermill.parameterize import parameterize_notebook

from .. import exercises as course_exercises
from .. import yours
from ..conventions import (
    ANSWER_TAG,
    BEGIN,
    END,
    EXPECTED_TAG,
    HIDDEN_BEGIN,
    HIDDEN_END,
    LOCKED_TAG,
    QUESTION,
    SOLUTION_BLOCK,
    tags,
)
from ..errors import CourseInputError, RunFailed
from ..search import SEARCHED

STUB = 'raise NotImplementedError("Exercise: write your solution here, then run the self-check below.")'
COURSE_ID = "fashion-course"
ASSIGNMENT = "fashion"
POINTS = 1
GRADING = "grading"  # the course directory's instructor-only folder
HIDDEN_CASES = "hidden_cases.json"
_CHECK_CALL = re.compile(r"^\s*(?:\w+\s*=\s*)?checks\.check_(\w+)\(\s*(\w+)", re.M)
_TOP_DEF = re.compile(r"^def (\w+)\(", re.M)


def _meta(grade_id: str, *, solution=False, grade=False, locked=False) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3, "solution": solution}
    if grade:
        meta["points"] = POINTS
    return meta


def exercises(source: str, where: str = "a cell") -> list[tuple[str, str]]:
    """(function, indentation) of each solution region of a cell, in order."""
    found = []
    for m in SOLUTION_BLOCK.finditer(source):
        names = _TOP_DEF.findall(source[: m.start()])
        if not names:
            raise CourseInputError(
                f"{where}: the solution region is not inside a function; put it in the body of "
                "the function the exercise asks for"
            )
        found.append((names[-1], m.group(1)))
    return found


def mark_cells(nb, name: str = "the notebook") -> list[str]:
    """Set nbgrader's metadata on every cell from the notebook's structure (in place); returns the grade ids.

    Raises CourseInputError for an exercise without a self-check after it, a self-check of no exercise, or a cell
    holding two exercises (each is graded on its own, so each has its own cell).
    """
    grade_ids, pending, checked = [], {}, set()
    for index, cell in enumerate(nb.cells):
        cell.metadata.pop("nbgrader", None)
        where = f"{name}, cell {index}"
        if cell.cell_type == "code" and cell.source.count(BEGIN) != cell.source.count(END):
            raise CourseInputError(f"{where} has unbalanced {BEGIN} / {END} markers: give each BEGIN line its END line")
        if cell.cell_type == "code" and BEGIN in cell.source:
            functions = sorted({f for f, _ in exercises(cell.source, where)})
            if len(functions) > 1:
                raise CourseInputError(
                    f"{where} holds the exercises {', '.join(functions)}: give each its own cell "
                    "(and its own self-check), so that each is graded on its own"
                )
            cell.metadata["nbgrader"] = _meta(f"{functions[0].lower()}_solution", solution=True)
            pending[functions[0]] = where
        elif cell.cell_type == "code" and _CHECK_CALL.search(cell.source):
            called = [m.group(2) for m in _CHECK_CALL.finditer(cell.source) if m.group(2) in pending]
            if not called:
                continue  # a check of a package function, not of an exercise: an ordinary cell
            cell.metadata["nbgrader"] = _meta(f"{called[0].lower()}_check", grade=True, locked=True)
            checked.add(called[0])
        elif cell.cell_type == "code" and LOCKED_TAG in tags(cell):
            grade_id = f"locked_{(cell.get('id') or str(index)).replace('-', '_')}"
            cell.metadata["nbgrader"] = _meta(grade_id, locked=True)
        elif cell.cell_type == "markdown" and ANSWER_TAG in tags(cell):
            previous = nb.cells[index - 1] if index else None
            if previous is None or previous.cell_type != "markdown" or not QUESTION.match(previous.source):
                raise CourseInputError(
                    f"{where} is tagged {ANSWER_TAG!r} but does not follow a question: put it "
                    "right after a markdown cell starting **Question N.**"
                )
            grade_id = f"answer_q{QUESTION.match(previous.source).group(1)}"
            cell.metadata["nbgrader"] = _meta(grade_id, solution=True, grade=True)
        elif cell.cell_type == "markdown":
            if QUESTION.match(cell.source) and (
                index + 1 == len(nb.cells) or ANSWER_TAG not in tags(nb.cells[index + 1])
            ):
                raise CourseInputError(
                    f"{where} asks a question without an answer cell after it: add a markdown "
                    f"cell tagged {ANSWER_TAG!r} holding the instructor's answer"
                )
            grade_id = f"md_{(cell.get('id') or str(index)).replace('-', '_')}"
            cell.metadata["nbgrader"] = _meta(grade_id, locked=True)
        else:
            continue
        grade_ids.append(cell.metadata["nbgrader"]["grade_id"])
    for function, where in pending.items():
        if function not in checked:
            raise CourseInputError(
                f"{where}: the exercise {function} has no self-check cell after it "
                f"(checks.check_{function}({function})), so nbgrader could not grade it"
            )
    return grade_ids


def with_hidden_tests(nb):
    """Give each exercise's test cell a hidden-test region that runs its hidden cases (in place)."""
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if (
            cell.cell_type == "code"
            and meta.get("grade")
            and not meta.get("solution")
            and HIDDEN_BEGIN not in cell.source
        ):
            function = _CHECK_CALL.search(cell.source).group(2)
            if function in SEARCHED:  # nothing hidden: the grader runs the search and retrains its choice
                continue
            cell.source = (
                f"{cell.source.rstrip()}\n{HIDDEN_BEGIN}\n"
                f"checks.check_{function}({function}, hidden=True)\n{HIDDEN_END}"
            )
    return nb


def text_output(cell) -> str:
    """What a code cell printed (stdout and plain-text results), as one string."""
    parts = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream" and output.name == "stdout":
            parts.append(output.text)
        elif (
            output.output_type in ("execute_result", "display_data")
            and "text/plain" in output.get("data", {})
            and not any(k.startswith("image/") for k in output.data)
        ):
            parts.append(output.data["text/plain"] + "\n")
    return "".join(parts).rstrip("\n")


def figures(cell) -> list[str]:
    """The PNG figures a code cell drew (base64, as the notebook stores them), in order."""
    return [o.data["image/png"] for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]


def with_expected_outputs(nb, name: str = "the notebook"):
    """Insert after each cell tagged ``expected-output`` a markdown cell quoting what it printed and showing the
    figures it drew (as the markdown cell's attachments), in place.

    Raises CourseInputError for a tagged cell with no output at all (a notebook that was never run).
    """
    cells = []
    for index, cell in enumerate(nb.cells):
        cells.append(cell)
        if cell.cell_type != "code" or EXPECTED_TAG not in tags(cell):
            continue
        text, pictures = text_output(cell), figures(cell)
        if not text and not pictures:
            raise CourseInputError(
                f"{name}, cell {index} is tagged {EXPECTED_TAG!r} but has no output: run make refresh first"
            )
        parts = [
            "**Expected output** of the cell above, from the instructor's run with the default parameters"
            + (" (a self-check's line reads PASS once your function is right):" if text else ":")
        ]
        if text:
            fence = "~~~~" if "```" in text else "```"
            parts.append(f"{fence}text\n{text}\n{fence}")
        names = [f"expected-{k + 1}.png" for k in range(len(pictures))]
        parts += [f"![expected figure {k + 1}](attachment:{n})" for k, n in enumerate(names)]
        block = nbformat.v4.new_markdown_cell("\n\n".join(parts))
        if pictures:
            block.attachments = {n: {"image/png": png} for n, png in zip(names, pictures, strict=True)}
        block.id = f"{cell.id}-expected"[:64]
        cells.append(block)
    nb.cells = cells
    return nb


# --------------------------------------------------------------------------- an nbgrader course directory


def _config(root: Path, timeout: int) -> str:
    grading = root / GRADING
    return (
        "import os\n\n"
        "from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor\n"
        "from nbgrader.preprocessors import ClearHiddenTests, GetGrades\n\n"
        "c = get_config()\n"
        f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
        f"c.CourseDirectory.root = {str(root)!r}\n"
        "# the stub keeps the markers, so students see where to write\n"
        f"c.ClearSolutions.code_stub = {{'python': {BEGIN + chr(10) + STUB + chr(10) + END!r}}}\n"
        f"c.Execute.timeout = {timeout}  # seconds per cell; the lambda sweep of 07 needs more than the default 30\n"
        "c.Execute.kernel_name = 'python3'\n"
        "# feedback shows no hidden test's code\n"
        "c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, CSSHTMLHeaderPreprocessor]\n"
        "# the grader's kernels (never a student's): the hidden cases, and the course's working copies for an\n"
        "# exercise a submission has not passed, so the rest of its notebook still runs (the deadline has passed)\n"
        f"os.environ.setdefault({course_exercises.HIDDEN_CASES_VARIABLE!r}, {str(grading / HIDDEN_CASES)!r})\n"
        f"os.environ.setdefault({yours.WORKING_COPIES_VARIABLE!r}, {str(grading / yours.WORKING_COPIES_NAME)!r})\n"
    )


def _source_notebook(path: Path, parameters: dict | None, hidden: bool):
    nb = nbformat.read(str(path), as_version=4)
    with_expected_outputs(nb, path.name)
    if parameters:
        nb = _parameterized(nb, parameters)
    mark_cells(nb, path.name)
    if hidden:
        with_hidden_tests(nb)
    return nb


def _parameterized(nb, parameters: dict):
    """papermill's injection of ``parameters`` after the cell tagged ``parameters``, without the metadata it
    expects beforehand (tags on every cell, a papermill section) or leaves behind."""
    untagged = [cell for cell in nb.cells if "tags" not in cell.metadata]
    for cell in untagged:
        cell.metadata.tags = []
    nb.metadata.papermill = {}
    nb = parameterize_notebook(nb, parameters, comment="Parameters of this course", kernel_name="python3")
    del nb.metadata["papermill"]
    for cell in untagged:
        del cell.metadata["tags"]
    return nb


def _earlier_copies(record: Path, notebook: str) -> str | None:
    """The working copies of the exercises of the notebooks before ``notebook`` (None when there are none)."""
    sections = {
        name: text
        for name, text in yours.read_sections(record).items()
        if course_exercises.exercise(name).notebook < notebook
    }
    return yours.compose(sections) if sections else None


def write_course(
    root: Path,
    notebooks: list[Path],
    data_dir: Path,
    *,
    key: tuple[Path, Path] | None = None,
    per_notebook: bool = False,
    earlier_copies: bool = False,
    timeout: int = 600,
    parameters: dict[str, dict] | None = None,
) -> list[Path]:
    """An nbgrader course directory at ``root``: its config, the instructor-only ``grading/`` folder, and the series
    in ``source/``: one assignment ``fashion`` (default) or, with ``per_notebook``, one assignment per notebook
    named like it. Each assignment carries the course data. Returns the assignments' source folders.

    key: (the working copies, the hidden cases) for a graded course; None for a self-study release (no hidden
    tests, no grading folder). earlier_copies: with ``per_notebook``, each assignment also carries the working
    copies of the earlier notebooks' exercises (released once their deadlines have passed), as course_functions.py.
    parameters: notebook file name -> values, injected after its ``parameters`` cell, as papermill injects them
    (for a quicker autograding check; a course released to students keeps the defaults).
    """
    root.mkdir(parents=True, exist_ok=True)
    (root / "nbgrader_config.py").write_text(_config(root.resolve(), timeout))
    if key is not None:
        (root / GRADING).mkdir(exist_ok=True)
        shutil.copy2(key[0], root / GRADING / yours.WORKING_COPIES_NAME)
        shutil.copy2(key[1], root / GRADING / HIDDEN_CASES)
        (root / GRADING / "README.txt").write_text(
            "Instructor-only: the course's working copies of every exercise and the hidden cases. Never release this "
            "folder; nbgrader_config.py points the grader's kernels at it.\n"
        )
    sources = []
    for path in notebooks:
        source = root / "source" / (path.stem if per_notebook else ASSIGNMENT)
        if source not in sources:
            sources.append(source)
            (source / "data").mkdir(parents=True, exist_ok=True)
            for item in data_dir.iterdir():
                if item.suffix in (".csv", ".md"):
                    shutil.copy2(item, source / "data" / item.name)
        nb = _source_notebook(path, (parameters or {}).get(path.name), hidden=key is not None)
        nbformat.write(nb, str(source / path.name))
        if per_notebook and earlier_copies and key is not None:
            copies = _earlier_copies(key[0], path.stem)
            if copies:
                (source / yours.WORKING_COPIES_NAME).write_text(copies, encoding="utf-8")
    return sources


#: ``python -m nbgrader``, less the 2 s its import of nbformat spends compiling rfc3987-syntax's grammars (see
#: tools/__init__.py): nbgrader starts several times per graded hand-in.
NBGRADER_MAIN = (
    "import sys; sys.modules.setdefault('rfc3987_syntax', None); "
    "from nbgrader.apps.nbgraderapp import main; sys.argv[0] = 'nbgrader'; main()"
)


def nbgrader(root: Path, *args: str, log: Path | None = None, env: dict | None = None) -> None:
    """Run ``nbgrader ARGS`` in the course directory; RunFailed (naming the log) when it fails."""
    log = log or root / f"nbgrader-{args[0]}.log"
    environment = {
        **os.environ,
        "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS", "1"),
        # nbgrader runs alembic and the kernel by name: this environment's first
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
        **(env or {}),
    }
    with open(log, "w") as handle:
        done = subprocess.run(
            [sys.executable, "-c", NBGRADER_MAIN, *args],
            cwd=root,
            stdout=handle,
            stderr=subprocess.STDOUT,
            env=environment,
        )
    if done.returncode != 0:
        errors = re.findall(r"^\s*(\w+(?:Error|Exception): .*)$", log.read_text(), re.M)
        cause = f": {errors[-1].strip()}" if errors else ""
        raise RunFailed(f"nbgrader {' '.join(args)} failed (exit {done.returncode}){cause}; see {log}")


def release(notebooks: list[Path], data_dir: Path, out: Path, work: Path, working_copies: Path) -> list[Path]:
    """The self-study edition, made by nbgrader itself: ``generate_assignment`` in a course directory under
    ``work``, its release copied to ``out/notebooks`` beside ``out/data``, with the course's working copies
    beside the notebooks (so a notebook runs top to bottom while its exercises are open). Returns the notebooks."""
    write_course(work, notebooks, data_dir)
    nbgrader(work, "generate_assignment", ASSIGNMENT, "--force")
    released = work / "release" / ASSIGNMENT
    (out / "notebooks").mkdir(parents=True, exist_ok=True)
    shutil.copytree(released / "data", out / "data", dirs_exist_ok=True)
    shutil.copy2(working_copies, out / "notebooks" / yours.WORKING_COPIES_NAME)
    written = []
    for path in sorted(released.glob("*.ipynb")):
        shutil.copy2(path, out / "notebooks" / path.name)
        written.append(out / "notebooks" / path.name)
    return written
