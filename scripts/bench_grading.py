"""Class grading's throughput (``python scripts/bench_grading.py``; rows for ``make bench``): the same class graded
with one local worker and with two, seconds per submission at the grading parameters, and what 300 submissions
would take on N workers, projected from those figures.

Each measure grades a fresh copy of one graded course holding ``submissions`` correct hand-ins (the answer key's
alternative solutions), with ``fashion-course grade``'s own function (:func:`classgrade.grade_class`), and times
the grading itself: from the engine's workers being up to the last result recorded (the cluster's start-up and the
sandbox template, paid once per run, are printed apart). A measure whose grading fails, or whose hand-ins do not
all get full points, raises: its row is an error, never a time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository: the answer key's hand-ins
import answer_key  # noqa: E402
from fashion_helpers import yours  # noqa: E402
from fashion_helpers.tools import autograde_check, classgrade, grading, values  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SPEEDUP_TARGET = 1.7  # two workers against one, on two cores
STUDENTS = 300  # the class the projection is for


class BenchFailed(RuntimeError):
    """A measure whose command failed: the bench row must fail, not print a time."""


def course(root: Path, selection: list[str], params_file: str | None) -> Path:
    """A released graded course of the selected notebooks with the parameter file's values (None: the
    notebooks' defaults, what a released course grades with)."""
    run = values.resolve(selection, ROOT / "notebooks", params_file)
    notebooks = run.notebooks
    parameters = {p.name: run.parameters(p) for p in notebooks} if params_file else None
    hidden = answer_key.REPO / "answer_key" / "hidden_cases.json"
    grading.write_course(
        root, notebooks, ROOT / "data", key=(notebooks[0].parent / yours.RECORD_NAME, hidden), parameters=parameters
    )
    grading.nbgrader(root, "generate_assignment", grading.ASSIGNMENT, "--force")
    return root


def measure(base: Path, work: Path, workers: int, submissions: int) -> dict:
    """Grade ``submissions`` correct hand-ins in a copy of the course ``base`` on ``workers`` local workers:
    the grading's seconds, per submission, and the mean seconds of one submission's task."""
    root = work / f"workers-{workers}"
    shutil.copytree(base, root, symlinks=True)
    (root / "nbgrader_config.py").write_text(grading._config(root.resolve(), 600))
    for index in range(submissions):
        autograde_check.hand_in(root, f"student_{index:03d}", "solutions")
    start = time.perf_counter()
    outcome = classgrade.grade_class(root, workers=workers, progress=False)
    total = time.perf_counter() - start
    results = outcome["results"]
    wrong = [r["student"] for r in results if r["status"] != "graded" or r["graded"] != r["max"] or r["problems"]]
    if outcome["failed"] or wrong or len(results) != submissions:
        raise BenchFailed(
            f"grading on {workers} worker(s) failed: {len(results)} of {submissions} recorded, failed "
            f"{sorted(outcome['failed'])}, not full points or with problems {wrong}"
        )
    seconds = outcome["grading_seconds"]
    return {
        "workers": workers,
        "submissions": submissions,
        "seconds": seconds,
        "overhead": total - seconds,
        "throughput": submissions / seconds,  # submissions per second
        "task_seconds": sum(r["seconds"] for r in results) / submissions,
    }


def projection(one: dict, two: dict, workers: int, students: int = STUDENTS) -> tuple[float, str]:
    """Hours for ``students`` submissions on ``workers`` workers (a core each), from the measured throughput of
    one worker and the efficiency measured with two (assumed to hold per added worker, which a cluster of
    separate machines, not sharing one disk and memory bus, does at least as well)."""
    efficiency = two["throughput"] / (2 * one["throughput"])
    rate = one["throughput"] * workers * (efficiency if workers > 1 else 1.0)
    hours = students / rate / 3600
    return hours, (
        f"{students} submissions on {workers} workers: {hours:.2f} h (one worker grades "
        f"{one['throughput'] * 3600:.0f} an hour; two run at {efficiency:.0%} of twice that)"
    )


def rows(one: dict, two: dict, workers: int = 8) -> list[str]:
    """The bench's rows, in ``scripts/bench.py``'s table format: the speed-up, seconds per submission, the
    projection."""
    speedup = two["throughput"] / one["throughput"]
    per = 1 / one["throughput"]
    hours, line = projection(one, two, workers)
    met = "yes" if speedup >= SPEEDUP_TARGET else "NO"
    return [
        f"| class grading: 2 workers / 1 worker ({one['submissions']} submissions) | {two['seconds']:.1f} s "
        f"| {one['seconds']:.1f} s | {speedup:.2f} | >= {SPEEDUP_TARGET} | {met} |",
        f"| class grading: seconds per submission, one worker | {per:.1f} s | (task alone: "
        f"{one['task_seconds']:.1f} s) | - | - | - |",
        f"| class grading: {line} | {hours:.2f} h | - | - | - | - |",
    ]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", default=["02", "03"], help="the course's notebooks (default 02 03)")
    parser.add_argument(
        "--params",
        default=str(ROOT / "params" / "quick.yaml"),
        help="the grading parameters (default params/quick.yaml; 'defaults': the notebooks' own)",
    )
    parser.add_argument("--submissions", type=int, default=6, help="hand-ins per measure (default 6)")
    parser.add_argument("--project", type=int, default=8, help="workers for the projection (default 8)")
    args = parser.parse_args(argv)
    params = None if args.params == "defaults" else args.params
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as folder:
        work = Path(folder)
        base = course(work / "course", args.notebooks, params)
        try:
            one = measure(base, work, 1, args.submissions)
            two = measure(base, work, 2, args.submissions)
        except BenchFailed as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
    print(f"grading parameters: {params or 'the notebooks defaults'}; notebooks {' '.join(args.notebooks)}")
    # the speed-up needs two free cores: a machine busy with other work reads lower
    print(f"load average (1 min) before and after: {load:.1f}, {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"start-up (cluster, sandbox template) per run: {one['overhead']:.1f} s and {two['overhead']:.1f} s")
    print("\n".join(rows(one, two, args.project)))
    return 0 if two["throughput"] / one["throughput"] >= SPEEDUP_TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
