"""The workloads ``make bench`` times (scripts/bench.py): the mid-term's loop as it was written, scikit-learn's
MLPClassifier doing the course's work, the bare matrix products of those iterations (the floor), the calibration,
and the recipe of notebook 08 on the official 60,000/10,000 images."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the repository: the instructor's solutions
import answer_key  # noqa: E402
from fashion_helpers import data, ladder, training  # noqa: E402
from fashion_helpers._formats import official_idx_dir  # noqa: E402

#: The course network is the instructor's solutions (notebooks/my_functions.py), as a student's would be.
R = answer_key.reference()
FUNCTIONS = {
    name: getattr(R, name)
    for name in training.ALWAYS
    + (
        "update_params",
        "sgd_epoch",
        "momentum_update",
        "adam_update",
        "init_params",
        "he_init",
        "glorot_init",
        "flip_left_right",
        "shift_images",
        "should_stop",
    )
}


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


def sklearn_same_work(X, Y, alpha, iterations, seed):
    """scikit-learn's MLPClassifier doing the course's work: 20 ReLU neurons, full batch, plain SGD, no L2, the same
    number of iterations, no early stopping and no stopping on a flat loss."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    model = MLPClassifier(
        hidden_layer_sizes=(20,),
        activation="relu",
        solver="sgd",
        alpha=0.0,
        batch_size=Y.size,
        learning_rate="constant",
        learning_rate_init=alpha,
        momentum=0.0,
        nesterovs_momentum=False,
        max_iter=iterations,
        tol=0.0,
        n_iter_no_change=iterations,
        early_stopping=False,
        shuffle=False,
        random_state=seed,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # it stops at max_iter by design
        model.fit(X.T, Y)
    return model


def bare_matrix_products(X, Y, iterations, rng, hidden: int = 20):
    """The floor: only the five matrix products of each iteration (forward: W1 X, W2 A1; backward: dZ2 A1^T,
    W2^T dZ2, dZ1 X^T) on arrays of the course's shapes, nothing else."""
    W1, W2 = rng.random((hidden, X.shape[0])) - 0.5, rng.random((10, hidden)) - 0.5
    A1, dZ2, dZ1 = rng.random((hidden, Y.size)), rng.random((10, Y.size)), rng.random((hidden, Y.size))
    for _ in range(iterations):
        W1 @ X
        W2 @ A1
        dZ2 @ A1.T
        W2.T @ dZ2
        dZ1 @ X.T


CALIBRATION = """
import time
start = time.perf_counter()
import numpy as np, pandas, matplotlib, sklearn
from fashion_helpers import data
import importlib.util, sys
spec = importlib.util.spec_from_file_location("bench", sys.argv[1])
bench = importlib.util.module_from_spec(spec); spec.loader.exec_module(bench)
pixels, labels = data.load_data(sys.argv[2])
X, Y, _, _ = data.split_dev_train(pixels, labels, 400, np.random.default_rng(42))
bench.midterm_style_training(X, Y, 0.10, 500, np.random.default_rng(0))
"""


def calibrate() -> float:
    """Seconds for a fresh Python with the course's imports to load the sample and run the mid-term loop once
    (what a notebook's kernel does first); the machine-dependent budgets are judged against it."""
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", CALIBRATION, __file__, str(ROOT / "data" / "fashion_data.csv")],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def full_data_settings() -> dict:
    """The recipe notebook 08 ends with (:func:`fashion_helpers.ladder.recipe_settings`: a Glorot start, Adam, the
    wider layer) on the full-data parameters of params/full.yaml (SPEC's default for a name the file leaves out);
    scripts/full_data_dev.py records how those values were chosen."""
    import yaml

    from fashion_helpers.tools.parameters import DEFAULTS

    values = {**DEFAULTS, **yaml.safe_load((ROOT / "params" / "full.yaml").read_text())}
    plain = ladder.plain_settings(
        values["hidden_neurons"],
        values["epochs"],
        values["batch_size"],
        values["alpha"],
        values["schedule"],
        values["dtype"],
    )
    return ladder.recipe_settings(plain, values["adam_alpha"], values["wide_neurons"])


def full_data_run(seed: int = 42):
    """Train the recipe of notebook 08 (:func:`full_data_settings`) on the official 60,000 training images, score
    the 10,000 test images. Returns (settings, training seconds, test accuracy)."""
    pixels, labels = data.load_data(official_idx_dir(), "train")
    test_pixels, test_labels = data.load_data(official_idx_dir(), "test")
    X = data.scale_pixels(pixels).T
    settings = full_data_settings()
    (params, _), seconds = _timed(
        training.train_minibatch, X, labels, np.random.default_rng(seed), functions=FUNCTIONS, **settings
    )
    return settings, seconds, training.evaluate(params, data.scale_pixels(test_pixels).T, test_labels, FUNCTIONS)


def _timed(fn, *args, **kwargs):
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - start
