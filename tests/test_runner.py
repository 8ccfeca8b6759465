"""The series runner and its command line: validation before any kernel, runs, failures, refresh, sweeps."""

import json
import time

import nbformat
import pytest

from fashion_helpers import cli, runner

from .conftest import ROOT


def run_cli(args, capsys):
    code = cli.main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("args,message", [
    (["-p", "no_such_parameter", "3"], r"unknown parameter 'no_such_parameter'; the known ones are: seed, data_path"),
    (["-p", "alpha", "fast"], r"parameter alpha must be a number, got 'fast'"),
    (["-p", "alpha=-1"], r"parameter alpha must be > 0, got -1"),
    (["-p", "iterations", "2.5"], r"parameter iterations must be a whole number, got 2.5"),
    (["-p", "lambda_regs", "[0, -1]"], r"parameter lambda_regs must be >= 0, got -1"),
    (["-p", "data_path", "nowhere.csv"], r"parameter data_path: no file or directory at .*nowhere\.csv"),
    (["--params", "params/nope.yaml"], r"parameter file not found: params/nope\.yaml"),
    (["99"], r"no notebook '99' in notebooks/; choose from: 01_initialization"),
    (["02", "-p", "alpha", "0.5"], r"parameter 'alpha' is used by none of the selected notebooks \(02_activations\)"),
    (["-p", "alpha"], r"-p alpha has no value"),
    (["-p", "dev_size", "5000"], r"parameter dev_size: dev_size=5000 must be .* smaller than the number of rows \(2000\)"),
    (["-p", "data_path", "README.md"], r"parameter data_path: .*README\.md has no column named 'label'"),
])
def test_bad_parameters_are_refused_in_seconds_before_any_kernel(tmp_path, capsys, monkeypatch, args, message):
    import re

    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(runner, "execute", lambda *a: pytest.fail("a kernel was started"))
    start = time.perf_counter()
    code, out, err = run_cli(["run", "--out", str(tmp_path / "out"), *args], capsys)
    assert code == 2
    assert re.search(message, err), err
    assert err.startswith("error: ") and err.count("\n") == 1
    assert not (tmp_path / "out").exists()
    assert time.perf_counter() - start < 5


def test_parameter_file_paths_are_relative_to_the_file(tmp_path):
    values = cli.collect_values(str(ROOT / "params" / "default.yaml"), [])
    assert values["data_path"] == str(ROOT / "data" / "fashion_data.csv")


def test_shipped_parameter_files_are_valid():
    notebooks = runner.list_notebooks()
    for name in ("default", "quick", "full"):
        values = cli.collect_values(str(ROOT / "params" / f"{name}.yaml"), [])
        runner.prepare_parameters(values, notebooks)  # full.yaml: needs the official IDX files, as make test does
    defaults = cli.collect_values(str(ROOT / "params" / "default.yaml"), [])
    from fashion_helpers.parameters import DEFAULTS
    assert {k: v for k, v in defaults.items() if k not in runner.PATH_PARAMETERS} == \
        {k: v for k, v in DEFAULTS.items() if k not in runner.PATH_PARAMETERS}


def test_a_quick_run_of_the_whole_series(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    out = tmp_path / "quick"
    code, stdout, _ = run_cli(["run", "--params", "params/quick.yaml", "-p", "alpha", "0.05", "--out", str(out),
                               "--quiet"], capsys)
    assert code == 0, stdout
    assert sorted(p.name for p in out.glob("*.ipynb")) == [p.name for p in runner.list_notebooks()]
    assert json.loads((out / "parameters.json").read_text())["alpha"] == 0.05
    for nb in runner.list_notebooks():
        metrics = json.loads((out / f"{nb.stem}.metrics.json").read_text())
        assert metrics["status"] == "ok" and metrics["metrics"], nb.stem
    assert "| 05_gradient_descent | ok |" in stdout
    assert (out / "summary.csv").read_text().startswith("notebook,status,metric,value,error")
    # the numbers changed with the parameters: compare with the committed notebook's headline
    committed = runner.read_metrics(runner.NOTEBOOK_DIR / "05_gradient_descent.ipynb")
    quick = json.loads((out / "05_gradient_descent.metrics.json").read_text())["metrics"]
    assert quick != committed
    executed = nbformat.read(str(out / "05_gradient_descent.ipynb"), as_version=4)
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and "iterations = 50" in injected[0].source


def test_a_failing_notebook_is_reported_and_the_others_kept(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    bad = tmp_path / "bad.csv"  # a sound header, so it passes the checks made before any kernel; a bad cell
    bad.write_text(",".join([f"pixel{i}" for i in range(1, 785)] + ["label"]) + "\n"
                   + ("0," * 784 + "1\n") * 2 + "0," * 783 + "x,3\n")
    out = tmp_path / "run"
    code, stdout, err = run_cli(["run", "02", "05", "-p", "data_path", str(bad), "-p", "dev_size", "1",
                                 "-p", "iterations", "5",
                                 "--out", str(out), "--quiet"], capsys)
    assert code == 1
    assert "FAILED 05_gradient_descent: at In [" in err and "CourseInputError" in err and "'x', which is not a number" in err
    assert json.loads((out / "02_activations.metrics.json").read_text())["status"] == "ok"
    assert json.loads((out / "05_gradient_descent.metrics.json").read_text())["status"] == "failed"
    assert "| 02_activations | ok |" in stdout


def make_notebook(path, body):
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                   "language_info": {"name": "python"}}
    params = nbformat.v4.new_code_cell("seed = 42  # the seed")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(body)]
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


def test_sweep_writes_mean_and_std_and_resumes(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    out = tmp_path / "sweep"
    args = ["sweep", "--notebook", "06", "-g", "alpha=0.05,0.1", "--seeds", "2", "-p", "iterations", "20",
            "--out", str(out), "--quiet"]
    code, stdout, _ = run_cli(args, capsys)
    assert code == 0
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

    from fashion_helpers import sweep

    runs = pd.DataFrame({"alpha": [0.05, 0.05, 0.1, 0.1], "hidden_neurons": [10, 10, 20, 20], "seed": [0, 1, 0, 1],
                         "dev_accuracy": [70.0, 72.0, 74.0, 75.0]})
    table = sweep.summarise(runs, ["alpha", "hidden_neurons"])
    text = sweep.as_markdown(table, ["alpha", "hidden_neurons"])
    assert "| 0.05 | 10 | 2 | 71.00 ± 1.41 |" in text and "| 0.1 | 20 | 2 | 74.50 ± 0.71 |" in text


def test_refresh_joins_stream_chunks_so_outputs_do_not_churn():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print(1); print(2)")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="1\n"),
                    nbformat.v4.new_output("stream", name="stdout", text="2\n"),
                    nbformat.v4.new_output("stream", name="stderr", text="warn\n")]
    nb.cells = [cell]
    runner.strip_run_noise(nb)
    assert [(o.name, o.text) for o in nb.cells[0].outputs] == [("stdout", "1\n2\n"), ("stderr", "warn\n")]


def test_an_interrupted_sweep_keeps_what_it_finished(tmp_path, monkeypatch):
    """Each run's metrics.json is written as soon as that run ends, not when the whole sweep does."""
    from fashion_helpers import sweep

    calls = []

    def fake_execute_many(jobs, workers, progress, label, log_file, on_result):
        on_result(jobs[0], {"notebook": "06_validation", "status": "ok", "error": None, "metrics": {"x": 1.0}})
        calls.append(len(jobs))
        raise KeyboardInterrupt  # the instructor pressed Ctrl-C after the first run

    monkeypatch.setattr(sweep, "execute_many", fake_execute_many)
    notebook = runner.list_notebooks(["06"])[0]
    with pytest.raises(KeyboardInterrupt):
        sweep.run_sweep(notebook, {"alpha": [0.05, 0.1]}, [0], {}, tmp_path, progress=False)
    finished = list((tmp_path / "runs").glob("*/metrics.json"))
    assert calls == [2] and len(finished) == 1
