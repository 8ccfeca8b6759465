"""The commands for editions and grading: the self-study and HTML editions, a graded course, autograding one
hand-in, the recorded cases, and the grading round trip. :func:`add` puts them on the command line of
:mod:`.cli`, which handles their errors.
"""

from __future__ import annotations

import datetime as _dt
import shutil
from pathlib import Path

from ..errors import CourseInputError, RunFailed
from .options import JOBS, notebooks_option, values_options


def default_out(prefix: str) -> Path:
    """``runs/<prefix>-<time>``: where a command writes when no ``--out`` is given."""
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path("runs") / f"{prefix}-{stamp}"


def cmd_student(args) -> int:
    from .editions import write_student_edition
    from .series import list_notebooks

    notebooks = list_notebooks(directory=args.notebooks)
    out = Path(args.out)
    if out.exists():
        extra = sorted(p.name for p in out.iterdir() if p.name not in ("notebooks", "data"))
        if extra:
            raise CourseInputError(
                f"{out} holds more than a student edition ({', '.join(extra)}): choose another --out or remove it first"
            )
        for part in ("notebooks", "data"):
            shutil.rmtree(out / part, ignore_errors=True)
    written = write_student_edition(notebooks, out)
    print(
        f"Self-study edition, released by nbgrader: {len(written)} notebooks in {out}/notebooks/ (solutions "
        f"stubbed, outputs cleared, the course's working copies beside them) and the course data in {out}/data/"
    )
    return 0


def cmd_course(args) -> int:
    from .editions import write_graded_course
    from .series import list_notebooks

    out = Path(args.out)
    if out.exists() and any(out.iterdir()):
        raise CourseInputError(f"{out} already holds files: choose another --out or remove it first")
    assignments = write_graded_course(
        list_notebooks(directory=args.notebooks),
        out,
        per_notebook=args.per_notebook,
        earlier_copies=args.earlier_copies,
        release=args.release,
    )
    print(
        f"Graded course in {out}/: {len(assignments)} assignment(s) in source/ "
        f"({', '.join(a.name for a in assignments)})"
        f"; instructor-only key in {out}/grading/" + ("; released to release/" if args.release else "")
    )
    print(f"Grade a hand-in with: fashion-course autograde --course {out} --student NAME")
    return 0


def cmd_autograde(args) -> int:
    from .autograde import autograde

    course = Path(args.course)
    if not (course / "nbgrader_config.py").is_file() or not (course / "grading").is_dir():
        raise CourseInputError(f"{course} is not a graded course directory: write one with fashion-course course")
    outcome = autograde(course, args.student, args.assignment)
    for v in outcome["verdicts"]:
        print(f"{v['notebook']}/{v['exercise']:20s} {v['points']:g} / {v['max_points']:g}  {v['message']}")
    print(
        f"{args.student}: {outcome['graded']:g} of {outcome['max']:g} points (the notebook's own test cells "
        f"claimed {outcome['native']:g}); feedback in {course}/feedback/{args.student}/{args.assignment}/"
    )
    return 0


def cmd_cases(args) -> int:
    from .cases import write
    from .export import write_record
    from .series import list_notebooks

    notebooks = list_notebooks(directory=args.notebooks)
    changed = ([notebooks[0].parent / "my_functions.py"] if write_record(notebooks) else []) + write(notebooks)
    print("written: " + (", ".join(str(p) for p in changed) if changed else "nothing changed"))
    return 0


def _stopped(cells: list[str]) -> str:
    """The cells that raised in the grader's kernels, in a few words."""
    if not cells:
        return "no cell raised"
    return f"{len(cells)} cells raised (first: {cells[0]})"


def cmd_autograde_check(args) -> int:
    from .autograde_check import SUBMISSIONS, problems, round_trip
    from .values import resolve

    run = resolve(args.selection, args.notebooks, args.params, args.p)
    notebooks = run.notebooks
    parameters = {path.name: run.parameters(path) for path in notebooks}
    kinds = tuple(args.hand_ins.split(",")) if args.hand_ins else SUBMISSIONS
    unknown = [k for k in kinds if k not in SUBMISSIONS]
    if unknown:
        raise CourseInputError(f"no hand-in {unknown[0]!r}: choose from {', '.join(SUBMISSIONS)}")
    out = Path(args.out) if args.out else default_out("autograde")
    if out.exists() and any(out.iterdir()):
        raise CourseInputError(f"{out} already holds results: choose another --out or remove it first")
    print(
        f"nbgrader round trip in {out}/: a graded course of {len(notebooks)} notebook(s), {len(kinds)} hand-in(s), "
        "autograded two at a time, graded by the isolated grader (a few minutes)",
        flush=True,
    )
    results = round_trip(notebooks, notebooks[0].parent.parent / "data", out, parameters, kinds, workers=args.jobs)
    expected = {
        "solutions": "full points",
        "stubs": "0, no crash",
        "one_bug": "softmax lost",
        "delegates": "0",
        "rebinds": "0",
        "tuned": "0, hidden cases lost",
    }
    for kind, r in results.items():
        print(
            f"{kind:10s} {r['total']:g} / {r['max']:g} points (the kernel's test cells claimed {r['native']:g}); "
            f"lost: {len(r['lost'])}; {_stopped(r['crashed'])}  (expected: {expected[kind]})"
        )
    ran = {nb: ", ".join(names) for nb, names in results.get("solutions", {}).get("used", {}).items()}
    for notebook, names in ran.items():
        print(f"  solutions, {notebook} ran the student's: {names}")
    print(f"Feedback and autograded notebooks: {out}/<hand-in>/feedback/, {out}/<hand-in>/autograded/")
    found = problems(results, notebooks)
    if found:
        raise RunFailed("; ".join(found))
    return 0


def cmd_html(args) -> int:
    from .editions import write_html_edition
    from .series import list_notebooks

    source = Path(args.source) if args.source else None
    notebooks = list_notebooks(directory=source or args.notebooks)
    note = (
        f"The notebooks in teaching order, as executed in {source}."
        if source
        else "The notebooks in teaching order, with the outputs of their last refresh."
    )
    written = write_html_edition(notebooks, Path(args.out), note)
    maths = (
        "MathJax bundled in mathjax/, so the formulas render offline"
        if (Path(args.out) / "mathjax").is_dir()
        else "MathJax from its CDN (pip install jupyter-server-mathjax to bundle it for offline reading)"
    )
    print(f"HTML edition: {len(written) - 1} pages and {written[0]}; {maths}")
    return 0


def add(sub) -> None:
    """Add these commands to the subparsers ``sub`` of the course's command line."""
    p = sub.add_parser("student", help="write the self-study edition (exercises open, working copies beside them)")
    p.add_argument("--out", default="editions/self-study")
    notebooks_option(p)
    p.set_defaults(func=cmd_student)

    p = sub.add_parser("course", help="write a graded nbgrader course directory (no answer key in what students get)")
    p.add_argument("--out", required=True, help="the course directory to write")
    p.add_argument("--per-notebook", action="store_true", help="one assignment per notebook (weekly releases)")
    p.add_argument(
        "--earlier-copies",
        action="store_true",
        help="with --per-notebook: each assignment carries the working copies of the earlier notebooks",
    )
    p.add_argument("--release", action="store_true", help="also run nbgrader generate_assignment for each")
    notebooks_option(p)
    p.set_defaults(func=cmd_course)

    p = sub.add_parser("autograde", help="grade one hand-in: nbgrader's run, the isolated grader's points, feedback")
    p.add_argument("--course", required=True, help="the graded course directory")
    p.add_argument("--student", required=True, help="the student, as in submitted/<student>/")
    p.add_argument("--assignment", default="fashion", help="the assignment (default fashion)")
    p.set_defaults(func=cmd_autograde)

    p = sub.add_parser("cases", help="write the instructor's record and the recorded cases from the notebooks")
    notebooks_option(p)
    p.set_defaults(func=cmd_cases)

    p = sub.add_parser("autograde-check", help="nbgrader round trip: six hand-ins autograded and graded in isolation")
    p.add_argument("selection", nargs="*", metavar="NOTEBOOK", help="numbers or names (default: all)")
    p.add_argument("--out", help="folder for the course directories (default runs/autograde-<time>)")
    p.add_argument("--jobs", type=int, default=JOBS, help=f"hand-ins autograded side by side (default {JOBS})")
    p.add_argument(
        "--hand-ins",
        metavar="KIND,KIND",
        help="only these hand-ins (default all six: solutions, stubs, one_bug, delegates, rebinds, tuned)",
    )
    notebooks_option(p)
    values_options(p, "parameter values for the graded runs (e.g. the quick ones)")
    p.set_defaults(func=cmd_autograde_check)

    p = sub.add_parser("html", help="write the HTML edition with an index page")
    p.add_argument("--source", help="folder of executed notebooks (default notebooks/)")
    p.add_argument("--out", default="editions/html")
    notebooks_option(p)
    p.set_defaults(func=cmd_html)
