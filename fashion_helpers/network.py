"""The two-layer network's shapes, and the one-line checks of what its functions are given.

The network itself is the student's: notebooks 01 to 05 write it (``init_params``, ``ReLU``, ``softmax``,
``forward_prop``, ``backward_prop``, ``gradient_descent``, ...), and :mod:`fashion_helpers.yours` carries each
function on to the later notebooks. The names are the mid-term's. Shapes, with m examples in the batch:
``X`` (784, m), ``Y`` (m,), ``W1`` (hidden, 784), ``b1`` (hidden, 1), ``W2`` (10, hidden), ``b2`` (10, 1),
``Z1``/``A1`` (hidden, m), ``Z2``/``A2`` (10, m). A small made-up problem may have fewer inputs than 784 pixels.
"""

from __future__ import annotations

import numpy as np

from .data import NUM_CLASSES, NUM_PIXELS
from .errors import CourseInputError, require_generator, require_number


def check_inputs(X: np.ndarray, Y: np.ndarray) -> None:
    """Raise a one-line error unless X is (n, m) finite numbers (scaled pixels in [0, 1] when n is 784) and Y is
    (m,) whole labels 0..9."""
    if not isinstance(X, np.ndarray) or X.ndim != 2:
        raise CourseInputError(f"X must be a 2-D numpy array (784, m), got {type(X).__name__} {np.shape(X)}")
    if X.shape[1] == NUM_PIXELS and X.shape[0] != NUM_PIXELS:
        raise CourseInputError(
            f"X has shape {X.shape}, expected ({NUM_PIXELS}, m): one column per image (did you forget .T?)"
        )
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise CourseInputError(f"X holds no numbers (shape {X.shape}): pass at least one row and one column")
    if not np.issubdtype(X.dtype, np.number) or not np.isfinite(X).all():
        raise CourseInputError("X must hold finite numbers (scaled pixels in [0, 1]); it has NaN, inf or non-numbers")
    if X.shape[0] == NUM_PIXELS and (X.min() < 0 or X.max() > 1):
        raise CourseInputError(
            f"X holds values from {X.min():g} to {X.max():g}, expected scaled pixels in [0, 1]: "
            "divide raw pixels by 255 (data.scale_pixels)"
        )
    if not isinstance(Y, np.ndarray):
        raise CourseInputError(f"Y must be a numpy array of labels, got {type(Y).__name__}: use np.asarray(Y)")
    if Y.shape != (X.shape[1],):
        raise CourseInputError(f"Y has shape {Y.shape}, expected ({X.shape[1]},): one label per column of X")
    if not np.issubdtype(Y.dtype, np.integer):
        raise CourseInputError(
            f"Y must hold whole-number labels 0..{NUM_CLASSES - 1}, got dtype {Y.dtype}: convert with Y.astype(int)"
        )
    if Y.min() < 0 or Y.max() >= NUM_CLASSES:
        raise CourseInputError(f"Y holds labels from {Y.min()} to {Y.max()}, expected 0..{NUM_CLASSES - 1}")


def check_params(W1, b1, W2, b2, input_size: int = NUM_PIXELS) -> None:
    """Raise a one-line error unless the four parameter arrays are finite and have shapes that agree."""
    for name, value in (("W1", W1), ("b1", b1), ("W2", W2), ("b2", b2)):
        if not isinstance(value, np.ndarray) or value.ndim != 2:
            raise CourseInputError(f"{name} must be a 2-D array, got {type(value).__name__} {np.shape(value)}")
        if not np.isfinite(value).all():
            raise CourseInputError(f"{name} holds NaN or inf: start from finite parameters (init_params)")
    hidden = b1.shape[0]
    expected = {"W1": (hidden, input_size), "b1": (hidden, 1), "W2": (NUM_CLASSES, hidden), "b2": (NUM_CLASSES, 1)}
    for name, value in (("W1", W1), ("b1", b1), ("W2", W2), ("b2", b2)):
        if value.shape != expected[name]:
            raise CourseInputError(f"{name} has shape {value.shape}, expected {expected[name]}")


def check_training_args(
    X, Y, alpha, iterations, rng=None, hidden_neurons=20, lambda_reg=0.0, print_every=None, params=None, dev=None
) -> None:
    """Raise a one-line CourseInputError for the first bad argument of ``gradient_descent``, before any work."""
    require_number("alpha", alpha, minimum=0, strict=True)
    require_number("iterations", iterations, minimum=1, whole=True)
    require_number("lambda_reg", lambda_reg, minimum=0)
    if print_every is not None:
        require_number("print_every", print_every, minimum=1, whole=True)
    check_inputs(X, Y)
    if dev is not None:
        if not isinstance(dev, (tuple, list)) or len(dev) != 2:
            raise CourseInputError("dev must be the pair (X_dev, Y_dev), as data.split_dev_train returns them")
        check_inputs(*dev)
        if dev[0].shape[0] != X.shape[0]:
            raise CourseInputError(
                f"X_dev has {dev[0].shape[0]} rows and X {X.shape[0]}: one row per input, the same in both"
            )
    if params is None:
        require_generator(rng)
        require_number("hidden_neurons", hidden_neurons, minimum=1, whole=True)
    elif not isinstance(params, (tuple, list)) or len(params) != 4:
        raise CourseInputError("params must be the four arrays (W1, b1, W2, b2), as init_params returns them")
    else:
        check_params(*params, input_size=X.shape[0])
