"""Grading one submission: nbgrader's autograde runs the notebooks, the isolated grader gives the points.

nbgrader's ``autograde`` executes the submitted notebooks in a kernel (in the course's ``autograded/`` folder,
from which the feedback is made) and scores each test cell by whether it raised. Inside that kernel the student's
code can rebind a check or silence an error, so those scores are only the notebook's own claim. :func:`autograde`
grades every exercise with :mod:`.verify` instead, outside the kernel, writes those points into nbgrader's
gradebook (so formgrader and the exported grades show them), adds one line per test cell to the autograded
notebook saying what the grader found, and lets nbgrader write the feedback (hidden tests cleared).
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry

from . import verify
from .grading import ASSIGNMENT, COURSE_ID, GRADING, nbgrader

GRADER_LINE = "Grade from the isolated grader"


def record_path(course: Path, student: str, assignment: str) -> Path:
    """Where the grader's kernels record a submission's functions: a fresh file per submission, not the copy of
    ``my_functions.py`` a student may have handed in."""
    return course / GRADING / "records" / student / assignment / "my_functions.py"


def _annotate(folder: Path, verdicts: list[verify.Verdict]) -> None:
    by_cell = {(v.notebook, f"{v.exercise.lower()}_check"): v for v in verdicts}
    for path in sorted(folder.glob("*.ipynb")):
        nb = nbformat.read(str(path), as_version=4)
        for cell in nb.cells:
            verdict = by_cell.get((path.stem, cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")))
            if verdict is None or cell.cell_type != "code":
                continue
            full = verdict.points == verdict.max_points
            cell.outputs.append(
                nbformat.v4.new_output(
                    "stream",
                    name="stdout" if full else "stderr",
                    text=f"{GRADER_LINE}: {verdict.points:g} of {verdict.max_points:g}: {verdict.message}\n",
                )
            )
        nbformat.write(nb, str(path))


def _write_grades(course: Path, student: str, assignment: str, verdicts: list[verify.Verdict]) -> dict:
    """The isolated grader's points into the gradebook, in place of the notebook's own claims: every graded cell
    of the submission, those of a notebook not handed in (no verdict) at 0. Returns {"native": points the
    kernel's test cells claimed, "graded": points given}; nothing when nbgrader recorded no submission."""
    by_cell = {(v.notebook, f"{v.exercise.lower()}_check"): v for v in verdicts}
    native = graded = 0.0
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID) as gradebook:
        try:
            submission = gradebook.find_submission(assignment, student)
        except MissingEntry:
            return {"native": 0.0, "graded": 0.0}
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                if not grade.name.endswith("_check"):
                    continue  # not an exercise's check (a cell graded by hand)
                verdict = by_cell.get((notebook.name, grade.name))
                native += grade.auto_score or 0.0
                grade.auto_score = verdict.points * grade.max_score / verdict.max_points if verdict else 0.0
                graded += grade.auto_score
        gradebook.db.commit()
    return {"native": native, "graded": graded}


def autograde(course: Path, student: str, assignment: str = ASSIGNMENT, feedback: bool = True) -> dict:
    """Autograde one submission of ``course``: the isolated grades, nbgrader's run, the feedback. Returns the
    verdicts and the points, and writes them to ``grading/verdicts/<student>/<assignment>.json``.

    The isolated grader runs first, so a grader that cannot start stops before nbgrader writes the kernel's own
    claims into the gradebook; and whatever happens in nbgrader's run, the gradebook ends with the isolated
    points (or none recorded), never the claims."""
    course = Path(course).resolve()  # the kernels run elsewhere: every path they are given is absolute
    reference, hidden = verify.load_key(course / GRADING)
    verdicts = verify.grade_submission(course / "submitted" / student / assignment, reference, hidden)
    record = record_path(course, student, assignment)
    record.parent.mkdir(parents=True, exist_ok=True)
    record.unlink(missing_ok=True)
    try:
        nbgrader(
            course,
            "autograde",
            assignment,
            "--student",
            student,
            "--force",
            log=course / GRADING / f"autograde-{student}-{assignment}.log",
            env={"FASHION_MY_FUNCTIONS": str(record)},
        )
    finally:
        points = _write_grades(course, student, assignment, verdicts)
    _annotate(course / "autograded" / student / assignment, verdicts)
    if feedback:
        nbgrader(
            course,
            "generate_feedback",
            assignment,
            "--student",
            student,
            "--force",
            log=course / GRADING / f"feedback-{student}-{assignment}.log",
        )
    result = {
        "student": student,
        "assignment": assignment,
        **points,
        "max": sum(v.max_points for v in verdicts),
        "verdicts": verify.as_dicts(verdicts),
    }
    out = course / GRADING / "verdicts" / student / f"{assignment}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n")
    return result
