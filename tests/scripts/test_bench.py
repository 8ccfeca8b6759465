"""scripts/bench.py: the peers it measures do the same work as the course, and the report names the machine."""

import numpy as np

from ..conftest import load_script


def test_sklearn_peer_does_the_courses_work(split):
    bench = load_script("bench")
    X_train, Y_train, _, _ = split
    model = bench.sklearn_same_work(X_train[:, :200], Y_train[:200], 0.1, 7, seed=0)
    assert model.n_iter_ == 7  # every iteration runs: no tolerance stop, no early stopping
    assert model.hidden_layer_sizes == (20,) and model.batch_size == 200 and model.alpha == 0.0
    assert model.solver == "sgd" and model.momentum == 0.0 and not model.nesterovs_momentum


def test_floor_and_machine_description(split):
    bench = load_script("bench")
    X_train, Y_train, _, _ = split
    bench.bare_matrix_products(X_train[:, :100], Y_train[:100], 2, np.random.default_rng(0))
    description = bench.machine()
    assert "cores" in description and "AVX-512" in description


def test_full_data_settings_come_from_the_full_parameter_file():
    bench = load_script("bench")
    settings = bench.full_data_settings()
    assert settings["hidden_neurons"] >= 20 and settings["optimizer"] == "adam" and settings["epochs"] >= 1


def test_the_holdout_row_reads_the_runners_metrics_file(tmp_path):
    """The runner writes {"notebook", "status", "metrics": {...}}: the row must come from its metrics."""
    import json

    bench = load_script("bench")
    path = tmp_path / "08_improving_the_model.metrics.json"
    assert bench.holdout_row(path) is None
    path.write_text(
        json.dumps(
            {
                "notebook": "08_improving_the_model",
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
    assert "| 81.70% |" in row and "best baseline MLPClassifier 81.45%" in row and row.endswith("| NO |")
