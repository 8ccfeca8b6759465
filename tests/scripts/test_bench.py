"""scripts/bench.py: the peers it measures do the same work as the course, and the report names the machine."""

import numpy as np

from ..conftest import load_script


def test_sklearn_peer_does_the_courses_work(split):
    bench = load_script("bench_workloads")
    X_train, Y_train, _, _ = split
    model = bench.sklearn_same_work(X_train[:, :200], Y_train[:200], 0.1, 7, seed=0)
    assert model.n_iter_ == 7  # every iteration runs: no tolerance stop, no early stopping
    assert model.hidden_layer_sizes == (20,) and model.batch_size == 200 and model.alpha == 0.0
    assert model.solver == "sgd" and model.momentum == 0.0 and not model.nesterovs_momentum


def test_floor_and_machine_description(split):
    bench = load_script("bench")
    X_train, Y_train, _, _ = split
    load_script("bench_workloads").bare_matrix_products(X_train[:, :100], Y_train[:100], 2, np.random.default_rng(0))
    description = bench.machine()
    assert "cores" in description and "AVX-512" in description


def test_full_data_settings_come_from_the_full_parameter_file():
    bench = load_script("bench_workloads")
    settings = bench.full_data_settings()
    assert settings["hidden_neurons"] >= 20 and settings["optimizer"] == "adam" and settings["epochs"] >= 1
    import yaml

    from fashion_helpers.tools.parameters import DEFAULTS, validate

    values = validate({**DEFAULTS, **yaml.safe_load((bench.ROOT / "params" / "full.yaml").read_text())})
    names = dict(hidden_neurons="wide_neurons", epochs="epochs", batch_size="batch_size", alpha="adam_alpha")
    names.update(schedule="schedule", dtype="dtype")
    assert {key: settings[key] for key in names} == {key: values[name] for key, name in names.items()}


def test_the_holdout_row_reads_the_runners_metrics_file(tmp_path):
    """The runner writes {"notebook", "status", "metrics": {...}}: the row must come from its metrics."""
    import json

    bench = load_script("bench")
    path = tmp_path / "09_regularization_and_the_honest_table.metrics.json"
    assert bench.holdout_row(path) is None
    path.write_text(
        json.dumps(
            {
                "notebook": "09_regularization_and_the_honest_table",
                "status": "ok",
                "error": None,
                "metrics": {
                    "holdout_accuracy": 81.7,
                    "best_baseline": "MLPClassifier",
                    "best_baseline_holdout_accuracy": 81.45,
                },
            }
        )
    )
    row = bench.holdout_row(path)
    assert "| 81.70% |" in row and "best baseline MLPClassifier 81.45%" in row and row.endswith("| yes |")
    behind = json.loads(path.read_text())
    behind["metrics"]["holdout_accuracy"] = 81.45  # level with the baseline is not ahead of it
    path.write_text(json.dumps(behind))
    assert bench.holdout_row(path).endswith("| NO |")


def test_a_command_that_fails_fails_its_row_and_prints_no_time():
    bench = load_script("bench")
    seconds, status = bench.run_command(["make", "--no-print-directory", "no-such-target"])
    assert status != 0
    row = bench.failed_row("make test / whole series", ["make", "no-such-target"], status)
    assert row.endswith("| NO |") and f"FAILED (exit status {status})" in row and " s |" not in row


def test_make_test_from_make_bench_gets_none_of_the_benchs_arguments(monkeypatch):
    """Run as `make bench ARGS=--with-tests`, the nested make would pass ARGS on to pytest through MAKEFLAGS."""
    monkeypatch.setenv("MAKEFLAGS", " -- ARGS=--with-tests")
    monkeypatch.setenv("MAKELEVEL", "1")
    command, env = load_script("bench").make_test_command()
    assert command[-2:] == ["test", "ARGS="] and "MAKEFLAGS" not in env and "MAKELEVEL" not in env
