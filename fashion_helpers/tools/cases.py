"""The recorded cases of every exercise, written from the instructor's solutions and the answer key.

- ``fashion_helpers/exercises.json`` (shipped): each exercise's notebook, parameters, the earlier exercises it
  calls, and its visible cases: inputs, the reference's outputs, the outputs of catalogued mistakes;
- ``answer_key/hidden_cases.json`` (instructor-only): the hidden cases, in the same form, which a graded course
  copies into its ``grading/`` folder for the grader's kernels and the isolated grader.

``make refresh`` writes both (``fashion-course cases``); a test fails when they drift from what the solutions give.
"""

from __future__ import annotations

import inspect
import io
import json
from contextlib import redirect_stdout
from pathlib import Path

import numpy as np

from .. import exercises, yours
from ..checks._values import close, decode, encode, sketch
from ..errors import CourseInputError
from . import export


def _answer_key():
    try:
        import answer_key
        from answer_key.specs import SPECS
    except ImportError:
        raise CourseInputError(
            "the answer key (answer_key/) is not importable: run this from the course "
            "repository's root, where the instructor's files are"
        ) from None
    return answer_key, SPECS


def _decoded(call: dict) -> tuple[list, dict]:
    return [decode(a) for a in call["args"]], {k: decode(v) for k, v in call["kwargs"].items()}


def _run(fn, call: dict):
    args, kwargs = _decoded(call)
    printed = io.StringIO()
    with redirect_stdout(printed):
        returned = fn(*args, **kwargs)
    return returned, len(printed.getvalue().splitlines())


def _argument(fn, call: dict, name: str):
    """The value of argument ``name`` in a call of ``fn`` (its default when the call leaves it out)."""
    params = list(inspect.signature(fn).parameters)
    if name in call["kwargs"]:
        return decode(call["kwargs"][name])
    if params.index(name) < len(call["args"]):
        return decode(call["args"][params.index(name)])
    return inspect.signature(fn).parameters[name].default


def record_case(fn, spec, case, siblings) -> dict:
    """One case as written to the file: its calls, and (unless it judges properties only) the reference's outputs
    and those of every catalogued mistake that differs from them on it."""
    calls = [
        {"args": [encode(a) for a in c.args], "kwargs": {k: encode(v) for k, v in c.kwargs.items()}} for c in case.calls
    ]
    entry = {"about": case.about, "calls": calls}
    for key in ("tag", "quantities"):
        if getattr(case, key):
            entry[key] = getattr(case, key)
    if case.same_as:
        index, argument = case.same_as
        first = siblings[index].calls[0]
        was = _argument(
            fn,
            {"args": [encode(a) for a in first.args], "kwargs": {k: encode(v) for k, v in first.kwargs.items()}},
            argument,
        )
        now = _argument(fn, calls[0], argument)
        entry["same_as"] = {"case": index, "argument": argument, "was": f"{was:g}", "now": f"{now:g}"}
    if not case.exact:
        entry["expected"] = None
        return entry
    runs = [_run(fn, c) for c in calls]
    expected = [returned for returned, _ in runs]
    entry["expected"] = [encode(e) for e in expected]
    if case.printed:
        entry["printed"] = [lines for _, lines in runs]
    mistakes, seen = [], []
    for message, mutant in spec.mistakes:
        try:
            with np.errstate(all="ignore"):
                outputs = [_run(mutant, c)[0] for c in calls]
        except Exception:  # a mistake that cannot even run on this case is caught by the check's other tests
            continue
        if all(close(o, e) for o, e in zip(outputs, expected, strict=True)):
            continue
        if any(all(close(o, s) for o, s in zip(outputs, other, strict=True)) for other in seen):
            continue
        seen.append(outputs)
        mistakes.append({"message": message, "returned": [sketch(o) for o in outputs]})
    if mistakes:
        entry["mistakes"] = mistakes
    return entry


def build(notebooks: list[Path]) -> tuple[dict, dict]:
    """The visible file's and the hidden file's contents."""
    answer_key, specs = _answer_key()
    R = answer_key.reference()
    cells = export.solution_cells(notebooks)
    order = [name for name, _, _ in cells]
    missing = [name for name in order if name not in specs]
    if missing:
        raise CourseInputError(f"the answer key has no cases for {', '.join(missing)}: add them to answer_key/")
    visible, hidden = [], {}
    for position, (name, notebook, source) in enumerate(cells):
        spec, fn = specs[name], getattr(R, name)
        params = list(inspect.signature(fn).parameters)
        text = yours.section(source, name, notebook, order)
        needs = [n for n in order[:position] if n in yours._free_names(text)]
        visible.append(
            {
                "name": name,
                "notebook": notebook,
                "params": params,
                "needs": needs,
                "outputs": list(spec.outputs),
                "order": list(spec.order),
                "passed": spec.passed,
                "cases": [record_case(fn, spec, c, spec.visible) for c in spec.visible],
            }
        )
        hidden[name] = [record_case(fn, spec, c, spec.hidden) for c in spec.hidden]
    about = (
        "Written by `fashion-course cases` (make refresh) from the instructor's solutions and answer_key/: do not edit."
    )
    return (
        {"about": about, "exercises": visible},
        {"about": about + " Instructor-only: never give this file to a student.", "cases": hidden},
    )


def dumps(content: dict) -> str:
    """The file's text: one line per case, so a change of the cases reads as a change of lines."""

    def value(v, indent):
        pad = " " * indent
        if isinstance(v, dict) and (
            "calls" in v or "about" not in v and not any(isinstance(x, (dict, list)) for x in v.values())
        ):
            return json.dumps(v, separators=(",", ":"), allow_nan=False)
        if isinstance(v, dict):
            items = [f"{pad} {json.dumps(k)}: {value(x, indent + 1)}" for k, x in v.items()]
            return "{\n" + ",\n".join(items) + f"\n{pad}}}"
        if isinstance(v, list) and v and isinstance(v[0], dict):
            return "[\n" + ",\n".join(f"{pad} {value(x, indent + 1)}" for x in v) + f"\n{pad}]"
        return json.dumps(v, separators=(",", ":"), allow_nan=False)

    return value(content, 0) + "\n"


HIDDEN_FILE = Path("answer_key") / "hidden_cases.json"


def drift(a, b, where: str = "cases") -> str | None:
    """Where two recorded contents differ (the first place, as a path), or None: structure and words exactly,
    numbers within the course's tolerance, so another machine's rounding in the last digits is no drift."""
    if isinstance(a, dict) and isinstance(b, dict) and ("array" in a or "ints" in a):
        return None if close(decode(a), decode(b)) else where
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return where
        return next((d for k in a if (d := drift(a[k], b[k], f"{where}.{k}"))), None)
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return where
        return next((d for i, (x, y) in enumerate(zip(a, b, strict=True)) if (d := drift(x, y, f"{where}[{i}]"))), None)
    if isinstance(a, float) or isinstance(b, float):
        return None if close(a, b) else where
    return None if a == b else where


def write(notebooks: list[Path], visible: Path | None = None, hidden: Path | None = None) -> list[Path]:
    """Write both files (default: the package's ``exercises.json`` and ``answer_key/hidden_cases.json`` of the
    repository); returns the ones whose content changed. A file that differs from the rebuilt content only within
    the tolerance (:func:`drift`) is left as it is: a refresh on another CPU rewrites no digits."""
    answer_key, _ = _answer_key()
    visible = Path(visible or exercises.CASES_FILE)
    hidden = Path(hidden or answer_key.REPO / HIDDEN_FILE)
    changed = []
    for path, content in zip((visible, hidden), build(notebooks), strict=True):
        text = dumps(content)
        if not path.is_file() or drift(json.loads(path.read_text(encoding="utf-8")), content) is not None:
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    exercises._read.cache_clear()
    return changed
