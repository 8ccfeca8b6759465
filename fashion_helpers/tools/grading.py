"""nbgrader, the tool instructors grade with: the notebooks' cell metadata, the student edition as nbgrader
releases it, and an autograding round trip that proves the three kinds of submission score as they should.

The series is one nbgrader assignment. Each exercise cell (the one holding ``### BEGIN SOLUTION``) is a
solution cell; each self-check cell after it (``checks.check_<name>(<name>)``) is an autograded test cell
worth :data:`POINTS`; markdown cells are locked. :func:`mark_cells` derives all of it from the notebook's
structure, so ``fashion-course refresh`` keeps it in step and a test checks the committed notebooks.
Under nbgrader's autograde a self-check raises for an unfinished exercise (``checks`` reads nbgrader's
``NBGRADER_EXECUTION``), so an untouched stub scores 0; a student still sees the friendly "not implemented
yet" line.
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
_BLOCK = re.compile(rf"^([ \t]*){re.escape(BEGIN)}[ \t]*\n(.*?)^[ \t]*{re.escape(END)}[ \t]*$", re.M | re.S)

#: The submission with one bug: the mid-term's softmax (global max, one of the course's catalogued bugs).
BUG = {"notebook": "02_activations", "grade_id": "softmax_solution",
       "replace": ("np.max(Z, axis=0, keepdims=True)", "np.max(Z)"), "named": "not the global max"}


def _meta(grade_id: str, *, solution=False, grade=False, locked=False) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3, "solution": solution}
    if grade:
        meta["points"] = POINTS
    return meta


def _exercise_function(source: str, where: str) -> str:
    """The top-level function whose body holds the solution region."""
    before = source[: source.index(BEGIN)]
    names = _TOP_DEF.findall(before)
    if not names:
        raise CourseInputError(f"{where}: the solution region is not inside a function; put it in the body of "
                               "the function the exercise asks for")
    return names[-1]


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
            function = _exercise_function(cell.source, where)
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
        elif cell.cell_type == "markdown":
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


def write_course(root: Path, notebooks: list[Path], data_dir: Path, timeout: int = 600) -> Path:
    """An nbgrader course directory at ``root``: its config, and the series as ``source/fashion/`` with the
    course data inside the assignment (nbgrader hands every file of it out with the release). Returns the
    assignment's source folder."""
    import nbformat

    source = root / "source" / ASSIGNMENT
    (source / "data").mkdir(parents=True, exist_ok=True)
    (root / "nbgrader_config.py").write_text(_config(root.resolve(), timeout))
    for item in data_dir.iterdir():
        if item.suffix in (".csv", ".md"):
            shutil.copy2(item, source / "data" / item.name)
    for path in notebooks:
        nb = nbformat.read(str(path), as_version=4)
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


def _submit(root: Path, student: str, solutions: dict[str, list[str]], bug: dict | None) -> None:
    """Hand in the released assignment as ``student``: with ``solutions`` (grade id -> bodies) filled in, and
    with ``bug`` applied to one of them."""
    import nbformat

    folder = root / "submitted" / student / ASSIGNMENT
    shutil.copytree(root / "release" / ASSIGNMENT, folder)
    (folder / "timestamp.txt").write_text("2026-01-01 12:00:00 UTC\n")
    for path in sorted(folder.glob("*.ipynb")):
        nb = nbformat.read(str(path), as_version=4)
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in solutions:
                cell.source = fill_in(cell.source, solutions[grade_id])
                if bug and path.stem == bug["notebook"] and grade_id == bug["grade_id"]:
                    old, new = bug["replace"]
                    cell.source = cell.source.replace(old, new)
        nbformat.write(nb, str(path))


def autograde_check(notebooks: list[Path], data_dir: Path, root: Path) -> dict:
    """Release the series with nbgrader, hand in three submissions, autograde them and write their feedback.

    ``solutions``: the instructor's solutions filled in; ``stubs``: the release unchanged; ``one_bug``: the
    solutions with :data:`BUG`. Returns, per submission, the total, the maximum, the test cells that lost
    points, the cells that crashed outside a test cell, and whether its feedback names the bug or says "not
    implemented yet". The three submissions are autograded side by side, each in its own copy of the course
    directory (one gradebook each).
    """
    import nbformat
    from concurrent.futures import ThreadPoolExecutor

    source = write_course(root / "course", notebooks, data_dir)
    base = root / "course"
    nbgrader(base, "generate_assignment", ASSIGNMENT, "--force")
    solutions = {}
    for path in sorted(source.glob("*.ipynb")):
        for cell in nbformat.read(str(path), as_version=4).cells:
            if cell.metadata.get("nbgrader", {}).get("solution"):
                solutions[cell.metadata["nbgrader"]["grade_id"]] = solution_bodies(cell.source)
    plans = {"solutions": (solutions, None), "stubs": ({}, None), "one_bug": (solutions, BUG)}
    roots = {}
    for student, (filled, bug) in plans.items():
        roots[student] = root / student
        shutil.copytree(base, roots[student], symlinks=True)
        (roots[student] / "nbgrader_config.py").write_text(_config(roots[student].resolve(), 600))
        _submit(roots[student], student, filled, bug)

    def grade(student: str) -> None:
        nbgrader(roots[student], "autograde", ASSIGNMENT, "--student", student, "--force")
        nbgrader(roots[student], "generate_feedback", ASSIGNMENT, "--student", student, "--force")

    with ThreadPoolExecutor(max_workers=len(plans)) as pool:
        list(pool.map(grade, plans))
    return {student: _result(roots[student], student) for student in plans}


def _result(root: Path, student: str) -> dict:
    import nbformat
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", COURSE_ID) as gradebook:
        submission = gradebook.find_submission(ASSIGNMENT, student)
        maximum = gradebook.find_assignment(ASSIGNMENT).max_score
        lost = sorted(f"{nb.name}/{g.name}" for nb in submission.notebooks for g in nb.grades
                      if g.score < g.max_score)
        total = submission.score
    crashed = []
    for path in sorted((root / "autograded" / student / ASSIGNMENT).glob("*.ipynb")):
        for index, cell in enumerate(nbformat.read(str(path), as_version=4).cells):
            if not cell.metadata.get("nbgrader", {}).get("grade") and any(
                    o.output_type == "error" for o in cell.get("outputs", [])):
                crashed.append(f"{path.stem}, cell {index}")
    feedback = "".join(p.read_text() for p in sorted((root / "feedback" / student / ASSIGNMENT).glob("*.html")))
    return {"total": total, "max": maximum, "lost": lost, "crashed": crashed,
            "feedback_names_bug": BUG["named"] in feedback,
            "feedback_says_not_implemented": "not implemented yet" in feedback}
