"""``make bench`` (``python scripts/bench.py``): the course's speed and accuracy targets, as ratios measured side
by side in one run.

Accuracy: the course network with the mid-term's settings against the figures the mid-term reported, over
several seeds (the spread says how much of a difference is luck). Speed: the course's training loop against a
mid-term-style loop on the same data in the same process, and the whole series (and a quick run) against
their time budgets. Ratios <= 1 for times and >= 0.95 for accuracies meet the targets.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from fashion_helpers import data, network
from fashion_helpers.tools.runner import list_notebooks

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"

MIDTERM_TRAIN, MIDTERM_DEV = 82.94, 77.00  # what the mid-term project reported (its final log line and dev score)
SERIES_BUDGET, QUICK_BUDGET, TEST_BUDGET = 30.0, 15.0, 180.0  # seconds, on the 2-core machine


def midterm_style_training(X, Y, alpha, iterations, rng):
    """The mid-term's loop as it was written (np.dot, global-max softmax, one_hot from Y.max()), for timing."""
    W1, b1 = rng.random((20, 784)) - 0.5, rng.random((20, 1)) - 0.5
    W2, b2 = rng.random((10, 20)) - 0.5, rng.random((10, 1)) - 0.5
    m = Y.size
    one_hot_Y = np.zeros((Y.max() + 1, Y.size))
    one_hot_Y[Y, np.arange(Y.size)] = 1
    for _ in range(iterations):
        Z1 = np.dot(W1, X) + b1
        A1 = np.maximum(0, Z1)
        Z2 = np.dot(W2, A1) + b2
        exp_Z = np.exp(Z2 - np.max(Z2))
        A2 = exp_Z / np.sum(exp_Z, axis=0, keepdims=True)
        dZ2 = A2 - one_hot_Y
        dW2, db2 = np.dot(dZ2, A1.T) / m, np.sum(dZ2, axis=1, keepdims=True) / m
        dZ1 = np.dot(W2.T, dZ2) * np.where(Z1 > 0, 1, 0)
        dW1, db1 = np.dot(dZ1, X.T) / m, np.sum(dZ1, axis=1, keepdims=True) / m
        W1, b1, W2, b2 = W1 - alpha * dW1, b1 - alpha * db1, W2 - alpha * dW2, b2 - alpha * db2
    return W1, b1, W2, b2


def _timed(fn, *args, **kwargs):
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - start


def _row(name: str, measured: str, reference: str, ratio: float, target: str, ok: bool) -> str:
    return f"| {name} | {measured} | {reference} | {ratio:.2f} | {target} | {'yes' if ok else 'NO'} |"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="seeds for the accuracy spread (default 5)")
    parser.add_argument("--with-tests", action="store_true", help="also time the unit tests and nbval (minutes)")
    args = parser.parse_args(argv)

    pixels, labels = data.load_data(ROOT / "data" / "fashion_data.csv")
    rows = ["| measure | measured | reference | ratio | target | met |", "| --- | --- | --- | --- | --- | --- |"]

    trains, devs, course_times = [], [], []
    for seed in range(42, 42 + args.seeds):
        rng = np.random.default_rng(seed)
        X_train, Y_train, X_dev, Y_dev = data.split_dev_train(pixels, labels, 400, rng)
        (params, _), seconds = _timed(network.gradient_descent, X_train, Y_train, 0.10, 500, rng)
        course_times.append(seconds)
        trains.append(network.get_accuracy(network.make_predictions(X_train, *params), Y_train))
        devs.append(network.get_accuracy(network.make_predictions(X_dev, *params), Y_dev))
    spread = lambda xs: statistics.stdev(xs) if len(xs) > 1 else 0.0  # noqa: E731
    t_mean, d_mean = statistics.mean(trains), statistics.mean(devs)
    rows.append(_row(f"train accuracy, mean of {args.seeds} seeds", f"{t_mean:.2f}% ± {spread(trains):.2f}",
                     f"{MIDTERM_TRAIN:.2f}% (mid-term)", t_mean / MIDTERM_TRAIN, ">= 0.95", t_mean / MIDTERM_TRAIN >= 0.95))
    rows.append(_row(f"dev accuracy, mean of {args.seeds} seeds", f"{d_mean:.2f}% ± {spread(devs):.2f}",
                     f"{MIDTERM_DEV:.2f}% (mid-term)", d_mean / MIDTERM_DEV, ">= 0.95", d_mean / MIDTERM_DEV >= 0.95))

    rng = np.random.default_rng(42)
    X_train, Y_train, _, _ = data.split_dev_train(pixels, labels, 400, rng)
    midterm_times = [_timed(midterm_style_training, X_train, Y_train, 0.10, 500, np.random.default_rng(s))[1]
                     for s in range(3)]
    course = statistics.median(course_times)
    midterm = statistics.median(midterm_times)
    rows.append(_row("500 iterations: course loop / mid-term-style loop", f"{course:.2f} s", f"{midterm:.2f} s",
                     course / midterm, "<= 1.25 (validation and logging cost little)", course / midterm <= 1.25))

    # the commands a user types, timed from the outside: start-up and validation included
    notebooks = list_notebooks(directory=NOTEBOOK_DIR)
    command = [sys.executable, "-m", "fashion_helpers.tools.cli", "run", "--quiet", "--jobs", "2"]
    with tempfile.TemporaryDirectory() as tmp:
        _, series = _timed(subprocess.run, [*command, "--out", f"{tmp}/series"], cwd=ROOT, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, quick = _timed(subprocess.run, [*command, "--params", "params/quick.yaml", "--out", f"{tmp}/quick"],
                          cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    rows.append(_row(f"whole series, {len(notebooks)} notebooks, 2 jobs (make run)", f"{series:.1f} s",
                     f"{SERIES_BUDGET:.0f} s budget", series / SERIES_BUDGET, "<= 1", series <= SERIES_BUDGET))
    rows.append(_row("quick run (make run ARGS="--params params/quick.yaml")", f"{quick:.1f} s", f"{QUICK_BUDGET:.0f} s budget",
                     quick / QUICK_BUDGET, "<= 1", quick <= QUICK_BUDGET))

    if args.with_tests:
        start = time.perf_counter()
        subprocess.run(["make", "--no-print-directory", "unit", "nbval"], cwd=ROOT, check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        tests = time.perf_counter() - start
        rows.append(_row("make unit + nbval (the tests of make test)", f"{tests:.0f} s", f"{TEST_BUDGET:.0f} s budget",
                         tests / TEST_BUDGET, "<= 1", tests <= TEST_BUDGET))

    print("\n".join(rows))
    print(f"\n(notebooks: {NOTEBOOK_DIR.relative_to(ROOT)}/; times are wall-clock on this machine, "
          "ratios are what the targets are about)")
    missed = [row.split(" | ")[0].lstrip("| ") for row in rows[2:] if row.endswith("| NO |")]
    if missed:
        print(f"targets missed: {'; '.join(missed)}", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
