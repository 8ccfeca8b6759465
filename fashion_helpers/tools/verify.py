"""The isolated grader: each exercise of a submission judged outside the notebook's kernel.

A student controls everything in their notebook's kernel: they can rebind a check, patch ``print`` or NumPy, or
silence a traceback, so what a test cell prints there proves nothing. The grade comes from here instead. For each
exercise the grader takes the student's cell from the submitted notebook (what the self-check would record: its
imports and definitions), runs the exercise's visible and hidden cases on it in a fresh child process
(:mod:`._isolated`: forked from a server that never saw the answers, limited in time and memory, files and
network out of reach), receives what the function returned, and judges that with the self-checks' own
:func:`fashion_helpers.checks.judge` against the recorded outputs, which the child never sees.

Notebook 10's search (:mod:`fashion_helpers.search`) has no recorded outputs to judge against: the grader
runs the search itself (:func:`grade_search`), asking the student's function in a child for each next training,
training on its own side with a counted trainer of its own and the course's functions, and retraining the choice.
What the student's kernel printed, or what their function claims, never enters the grade.

Each exercise is graded on its own: the earlier exercises its cell calls are the course's working copies (the
reference, released once the deadline has passed), never the exercise itself, so one mistake costs one exercise.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

import nbformat
import numpy as np

from .. import data, exercises, search, yours
from ..checks import HOOKS, _framework
from ..checks._values import decode, encode
from ..errors import CourseInputError
from .parameters import DEFAULTS
from .sandbox import Sandbox, readable

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
    by_grade_id = {f"{name.lower()}_solution": name for name in [*exercises.names(), *search.SEARCHED]}
    cells = [c for c in nbformat.read(str(notebook), as_version=4).cells if c.cell_type == "code"]
    found = {}
    for cell in cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in by_grade_id:
            found.setdefault(by_grade_id[grade_id], cell.source)
    for name in [*exercises.names(), *search.SEARCHED]:
        if name not in found:
            first = next((c.source for c in cells if re.search(rf"^def {name}\(", c.source, re.M)), None)
            if first is not None:
                found[name] = first
    return found


def dependencies(text: str, name: str, reference: dict[str, str]) -> list[str]:
    """The reference sections the exercise's cell needs: the earlier exercises it calls, and what they call in
    turn, in teaching order; never the exercise itself."""
    order = exercises.names()
    earlier = set(order[: order.index(name)])
    needed, todo = set(), [text]
    while todo:
        for other in yours._free_names(todo.pop()) & earlier - needed:
            needed.add(other)
            todo.append(reference[other])
    return [reference[n] for n in order if n in needed]


def _outcomes(raw: list, calls: list) -> list[_framework.Outcome]:
    """What the child sent back for one case, checked for its shape: one outcome per call, each with the four
    fields the judge reads (ValueError otherwise)."""
    if not isinstance(raw, list) or len(raw) != len(calls):
        raise ValueError("not one result per call")
    outcomes = []
    for item in raw:
        raised, changed, printed = item["raised"], item["changed"], item["printed"]
        if raised is not None and not (
            isinstance(raised, list) and len(raised) == 2 and all(isinstance(part, str) for part in raised)
        ):
            raise ValueError("a malformed exception")
        if not isinstance(printed, str) or not (isinstance(changed, list) and all(isinstance(c, str) for c in changed)):
            raise ValueError("malformed fields")
        outcomes.append(
            _framework.Outcome(
                returned=decode(item["returned"]),
                raised=tuple(raised) if raised else None,
                changed=changed,
                printed=printed,
            )
        )
    return outcomes


def _job(
    name: str,
    source: str | None,
    reference: dict[str, str],
    hidden: list[dict],
    scratch: Path,
    seconds: int,
    megabytes: int,
) -> dict | Verdict:
    """The child's job for one exercise, or the verdict when there is nothing to run."""
    exercise = exercises.exercise(name)
    if source is None:
        return Verdict(
            name, exercise.notebook, 0.0, 1.0, "the notebook has no cell for this exercise (was it deleted?)"
        )
    try:
        text = yours.section(source, name, exercise.notebook, exercises.names())
    except SyntaxError as error:
        return Verdict(
            name, exercise.notebook, 0.0, 1.0, f"the cell does not run: SyntaxError at line {error.lineno}: {error.msg}"
        )
    except CourseInputError as error:
        return Verdict(name, exercise.notebook, 0.0, 1.0, str(error))
    cases = list(exercise.cases) + list(hidden)
    return {
        "name": name,
        "source": text,
        "dependencies": dependencies(text, name, reference),
        "calls": [case["calls"] for case in cases],
        "readable": readable(),
        "scratch": str(scratch),
        "seconds": seconds,
        "megabytes": megabytes,
        "wall_seconds": seconds * 1.5 + 5,
    }


def grade_exercise(
    sandbox: Sandbox,
    name: str,
    source: str | None,
    reference: dict[str, str],
    hidden: list[dict],
    seconds: int = SECONDS,
    megabytes: int = MEGABYTES,
) -> Verdict:
    """One exercise: the student's cell ``source`` run on the visible and hidden cases in a child, judged here."""
    job = _job(name, source, reference, hidden, sandbox.scratch, seconds, megabytes)
    return job if isinstance(job, Verdict) else judged(name, hidden, sandbox.ask(job))


def grade_many(
    sandbox: Sandbox, tries: list[tuple[str, str]], reference: dict[str, str], hidden: dict, seconds: int = SECONDS
) -> list[Verdict]:
    """Several (exercise, cell) pairs in one child, one after the other (for the course's own tests: a child per
    pair would cost a fork each)."""
    jobs = [_job(name, source, reference, hidden[name], sandbox.scratch, seconds, MEGABYTES) for name, source in tries]
    runnable = [job for job in jobs if not isinstance(job, Verdict)]
    batch = {"batch": runnable, "wall_seconds": sum(j["wall_seconds"] for j in runnable)}
    answers = sandbox.ask(batch).get("batch", []) if runnable else []
    answers = iter(answers if isinstance(answers, list) else [])
    return [
        job
        if isinstance(job, Verdict)
        else judged(job["name"], hidden[job["name"]], next(answers, {"error": "no answer"}))
        for job in jobs
    ]


def judged(name: str, hidden: list[dict], result: dict) -> Verdict:
    """The verdict on what the child sent back for one exercise. An answer the grader cannot read (the child is
    the student's: it may send anything) scores 0 and says so, never stops the grading of the others."""
    exercise = exercises.exercise(name)

    def verdict(points: float, message: str, generic: bool = False) -> Verdict:
        return Verdict(name, exercise.notebook, points, 1.0, message, generic)

    if not isinstance(result, dict):
        return verdict(0.0, "the grader could not read what your function returned")
    if result.get("open") is True:
        return verdict(0.0, "not implemented yet (it still raises NotImplementedError)")
    if "error" in result:
        return verdict(0.0, str(result["error"])[:300])
    calls = [case["calls"] for case in list(exercise.cases) + list(hidden)]
    try:
        raw = result["outcomes"]
        if not isinstance(raw, list) or len(raw) != len(calls):
            raise ValueError("not one result per case")
        outcomes = [_outcomes(one, case) for one, case in zip(raw, calls, strict=True)]
        hooks = HOOKS.get(name, _framework.NO_HOOKS)
        visible = len(exercise.cases)
        found = _framework.judge(exercise, exercise.cases, outcomes[:visible], hooks)
        if found is None:
            found = _framework.judge(exercise, hidden, outcomes[visible:], hooks, hidden=True)
            if found is not None:
                found = (
                    f"it passes the cases you were shown but not the hidden ones, so it must work on any "
                    f"input: {found[0]}",
                    found[1],
                )
    except Exception as error:  # noqa: BLE001  (whatever came back, this exercise alone scores 0)
        return verdict(
            0.0,
            f"the grader could not read what your function returned ({type(error).__name__}), so it earns no points",
        )
    if found is None:
        return verdict(1.0, "passes every case, the hidden ones too")
    message, generic = found
    return verdict(0.0, _delegation(name, message), generic)


def _delegation(name: str, message: str) -> str:
    """Say plainly when a solution leaned on course code for its own exercise."""
    if f"{name} has not passed its self-check yet" in message:
        return (
            f"it calls the course's copy of {name} (yours.use) instead of computing the result: an exercise is "
            "graded on the code of its own cell, and the grader gives nobody a copy of it"
        )
    if "grading sandbox" in message:
        return f"{message} (so it earns no points)"
    return message


def _course_functions(reference: dict[str, str]) -> dict:
    """The course's working copies as functions (what the grader's own trainer runs)."""
    namespace = {"__name__": "course_functions", "np": np}
    for text in reference.values():
        exec(compile(text, "<the course's working copies>", "exec"), namespace)
    return {name: namespace[name] for name in reference if name in namespace}


def grader_trainer(reference: dict[str, str], parameters: dict | None = None) -> search.Trainer:
    """A fresh counted trainer on the course's own data (never a file of the submission), split as every
    notebook splits it, with the default parameters unless ``parameters`` says otherwise."""
    values = {**DEFAULTS, **(parameters or {})}
    pixels, labels = data.load_data(data.course_file("train", start=Path(data.__file__).parent))
    X_train, Y_train, X_dev, Y_dev = data.split_dev_train(
        pixels, labels, values["dev_size"], np.random.default_rng(values["seed"])
    )
    return search.Trainer(
        X_train,
        Y_train,
        X_dev,
        Y_dev,
        seed=values["seed"],
        budget=values["budget"],
        batch_size=values["batch_size"],
        functions=_course_functions(reference),
    )


def grade_search(
    sandbox: Sandbox, source: str | None, reference: dict[str, str], parameters: dict | None = None, seconds: int = 5
) -> Verdict:
    """Notebook 10's search: the student's ``next_trial`` asked in a child for each step, the trainings made here by
    the grader's own counted trainer, the choice retrained here over ``n_seeds`` seeds against ``target``."""
    name, notebook = search.NAME, search.NOTEBOOK
    if source is None:
        return Verdict(name, notebook, 0.0, 1.0, "the notebook has no cell for this exercise (was it deleted?)")
    try:
        text = yours.section(source, name, notebook, [*exercises.names(), name])
    except (SyntaxError, CourseInputError) as error:
        return Verdict(name, notebook, 0.0, 1.0, f"the cell does not run: {error}")

    def ask(trials, budget_left):
        job = {
            "name": name,
            "source": text,
            "dependencies": [],
            "calls": [[{"args": [encode(trials), budget_left], "kwargs": {}}]],
            "readable": readable(),
            "scratch": str(sandbox.scratch),
            "seconds": seconds,
            "megabytes": MEGABYTES,
            "wall_seconds": seconds * 1.5 + 5,
        }
        result = sandbox.ask(job)
        if not isinstance(result, dict):
            raise CourseInputError("the grader could not read what your function returned")
        if result.get("open") is True:
            raise NotImplementedError
        if "error" in result:
            raise CourseInputError(str(result["error"])[:300])
        try:
            (outcome,) = _outcomes(result["outcomes"][0], job["calls"][0])
        except Exception as error:  # noqa: BLE001  (the child is the student's: it may send anything)
            raise CourseInputError(
                f"the grader could not read what your function returned ({type(error).__name__})"
            ) from None
        if outcome.raised:
            raise CourseInputError(f"next_trial raised {outcome.raised[0]}: {outcome.raised[1]}"[:300])
        return outcome.returned

    values = {**DEFAULTS, **(parameters or {})}
    found = search.verdict(ask, grader_trainer(reference, parameters), values["n_seeds"], values["target"])
    return Verdict(name, notebook, found["points"], 1.0, found["message"])


def grade_submission(
    folder: Path, reference: dict[str, str], hidden: dict[str, list], seconds: int = SECONDS, megabytes: int = MEGABYTES
) -> list[Verdict]:
    """Every exercise of the notebooks in a submission folder, in teaching order."""
    catalogue = exercises.catalogue()
    notebooks = {path.stem: path for path in sorted(Path(folder).glob("*.ipynb"))}
    modules = tuple(
        item
        for item in Path(folder).glob("*.py")  # the student's own modules, if the cells import any
        if item.name not in (yours.RECORD_NAME, yours.WORKING_COPIES_NAME) and item.is_file()
    )
    verdicts = []
    with Sandbox(files=modules) as sandbox:
        for stem, path in notebooks.items():
            names = [n for n, e in catalogue.items() if e.notebook == stem]
            if not names and stem != search.NOTEBOOK:
                continue
            try:
                cells = solution_cells(path)
            except Exception as error:  # a damaged notebook: every exercise in it scores 0, with the reason
                reason = f"the notebook cannot be read ({type(error).__name__}): hand in the notebook itself"
                searched = [search.NAME] if stem == search.NOTEBOOK else []
                verdicts += [Verdict(n, stem, 0.0, 1.0, reason) for n in names + searched]
                continue
            for name in names:
                verdicts.append(
                    grade_exercise(sandbox, name, cells.get(name), reference, hidden.get(name, []), seconds, megabytes)
                )
            if stem == search.NOTEBOOK:
                verdicts.append(grade_search(sandbox, cells.get(search.NAME), reference))
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
