"""Figures of choosing a configuration: accuracy against the L2 strength (one sweep, or several over seeds) and
every training of notebook 10's search. Like :mod:`fashion_helpers.plots`, each returns a new Figure."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from .plots import DPI
from .search import cost


def _lambda_positions(lambdas) -> np.ndarray:
    """Where each lambda sits on a log axis: itself, and lambda 0 a decade left of the smallest positive one."""
    positive = lambdas[lambdas > 0]
    return np.where(lambdas > 0, lambdas, positive.min() / 10 if positive.size else 1e-3)


def search_trials(trials: list[dict], target: float | None = None, title: str = "Your search") -> Figure:
    """Dev accuracy of every training of notebook 10's search against its learning rate (log scale): one colour
    per L2 strength, a larger marker for a costlier training (width times epochs, :func:`search.cost`); the
    trainings of one configuration stand in one column, its mean marked by a bar when there are several;
    ``target`` dashed."""
    fig = Figure(figsize=(7.5, 3.8), dpi=DPI)
    ax = fig.subplots()
    configs: dict[tuple, list[float]] = {}  # (alpha, lambda, cost, width, epochs) -> the dev accuracies
    for t in trials:
        key = (t["alpha"], t["lambda_reg"], cost(t), t["hidden_neurons"], t["epochs"])
        configs.setdefault(key, []).append(t["dev_accuracy"])
    lambdas, labelled = sorted({key[1] for key in configs}), set()
    for (alpha, lam, price, _, _), devs in configs.items():
        k = lambdas.index(lam)
        x = alpha * 1.08 ** (k - (len(lambdas) - 1) / 2)  # side by side when configurations share a rate
        label = None if lam in labelled else f"λ = {lam:g}"
        labelled.add(lam)
        ax.plot([x] * len(devs), devs, "-o", color=f"C{k + 2}", ms=3 + 6 * np.sqrt(price), alpha=0.8, label=label)
        if len(devs) > 1:
            ax.plot([x / 1.05, x * 1.05], [np.mean(devs)] * 2, color="black", lw=1.5)
    if target is not None:
        ax.axhline(target, color="grey", ls="--", lw=1, label=f"target {target:g}%")
    ax.set_xscale("log")
    rates = sorted({key[0] for key in configs})
    ax.set_xticks(rates, [f"{a:g}" for a in rates])
    ax.minorticks_off()
    ax.set_xlabel("learning rate α (log scale)")
    ax.set_ylabel("dev accuracy (%)")
    prices = {key[2] for key in configs}
    size = f"marker size: cost, {min(prices):g} to {max(prices):g}" if len(prices) > 1 else "all of one cost"
    size = size if prices else "none yet"
    ax.set_title(f"{title}: {len(trials)} trainings ({size}; black bar: mean of a column)", fontsize=10)
    ax.grid(alpha=0.3)
    if configs or target is not None:
        ax.legend(fontsize=9, loc="center left", bbox_to_anchor=(1.01, 0.5))
    fig.tight_layout()
    return fig


def metric_vs_lambda(table, title: str = "Accuracy against L2 strength", n_dev: int | None = None) -> Figure:
    """Train and dev accuracy against lambda_reg (log scale; lambda 0 drawn at the left edge), from a sweep table;
    with ``n_dev`` (the dev set's size), each dev point gets a bar of ± one standard error of its accuracy."""
    lambdas = np.asarray(table["lambda_reg"], dtype=float)
    x = _lambda_positions(lambdas)
    fig = Figure(figsize=(7, 3.6), dpi=DPI)
    ax = fig.subplots()
    order = np.argsort(x)
    x, lambdas, zero = x[order], lambdas[order], lambdas[order] == 0
    for k, column in enumerate(("train_accuracy", "dev_accuracy")):
        y = np.asarray(table[column], dtype=float)[order]
        # solid where lambda is on the log axis; dotted from the lambda-0 point, which is placed by convention
        ax.plot(x[~zero], y[~zero], marker="o", color=f"C{k}", label=column.split("_")[0])
        ax.plot(x[zero], y[zero], marker="o", ls="none", color=f"C{k}")
        if column == "dev_accuracy" and n_dev:
            se = 100 * np.sqrt(y / 100 * (1 - y / 100) / n_dev)
            ax.errorbar(x, y, yerr=se, fmt="none", ecolor="C1", capsize=3, label=f"± 1 SE of {n_dev} dev images")
        if zero.any() and (~zero).any():
            first = np.flatnonzero(~zero)[0]
            ax.plot([x[zero][0], x[first]], [y[zero][0], y[first]], ":", color=f"C{k}")
    ax.set_xscale("log")
    ax.set_xticks(list(x), [f"{v:g}" for v in lambdas])
    ax.minorticks_off()
    ax.set_xlabel("L2 strength λ (lambda_reg; 0 at the left edge, dotted to it)")
    ax.set_ylabel("accuracy (%)")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    return fig


def lambda_bands(runs_by_start: dict, title: str = "Accuracy against L2 strength, mean ± sd over seeds") -> Figure:
    """Dev and train accuracy against lambda_reg over seeds, in two panels (dev left, train right, each on its own
    y range): for each named sweep (a table with columns ``lambda_reg``, ``seed``, ``train_accuracy``,
    ``dev_accuracy``, one row per lambda and seed), the mean as a line and ± one standard deviation over the seeds
    as a band, one colour per sweep (not the blue and orange that mean train and dev elsewhere). lambda 0 is drawn
    at the left edge of the log axis."""
    fig = Figure(figsize=(11, 3.8), dpi=DPI)
    ax_dev, ax_train = fig.subplots(1, 2)
    ticks = {}
    for k, (name, runs) in enumerate(runs_by_start.items()):
        grouped = runs.groupby("lambda_reg")[["train_accuracy", "dev_accuracy"]]
        mean, sd = grouped.mean(), grouped.std(ddof=1).fillna(0.0)
        lambdas = mean.index.to_numpy(dtype=float)
        x = _lambda_positions(lambdas)
        ticks.update(zip(x, lambdas, strict=True))
        color = ("C2", "C4", "C5", "C6")[k % 4]
        for ax, column in ((ax_dev, "dev_accuracy"), (ax_train, "train_accuracy")):
            ax.plot(x, mean[column], marker="o", ms=4, color=color, label=name)
            ax.fill_between(x, mean[column] - sd[column], mean[column] + sd[column], color=color, alpha=0.15, lw=0)
    for ax, what in ((ax_dev, "dev"), (ax_train, "train")):
        ax.set_xscale("log")
        ax.set_xticks(list(ticks), [f"{v:g}" for v in ticks.values()])
        ax.minorticks_off()
        ax.set_xlabel("L2 strength λ (lambda_reg; 0 at the left edge)")
        ax.set_ylabel(f"{what} accuracy (%)")
        ax.set_title(f"{what} images", fontsize=10)
        ax.grid(alpha=0.3)
    ax_train.legend(fontsize=9, loc="center left", bbox_to_anchor=(1.01, 0.5))  # beside the axes: no point hidden
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    return fig


def holdout_lanes(table, title: str = "Every model on the held-out set, after every choice") -> Figure:
    """One lane per model of ``table`` (columns ``model``, ``dev accuracy (%)``, ``held-out accuracy (%)``,
    ``standard error``): its held-out accuracy with ±2 standard errors and its dev accuracy. The axis spans the
    trained models; a model far below them (the majority class) keeps its lane, its accuracy written beside its
    name."""
    held = table["held-out accuracy (%)"].to_numpy(float)
    dev = table["dev accuracy (%)"].to_numpy(float)
    bars = 2 * table["standard error"].to_numpy(float)
    far = held < np.median(held) - 30  # a lane with nothing in the trained models' range
    near = ~far
    low = max(0.0, np.floor(min((held - bars)[near].min(), dev[near].min())) - 3)
    high = min(100.0, np.ceil(max((held + bars)[near].max(), dev[near].max())) + 3)
    fig = Figure(figsize=(8, 3.6), dpi=DPI)
    ax = fig.subplots()
    y = np.arange(len(table))
    ax.errorbar(
        held[near], y[near], xerr=bars[near], fmt="o", capsize=6, color="tab:green", label="held-out accuracy ± 2 SE"
    )
    ax.plot(dev[near], y[near], "x", color="tab:orange", ms=8, label="dev accuracy")
    names = table["model"]
    lanes = [f"{name} ({h:.2f}%, off scale)" if f else name for name, h, f in zip(names, held, far, strict=True)]
    ax.set_yticks(y, lanes, fontsize=10)
    ax.set_xlabel("accuracy (%)", fontsize=10)
    ax.set_xlim(low, high)
    ax.set_title(title, fontsize=11)
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize=9, loc="lower left")  # over the empty ends of the lowest lanes
    fig.tight_layout()
    return fig
