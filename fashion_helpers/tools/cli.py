"""fashion-course: run the series, sweep parameters, refresh committed outputs, build editions.

    fashion-course run [NOTEBOOK ...] [--params FILE.yaml] [-p NAME VALUE | -p NAME=VALUE ...] [--jobs N] [--out DIR]
    fashion-course sweep [--notebook 06] -g NAME=V1,V2 ... [--seeds 3] [--params FILE] [-p ...] [--out DIR]
                         [--scheduler ADDRESS]
    fashion-course refresh [NOTEBOOK ...]
    fashion-course student [--out DIR]
    fashion-course course --out DIR [--per-notebook [--earlier-copies]] [--release]
    fashion-course autograde --course DIR --student NAME [--assignment NAME]
    fashion-course grade --course DIR [--zip FILE] [--scheduler ADDRESS] [--jobs N]
    fashion-course autograde-check [NOTEBOOK ...] [--params FILE] [-p ...] [--out DIR]
    fashion-course cases
    fashion-course html [--source DIR] [--out DIR]
    fashion-course params

Every command takes ``--notebooks DIR``, the folder of the series (default: ``notebooks`` in the working
directory). Every parameter is checked (name, type, range, paths) before any kernel starts. One handler ends
every command: bad input with one line on stderr and exit status 2, a failed run with one line and status 1.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import shutil
import sys
from pathlib import Path

from ..errors import CourseInputError, RunFailed

#: What the tooling needs beyond the course's own libraries: ``pip install "fashion-helpers[tools]"``.
TOOL_MODULES = ("papermill", "nbformat", "nbconvert", "yaml", "tqdm", "nbgrader")


def _normalise_p(argv: list[str]) -> list[str]:
    """Accept papermill's ``-p NAME VALUE`` as well as ``-p NAME=VALUE``."""
    out, i = [], 0
    while i < len(argv):
        token = argv[i]
        if token in ("-p", "--parameter") and i + 1 < len(argv) and "=" not in argv[i + 1]:
            if i + 2 >= len(argv):
                raise CourseInputError(f"-p {argv[i + 1]} has no value: write -p {argv[i + 1]} VALUE")
            out += ["-p", f"{argv[i + 1]}={argv[i + 2]}"]
            i += 3
        else:
            out.append(token)
            i += 1
    return out


def _load_yaml(path: str) -> dict:
    import yaml

    file = Path(path)
    if not file.is_file():
        raise CourseInputError(f"parameter file not found: {path}; the shipped ones are in params/")
    try:
        values = yaml.safe_load(file.read_text()) or {}
    except yaml.YAMLError as exc:
        raise CourseInputError(f"{path} is not valid YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(values, dict):
        raise CourseInputError(f"{path} must map parameter names to values (name: value per line)")
    return values


def collect_values(params_file: str | None, overrides: list[str]) -> dict:
    """Values from the YAML file, then ``-p`` overrides on top (their paths relative to the working directory)."""
    from .parameters import PATHS, parse_value

    values = _load_yaml(params_file) if params_file else {}
    for name in PATHS:  # paths in a parameter file are relative to that file's folder
        if isinstance(values.get(name), str) and not Path(values[name]).expanduser().is_absolute():
            values[name] = str((Path(params_file).parent / values[name]).resolve())
    for item in overrides:
        name, sep, text = item.partition("=")
        if not sep or not name:
            raise CourseInputError(f"-p {item!r}: write -p NAME VALUE or -p NAME=VALUE")
        values[name.strip()] = parse_value(text)
    return values


def file_values_for(declared: dict, params_file: str | None, overrides: list[str]) -> dict:
    """:func:`collect_values` for a run of some notebooks: a parameter file serves the whole series, so its known
    names that none of the selected notebooks declares are left out (``-p`` overrides are kept, and refused later
    if no selected notebook uses them; unknown names are always refused)."""
    from .parameters import SPEC

    used = set().union(*declared.values()) if declared else set()
    values = {
        name: value for name, value in collect_values(params_file, []).items() if name in used or name not in SPEC
    }
    values.update(collect_values(None, overrides))
    return values


def _default_out(prefix: str) -> Path:
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path("runs") / f"{prefix}-{stamp}"


def _link_latest(out: Path) -> None:
    latest = out.parent / "latest"
    try:
        if latest.is_symlink() or latest.exists():
            if not latest.is_symlink():
                return
            latest.unlink()
        latest.symlink_to(out.name)
    except OSError:
        pass


def cmd_run(args) -> int:
    from .runner import declarations, list_notebooks, prepare_parameters, run_series

    declared = declarations(list_notebooks(args.selection, args.notebooks))
    values = prepare_parameters(file_values_for(declared, args.params, args.p), declared)
    out = Path(args.out) if args.out else _default_out("run")
    if out.exists() and any(out.iterdir()):
        raise CourseInputError(f"{out} already holds results: choose another --out or remove it first")
    print(
        f"Running {len(declared)} notebook(s) into {out}/ "
        f"with {', '.join(f'{k}={v}' for k, v in values.items()) or 'the defaults'}",
        flush=True,
    )
    results = run_series(out, values, declared, workers=args.jobs, progress=not args.quiet)
    if out.parent.name == "runs":
        _link_latest(out)
    print()
    print((out / "summary.md").read_text(), end="")
    failed = [r for r in results if r["status"] != "ok"]
    latest = " (also runs/latest)" if (out.parent / "latest").is_symlink() and out.parent.name == "runs" else ""
    print(
        f"\nResults: {out}/{latest}: executed notebooks, *.metrics.json, summary.csv, summary.md, "
        "parameters.json (what you set), kernels.log (the kernels' own start-up messages)"
    )
    for r in failed:
        print(f"FAILED {r['notebook']}: {r['error']} (see {out / (r['notebook'] + '.ipynb')})", file=sys.stderr)
    if failed:
        raise RunFailed(f"{len(failed)} of {len(results)} notebooks failed; the others' results are in {out}/")
    return 0


def cmd_sweep(args) -> int:
    from .runner import list_notebooks
    from .sweep import parse_grid, parse_seeds, run_sweep

    notebook = list_notebooks([args.notebook], args.notebooks)[0]
    grid = parse_grid(args.grid)
    if not grid:
        raise CourseInputError("a sweep needs at least one grid entry: -g NAME=V1,V2")
    seeds = parse_seeds(args.seeds)
    fixed = collect_values(args.params, args.p)
    out = Path(args.out) if args.out else _default_out("sweep")
    print(
        f"Sweeping {notebook.stem}: {' x '.join(f'{k} {v}' for k, v in grid.items())} x seeds {seeds} into {out}/",
        flush=True,
    )
    table = run_sweep(
        notebook, grid, seeds, fixed, out, workers=args.jobs, progress=not args.quiet, scheduler=args.scheduler
    )
    print()
    print((out / "sweep.md").read_text(), end="")
    print(f"\nResults: {out}/ (sweep.md, sweep.csv, sweep.png, runs.csv, runs/)")
    return 0 if len(table) else 1


def cmd_refresh(args) -> int:
    from .runner import list_notebooks, refresh

    results = refresh(list_notebooks(args.selection, args.notebooks), workers=args.jobs, progress=not args.quiet)
    failed = [r for r in results if r["status"] != "ok"]
    for r in results:
        state = "refreshed" if r["status"] == "ok" else f"FAILED, left unchanged: {r['error']}"
        print(f"{r['notebook']}: {state}")
    if failed:
        raise RunFailed(f"{len(failed)} of {len(results)} notebooks failed to run and were left unchanged")
    return 0


def cmd_student(args) -> int:
    from .editions import write_student_edition
    from .runner import list_notebooks

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
    from .runner import list_notebooks

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


def cmd_grade(args) -> int:
    from .classgrade import grade_class, state_dir, summary

    limits = {"cell_seconds": args.cell_timeout, "notebook_seconds": args.notebook_timeout, "megabytes": args.memory}
    if min(limits.values()) < 1:
        raise CourseInputError("--cell-timeout, --notebook-timeout and --memory must be at least 1")
    course = Path(args.course)
    where = f"the Dask scheduler at {args.scheduler}" if args.scheduler else f"{args.jobs} local worker(s)"
    print(f"Grading {course}/submitted/*/{args.assignment}/ on {where}, each submission in its own sandbox", flush=True)
    try:
        outcome = grade_class(
            course,
            args.assignment,
            archive=Path(args.zip) if args.zip else None,
            scheduler=args.scheduler,
            workers=args.jobs,
            limits=limits,
            progress=not args.quiet,
            csv_path=Path(args.csv) if args.csv else None,
        )
    except KeyboardInterrupt:
        print(
            f"\nstopped: what finished is recorded in {state_dir(course.resolve(), args.assignment)}/results/; "
            "run the same command again to grade the rest",
            file=sys.stderr,
        )
        return 130
    for line in summary(outcome):
        print(line)
    print(f"Grades for the LMS: {outcome['csv']}; gradebook: {course}/gradebook.db (formgrader: the answers to grade)")
    return 1 if outcome["failed"] else 0


def cmd_cases(args) -> int:
    from .cases import write
    from .export import write_record
    from .runner import list_notebooks

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
    from .autograde_check import problems, round_trip
    from .runner import declarations, list_notebooks, parameters_for, prepare_parameters

    notebooks = list_notebooks(args.selection, directory=args.notebooks)
    declared = declarations(notebooks)
    values = prepare_parameters(file_values_for(declared, args.params, args.p), declared)
    parameters = {path.name: parameters_for(declared[path], values) for path in notebooks}
    out = Path(args.out) if args.out else _default_out("autograde")
    if out.exists() and any(out.iterdir()):
        raise CourseInputError(f"{out} already holds results: choose another --out or remove it first")
    print(
        f"nbgrader round trip in {out}/: a graded course of {len(notebooks)} notebook(s), six hand-ins, "
        "autograded two at a time, graded by the isolated grader (a few minutes)",
        flush=True,
    )
    results = round_trip(notebooks, notebooks[0].parent.parent / "data", out, parameters, workers=args.jobs)
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
    ran = {nb: ", ".join(names) for nb, names in results["solutions"]["used"].items()}
    for notebook, names in ran.items():
        print(f"  solutions, {notebook} ran the student's: {names}")
    print(f"Feedback and autograded notebooks: {out}/<hand-in>/feedback/, {out}/<hand-in>/autograded/")
    found = problems(results, notebooks)
    if found:
        raise RunFailed("; ".join(found))
    return 0


def cmd_html(args) -> int:
    from .editions import write_html_edition
    from .runner import list_notebooks

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


def parameter_table(directory: Path | None = None) -> str:
    """Markdown table of every parameter: name, default, what it changes, the notebooks that declare it."""
    from .parameters import SPEC
    from .runner import declarations, list_notebooks

    users = {name: [] for name in SPEC}
    for nb, declared in declarations(list_notebooks(directory=directory)).items():
        for name in declared:
            users.setdefault(name, []).append(nb.stem[:2])
    lines = ["| parameter | default | what it changes | notebooks |", "| --- | --- | --- | --- |"]
    for name, spec in SPEC.items():
        lines.append(f"| `{name}` | `{spec.default!r}` | {spec.help} | {', '.join(users[name]) or '-'} |")
    return "\n".join(lines) + "\n"


def cmd_params(args) -> int:
    print(parameter_table(args.notebooks), end="")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fashion-course", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    jobs = max(1, min(2, os.cpu_count() or 1))

    def notebooks_option(p):
        p.add_argument(
            "--notebooks",
            type=Path,
            default=None,
            metavar="DIR",
            help="folder of the series NN_*.ipynb (default: ./notebooks)",
        )

    def common(p, with_params=True):
        notebooks_option(p)
        p.add_argument("--jobs", type=int, default=jobs, help=f"notebooks run side by side (default {jobs})")
        p.add_argument("--quiet", action="store_true", help="no progress bar")
        if with_params:
            p.add_argument("--params", metavar="FILE.yaml", help="parameter values from a YAML file")
            p.add_argument(
                "-p",
                "--parameter",
                dest="p",
                action="append",
                default=[],
                metavar="NAME=VALUE",
                help="override one parameter (also: -p NAME VALUE)",
            )

    p = sub.add_parser("run", help="run the series (or some notebooks) with papermill")
    p.add_argument("selection", nargs="*", metavar="NOTEBOOK", help="numbers or names, e.g. 05 07 (default: all)")
    p.add_argument("--out", help="output folder (default runs/run-<time>, linked as runs/latest)")
    common(p)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("sweep", help="grid of parameters x seeds, mean ± std of the headline numbers")
    p.add_argument("--notebook", default="06", help="the notebook to sweep (default 06_validation)")
    p.add_argument("-g", "--grid", action="append", default=[], metavar="NAME=V1,V2", help="one grid axis")
    p.add_argument("--seeds", default="3", help="a count (3 -> seeds 0,1,2) or a list (4,8,15)")
    p.add_argument("--out", help="output folder; re-use one to resume (default runs/sweep-<time>)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="run on a running Dask scheduler (default: local processes)")
    common(p)
    p.set_defaults(func=cmd_sweep)

    p = sub.add_parser("refresh", help="re-execute notebooks/ in place and strip run noise")
    p.add_argument("selection", nargs="*", metavar="NOTEBOOK", help="numbers or names (default: all)")
    common(p, with_params=False)
    p.set_defaults(func=cmd_refresh)

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

    p = sub.add_parser("grade", help="grade a whole class: every submission isolated, in parallel, resumable")
    p.add_argument("--course", required=True, help="the graded course directory (submissions in submitted/)")
    p.add_argument("--assignment", default="fashion", help="the assignment (default fashion)")
    p.add_argument("--zip", help="an LMS's zip of submissions, unpacked into submitted/ first")
    p.add_argument("--scheduler", metavar="ADDRESS", help="a running Dask scheduler (default: this machine's cores)")
    p.add_argument(
        "--jobs", type=int, default=jobs, help=f"local worker processes without --scheduler (default {jobs})"
    )
    p.add_argument("--cell-timeout", type=int, default=120, help="seconds per cell (default 120)")
    p.add_argument("--notebook-timeout", type=int, default=600, help="seconds per notebook (default 600)")
    p.add_argument("--memory", type=int, default=4096, help="megabytes of address space per submission (default 4096)")
    p.add_argument(
        "--csv", help="where to write the grades for the LMS (default grading/class/<assignment>/grades.csv)"
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_grade)

    p = sub.add_parser("cases", help="write the instructor's record and the recorded cases from the notebooks")
    notebooks_option(p)
    p.set_defaults(func=cmd_cases)

    p = sub.add_parser("autograde-check", help="nbgrader round trip: six hand-ins autograded and graded in isolation")
    p.add_argument("selection", nargs="*", metavar="NOTEBOOK", help="numbers or names (default: all)")
    p.add_argument("--out", help="folder for the course directories (default runs/autograde-<time>)")
    p.add_argument("--jobs", type=int, default=jobs, help=f"hand-ins autograded side by side (default {jobs})")
    notebooks_option(p)
    p.add_argument("--params", metavar="FILE.yaml", help="parameter values for the graded runs (e.g. the quick ones)")
    p.add_argument(
        "-p",
        "--parameter",
        dest="p",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override one parameter (also: -p NAME VALUE)",
    )
    p.set_defaults(func=cmd_autograde_check)

    p = sub.add_parser("html", help="write the HTML edition with an index page")
    p.add_argument("--source", help="folder of executed notebooks (default notebooks/)")
    p.add_argument("--out", default="editions/html")
    notebooks_option(p)
    p.set_defaults(func=cmd_html)

    p = sub.add_parser("params", help="list every parameter (a markdown table): default, meaning, notebooks")
    notebooks_option(p)
    p.set_defaults(func=cmd_params)
    return parser


def _importable(name: str) -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec(name) is not None
    except ImportError:
        return False


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    missing = [name for name in TOOL_MODULES if not _importable(name)]
    if missing:
        print(
            f"error: fashion-course needs the course tooling ({', '.join(missing)} missing): "
            "pip install 'fashion-helpers[tools]'",
            file=sys.stderr,
        )
        return 2
    try:
        args = build_parser().parse_args(_normalise_p(argv))
        if getattr(args, "jobs", 1) < 1:
            raise CourseInputError(f"--jobs must be at least 1, got {args.jobs}")
        return args.func(args)
    except CourseInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except RunFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
