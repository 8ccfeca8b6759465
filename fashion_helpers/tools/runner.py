"""Running notebooks with papermill: a run of the series (executed notebooks, metrics, summaries), several at
once, and refreshing the committed outputs.

What a run executes and with which values is a :class:`.values.Run`; the headline numbers come back through
:func:`.series.read_metrics`.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from .series import README_TABLE, list_notebooks, read_metrics, write_parameter_cells, write_readme_table
from .values import Run

#: How long each notebook took last time it ran (written by run and refresh; runs/ is never committed).
DURATIONS = Path("runs") / "durations.json"


# --------------------------------------------------------------------------- executing


#: How many times a notebook's kernel is started before its start failure is the notebook's result.
KERNEL_STARTS = 3

#: What nbclient raises when a kernel dies or stays silent before its first reply: no cell has run yet. Kernels
#: started side by side (two runner workers, two pytest workers) race for the ports they bind, and the loser exits
#: with "Address already in use" (papermill#239, jupyter_client's port choice is per process).
KERNEL_START_FAILURES = ("Kernel died before replying to kernel_info", "Kernel didn't respond in")


def _kernel_start_failed(exc: BaseException) -> bool:
    return isinstance(exc, RuntimeError) and str(exc).startswith(KERNEL_START_FAILURES)


def _papermill(notebook: Path, output: Path, parameters: dict) -> None:
    """papermill on one notebook; a kernel that fails to start (before any cell ran) is started again, up to
    :data:`KERNEL_STARTS` times."""
    import papermill

    for attempt in range(1, KERNEL_STARTS + 1):
        try:
            papermill.execute_notebook(
                str(notebook),
                str(output),
                parameters=parameters,
                cwd=str(notebook.parent),
                kernel_name="python3",
                progress_bar=False,
                log_output=False,
                request_save_on_cell_execute=False,
                shutdown_kernel="immediate",
            )
            return
        except RuntimeError as exc:
            if attempt == KERNEL_STARTS or not _kernel_start_failed(exc):
                raise
            time.sleep(0.2 * attempt)  # let the other kernel finish binding its ports


def execute(notebook: Path, output: Path, parameters: dict) -> dict:
    """Run one notebook with papermill; never raises for a failing cell. Returns status, error and metrics."""
    from papermill.exceptions import PapermillExecutionError

    output.parent.mkdir(parents=True, exist_ok=True)
    result = {"notebook": notebook.stem, "status": "ok", "error": None, "metrics": {}}
    start = time.perf_counter()
    try:
        _papermill(notebook, output, parameters)
    except PapermillExecutionError as exc:
        last = (exc.evalue or "").strip().splitlines()
        result.update(status="failed", error=f"at In [{exc.exec_count}]: {exc.ename}: {last[-1] if last else ''}")
    except Exception as exc:  # kernel died, notebook unreadable, ...
        result.update(
            status="failed",
            error=f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}",
        )
    result["seconds"] = time.perf_counter() - start
    if output.exists():
        try:
            result["metrics"] = read_metrics(output)
        except Exception:  # a notebook that failed early may have no readable metrics
            result["metrics"] = {}
    return result


def _execute_job(args):
    return execute(*args)


def _worker_setup(log_file, single_threaded: bool) -> None:
    """Worker initialiser. Kernels inherit this process's environment and stderr: with several workers each
    kernel gets one BLAS thread (two kernels with two threads each on two cores only slow each other down; the
    outputs do not depend on it), and the kernels' start-up chatter goes to a log file."""
    import os

    if single_threaded:
        for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ.setdefault(name, "1")
    if log_file is None:
        return
    handle = os.open(str(log_file), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(handle, 2)
    os.close(handle)


def start_order(jobs: list[tuple[Path, Path, dict]], durations: dict[str, float] | None = None) -> list[int]:
    """Indices of ``jobs`` in the order to start them: longest expected first, so that the last notebook to finish
    is a short one and no worker idles long at the end. Expected: the seconds a notebook took last time
    (``durations``, by notebook name); notebooks never timed go first, later notebooks before earlier ones (the
    series does more work as it goes on)."""
    durations = durations or {}
    unknown = float("inf")
    return sorted(range(len(jobs)), key=lambda i: (-durations.get(jobs[i][0].stem, unknown), -i))


DEFAULTS_KEY = "{}"  # the durations of runs with every notebook's defaults (a refresh, a plain make run)


def durations_key(values: dict) -> str:
    """The record a run's durations go under: its parameter values (a quick run takes seconds, the defaults a
    minute)."""
    return json.dumps(values, sort_keys=True, default=str)


def _duration_records(path: Path) -> dict:
    """Every record of the durations file (parameter values -> {notebook: seconds}); {} when unreadable."""
    try:
        records = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in records.items() if isinstance(v, dict)} if isinstance(records, dict) else {}


def read_durations(key: str = DEFAULTS_KEY, path: Path | None = None) -> dict[str, float]:
    """The seconds each notebook took in the last run with these parameter values (:func:`durations_key`), else
    with the defaults; {} when neither is recorded (see :func:`record_durations`)."""
    records = _duration_records(Path(path or DURATIONS))
    record = records.get(key) or records.get(DEFAULTS_KEY) or {}
    return {k: float(v) for k, v in record.items() if isinstance(v, (int, float))}


def record_durations(results: list[dict], key: str = DEFAULTS_KEY, path: Path | None = None) -> None:
    """Remember how long each notebook that ran to the end took with these parameter values, for the start order
    of the next run with them."""
    path = Path(path or DURATIONS)
    records = _duration_records(path)
    record = records.get(key, {})
    record.update({r["notebook"]: round(r["seconds"], 1) for r in results if r["status"] == "ok" and "seconds" in r})
    records[key] = dict(sorted(record.items()))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(records, indent=2, sort_keys=True) + "\n")
    except OSError:  # a read-only checkout still runs, only without the record
        pass


def execute_many(
    jobs: list[tuple[Path, Path, dict]],
    workers: int = 2,
    progress: bool = True,
    label: str = "notebooks",
    log_file: Path | None = None,
    on_result=None,
    durations: dict[str, float] | None = None,
) -> list[dict]:
    """Run independent notebooks side by side in ``workers`` processes; results in the order of ``jobs``.

    log_file: where the kernels' own stderr goes (start-up warnings); None leaves it on the terminal.
    on_result: called as ``on_result(job, result)`` as soon as each notebook finishes (e.g. to record it).
    durations: seconds per notebook name from earlier runs, to start the longest first (:func:`start_order`).
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    from tqdm import tqdm

    results: list[dict | None] = [None] * len(jobs)
    if not jobs:
        return []
    workers = max(1, min(workers, len(jobs)))
    # Fork where the platform has it: the workers inherit the papermill this process has already imported
    # (a spawned worker spends over a second importing it again). The pool starts before the progress bar's
    # monitor thread, so no thread is running when it forks.
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    import papermill  # noqa: F401  (imported once, here, for the forked workers)

    with ProcessPoolExecutor(
        max_workers=workers,
        initializer=_worker_setup,
        initargs=(log_file, workers > 1),
        mp_context=multiprocessing.get_context(method),
    ) as pool:
        futures = {pool.submit(_execute_job, jobs[i]): i for i in start_order(jobs, durations)}
        with tqdm(total=len(jobs), desc=label, unit="nb", disable=not progress) as bar:
            for future in as_completed(futures):
                index = futures[future]
                results[index] = future.result()
                if on_result is not None:
                    on_result(jobs[index], results[index])
                bar.update()
    return results  # type: ignore[return-value]


# --------------------------------------------------------------------------- committed notebooks: no run noise


def strip_run_noise(nb):
    """Remove what changes from run to run but teaches nothing, with nbconvert's own preprocessors: papermill and
    timing metadata and versions go (only the kernel, the language's name, cell tags and nbgrader's cell
    metadata stay), and each cell's stream chunks are joined (how a kernel splits a long print varies)."""
    from nbconvert.preprocessors import ClearMetadataPreprocessor, CoalesceStreamsPreprocessor

    clear = ClearMetadataPreprocessor(
        preserve_nb_metadata_mask={"kernelspec", ("language_info", "name")},
        preserve_cell_metadata_mask={"tags", "nbgrader"},
    )
    for preprocessor in (clear, CoalesceStreamsPreprocessor()):
        nb, _ = preprocessor.preprocess(nb, {})
    for cell in nb.cells:  # the preprocessor clears code cells only; papermill marks markdown cells too
        cell.metadata.pop("papermill", None)
        if cell.metadata.get("tags") == []:
            del cell.metadata["tags"]
    return nb


def refresh(notebooks: list[Path], workers: int = 2, progress: bool = True) -> list[dict]:
    """Re-execute notebooks with their defaults and replace the committed ones, stripped of run noise.

    A notebook whose run fails is left exactly as it was.
    """
    import os
    import tempfile

    import nbformat

    from . import cases, export
    from .grading import mark_cells

    # the instructor's record and the recorded cases first, from the whole series (not only the notebooks being
    # refreshed): the notebooks' checks and later notebooks read them
    series = list_notebooks(directory=notebooks[0].parent)
    if export.solution_cells(series):
        export.write_record(series)
        cases.write(series)
    # the parameters cells and the README's table, from the parameters' one source (SPEC)
    write_parameter_cells(notebooks)
    readme = notebooks[0].parent.parent / "README.md"
    if readme.is_file() and README_TABLE.search(readme.read_text(encoding="utf-8")):
        write_readme_table(readme, series)
    with tempfile.TemporaryDirectory(prefix="refresh-") as tmp:
        jobs = [(nb, Path(tmp) / nb.name, {}) for nb in notebooks]
        results = execute_many(
            jobs, workers, progress, label="refresh", log_file=Path(tmp) / "kernels.log", durations=read_durations()
        )
        record_durations(results)
        for (notebook, output, _), result in zip(jobs, results, strict=True):
            if result["status"] != "ok":
                continue
            nb = strip_run_noise(nbformat.read(str(output), as_version=4))
            mark_cells(nb, notebook.name)  # nbgrader's cell metadata, from the notebook's structure
            staged = notebook.with_suffix(".ipynb.tmp")
            nbformat.write(nb, str(staged))
            os.replace(staged, notebook)
    return results


# --------------------------------------------------------------------------- a run of the series


def write_summary(out: Path, results: list[dict]) -> str:
    """Write ``summary.csv`` (one row per metric) and ``summary.md``; returns the markdown."""
    import csv

    with open(out / "summary.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["notebook", "status", "metric", "value", "error"])
        for r in results:
            if not r["metrics"]:
                writer.writerow([r["notebook"], r["status"], "", "", r["error"] or ""])
            for name, value in r["metrics"].items():
                writer.writerow([r["notebook"], r["status"], name, json.dumps(value), r["error"] or ""])
    lines = ["| notebook | status | headline numbers |", "| --- | --- | --- |"]
    for r in results:
        numbers_ = ", ".join(f"{k} = {_show(v)}" for k, v in r["metrics"].items()) if r["status"] == "ok" else ""
        status = "ok" if r["status"] == "ok" else f"FAILED: {r['error']}"
        lines.append(f"| {r['notebook']} | {status} | {numbers_} |")
    text = "\n".join(lines) + "\n"
    (out / "summary.md").write_text(text)
    return text


def _show(value) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def run_series(out: Path, run: Run, workers: int = 2, progress: bool = True) -> list[dict]:
    """Execute ``run`` (:func:`.values.resolve`) into ``out``: executed notebooks, metrics, summaries."""
    out.mkdir(parents=True, exist_ok=True)
    jobs = run.jobs(out)
    values = run.values
    key = durations_key(values)
    results = execute_many(jobs, workers, progress, log_file=out / "kernels.log", durations=read_durations(key))
    record_durations(results, key)
    for r in results:
        (out / f"{r['notebook']}.metrics.json").write_text(
            json.dumps(
                {"notebook": r["notebook"], "status": r["status"], "error": r["error"], "metrics": r["metrics"]},
                indent=2,
            )
            + "\n"
        )
    (out / "parameters.json").write_text(json.dumps(values, indent=2, sort_keys=True) + "\n")
    write_summary(out, results)
    return results
