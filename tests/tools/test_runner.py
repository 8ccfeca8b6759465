"""The series runner and its command line: validation before any kernel, runs, failures, refresh, sweeps."""

import json
from pathlib import Path

import nbformat
import pytest

from fashion_helpers.conventions import INJECTED_TAG, METRICS_TAG, PARAMETERS_TAG
from fashion_helpers.tools import cli, runner, series, sweep, values
from fashion_helpers.tools.parameters import DEFAULTS, PATHS, cell_source

from ..conftest import NOTEBOOK_DIR, ROOT

NOTEBOOKS = series.list_notebooks(directory=NOTEBOOK_DIR)


def run_cli(args, capsys):
    code = cli.main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize(
    "args,message",
    [
        (
            ["-p", "no_such_parameter", "3"],
            r"unknown parameter 'no_such_parameter'; the known ones are: seed, data_path",
        ),
        (["-p", "alpha", "fast"], r"parameter alpha must be a number, got 'fast'"),
        (["-p", "alpha=-1"], r"parameter alpha must be > 0, got -1"),
        (["-p", "iterations", "2.5"], r"parameter iterations must be a whole number, got 2.5"),
        (["-p", "lambda_regs", "[0, -1]"], r"parameter lambda_regs must be >= 0, got -1"),
        (["-p", "schedule", "step"], r"parameter schedule must be one of constant, cosine, got 'step'"),
        (["-p", "data_path", "nowhere.csv"], r"parameter data_path: no file or directory at .*nowhere\.csv"),
        (["--params", "params/nope.yaml"], r"parameter file not found: params/nope\.yaml"),
        (["99"], r"no notebook '99' in notebooks/; choose from: 01_initialization"),
        (
            ["02", "-p", "alpha", "0.5"],
            r"parameter 'alpha' is used by none of the selected notebooks \(02_activations\)",
        ),
        (["-p", "alpha"], r"-p alpha has no value"),
        (
            ["-p", "dev_size", "5000"],
            r"parameter dev_size must be >= 1 and <= 1999, got 5000: .*the data has 2000 rows",
        ),
        (["-p", "data_path", "README.md"], r"parameter data_path: .*README\.md has no column named 'label'"),
    ],
)
def test_bad_parameters_are_refused_before_any_kernel(tmp_path, capsys, monkeypatch, args, message):
    import re

    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(runner, "execute", lambda *a: pytest.fail("a kernel was started"))
    code, out, err = run_cli(["run", "--out", str(tmp_path / "out"), *args], capsys)
    assert code == 2
    assert re.search(message, err), err
    assert err.startswith("error: ") and err.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_parameter_file_paths_are_relative_to_the_file(tmp_path):
    given = values.collect_values(str(ROOT / "params" / "default.yaml"), [])
    assert given["data_path"] == str(ROOT / "data" / "fashion_data.csv")


@pytest.mark.parametrize("name", ["default", "quick"])
def test_shipped_parameter_files_are_valid(name):
    given = values.collect_values(str(ROOT / "params" / f"{name}.yaml"), [])
    values.prepare_parameters(given, series.declarations(NOTEBOOKS))


@pytest.mark.parametrize("name", ["default", "quick", "full"])
def test_a_shared_parameter_file_serves_one_notebook(name):
    """A parameter file is for the series: running only 08 with it drops what only 01-07 use (lambda_regs, ...)."""
    selection = {nb: series.declared_parameters(nb) for nb in NOTEBOOKS if nb.stem.startswith("08")}
    given = values.file_values_for(selection, str(ROOT / "params" / f"{name}.yaml"), ["seed=3"])
    assert "lambda_regs" not in given and "print_every" not in given and given["seed"] == 3
    if name != "full":  # full.yaml's paths need the IDX files (checked by the next test)
        values.prepare_parameters(given, selection)


def test_full_data_parameter_file_is_valid(official_idx):
    given = values.collect_values(str(ROOT / "params" / "full.yaml"), [])
    values.prepare_parameters(given, series.declarations(NOTEBOOKS))


def test_default_parameter_file_holds_the_shared_defaults():
    defaults = values.collect_values(str(ROOT / "params" / "default.yaml"), [])
    assert {k: v for k, v in defaults.items() if k not in PATHS} == {
        k: v for k, v in DEFAULTS.items() if k not in PATHS
    }


def tiny_series(folder: Path) -> Path:
    """Three notebooks shaped like the course's (a parameters cell, a metrics cell printing headline numbers) that
    run in a second each: the runner's and the sweep's plumbing is tested on them, not on the real series."""
    cells = {
        "01_tiny": ("seed = 42\nalpha = 0.1", "headline(product=alpha * seed)"),
        "02_tiny": ("iterations = 500", "headline(loss=1 / iterations)"),
        "03_tiny": ("# no parameters", "headline(dev_accuracy=50.0)"),
    }
    folder.mkdir(parents=True, exist_ok=True)
    for stem, (parameters, metrics) in cells.items():
        make_notebook(folder / f"{stem}.ipynb", metrics, parameters=parameters, metrics=True)
    return folder


@pytest.mark.parametrize(
    "failures,status,error",
    [
        (1, "ok", None),  # the race lost once: the second start runs the notebook
        (runner.KERNEL_STARTS, "failed", "RuntimeError: Kernel died before replying to kernel_info"),
    ],
)
def test_a_kernel_that_dies_before_its_first_reply_is_started_again(tmp_path, monkeypatch, failures, status, error):
    """A kernel lost at start (no cell has run: two kernels raced for a port) costs a restart, not the notebook;
    one that never starts is the notebook's failure, reported with nbclient's message."""
    import papermill

    series = tiny_series(tmp_path / "notebooks")
    real, calls = papermill.execute_notebook, []

    def racing(*args, **kwargs):
        calls.append(args[0])
        if len(calls) <= failures:
            raise RuntimeError("Kernel died before replying to kernel_info")
        return real(*args, **kwargs)

    monkeypatch.setattr(papermill, "execute_notebook", racing)
    monkeypatch.setattr(runner.time, "sleep", lambda seconds: None)
    result = runner.execute(series / "01_tiny.ipynb", tmp_path / "out.ipynb", {})
    assert (result["status"], result["error"]) == (status, error)
    assert len(calls) == min(failures + 1, runner.KERNEL_STARTS)
    assert result["metrics"] == ({"product": 4.2} if status == "ok" else {})


def test_a_runtime_error_inside_a_notebook_is_not_retried(tmp_path):
    """Only a start failure is retried: a notebook whose own cell raises RuntimeError runs once and fails."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    make_notebook(folder / "01_raises.ipynb", "raise RuntimeError('Kernel died before replying to kernel_info')")
    result = runner.execute(folder / "01_raises.ipynb", tmp_path / "out.ipynb", {})
    assert result["status"] == "failed"
    assert result["error"].startswith("at In [")


def test_a_run_with_a_parameter_file_and_an_override(tmp_path, capsys):
    """Each notebook gets the values it declares, from the file and the command line; results, metrics, the
    executed notebooks with papermill's injected cell, and the durations for the next run's start order."""
    series = tiny_series(tmp_path / "notebooks")
    params = tmp_path / "mine.yaml"
    params.write_text("iterations: 50\n")
    out = tmp_path / "run"
    code, stdout, _ = run_cli(
        ["run", "--notebooks", str(series), "--params", str(params), "-p", "alpha", "0.05", "--out", str(out)]
        + ["--quiet"],
        capsys,
    )
    assert code == 0, stdout
    stems = ["01_tiny", "02_tiny", "03_tiny"]
    assert sorted(p.stem for p in out.glob("*.ipynb")) == stems
    assert json.loads((out / "parameters.json").read_text()) == {"alpha": 0.05, "iterations": 50}
    metrics = {s: json.loads((out / f"{s}.metrics.json").read_text()) for s in stems}
    assert all(m["status"] == "ok" for m in metrics.values())
    assert metrics["01_tiny"]["metrics"] == {"product": 2.1} and metrics["02_tiny"]["metrics"] == {"loss": 0.02}
    assert "| 02_tiny | ok | loss = 0.02 |" in stdout, stdout
    assert (out / "summary.csv").read_text().startswith("notebook,status,metric,value,error")
    executed = nbformat.read(str(out / "02_tiny.ipynb"), as_version=4)
    injected = [c for c in executed.cells if INJECTED_TAG in c.metadata.get("tags", [])]
    assert injected and "iterations = 50" in injected[0].source
    values = json.loads((out / "parameters.json").read_text())
    assert sorted(runner.read_durations(runner.durations_key(values))) == stems
    assert runner.read_durations() == {}  # a run with other values says little about how long the defaults take


def test_the_longest_notebooks_start_first_and_unknown_ones_before_them(tmp_path):
    jobs = [(Path(f"{name}.ipynb"), tmp_path / f"{name}.ipynb", {}) for name in ("01_a", "02_b", "03_c", "04_d")]
    assert runner.start_order(jobs) == [3, 2, 1, 0]  # never timed: later notebooks first
    assert runner.start_order(jobs, {"01_a": 5.0, "02_b": 3.0, "03_c": 20.0}) == [3, 2, 0, 1]
    runner.record_durations(
        [
            {"notebook": "01_a", "status": "ok", "seconds": 4.04},
            {"notebook": "02_b", "status": "failed", "seconds": 0.5},
        ]
    )
    runner.record_durations([{"notebook": "03_c", "status": "ok", "seconds": 9.0}])
    assert runner.read_durations() == {"01_a": 4.0, "03_c": 9.0}  # a failed run says nothing about its length
    quick = runner.durations_key({"iterations": 50})
    runner.record_durations([{"notebook": "03_c", "status": "ok", "seconds": 1.0}], quick)
    assert runner.read_durations(quick) == {"03_c": 1.0}  # each set of values has its own record
    assert runner.read_durations()["03_c"] == 9.0
    assert runner.read_durations(runner.durations_key({"alpha": 0.2})) == {
        "01_a": 4.0,
        "03_c": 9.0,
    }  # else the defaults'
    runner.DURATIONS.write_text("not json")
    assert runner.read_durations() == {}


def test_a_failing_notebook_is_reported_and_the_others_kept(tmp_path, capsys):
    series = tiny_series(tmp_path / "notebooks")
    make_notebook(
        series / "02_tiny.ipynb",
        "from fashion_helpers.errors import CourseInputError\n\n"
        "raise CourseInputError(f'iterations is {iterations}, which is not enough')",
        parameters="iterations = 500",
    )
    out = tmp_path / "run"
    code, stdout, err = run_cli(
        ["run", "--notebooks", str(series), "-p", "iterations", "5", "--out", str(out), "--quiet"], capsys
    )
    assert code == 1 and err.splitlines()[-1].startswith("error: 1 of 3 notebooks failed")
    assert "FAILED 02_tiny: at In [" in err and "CourseInputError" in err and "iterations is 5, which" in err
    assert json.loads((out / "01_tiny.metrics.json").read_text())["status"] == "ok"
    assert json.loads((out / "02_tiny.metrics.json").read_text())["status"] == "failed"
    assert "| 03_tiny | ok |" in stdout


SEED_ONLY = cell_source(["seed"])  # a parameters cell as make refresh writes it


def make_notebook(path, body, parameters=SEED_ONLY, metrics=False):
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    }
    params = nbformat.v4.new_code_cell(parameters)
    params.metadata["tags"] = [PARAMETERS_TAG]
    nb.cells = [params, nbformat.v4.new_code_cell(body)]
    if metrics:
        nb.cells[1].source = "from fashion_helpers.report import headline\n\n" + body
        nb.cells[1].metadata["tags"] = [METRICS_TAG]
    for i, cell in enumerate(nb.cells):
        cell.id = f"cell-{i}"
    nbformat.write(nb, str(path))


def test_refresh_strips_noise_and_leaves_a_failing_notebook_untouched(tmp_path):
    good, bad = tmp_path / "01_good.ipynb", tmp_path / "02_bad.ipynb"
    make_notebook(good, "print(seed * 2)")
    make_notebook(bad, "raise RuntimeError('broken on purpose')")
    before = bad.read_bytes()
    results = runner.refresh([good, bad], workers=1, progress=False)
    assert [r["status"] for r in results] == ["ok", "failed"]
    assert bad.read_bytes() == before
    nb = nbformat.read(str(good), as_version=4)
    assert nb.cells[1].outputs[0]["text"] == "84\n"
    assert "papermill" not in nb.metadata and "version" not in nb.metadata["language_info"]
    assert all("execution" not in c.metadata and "papermill" not in c.metadata for c in nb.cells)


def test_sweep_writes_mean_and_std_and_resumes(tmp_path, capsys):
    series = tiny_series(tmp_path / "notebooks")
    out = tmp_path / "sweep"
    args = ["sweep", "--notebooks", str(series), "--notebook", "01", "-g", "alpha=0.05,0.1", "--seeds", "2"]
    args += ["--out", str(out), "--quiet"]
    code, stdout, err = run_cli(args, capsys)
    assert code == 0, stdout + err
    table = (out / "sweep.md").read_text()
    assert "| alpha | seeds |" in table and "±" in table and table.count("\n") == 4
    assert (out / "sweep.png").stat().st_size > 0 and (out / "sweep.csv").exists()
    assert len(list((out / "runs").iterdir())) == 4
    code, stdout, _ = run_cli(args, capsys)
    assert code == 0 and "4 of 4 runs already finished, 0 to go" in stdout


def test_sweep_refuses_bad_grid_before_running(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(runner, "execute", lambda *a: pytest.fail("a kernel was started"))
    code, _, err = run_cli(["sweep", "-g", "alpha=0.1,fast", "--out", str(tmp_path / "s")], capsys)
    assert code == 2 and "parameter alpha must be a number, got 'fast'" in err
    code, _, err = run_cli(["sweep", "-g", "seed=1,2", "--out", str(tmp_path / "s")], capsys)
    assert code == 2 and "--seeds" in err


def test_sweep_table_keeps_whole_numbers_whole():
    import pandas as pd

    runs = pd.DataFrame(
        {
            "alpha": [0.05, 0.05, 0.1, 0.1],
            "hidden_neurons": [10, 10, 20, 20],
            "seed": [0, 1, 0, 1],
            "dev_accuracy": [70.0, 72.0, 74.0, 75.0],
        }
    )
    table = sweep.summarise(runs, ["alpha", "hidden_neurons"])
    text = sweep.as_markdown(table, ["alpha", "hidden_neurons"])
    assert "| 0.05 | 10 | 2 | 71.00 ± 1.41 |" in text and "| 0.1 | 20 | 2 | 74.50 ± 0.71 |" in text


def test_refresh_joins_stream_chunks_so_outputs_do_not_churn():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print(1); print(2)")
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="1\n"),
        nbformat.v4.new_output("stream", name="stdout", text="2\n"),
        nbformat.v4.new_output("stream", name="stderr", text="warn\n"),
    ]
    nb.cells = [cell]
    runner.strip_run_noise(nb)
    assert [(o.name, o.text) for o in nb.cells[0].outputs] == [("stdout", "1\n2\n"), ("stderr", "warn\n")]


def test_an_interrupted_sweep_keeps_what_it_finished(tmp_path, monkeypatch):
    """Each run's metrics.json is written as soon as that run ends, not when the whole sweep does."""
    calls = []

    def fake_execute_many(jobs, workers, progress, label, log_file, on_result):
        on_result(jobs[0], {"notebook": "06_validation", "status": "ok", "error": None, "metrics": {"x": 1.0}})
        calls.append(len(jobs))
        raise KeyboardInterrupt  # the instructor pressed Ctrl-C after the first run

    monkeypatch.setattr(sweep, "execute_many", fake_execute_many)
    run = values.resolve(["06"], NOTEBOOK_DIR)
    with pytest.raises(KeyboardInterrupt):
        sweep.run_sweep(run, {"alpha": [0.05, 0.1]}, [0], tmp_path, progress=False)
    finished = list((tmp_path / "runs").glob("*/metrics.json"))
    assert calls == [2] and len(finished) == 1


def test_the_notebook_folder_comes_from_the_working_directory_or_the_option(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli(["params"], capsys)
    assert (
        code == 2
        and err
        == "error: no notebooks NN_*.ipynb in notebooks/: run from the repository root, "
        "or name the folder with --notebooks DIR\n"
    )
    code, out, _ = run_cli(["params", "--notebooks", str(NOTEBOOK_DIR)], capsys)
    assert code == 0 and "| `seed` | `42` |" in out


def test_each_notebook_is_inspected_once_per_run(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    calls = []
    inspect = series.declared_parameters
    monkeypatch.setattr(series, "declared_parameters", lambda nb: calls.append(nb.stem) or inspect(nb))
    monkeypatch.setattr(
        runner,
        "execute_many",
        lambda jobs, *a, **k: [
            {"notebook": nb.stem, "status": "ok", "error": None, "metrics": {}} for nb, _, _ in jobs
        ],
    )
    code, _, _ = run_cli(["run", "-p", "alpha", "0.05", "--out", str(tmp_path / "run"), "--quiet"], capsys)
    assert code == 0 and sorted(calls) == [nb.stem for nb in NOTEBOOKS]


def test_a_sweep_validates_each_grid_point_once_not_once_per_seed(monkeypatch):
    calls = []
    prepare = values.prepare_parameters
    monkeypatch.setattr(
        values, "prepare_parameters", lambda given, declared: calls.append(given) or prepare(given, declared)
    )
    run = values.resolve(["06"], NOTEBOOK_DIR, overrides=["iterations=20"])
    calls.clear()
    points = sweep.plan({"alpha": [0.05, 0.1]}, [0, 1, 2], run)
    assert len(points) == 6 and len(calls) == 2
    assert points[5]["values"] == {"alpha": 0.1, "iterations": 20, "seed": 2}


def test_a_failed_sweep_point_ends_the_sweep_with_status_1(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)

    def failing(jobs, workers, progress, label, log_file, on_result):
        results = [
            {"notebook": "06_validation", "status": "failed", "error": "at In [3]: boom", "metrics": {}} for _ in jobs
        ]
        for job, result in zip(jobs, results, strict=True):
            on_result(job, result)
        return results

    monkeypatch.setattr(sweep, "execute_many", failing)
    code, _, err = run_cli(
        ["sweep", "-g", "alpha=0.05", "--seeds", "1", "--out", str(tmp_path / "s"), "--quiet"], capsys
    )
    assert code == 1 and err.startswith("error: run alpha=0.05,seed=0 failed (at In [3]: boom)")


def test_without_the_tools_extra_the_command_says_what_to_install():
    """As after `pip install .` without the tools extra: papermill and yaml cannot be imported."""
    import subprocess
    import sys

    script = """
import sys
class Missing:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("papermill", "yaml"):
            raise ModuleNotFoundError(name=name)
sys.meta_path.insert(0, Missing())
from fashion_helpers.tools import cli
sys.exit(cli.main(["run"]))
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 2 and out.stderr == (
        "error: fashion-course needs the course tooling (papermill, yaml "
        "missing): pip install 'fashion-helpers[tools]'\n"
    )


def test_the_tooling_skips_jsonschemas_iri_grammars_and_still_validates_notebooks():
    """rfc3987-syntax compiles three grammars on import (seconds before a run's first notebook); the tooling's
    processes go without it, and notebook validation, which never checks IRIs, works as before."""
    import subprocess
    import sys

    script = (
        "import sys, fashion_helpers.tools, nbformat, papermill\n"
        "nb = nbformat.read('notebooks/02_activations.ipynb', as_version=4)\n"
        "nbformat.validate(nb)\n"
        "bad = nbformat.v4.new_notebook(); bad.cells = [{'cell_type': 'code'}]\n"
        "try:\n    nbformat.validate(bad)\nexcept nbformat.ValidationError:\n    print('invalid refused')\n"
        "print(sys.modules['rfc3987_syntax'])"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.split() == ["invalid", "refused", "None"]
