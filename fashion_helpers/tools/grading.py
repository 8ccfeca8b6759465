"""nbgrader, the tool instructors grade with: the notebooks' cell metadata, the student edition as nbgrader
releases it, and an autograding round trip that proves the three kinds of submission score as they should.

The series is one nbgrader assignment. Each exercise cell (the one holding ``### BEGIN SOLUTION``) is a
solution cell; each self-check cell after it (``checks.check_<name>(<name>)``) is an autograded test cell
worth :data:`POINTS`; markdown cells are locked. :func:`mark_cells` derives all of it from the notebook's
structure, so ``fashion-course refresh`` keeps it in step and a test checks the committed notebooks.
Under nbgrader's autograde a self-check writes its "not implemented yet" line to stderr for an unfinished
exercise (``checks`` reads nbgrader's ``NBGRADER_EXECUTION``), so an untouched stub scores 0 while the rest of the
notebook runs on the package's copy; a student running the notebook sees the same line on stdout.

Two more kinds of cell, both derived from the notebooks as well:

- an inline question is a markdown cell starting ``**Question N.**``; the markdown cell right after it, tagged
  ``answer``, holds the instructor's answer. It is a manually graded answer cell worth :data:`POINTS`: the
  student edition shows "YOUR ANSWER HERE" in its place, and the instructor grades it in nbgrader's formgrader;
- a code cell tagged ``expected-output`` gets, in the assignment nbgrader releases (not in the committed
  notebooks, which keep their real outputs), a locked markdown cell after it with the text it printed in the
  instructor's run: the reference numbers survive the release, which clears every output.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from ..errors import CourseInputError, RunFailed

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
STUB = 'raise NotImplementedError("Exercise: write your solution here, then run the self-check below.")'
COURSE_ID = "fashion-course"
ASSIGNMENT = "fashion"
POINTS = 1
_CHECK_CALL = re.compile(r"^\s*(?:\w+\s*=\s*)?checks\.check_(\w+)\(\s*(\w+)", re.M)
_TOP_DEF = re.compile(r"^def (\w+)\(", re.M)
_QUESTION = re.compile(r"^\*\*Question (\d+)\.\*\*")
ANSWER_TAG = "answer"
EXPECTED_TAG = "expected-output"
_BLOCK = re.compile(rf"^([ \t]*){re.escape(BEGIN)}[ \t]*\n(.*?)^[ \t]*{re.escape(END)}[ \t]*$", re.M | re.S)

#: The submission with one bug: the mid-term's softmax (global max, one of the course's catalogued bugs).
BUG = {"notebook": "02_activations", "grade_id": "softmax_solution",
       "replace": ("np.max(Z, axis=0, keepdims=True)", "np.max(Z)"), "named": "not the global max"}


def _meta(grade_id: str, *, solution=False, grade=False, locked=False) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3, "solution": solution}
    if grade:
        meta["points"] = POINTS
    return meta


def mark_cells(nb, name: str = "the notebook") -> list[str]:
    """Set nbgrader's metadata on every cell from the notebook's structure (in place); returns the grade ids.

    Raises CourseInputError for an exercise without a self-check after it, or a self-check of no exercise.
    """
    grade_ids, pending, checked = [], {}, set()
    for index, cell in enumerate(nb.cells):
        cell.metadata.pop("nbgrader", None)
        where = f"{name}, cell {index}"
        if cell.cell_type == "code" and cell.source.count(BEGIN) != cell.source.count(END):
            raise CourseInputError(f"{where} has unbalanced {BEGIN} / {END} markers: give each BEGIN line its END line")
        if cell.cell_type == "code" and BEGIN in cell.source:
            function = exercises(cell.source, where)[0][0]
            grade_id = f"{function.lower()}_solution"
            cell.metadata["nbgrader"] = _meta(grade_id, solution=True)
            pending[function] = where
        elif cell.cell_type == "code" and _CHECK_CALL.search(cell.source):
            called = [m.group(2) for m in _CHECK_CALL.finditer(cell.source) if m.group(2) in pending]
            if not called:
                continue  # a check of a package function, not of an exercise: an ordinary cell
            base = f"{called[0].lower()}_check"
            grade_id, k = base, 2
            while grade_id in grade_ids:
                grade_id, k = f"{base}_{k}", k + 1
            cell.metadata["nbgrader"] = _meta(grade_id, grade=True, locked=True)
            checked.add(called[0])
        elif cell.cell_type == "markdown" and ANSWER_TAG in cell.metadata.get("tags", []):
            previous = nb.cells[index - 1] if index else None
            if previous is None or previous.cell_type != "markdown" or not _QUESTION.match(previous.source):
                raise CourseInputError(f"{where} is tagged {ANSWER_TAG!r} but does not follow a question: put it "
                                       "right after a markdown cell starting **Question N.**")
            grade_id = f"answer_q{_QUESTION.match(previous.source).group(1)}"
            cell.metadata["nbgrader"] = _meta(grade_id, solution=True, grade=True)
        elif cell.cell_type == "markdown":
            if _QUESTION.match(cell.source) and (index + 1 == len(nb.cells) or ANSWER_TAG not in
                                                  nb.cells[index + 1].metadata.get("tags", [])):
                raise CourseInputError(f"{where} asks a question without an answer cell after it: add a markdown "
                                       f"cell tagged {ANSWER_TAG!r} holding the instructor's answer")
            grade_id = f"md_{(cell.get('id') or str(index)).replace('-', '_')}"
            cell.metadata["nbgrader"] = _meta(grade_id, locked=True)
        else:
            continue
        grade_ids.append(cell.metadata["nbgrader"]["grade_id"])
    for function, where in pending.items():
        if function not in checked:
            raise CourseInputError(f"{where}: the exercise {function} has no self-check cell after it "
                                   f"(checks.check_{function}({function})), so nbgrader could not grade it")
    return grade_ids


# --------------------------------------------------------------------------- an nbgrader course directory


def _config(root: Path, timeout: int) -> str:
    return (
        "c = get_config()\n"
        f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
        f"c.CourseDirectory.root = {str(root)!r}\n"
        "# the stub keeps the markers, like the course's student edition always had, so students see where to write\n"
        f"c.ClearSolutions.code_stub = {{'python': {BEGIN + chr(10) + STUB + chr(10) + END!r}}}\n"
        f"c.Execute.timeout = {timeout}  # seconds per cell; the lambda sweep of 07 needs more than the default 30\n"
        "c.Execute.kernel_name = 'python3'\n"
    )


def text_output(cell) -> str:
    """What a code cell printed (stdout and plain-text results), as one string."""
    parts = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream" and output.name == "stdout":
            parts.append(output.text)
        elif output.output_type in ("execute_result", "display_data") and "text/plain" in output.get("data", {}) \
                and not any(k.startswith("image/") for k in output.data):
            parts.append(output.data["text/plain"] + "\n")
    return "".join(parts).rstrip("\n")


def with_expected_outputs(nb, name: str = "the notebook"):
    """Insert after each cell tagged ``expected-output`` a markdown cell quoting what it printed (in place).

    Raises CourseInputError for a tagged cell that printed no text (a notebook without outputs, or a figure only).
    """
    import nbformat

    cells = []
    for index, cell in enumerate(nb.cells):
        cells.append(cell)
        if cell.cell_type != "code" or EXPECTED_TAG not in cell.metadata.get("tags", []):
            continue
        text = text_output(cell)
        if not text:
            raise CourseInputError(f"{name}, cell {index} is tagged {EXPECTED_TAG!r} but has no text output: "
                                   "run make refresh first, or untag a cell that only draws a figure")
        fence = "~~~~" if "```" in text else "```"
        block = nbformat.v4.new_markdown_cell(
            "**Expected output** of the cell above, from the instructor's run with the default parameters "
            "(a self-check's line reads PASS once your function is right):\n\n"
            f"{fence}text\n{text}\n{fence}")
        block.id = f"{cell.id}-expected"[:64]
        cells.append(block)
    nb.cells = cells
    return nb


def _inject(nb, values: dict, name: str) -> None:
    """A cell tagged ``injected-parameters`` right after the ``parameters`` cell, as papermill writes it."""
    import nbformat

    index = next((i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])), None)
    if index is None:
        raise CourseInputError(f"{name} has no cell tagged 'parameters' to set {', '.join(values)} after")
    cell = nbformat.v4.new_code_cell("# Parameters of this check\n" + "".join(f"{k} = {v!r}\n" for k, v in values.items()))
    cell.metadata["tags"] = ["injected-parameters"]
    cell.id = "injected-parameters"
    nb.cells.insert(index + 1, cell)


def write_course(root: Path, notebooks: list[Path], data_dir: Path, timeout: int = 600,
                 parameters: dict[str, dict] | None = None) -> Path:
    """An nbgrader course directory at ``root``: its config, and the series as ``source/fashion/`` with the
    course data inside the assignment (nbgrader hands every file of it out with the release). Returns the
    assignment's source folder.

    parameters: notebook file name -> values, injected after its ``parameters`` cell as papermill injects them
    (for a quicker autograding check; a course released to students keeps the defaults).
    """
    import nbformat

    source = root / "source" / ASSIGNMENT
    (source / "data").mkdir(parents=True, exist_ok=True)
    (root / "nbgrader_config.py").write_text(_config(root.resolve(), timeout))
    for item in data_dir.iterdir():
        if item.suffix in (".csv", ".md"):
            shutil.copy2(item, source / "data" / item.name)
    for path in notebooks:
        nb = nbformat.read(str(path), as_version=4)
        with_expected_outputs(nb, path.name)
        if parameters and parameters.get(path.name):
            _inject(nb, parameters[path.name], path.name)
        mark_cells(nb, path.name)
        nbformat.write(nb, str(source / path.name))
    return source


def nbgrader(root: Path, *args: str, log: Path | None = None) -> None:
    """Run ``nbgrader ARGS`` in the course directory; RunFailed (naming the log) when it fails."""
    log = log or root / f"nbgrader-{args[0]}.log"
    env = {**os.environ, "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS", "1"),
           # nbgrader runs alembic and the kernel by name: this environment's first
           "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}
    with open(log, "w") as handle:
        done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=root, stdout=handle,
                              stderr=subprocess.STDOUT, env=env)
    if done.returncode != 0:
        errors = re.findall(r"^\s*(\w+(?:Error|Exception): .*)$", log.read_text(), re.M)
        cause = f": {errors[-1].strip()}" if errors else ""
        raise RunFailed(f"nbgrader {' '.join(args)} failed (exit {done.returncode}){cause}; see {log}")


def release(notebooks: list[Path], data_dir: Path, out: Path, work: Path) -> list[Path]:
    """The student edition, made by nbgrader itself: ``generate_assignment`` in a course directory under
    ``work``, then its release copied to ``out/notebooks`` beside ``out/data``. Returns the notebooks."""
    write_course(work, notebooks, data_dir)
    nbgrader(work, "generate_assignment", ASSIGNMENT, "--force")
    released = work / "release" / ASSIGNMENT
    (out / "notebooks").mkdir(parents=True, exist_ok=True)
    shutil.copytree(released / "data", out / "data", dirs_exist_ok=True)
    written = []
    for path in sorted(released.glob("*.ipynb")):
        shutil.copy2(path, out / "notebooks" / path.name)
        written.append(out / "notebooks" / path.name)
    return written


# --------------------------------------------------------------------------- the autograding round trip


def solution_bodies(source: str) -> list[str]:
    """The code between each pair of solution markers, in order."""
    return [m.group(2) for m in _BLOCK.finditer(source)]


def fill_in(stubbed: str, bodies: list[str]) -> str:
    """A released (stubbed) cell with the given bodies written between its markers, as a student would."""
    remaining = iter(bodies)
    return _BLOCK.sub(lambda m: f"{m.group(1)}{BEGIN}\n{next(remaining)}{m.group(1)}{END}", stubbed)


#: Appended to the first code cell of each notebook of the "solutions" submission: a student's solution that
#: also says, once, when it does real work (called by the notebook, not by its self-check).
ANNOUNCE = """

def _announce_use(name):  # added by the autograding check: proves the notebook runs on the student's code
    import sys
    frame = sys._getframe(2)
    while frame is not None:
        if frame.f_globals.get("__name__") == "fashion_helpers.checks" and frame.f_code.co_name.startswith("check_"):
            return
        frame = frame.f_back
    if name not in _ANNOUNCED:
        _ANNOUNCED.add(name)
        print(f"[the student's {name} at work]")


_ANNOUNCED = set()
"""
_ANNOUNCED_LINE = re.compile(r"^\[the student's (\w+) at work\]$", re.M)


def exercises(source: str, where: str = "a cell") -> list[tuple[str, str]]:
    """(function, indentation) of each solution region of a cell, in order."""
    found = []
    for m in _BLOCK.finditer(source):
        names = _TOP_DEF.findall(source[: m.start()])
        if not names:
            raise CourseInputError(f"{where}: the solution region is not inside a function; put it in the body of "
                                   "the function the exercise asks for")
        found.append((names[-1], m.group(1)))
    return found


def _submit(root: Path, student: str, solutions: dict[str, list[str]], bug: dict | None,
            answers: dict[str, str] | None = None, announce: bool = False) -> None:
    """Hand in the released assignment as ``student``: with ``solutions`` (grade id -> bodies) filled in, ``bug``
    applied to one of them, ``answers`` (grade id -> text) written into the answer cells, and, with ``announce``,
    each solution saying once when the notebook (not its self-check) calls it."""
    import nbformat

    folder = root / "submitted" / student / ASSIGNMENT
    shutil.copytree(root / "release" / ASSIGNMENT, folder)
    (folder / "timestamp.txt").write_text("2026-01-01 12:00:00 UTC\n")
    for path in sorted(folder.glob("*.ipynb")):
        nb = nbformat.read(str(path), as_version=4)
        first_code = next((c for c in nb.cells if c.cell_type == "code"), None)
        if announce and first_code is not None:
            first_code.source += ANNOUNCE
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in solutions:
                bodies = solutions[grade_id]
                if announce:
                    bodies = [f"{indent}_announce_use({function!r})\n{body}"
                              for (function, indent), body in zip(exercises(cell.source), bodies)]
                cell.source = fill_in(cell.source, bodies)
                if bug and path.stem == bug["notebook"] and grade_id == bug["grade_id"]:
                    old, new = bug["replace"]
                    cell.source = cell.source.replace(old, new)
            elif answers and grade_id in answers:
                cell.source = answers[grade_id]
        nbformat.write(nb, str(path))


def autograde_check(notebooks: list[Path], data_dir: Path, root: Path,
                    parameters: dict[str, dict] | None = None) -> dict:
    """Release the series with nbgrader, hand in three submissions, autograde them and write their feedback.

    ``solutions``: the instructor's solutions filled in, each saying once when the notebook calls it, and the
    inline questions answered; ``stubs``: the release unchanged; ``one_bug``: the solutions with :data:`BUG`.
    Returns, per submission, the autograded total and maximum, the test cells that lost points, the cells that
    crashed outside a test cell, the answers waiting for manual grading, the exercises whose own code the
    notebook ran after their checks, and whether its feedback names the bug or says "not implemented yet". The
    three submissions are autograded side by side, each in its own copy of the course directory (one gradebook
    each). parameters: as for :func:`write_course`.
    """
    import nbformat
    from concurrent.futures import ThreadPoolExecutor

    source = write_course(root / "course", notebooks, data_dir, parameters=parameters)
    base = root / "course"
    nbgrader(base, "generate_assignment", ASSIGNMENT, "--force")
    solutions, answers = {}, {}
    for path in sorted(source.glob("*.ipynb")):
        for cell in nbformat.read(str(path), as_version=4).cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("solution") and cell.cell_type == "code":
                solutions[meta["grade_id"]] = solution_bodies(cell.source)
            elif meta.get("solution"):
                answers[meta["grade_id"]] = cell.source
    plans = {"solutions": (solutions, None, answers, True), "stubs": ({}, None, None, False),
             "one_bug": (solutions, BUG, None, False)}
    roots = {}
    for student, (filled, bug, answered, announce) in plans.items():
        roots[student] = root / student
        shutil.copytree(base, roots[student], symlinks=True)
        (roots[student] / "nbgrader_config.py").write_text(_config(roots[student].resolve(), 600))
        _submit(roots[student], student, filled, bug, answered, announce)

    def grade(student: str) -> None:
        nbgrader(roots[student], "autograde", ASSIGNMENT, "--student", student, "--force")
        nbgrader(roots[student], "generate_feedback", ASSIGNMENT, "--student", student, "--force")

    with ThreadPoolExecutor(max_workers=len(plans)) as pool:
        list(pool.map(grade, plans))
    return {student: _result(roots[student], student) for student in plans}


def course_exercises(notebooks: list[Path]) -> set[str]:
    """Every exercise of the series as "notebook/function"."""
    import nbformat

    found = set()
    for path in notebooks:
        for index, cell in enumerate(nbformat.read(str(path), as_version=4).cells):
            if cell.cell_type == "code" and BEGIN in cell.source:
                found.update(f"{path.stem}/{f}" for f, _ in exercises(cell.source, f"{path.name}, cell {index}"))
    return found


def _result(root: Path, student: str) -> dict:
    import nbformat
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", COURSE_ID) as gradebook:
        submission = gradebook.find_submission(ASSIGNMENT, student)
        grades = [(nb.name, g) for nb in submission.notebooks for g in nb.grades]
        auto = [(name, g) for name, g in grades if not g.name.startswith("answer_")]
        lost = sorted(f"{name}/{g.name}" for name, g in auto if g.score < g.max_score)
        total = sum(g.score for _, g in auto)
        maximum = sum(g.max_score for _, g in auto)
        to_grade = sorted(f"{name}/{g.name}" for name, g in grades if g.name.startswith("answer_")
                          and g.needs_manual_grade)
    crashed, used = [], set()
    for path in sorted((root / "autograded" / student / ASSIGNMENT).glob("*.ipynb")):
        for index, cell in enumerate(nbformat.read(str(path), as_version=4).cells):
            outputs = cell.get("outputs", [])
            if not cell.metadata.get("nbgrader", {}).get("grade") and any(o.output_type == "error" for o in outputs):
                crashed.append(f"{path.stem}, cell {index}")
            for o in outputs:
                if o.output_type == "stream":
                    used.update(f"{path.stem}/{f}" for f in _ANNOUNCED_LINE.findall(o.text))
    feedback = "".join(p.read_text() for p in sorted((root / "feedback" / student / ASSIGNMENT).glob("*.html")))
    return {"total": total, "max": maximum, "lost": lost, "crashed": crashed, "to_grade_by_hand": to_grade,
            "ran_students_code": sorted(used), "feedback_names_bug": BUG["named"] in feedback,
            "feedback_says_not_implemented": "not implemented yet" in feedback}
