"""The grading round trip: a graded course released with nbgrader, six hand-ins autograded, each scored as it
should be (``fashion-course autograde-check``, ``make autograde-check``).

- ``solutions``: every exercise solved, written differently from the instructor's, each saying once when the
  notebook (not its check) calls it; the inline questions answered: full points, the answers waiting for formgrader,
  and the proof that later notebooks ran the student's earlier functions;
- ``stubs``: the release untouched: 0 points, no crash (the grader's kernels have the working copies);
- ``one_bug``: the solutions with the mid-term's global-max softmax: exactly that exercise lost, and named;
- ``delegates``: every exercise handed to course code: 0 on every exercise, and the feedback says why;
- ``rebinds``: the untouched release plus code that rebinds the checks: no points gained;
- ``tuned``: every exercise returning the outputs of the cases it was shown: loses the hidden cases.

The hand-ins come from the answer key (``answer_key/submissions.py``); the round trip needs the repository.
"""

from __future__ import annotations

import ast
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook

from .. import yours
from ..conventions import BEGIN, END, SOLUTION_BLOCK
from ..errors import CourseInputError
from ..search import SEARCHED
from . import autograde, grading
from .grading import ASSIGNMENT

_ANNOUNCED_LINE = re.compile(r"^\[the student's (\w+) at work\]$", re.M)
SUBMISSIONS = ("solutions", "stubs", "one_bug", "delegates", "rebinds", "tuned")


def fill_in(stubbed: str, body: str) -> str:
    """A released (stubbed) cell with ``body`` written between its markers, indented like them."""

    def write(match):
        indent = match.group(1)
        lines = "".join(f"{indent}{line}\n" if line else "\n" for line in body.splitlines())
        return f"{indent}{BEGIN}\n{lines}{indent}{END}"

    return SOLUTION_BLOCK.sub(write, stubbed, count=1)


def _bodies(kind: str, names: list[str]) -> dict[str, str]:
    from answer_key import submissions

    if kind in ("solutions", "one_bug"):
        bodies = {n: submissions.announcing(n) if kind == "solutions" else submissions.ALTERNATIVES[n] for n in names}
        if kind == "one_bug" and submissions.BUG["exercise"] in bodies:
            old, new = submissions.BUG["replace"]
            bodies[submissions.BUG["exercise"]] = bodies[submissions.BUG["exercise"]].replace(old, new)
        return bodies
    if kind == "delegates":
        return {n: submissions.delegating(n, i) for i, n in enumerate(names)}
    if kind == "tuned":
        return {n: submissions.tuned(n) for n in names}
    return {}


def hand_in(course: Path, student: str, kind: str) -> None:
    """Copy the release to ``submitted/<student>/`` and write the hand-in of that kind into it."""
    from answer_key import submissions

    folder = course / "submitted" / student / ASSIGNMENT
    shutil.copytree(course / "release" / ASSIGNMENT, folder)
    (folder / "timestamp.txt").write_text("2026-01-01 12:00:00 UTC\n")
    for path in sorted(folder.glob("*.ipynb")):
        nb = nbformat.read(str(path), as_version=4)
        cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}
        names = [n for n in (f for f, _ in yours_exercises(nb)) if f"{n.lower()}_solution" in cells]
        for name, body in _bodies(kind, names).items():
            cell = cells[f"{name.lower()}_solution"]
            cell.source = fill_in(cell.source, body)
        if kind == "solutions":
            first = next(c for c in nb.cells if c.cell_type == "code")
            first.source += submissions.ANNOUNCE
            for cell in nb.cells:
                if cell.metadata.get("nbgrader", {}).get("grade_id", "").startswith("answer_"):
                    cell.source = "**Answer.** Written by the round trip's student."
        if kind == "rebinds" and names:
            cell = cells[f"{names[0].lower()}_solution"]
            cell.source = submissions.REBIND + cell.source
        nbformat.write(nb, str(path))


def yours_exercises(nb) -> list[tuple[str, str]]:
    """(function, indentation) of the exercises of a notebook, in order."""
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and BEGIN in cell.source:
            found += grading.exercises(cell.source, f"cell {index}")
    return found


def result(course: Path, student: str, graded: dict) -> dict:
    """What the round trip checks of one hand-in, read from the gradebook, the autograded notebooks and the
    feedback."""
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", grading.COURSE_ID) as gradebook:
        submission = gradebook.find_submission(ASSIGNMENT, student)
        grades = [(nb.name, g) for nb in submission.notebooks for g in nb.grades]
        auto = [(name, g) for name, g in grades if not g.name.startswith("answer_")]
        lost = sorted(f"{name}/{g.name}" for name, g in auto if g.score < g.max_score)
        to_grade = sorted(
            f"{name}/{g.name}" for name, g in grades if g.name.startswith("answer_") and g.needs_manual_grade
        )
        total, maximum = sum(g.score for _, g in auto), sum(g.max_score for _, g in auto)
    crashed, used = [], {}
    for path in sorted((course / "autograded" / student / ASSIGNMENT).glob("*.ipynb")):
        for index, cell in enumerate(nbformat.read(str(path), as_version=4).cells):
            outputs = cell.get("outputs", [])
            if not cell.metadata.get("nbgrader", {}).get("grade") and any(o.output_type == "error" for o in outputs):
                crashed.append(f"{path.stem}, cell {index}")
            for o in outputs:
                if o.output_type == "stream":
                    used.setdefault(path.stem, set()).update(_ANNOUNCED_LINE.findall(o.text))
    feedback = "".join(p.read_text() for p in sorted((course / "feedback" / student / ASSIGNMENT).glob("*.html")))
    return {
        "total": total,
        "max": maximum,
        "native": graded["native"],
        "lost": lost,
        "crashed": crashed,
        "to_grade_by_hand": to_grade,
        "used": {k: sorted(v) for k, v in used.items()},
        "messages": {v["exercise"]: v["message"] for v in graded["verdicts"]},
        "feedback": feedback,
    }


def round_trip(
    notebooks: list[Path],
    data_dir: Path,
    root: Path,
    parameters: dict[str, dict] | None = None,
    kinds=SUBMISSIONS,
    workers: int = 2,
) -> dict:
    """Write a graded course for ``notebooks``, release it, hand in each kind of submission, autograde them side
    by side (each in its own copy of the course, one gradebook each) and return each one's :func:`result`."""
    try:
        import answer_key
    except ImportError:
        raise CourseInputError(
            "the round trip's hand-ins come from the answer key: run it from the course repository's root"
        ) from None
    from . import cases

    base = root / "course"
    record = notebooks[0].parent / yours.RECORD_NAME
    grading.write_course(
        base, notebooks, data_dir, key=(record, answer_key.REPO / cases.HIDDEN_FILE), parameters=parameters
    )
    grading.nbgrader(base, "generate_assignment", ASSIGNMENT, "--force")
    courses = {}
    for kind in kinds:
        courses[kind] = root / kind
        shutil.copytree(base, courses[kind], symlinks=True)
        (courses[kind] / "nbgrader_config.py").write_text(grading._config(courses[kind].resolve(), 600))
        hand_in(courses[kind], kind, kind)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        graded = dict(zip(kinds, pool.map(lambda kind: autograde.autograde(courses[kind], kind), kinds), strict=True))
    return {kind: result(courses[kind], kind, graded[kind]) for kind in kinds}


def problems(results: dict, notebooks: list[Path]) -> list[str]:
    """What went wrong, in words: every hand-in against what it should score."""
    from answer_key import submissions

    found = []
    exercises_of = {}
    for path in notebooks:
        exercises_of[path.stem] = [f for f, _ in yours_exercises(nbformat.read(str(path), as_version=4))]
    every = [n for names in exercises_of.values() for n in names]
    solutions = results.get("solutions")
    if solutions:
        if solutions["total"] != solutions["max"] or solutions["lost"]:
            found.append(f"the solutions lost points: {', '.join(solutions['lost'])}")
        for path in notebooks:
            called = set(solutions["used"].get(path.stem, []))
            own = set(exercises_of[path.stem]) - set(SEARCHED)  # the course's search loop calls it, not the notebook
            if own - called:
                found.append(f"{path.stem} never ran the student's own {', '.join(sorted(own - called))}")
            earlier = asked_for(nbformat.read(str(path), as_version=4)) & set(every)  # of the notebooks graded
            if earlier - called:
                found.append(
                    f"{path.stem} asked yours.use for {', '.join(sorted(earlier - called))} but never ran the student's"
                )
    stubs = results.get("stubs")
    if stubs and (stubs["total"] != 0 or stubs["crashed"]):
        found.append(f"the untouched release scored {stubs['total']:g} or crashed ({', '.join(stubs['crashed'])})")
    bug = results.get("one_bug") if submissions.BUG["exercise"] in every else None
    if bug and (
        bug["lost"] != [f"{_notebook_of(notebooks, submissions.BUG['exercise'])}/softmax_check"]
        or submissions.BUG_WORDS not in bug["messages"]["softmax"]
    ):
        found.append(f"the hand-in with one bug lost {bug['lost']}, not exactly softmax named by its mistake")
    for kind, why in (("delegates", None), ("rebinds", None), ("tuned", "not the hidden ones")):
        graded = results.get(kind)
        if graded and graded["total"] != 0:
            found.append(f"the {kind} hand-in scored {graded['total']:g} points without doing the work")
        if (
            graded
            and why
            and any(why not in graded["messages"][n] for n in every if n not in SEARCHED and _all_recorded(n))
        ):
            found.append(f"the {kind} hand-in's feedback does not say it failed the hidden cases")
    for kind, graded in results.items():
        if "HIDDEN TESTS" in graded["feedback"] or "hidden=True" in graded["feedback"]:
            found.append(f"the {kind} feedback shows the hidden tests' code")
    return found


def asked_for(nb) -> set[str]:
    """The earlier exercises a notebook takes with ``yours.use``: its string arguments, or a tuple of them unpacked
    (``yours.use(*EARLIER)``) that the notebook assigns."""
    trees = [ast.parse(cell.source) for cell in nb.cells if cell.cell_type == "code" and "yours" in cell.source]
    tuples = {
        node.targets[0].id: node.value
        for tree in trees
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name) and isinstance(node.value, ast.Tuple)
    }
    names = set()
    for tree in trees:
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "use"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "yours"
            ):
                for arg in node.args:
                    if isinstance(arg, ast.Starred) and isinstance(arg.value, ast.Name) and arg.value.id in tuples:
                        arg = tuples[arg.value.id]
                    names |= {e.value for e in getattr(arg, "elts", [arg]) if isinstance(e, ast.Constant)}
    return names


def _all_recorded(name: str) -> bool:
    """Whether every visible case of an exercise records its outputs (a tuned hand-in can only fake those)."""
    from .. import exercises

    return all(case["expected"] is not None and "printed" not in case for case in exercises.exercise(name).cases)


def _notebook_of(notebooks: list[Path], name: str) -> str:
    return next(p.stem for p in notebooks if name in [f for f, _ in yours_exercises(nbformat.read(str(p), 4))])
