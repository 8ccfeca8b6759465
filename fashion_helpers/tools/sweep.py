"""A grid of parameter values crossed with several seeds: mean and spread of a notebook's headline numbers.

Each grid point and seed is one papermill run in its own folder; a run whose ``metrics.json`` says it
finished is not run again, so an interrupted sweep resumes where it stopped.
"""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from ..errors import CourseInputError, RunFailed
from .engine import Engine
from .runner import execute, execute_many
from .values import Run


def parse_grid(items: list[str]) -> dict[str, list]:
    """``["alpha=0.05,0.1", "hidden_neurons=10,20"]`` -> ``{"alpha": [0.05, 0.1], "hidden_neurons": [10, 20]}``."""
    from .parameters import parse_value

    grid = {}
    for item in items:
        name, sep, values = item.partition("=")
        if not sep or not values:
            raise CourseInputError(f"grid entry {item!r} must look like name=value1,value2")
        grid[name.strip()] = [parse_value(v) for v in values.split(",")]
    return grid


def parse_seeds(text: str) -> list[int]:
    """``"3"`` -> seeds 0, 1, 2; ``"4,8,15"`` -> exactly those."""
    try:
        if "," in text:
            seeds = [int(s) for s in text.split(",")]
        else:
            seeds = list(range(int(text)))
    except ValueError:
        raise CourseInputError(f"--seeds takes a count (3) or a list (4,8,15), got {text!r}") from None
    if not seeds or min(seeds) < 0:
        raise CourseInputError(
            f"--seeds takes a count of at least 1 (3) or a list of seeds >= 0 (4,8,15), got {text!r}"
        )
    return seeds


def run_key(point: dict) -> str:
    return ",".join(f"{k}={point[k]}" for k in sorted(point))


def plan(grid: dict[str, list], seeds: list[int], run: Run) -> list[dict]:
    """Every grid point crossed with every seed, on top of the values of ``run`` (one notebook); each point is
    validated once, before anything runs (the seeds are whole numbers >= 0 already, from :func:`parse_seeds`)."""
    if "seed" in grid:
        raise CourseInputError("give seeds with --seeds, not as a grid entry")
    (notebook,) = run.notebooks
    if "seed" not in run.declared[notebook]:
        raise CourseInputError(
            f"{notebook.stem} declares no seed parameter, so seeds cannot vary: sweep a notebook that has one"
        )
    names = list(grid)
    points = []
    for combo in itertools.product(*(grid[n] for n in names)):
        config = dict(zip(names, combo, strict=True))
        values = run.with_values(config).parameters(notebook)
        points.extend({"config": config, "seed": seed, "values": {**values, "seed": seed}} for seed in seeds)
    return points


def run_sweep(
    run: Run,
    grid: dict[str, list],
    seeds: list[int],
    out: Path,
    workers: int = 2,
    progress: bool = True,
    scheduler: str | None = None,
) -> pd.DataFrame:
    """Run (or resume) the sweep; write ``runs.csv``, ``sweep.csv``, ``sweep.md`` and ``sweep.png`` in ``out``.

    scheduler: the address of a running Dask scheduler: the runs go to its workers (:mod:`.engine`), which must
    see the notebook and ``out`` at the same paths (a shared file system); the tables come out the same."""
    points = plan(grid, seeds, run)
    (notebook,) = run.notebooks
    out.mkdir(parents=True, exist_ok=True)
    todo = []
    for point in points:
        folder = out / "runs" / run_key({**point["config"], "seed": point["seed"]})
        point["folder"] = folder
        done = folder / "metrics.json"
        if done.exists() and json.loads(done.read_text()).get("status") == "ok":
            continue
        todo.append((notebook, folder / notebook.name, point["values"]))
    skipped = len(points) - len(todo)
    if skipped:
        print(f"resuming: {skipped} of {len(points)} runs already finished, {len(todo)} to go")

    def record(job, result):  # as each run finishes, so an interrupted sweep keeps what it finished
        job[1].parent.mkdir(parents=True, exist_ok=True)
        (job[1].parent / "metrics.json").write_text(json.dumps(result, indent=2) + "\n")

    if scheduler is None:
        execute_many(todo, workers, progress, label="sweep", log_file=out / "kernels.log", on_result=record)
    else:
        run_on_engine(todo, scheduler, progress, record)

    rows = []
    for point in points:
        result = json.loads((point["folder"] / "metrics.json").read_text())
        if result["status"] != "ok":
            raise RunFailed(
                f"run {point['folder'].name} failed ({result['error']}); see {point['folder']}, fix it "
                "and re-run the same command to finish the sweep"
            )
        rows.append({**point["config"], "seed": point["seed"], **result["metrics"]})
    runs = pd.DataFrame(rows)
    runs.to_csv(out / "runs.csv", index=False)
    table = summarise(runs, list(grid))
    table.to_csv(out / "sweep.csv", index=False)
    (out / "sweep.md").write_text(as_markdown(table, list(grid)))
    figure(table, list(grid)).savefig(out / "sweep.png")
    return table


def run_point(job: tuple[Path, Path, dict]) -> dict:
    """One run of the sweep on an engine's worker: one BLAS thread per kernel, as :func:`execute_many` gives its
    workers (the outputs do not depend on it)."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    return execute(*job)


def run_on_engine(todo: list[tuple[Path, Path, dict]], scheduler: str, progress: bool, record) -> None:
    """The runs of ``todo`` on the Dask scheduler at ``scheduler``, each recorded here as it finishes; a run whose
    workers kept dying is recorded as failed (the sweep then says which, and a rerun tries it again)."""
    with Engine(scheduler) as engine, tqdm(total=len(todo), desc="sweep", unit="nb", disable=not progress) as bar:

        def done(index, result):
            record(todo[index], result)
            bar.update()

        def failed(index, error):
            done(index, {"notebook": todo[index][0].stem, "status": "failed", "error": error.reason, "metrics": {}})

        engine.run(run_point, [(i, (job,)) for i, job in enumerate(todo)], done, failed, retries=0, label="sweep")


def numeric_metrics(runs: pd.DataFrame, keys: list[str]) -> list[str]:
    return [
        c
        for c in runs.columns
        if c not in keys + ["seed"]
        and pd.api.types.is_numeric_dtype(runs[c])
        and not pd.api.types.is_bool_dtype(runs[c])
    ]


def summarise(runs: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Mean and sample standard deviation (over seeds) of each numeric metric, one row per grid point."""
    metrics = numeric_metrics(runs, keys)
    grouped = runs.groupby(keys, sort=False) if keys else runs.groupby(lambda _: "all")
    table = grouped[metrics].agg(["mean", "std"])
    table.columns = [f"{m}_{stat}" for m, stat in table.columns]
    table.insert(0, "seeds", grouped.size())
    return table.reset_index(drop=not keys)


def as_markdown(table: pd.DataFrame, keys: list[str]) -> str:
    metrics = [c[:-5] for c in table.columns if c.endswith("_mean")]
    header = keys + ["seeds"] + metrics
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    for _, row in table.astype(object).iterrows():  # object: keeps whole-number keys whole
        cells = [str(row[k]) for k in keys] + [str(int(row["seeds"]))]
        for m in metrics:
            std = row[f"{m}_std"]
            cells.append(f"{row[f'{m}_mean']:.2f} ± {std:.2f}" if np.isfinite(std) else f"{row[f'{m}_mean']:.2f}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def figure(table: pd.DataFrame, keys: list[str]):
    """Bar chart of each metric's mean with its standard deviation, one bar per grid point."""
    from matplotlib.figure import Figure

    metrics = [c[:-5] for c in table.columns if c.endswith("_mean")]
    labels = [", ".join(f"{k}={row[k]}" for k in keys) or "all" for _, row in table.astype(object).iterrows()]
    fig = Figure(figsize=(max(5, 1.2 * len(labels) * max(1, len(metrics)) / 2 + 2), 4), dpi=100)
    ax = fig.subplots()
    width = 0.8 / max(1, len(metrics))
    x = np.arange(len(labels))
    for i, m in enumerate(metrics):
        ax.bar(x + i * width, table[f"{m}_mean"], width, yerr=table[f"{m}_std"].fillna(0), capsize=3, label=m)
    ax.set_xticks(x + width * (len(metrics) - 1) / 2, labels, rotation=20, ha="right")
    ax.set_title(f"mean ± std over seeds ({int(table['seeds'].min())} per point)", pad=24)
    ax.set_ylabel("headline number")
    ax.legend(fontsize=8, ncol=len(metrics), loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
    fig.tight_layout()
    return fig
