"""fashion-course: run the series, sweep parameters, refresh committed outputs, build editions.

    fashion-course run [NOTEBOOK ...] [--params FILE.yaml] [-p NAME VALUE | -p NAME=VALUE ...] [--jobs N] [--out DIR]
    fashion-course sweep [--notebook 06] -g NAME=V1,V2 ... [--seeds 3] [--params FILE] [-p ...] [--out DIR]
                         [--scheduler ADDRESS]
    fashion-course refresh [NOTEBOOK ...]
    fashion-course student [--out DIR]
    fashion-course course --out DIR [--per-notebook [--earlier-copies]] [--release]
    fashion-course autograde --course DIR --student NAME [--assignment NAME]
    fashion-course grade --course DIR [--zip FILE] [--scheduler ADDRESS] [--jobs N]
    fashion-course autograde-check [NOTEBOOK ...] [--hand-ins KIND,KIND] [--params FILE] [-p ...] [--out DIR]
    fashion-course cases
    fashion-course html [--source DIR] [--out DIR]
    fashion-course params

Every command takes ``--notebooks DIR``, the folder of the series (default: ``notebooks`` in the working
directory). Every parameter is checked (name, type, range, paths) before any kernel starts. One handler ends
every command: bad input with one line on stderr and exit status 2, a failed run with one line and status 1.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import CourseInputError, RunFailed
from . import editions_commands
from .editions_commands import default_out
from .options import JOBS, notebooks_option, values_options

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
    from .runner import run_series
    from .values import resolve

    run = resolve(args.selection, args.notebooks, args.params, args.p)
    values = run.values
    out = Path(args.out) if args.out else default_out("run")
    if out.exists() and any(out.iterdir()):
        raise CourseInputError(f"{out} already holds results: choose another --out or remove it first")
    print(
        f"Running {len(run.notebooks)} notebook(s) into {out}/ "
        f"with {', '.join(f'{k}={v}' for k, v in values.items()) or 'the defaults'}",
        flush=True,
    )
    results = run_series(out, run, workers=args.jobs, progress=not args.quiet)
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
    from .sweep import parse_grid, parse_seeds, run_sweep
    from .values import resolve

    grid = parse_grid(args.grid)
    if not grid:
        raise CourseInputError("a sweep needs at least one grid entry: -g NAME=V1,V2")
    seeds = parse_seeds(args.seeds)
    run = resolve([args.notebook], args.notebooks, args.params, args.p)
    notebook = run.notebooks[0]
    out = Path(args.out) if args.out else default_out("sweep")
    print(
        f"Sweeping {notebook.stem}: {' x '.join(f'{k} {v}' for k, v in grid.items())} x seeds {seeds} into {out}/",
        flush=True,
    )
    table = run_sweep(run, grid, seeds, out, workers=args.jobs, progress=not args.quiet, scheduler=args.scheduler)
    print()
    print((out / "sweep.md").read_text(), end="")
    print(f"\nResults: {out}/ (sweep.md, sweep.csv, sweep.png, runs.csv, runs/)")
    return 0 if len(table) else 1


def cmd_refresh(args) -> int:
    from .runner import refresh
    from .values import resolve

    run = resolve(args.selection, args.notebooks)  # the committed outputs are the defaults' own: no values
    results = refresh(run.notebooks, workers=args.jobs, progress=not args.quiet)
    failed = [r for r in results if r["status"] != "ok"]
    for r in results:
        state = "refreshed" if r["status"] == "ok" else f"FAILED, left unchanged: {r['error']}"
        print(f"{r['notebook']}: {state}")
    if failed:
        raise RunFailed(f"{len(failed)} of {len(results)} notebooks failed to run and were left unchanged")
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


def cmd_params(args) -> int:
    from .series import list_notebooks, parameter_table

    print(parameter_table(list_notebooks(directory=args.notebooks)), end="")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fashion-course", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p, with_params=True):
        notebooks_option(p)
        p.add_argument("--jobs", type=int, default=JOBS, help=f"notebooks run side by side (default {JOBS})")
        p.add_argument("--quiet", action="store_true", help="no progress bar")
        if with_params:
            values_options(p)

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

    editions_commands.add(sub)

    p = sub.add_parser("grade", help="grade a whole class: every submission isolated, in parallel, resumable")
    p.add_argument("--course", required=True, help="the graded course directory (submissions in submitted/)")
    p.add_argument("--assignment", default="fashion", help="the assignment (default fashion)")
    p.add_argument("--zip", help="an LMS's zip of submissions, unpacked into submitted/ first")
    p.add_argument("--scheduler", metavar="ADDRESS", help="a running Dask scheduler (default: this machine's cores)")
    p.add_argument(
        "--jobs", type=int, default=JOBS, help=f"local worker processes without --scheduler (default {JOBS})"
    )
    p.add_argument("--cell-timeout", type=int, default=120, help="seconds per cell (default 120)")
    p.add_argument("--notebook-timeout", type=int, default=600, help="seconds per notebook (default 600)")
    p.add_argument("--memory", type=int, default=4096, help="megabytes of address space per submission (default 4096)")
    p.add_argument(
        "--csv", help="where to write the grades for the LMS (default grading/class/<assignment>/grades.csv)"
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_grade)

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
