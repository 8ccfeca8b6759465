"""Running the notebook series with papermill: parameters, metrics, summaries, refreshing committed outputs.

A notebook reports its headline numbers from its last cell, tagged ``metrics``, with
:func:`fashion_helpers.report.headline`; the runner reads them back from the executed notebook.
The notebooks are found in a folder the caller names (the command line's ``--notebooks``, by default
``notebooks/`` under the working directory), never through this package's own location.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from ..errors import CourseInputError
from ..report import METRICS_TAG, parse_headline
from .parameters import PATHS, validate

#: Where the series is looked for, relative to the working directory, unless the caller says otherwise.
DEFAULT_NOTEBOOK_DIR = Path("notebooks")
#: How long each notebook took last time it ran (written by run and refresh; runs/ is never committed).
DURATIONS = Path("runs") / "durations.json"


def read_metrics(notebook) -> dict:
    """The headline numbers printed by the cell tagged ``metrics`` of an executed notebook (path or node)."""
    import nbformat

    nb = nbformat.read(str(notebook), as_version=4) if isinstance(notebook, (str, Path)) else notebook
    metrics = {}
    for cell in nb.cells:
        if cell.cell_type != "code" or METRICS_TAG not in cell.get("metadata", {}).get("tags", []):
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stdout":
                metrics.update(parse_headline(output.get("text", "")))
    return metrics


# --------------------------------------------------------------------------- the notebooks and their parameters


def list_notebooks(selection=None, directory: Path | None = None) -> list[Path]:
    """The series in ``directory`` (default ``./notebooks``) in teaching order, or the ones selected by number
    (``"05"``) or stem (``"05_gradient_descent"``)."""
    directory = Path(directory) if directory is not None else DEFAULT_NOTEBOOK_DIR
    everything = sorted(directory.glob("[0-9][0-9]_*.ipynb"))
    if not everything:
        raise CourseInputError(
            f"no notebooks NN_*.ipynb in {directory}/: run from the repository root, "
            "or name the folder with --notebooks DIR"
        )
    if not selection:
        return everything
    chosen = []
    for item in selection:
        key = Path(str(item)).stem
        found = [p for p in everything if p.stem == key or p.stem.split("_", 1)[0] == key.zfill(2)]
        if not found:
            names = ", ".join(p.stem for p in everything)
            raise CourseInputError(f"no notebook {item!r} in {directory.name}/; choose from: {names}")
        chosen.extend(p for p in found if p not in chosen)
    return chosen


def declared_parameters(notebook: Path) -> dict:
    """Names and default values of the cell tagged ``parameters`` (papermill's own inspection)."""
    import ast

    import papermill

    declared = {}
    for name, info in papermill.inspect_notebook(str(notebook)).items():
        try:  # papermill reports the default as source text
            declared[name] = ast.literal_eval(info["default"])
        except (ValueError, SyntaxError):
            declared[name] = info["default"]
    return declared


def declarations(notebooks: list[Path]) -> dict[Path, dict]:
    """Each notebook's declared parameters, inspected once for the whole run."""
    return {nb: declared_parameters(nb) for nb in notebooks}


def prepare_parameters(values: dict, declared: dict[Path, dict], base: Path | None = None) -> dict:
    """Validate overrides before any kernel starts; returns them with paths made absolute.

    declared: :func:`declarations` of the notebooks that will run.
    Refuses a name no notebook knows (listing the known ones), a wrong type or range (saying what is
    expected), a name none of the selected notebooks declares, a data path that does not exist or whose file
    has the wrong header, and a dev_size that leaves no training rows. Relative paths are taken relative to
    ``base`` (the caller's working directory).
    """
    clean = validate(values)
    names = set().union(*declared.values()) if declared else set()
    for name in clean:
        if name not in names:
            raise CourseInputError(
                f"parameter {name!r} is used by none of the selected notebooks "
                f"({', '.join(nb.stem for nb in declared)}); drop it or select a notebook that declares it"
            )
    base = Path.cwd() if base is None else base
    for name in PATHS:
        if clean.get(name) is not None:
            path = Path(clean[name]).expanduser()
            path = path if path.is_absolute() else (base / path).resolve()
            if not path.exists():
                raise CourseInputError(f"parameter {name}: no file or directory at {path}")
            clean[name] = str(path)
    _check_data_sources(clean, declared)
    return clean


def _check_data_sources(values: dict, declared: dict[Path, dict]) -> None:
    """Each data file the run will read has a sound header, and dev_size leaves both sets non-empty:
    checked from the headers alone, so a wrong file is refused in seconds, once, not by every notebook."""
    from .._formats import count_rows
    from ..data import check_dev_size, course_file

    seen = set()
    for notebook, defaults in declared.items():
        for name, split in (("data_path", "train"), ("holdout_path", "test")):
            if name not in defaults:
                continue
            given = values.get(name, defaults[name])
            try:  # where the notebook's kernel will look: it runs in the notebook's folder
                path = course_file(split, notebook.parent) if given is None else Path(notebook.parent, given).resolve()
            except CourseInputError as exc:
                raise CourseInputError(f"parameter {name}: {exc}") from None
            dev_size = values.get("dev_size", defaults.get("dev_size")) if name == "data_path" else None
            if (path, split, dev_size) in seen:
                continue
            seen.add((path, split, dev_size))
            try:
                rows = count_rows(path, split)
            except CourseInputError as exc:
                raise CourseInputError(f"parameter {name}: {exc}") from None
            if dev_size is not None:
                try:
                    check_dev_size(dev_size, rows)
                except CourseInputError as exc:
                    raise CourseInputError(f"parameter {exc}") from None


def parameters_for(defaults: dict, values: dict) -> dict:
    """The subset of ``values`` that a notebook declaring ``defaults`` takes."""
    return {name: value for name, value in values.items() if name in defaults}


# --------------------------------------------------------------------------- executing


def execute(notebook: Path, output: Path, parameters: dict) -> dict:
    """Run one notebook with papermill; never raises for a failing cell. Returns status, error and metrics."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    output.parent.mkdir(parents=True, exist_ok=True)
    result = {"notebook": notebook.stem, "status": "ok", "error": None, "metrics": {}}
    start = time.perf_counter()
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


def run_series(
    out: Path, values: dict, declared: dict[Path, dict], workers: int = 2, progress: bool = True
) -> list[dict]:
    """Execute the notebooks of ``declared`` (:func:`declarations`) with validated ``values`` into ``out``:
    executed notebooks, metrics, summaries."""
    out.mkdir(parents=True, exist_ok=True)
    jobs = [(nb, out / nb.name, parameters_for(defaults, values)) for nb, defaults in declared.items()]
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
