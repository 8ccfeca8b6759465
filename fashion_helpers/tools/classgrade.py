"""Grading a whole class (``fashion-course grade``, ``make grade``): every submission of an assignment, each in
isolation, side by side on the engine, into the course's one gradebook; resumable.

The trusted caller (this module) lists the submissions (nbgrader's ``submitted/`` folders, or an LMS's zip
unpacked into them: :func:`.submissions.unpack_zip`), builds once the part of the course a submission's sandbox
may hold (:func:`.gradetask.build_template`), and sends one task per submission to the engine (:mod:`.engine`:
a LocalCluster on this machine's cores, or ``--scheduler ADDRESS``). Each task (:func:`.gradetask.grade`) grades
its submission in a scratch copy inside bubblewrap and returns the grades, autograded notebooks and feedback as
data; as each comes back, this process alone:

- records it in the course's nbgrader gradebook (:func:`merge`: the isolated grader's points on the test cells,
  the answers waiting for formgrader), writes ``autograded/`` and ``feedback/``;
- writes ``grading/class/<assignment>/results/<student>.json``, atomically, last: the marker that the submission
  is done. A stopped run (Ctrl-C, a reboot) loses at most what was running; the same command again grades only
  the submissions without a marker, or whose files changed since (the marker holds their fingerprint);
- shows a progress bar: done, failed and remaining, and tqdm's estimate of the time left.

At the end: ``grades.csv`` (one row per student: points per notebook, total, maximum, status, for an LMS) and a
summary (refused submissions, timeouts, crashes, repairs, each with its reason). A submission's failure never
costs another: a refused one gets its line, a task whose workers died is reported and tried again on the next run.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from tqdm import tqdm

from ..errors import CourseInputError
from . import gradetask, submissions
from .engine import Engine, TaskFailed
from .grading import COURSE_ID, GRADING

#: What a result marker keeps of a task's result (the files go to autograded/ and feedback/).
_KEPT = (
    "student",
    "status",
    "reason",
    "notes",
    "problems",
    "graded",
    "native",
    "max",
    "verdicts",
    "answers",
    "timestamp",
    "seconds",
    "phases",
)


def state_dir(course: Path, assignment: str) -> Path:
    return course / GRADING / "class" / assignment


def fingerprint(folder: Path) -> str:
    """What the submission's files hold: a new hand-in (or a changed file) is graded again on the next run."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()):
        digest.update(str(path.relative_to(folder)).encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)


def check_course(course: Path, assignment: str) -> None:
    """One line naming the problem and its fix, before any work, for a folder that is not a released course."""
    if not (course / "nbgrader_config.py").is_file() or not (course / GRADING).is_dir():
        raise CourseInputError(f"{course} is not a graded course directory: write one with fashion-course course")
    if not (course / "source" / assignment).is_dir():
        raise CourseInputError(f"{course}/source/ has no assignment {assignment!r}: give --assignment NAME")
    try:
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID) as gradebook:
            gradebook.find_assignment(assignment)
    except MissingEntry:
        raise CourseInputError(
            f"the gradebook of {course} has no assignment {assignment!r}: release it first "
            f"(nbgrader generate_assignment {assignment}, or fashion-course course --release)"
        ) from None


def _template(course: Path, assignment: str) -> Path:
    """The sandbox's part of the course, rebuilt when the assignment's source changed."""
    template = state_dir(course, assignment) / "template"
    stamp = fingerprint(course / "source" / assignment)
    if (template / "source-fingerprint").is_file() and (template / "source-fingerprint").read_text() == stamp:
        return template
    gradetask.build_template(course, assignment, template)
    (template / "source-fingerprint").write_text(stamp)
    return template


def merge(course: Path, assignment: str, result: dict) -> None:
    """A task's result into the course: its grades into the class gradebook (:func:`.gradetask.apply_grades`:
    the isolated grader's points, the written answers waiting for formgrader), then the autograded notebooks and
    the feedback into ``autograded/`` and ``feedback/``."""
    gradetask.apply_grades(course / "gradebook.db", assignment, result)
    student = result["student"]
    for kind in ("autograded", "feedback"):
        folder = course / kind / student / assignment
        if kind in result:
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            for name, data in result[kind].items():
                (folder / Path(name).name).write_bytes(data)


def per_notebook(result: dict) -> dict[str, float]:
    totals: dict[str, float] = {}
    for verdict in result.get("verdicts", []):
        totals[verdict["notebook"]] = totals.get(verdict["notebook"], 0.0) + verdict["points"]
    return totals


def write_csv(course: Path, assignment: str, notebooks: list[str], results: list[dict], path: Path) -> None:
    """The grades an LMS imports: student, the points of each notebook, total, maximum and status."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["student", *notebooks, "total", "max_points", "status"])
        for result in sorted(results, key=lambda r: r["student"]):
            scores = per_notebook(result)
            writer.writerow(
                [result["student"], *(f"{scores.get(n, 0.0):g}" for n in notebooks), f"{result.get('graded', 0):g}"]
                + [f"{result.get('max', 0):g}", result["status"]]
            )


def grade_class(
    course: Path,
    assignment: str = "fashion",
    *,
    archive: Path | None = None,
    scheduler: str | None = None,
    workers: int = 2,
    limits: dict | None = None,
    progress: bool = True,
    csv_path: Path | None = None,
) -> dict:
    """Grade (or go on grading) every submission of ``assignment`` in ``course``; returns the summary: ``results``
    (every recorded submission), ``failed`` (student -> reason), ``skipped`` (already graded), ``unpacked``."""
    course = Path(course).resolve()
    check_course(course, assignment)
    limits = {**gradetask.LIMITS, **(limits or {})}
    unpacked = submissions.unpack_zip(Path(archive), course, assignment) if archive else None
    students = submissions.students(course, assignment)
    if not students:
        raise CourseInputError(
            f"no submissions in {course}/submitted/<student>/{assignment}/: collect them (nbgrader collect) or "
            "give the LMS's zip with --zip FILE"
        )
    state = state_dir(course, assignment)
    prints = {s: fingerprint(course / "submitted" / s / assignment) for s in students}
    todo = [s for s in students if _marker(state, s).get("fingerprint") != prints[s]]
    template = _template(course, assignment)
    notebooks = sorted(p.stem for p in (template / "source" / assignment).glob("*.ipynb"))
    failed: dict[str, str] = {}
    bar = tqdm(total=len(students), initial=len(students) - len(todo), desc="grading", unit="sub", disable=not progress)

    def tick() -> None:
        bar.update()
        bar.set_postfix_str(f"done {bar.n - len(failed)}, failed {len(failed)}, remaining {bar.total - bar.n}")

    def record(student: str, result: dict) -> None:
        merge(course, assignment, result)
        kept = {k: result[k] for k in _KEPT if k in result}
        kept.update(fingerprint=prints[student], per_notebook=per_notebook(result))
        _write_atomically(_marker_path(state, student), json.dumps(kept, indent=1) + "\n")
        tick()

    def failure(student: str, error: TaskFailed) -> None:
        failed[student] = error.reason
        tick()

    items = [(s, (str(course), str(template), s, assignment, limits)) for s in todo]
    seconds = 0.0  # from the engine's start-up done to the last result: the throughput's measure
    try:
        if items:
            with Engine(scheduler, workers) as engine:
                begun = time.perf_counter()
                engine.run(gradetask.grade, items, record, failure, label="grade")
                seconds = time.perf_counter() - begun
    finally:
        bar.close()
    results = [_marker(state, s) for s in students if _marker(state, s)]
    write_csv(course, assignment, notebooks, results, csv_path or state / "grades.csv")
    return {
        "results": results,
        "failed": failed,
        "skipped": len(students) - len(todo),
        "graded_now": len(todo) - len(failed),
        "unpacked": unpacked,
        "csv": csv_path or state / "grades.csv",
        "students": students,
        "grading_seconds": seconds,
    }


def _marker_path(state: Path, student: str) -> Path:
    return state / "results" / f"{student}.json"


def _marker(state: Path, student: str) -> dict:
    try:
        return json.loads(_marker_path(state, student).read_text())
    except (OSError, ValueError):
        return {}


def summary(outcome: dict) -> list[str]:
    """The end of a run in lines: counts, then every refused, failed, timed-out, crashed or repaired submission
    with its reason."""
    results = outcome["results"]
    refused = [r for r in results if r["status"] == "refused"]
    troubled = [r for r in results if r.get("problems")]
    timeouts = [r for r in troubled if any("time" in p for p in r["problems"])]
    lines = [
        f"{len(results)} of {len(outcome['students'])} submissions recorded ({outcome['graded_now']} graded now, "
        f"{outcome['skipped']} already), {len(refused)} refused, {len(outcome['failed'])} failed, "
        f"{len(timeouts)} with timeouts, {len(troubled) - len(timeouts)} with other kernel trouble"
    ]
    lines += [f"refused {r['student']}: {r['reason']}" for r in refused]
    lines += [f"failed {s}: {reason} (run the same command again to retry)" for s, reason in outcome["failed"].items()]
    lines += [f"kernel trouble {r['student']}: {'; '.join(r['problems'])}" for r in troubled]
    lines += [f"repaired {r['student']}: {'; '.join(r['notes'])}" for r in results if r.get("notes")]
    return lines
