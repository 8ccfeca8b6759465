"""The isolated grader: each exercise of a submission judged outside the notebook's kernel.

A student controls everything in their notebook's kernel: they can rebind a check, patch ``print`` or NumPy, or
silence a traceback, so what a test cell prints there proves nothing. The grade comes from here instead. For each
exercise the grader takes the student's cell from the submitted notebook (what the self-check would record: its
imports and definitions), runs the exercise's visible and hidden cases on it in a fresh child process
(:mod:`._isolated`: forked from a server that never saw the answers, limited in time and memory, files and
network out of reach), receives what the function returned, and judges that with the self-checks' own
:func:`fashion_helpers.checks.judge` against the recorded outputs, which the child never sees.

Each exercise is graded on its own: the earlier exercises its cell calls are the course's working copies (the
reference, released once the deadline has passed), never the exercise itself, so one mistake costs one exercise.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import nbformat

from .. import exercises, yours
from ..checks import HOOKS, _framework
from ..checks._values import decode
from ..errors import CourseInputError
from . import _isolated

#: Seconds of CPU and megabytes of memory each exercise's child may use.
SECONDS, MEGABYTES = 20, 2048


@dataclass
class Verdict:
    """The grade of one exercise of one submission."""

    exercise: str
    notebook: str
    points: float
    max_points: float
    message: str  # why not full points, or what it passed
    generic: bool = False


def solution_cells(notebook: Path) -> dict[str, str]:
    """The student's cell of each exercise of a submitted notebook, by exercise name: the cell nbgrader's grade id
    names, else (metadata lost) the first code cell that defines the function."""
    by_grade_id = {f"{name.lower()}_solution": name for name in exercises.names()}
    cells = [c for c in nbformat.read(str(notebook), as_version=4).cells if c.cell_type == "code"]
    found = {}
    for cell in cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in by_grade_id:
            found.setdefault(by_grade_id[grade_id], cell.source)
    for name in exercises.names():
        if name not in found:
            found.update({name: c.source for c in cells[::-1] if re.search(rf"^def {name}\(", c.source, re.M)})
    return found


def dependencies(text: str, name: str, reference: dict[str, str]) -> list[str]:
    """The reference sections the exercise's cell needs: the earlier exercises it calls, and what they call in
    turn, in teaching order; never the exercise itself."""
    order = exercises.names()
    earlier = set(order[:order.index(name)])
    needed, todo = set(), [text]
    while todo:
        for other in yours._free_names(todo.pop()) & earlier - needed:
            needed.add(other)
            todo.append(reference[other])
    return [reference[n] for n in order if n in needed]


def _readable() -> list[str]:
    """The folders a child may read: Python's libraries and the course package (never the course's own files)."""
    paths = sysconfig.get_paths()
    folders = {paths[key] for key in ("stdlib", "platstdlib", "purelib", "platlib")}
    folders.add(str(Path(_isolated.__file__).resolve().parents[1]))
    return sorted(folders)


class Sandbox:
    """The isolated grader's clean server (:mod:`._isolated`), started once per submission: a fresh interpreter
    that never sees the reference or the expected outputs; each job runs in a child it forks."""

    def __init__(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("FASHION_", "NBGRADER"))}
        env["OPENBLAS_NUM_THREADS"] = "1"
        self.process = subprocess.Popen([sys.executable, "-I", "-m", "fashion_helpers.tools._isolated"],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True,
                                        cwd=tempfile.gettempdir())

    def ask(self, job: dict) -> dict:
        self.process.stdin.write(json.dumps(job) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        return json.loads(line) if line else {"error": "the grading server stopped"}

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process.stdout.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _outcomes(raw) -> list[_framework.Outcome]:
    return [_framework.Outcome(returned=decode(o["returned"]), raised=tuple(o["raised"]) if o["raised"] else None,
                               changed=o["changed"], printed=o["printed"]) for o in raw]


def grade_exercise(sandbox: Sandbox, name: str, source: str | None, reference: dict[str, str], hidden: list[dict],
                   scratch: Path, seconds: int = SECONDS, megabytes: int = MEGABYTES) -> Verdict:
    """One exercise: the student's cell ``source`` run on the visible and hidden cases in a child, judged here."""
    exercise = exercises.exercise(name)
    verdict = lambda points, message, generic=False: Verdict(name, exercise.notebook, points, 1.0, message,  # noqa: E731
                                                             generic)
    if source is None:
        return verdict(0.0, "the notebook has no cell for this exercise (was it deleted?)")
    order = exercises.names()
    try:
        text = yours.section(source, name, exercise.notebook, order)
    except SyntaxError as error:
        return verdict(0.0, f"the cell does not run: SyntaxError at line {error.lineno}: {error.msg}")
    except CourseInputError as error:
        return verdict(0.0, str(error))
    cases = list(exercise.cases) + list(hidden)
    job = {"name": name, "source": text, "dependencies": dependencies(text, name, reference),
           "calls": [case["calls"] for case in cases], "readable": _readable(), "scratch": str(scratch),
           "seconds": seconds, "megabytes": megabytes, "wall_seconds": seconds * 1.5 + 5}
    result = sandbox.ask(job)
    if result.get("open"):
        return verdict(0.0, "not implemented yet (it still raises NotImplementedError)")
    if "error" in result:
        return verdict(0.0, result["error"])
    outcomes = [_outcomes(raw) for raw in result["outcomes"]]
    hooks = HOOKS.get(name, _framework.NO_HOOKS)
    visible = len(exercise.cases)
    found = _framework.judge(exercise, exercise.cases, outcomes[:visible], hooks)
    if found is None:
        found = _framework.judge(exercise, hidden, outcomes[visible:], hooks, hidden=True)
        if found is not None:
            found = (f"it passes the cases you were shown but not the hidden ones, so it must work on any "
                     f"input: {found[0]}", found[1])
    if found is None:
        return verdict(1.0, "passes every case, the hidden ones too")
    message, generic = found
    return verdict(0.0, _delegation(name, message), generic)


def _delegation(name: str, message: str) -> str:
    """Say plainly when a solution leaned on course code for its own exercise."""
    if f"{name} has not passed its self-check yet" in message:
        return (f"it calls the course's copy of {name} (yours.use) instead of computing the result: an exercise is "
                "graded on the code of its own cell, and the grader gives nobody a copy of it")
    if "grading sandbox" in message:
        return f"{message} (so it earns no points)"
    return message


def grade_submission(folder: Path, reference: dict[str, str], hidden: dict[str, list],
                     seconds: int = SECONDS, megabytes: int = MEGABYTES) -> list[Verdict]:
    """Every exercise of the notebooks in a submission folder, in teaching order."""
    catalogue = exercises.catalogue()
    notebooks = {path.stem: path for path in sorted(Path(folder).glob("*.ipynb"))}
    verdicts = []
    with tempfile.TemporaryDirectory(prefix="grading-") as scratch, Sandbox() as sandbox:
        for item in Path(folder).glob("*.py"):  # the student's own modules, if the cells import any
            if item.name not in (yours.RECORD_NAME, yours.WORKING_COPIES_NAME):
                shutil.copy2(item, scratch)
        for stem, path in notebooks.items():
            names = [n for n, e in catalogue.items() if e.notebook == stem]
            if not names:
                continue
            try:
                cells = solution_cells(path)
            except Exception as error:  # a damaged notebook: every exercise in it scores 0, with the reason
                cells, reason = {}, f"the notebook cannot be read ({type(error).__name__})"
                verdicts += [Verdict(n, stem, 0.0, 1.0, reason) for n in names]
                continue
            for name in names:
                verdicts.append(grade_exercise(sandbox, name, cells.get(name), reference, hidden.get(name, []),
                                               Path(scratch), seconds, megabytes))
    return verdicts


def load_key(grading: Path) -> tuple[dict[str, str], dict[str, list]]:
    """The working copies (reference sections) and hidden cases of a course's instructor-only ``grading/`` folder."""
    reference = yours.read_sections(Path(grading) / yours.WORKING_COPIES_NAME)
    hidden = json.loads((Path(grading) / "hidden_cases.json").read_text(encoding="utf-8"))["cases"]
    if not reference:
        raise CourseInputError(f"no working copies in {grading}: write the course with fashion-course course")
    return reference, hidden


def as_dicts(verdicts: list[Verdict]) -> list[dict]:
    return [asdict(v) for v in verdicts]
