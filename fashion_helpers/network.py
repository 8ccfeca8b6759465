"""The two-layer network of the course: 784 -> hidden (ReLU) -> 10 (softmax), trained by full-batch gradient descent.

The names are the mid-term's, so students recognise them. Shapes, with m examples in the batch:
``X`` (784, m), ``Y`` (m,), ``W1`` (hidden, 784), ``b1`` (hidden, 1), ``W2`` (10, hidden), ``b2`` (10, 1),
``Z1``/``A1`` (hidden, m), ``Z2``/``A2`` (10, m).

No function here touches numpy's global random state: randomness comes from a ``numpy.random.Generator``
passed in by the caller.
"""

from __future__ import annotations


import numpy as np

from .data import NUM_CLASSES, NUM_PIXELS
from .errors import CourseInputError, require_generator, require_number

# --------------------------------------------------------------------------- validation of public entry points


def check_inputs(X: np.ndarray, Y: np.ndarray) -> None:
    """Raise a one-line error unless X is (784, m) finite floats in [0, 1] and Y is (m,) whole labels 0..9."""
    if not isinstance(X, np.ndarray) or X.ndim != 2:
        raise CourseInputError(f"X must be a 2-D numpy array (784, m), got {type(X).__name__} {np.shape(X)}")
    if X.shape[0] != NUM_PIXELS:
        hint = " (one column per image: did you forget .T?)" if X.shape[1] == NUM_PIXELS else ""
        raise CourseInputError(f"X has shape {X.shape}, expected ({NUM_PIXELS}, m){hint}")
    if X.shape[1] == 0:
        raise CourseInputError("X holds no images (shape (784, 0)): pass at least one column")
    if not np.issubdtype(X.dtype, np.number) or not np.isfinite(X).all():
        raise CourseInputError("X must hold finite numbers (scaled pixels in [0, 1]); it has NaN, inf or non-numbers")
    if X.min() < 0 or X.max() > 1:
        raise CourseInputError(
            f"X holds values from {X.min():g} to {X.max():g}, expected scaled pixels in [0, 1]: "
            "divide raw pixels by 255 (data.scale_pixels)")
    if not isinstance(Y, np.ndarray):
        raise CourseInputError(f"Y must be a numpy array of labels, got {type(Y).__name__}: use np.asarray(Y)")
    if Y.shape != (X.shape[1],):
        raise CourseInputError(f"Y has shape {Y.shape}, expected ({X.shape[1]},): one label per column of X")
    if not np.issubdtype(Y.dtype, np.integer):
        raise CourseInputError(f"Y must hold whole-number labels 0..{NUM_CLASSES - 1}, got dtype {Y.dtype}: "
                               "convert with Y.astype(int)")
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


# --------------------------------------------------------------------------- the network


def init_params(rng: np.random.Generator, input_size: int = NUM_PIXELS, hidden_neurons: int = 20,
                output_size: int = NUM_CLASSES):
    """Parameters drawn uniformly from [-0.5, 0.5): ``W1`` (hidden, input), ``b1`` (hidden, 1), ``W2`` (output, hidden), ``b2`` (output, 1).

    rng: the notebook's Generator; drawing W1, b1, W2, b2 in that order advances it.
    """
    require_generator(rng)
    require_number("input_size", input_size, minimum=1, whole=True)
    require_number("hidden_neurons", hidden_neurons, minimum=1, whole=True)
    require_number("output_size", output_size, minimum=1, whole=True)
    W1 = rng.random((hidden_neurons, input_size)) - 0.5
    b1 = rng.random((hidden_neurons, 1)) - 0.5
    W2 = rng.random((output_size, hidden_neurons)) - 0.5
    b2 = rng.random((output_size, 1)) - 0.5
    return W1, b1, W2, b2


def ReLU(Z):
    """ReLU, element-wise: ``max(0, Z)``; same shape as Z."""
    return np.maximum(0, Z)


def ReLU_deriv(Z):
    """Derivative of ReLU at Z, element-wise: 1.0 where Z > 0, else 0.0; same shape as Z."""
    return (Z > 0).astype(np.float64)


def softmax(Z):
    """Softmax of each column of Z (10, m): probabilities that sum to 1 per column.

    Subtracting each column's own maximum leaves the result unchanged mathematically and keeps
    ``exp`` from overflowing (large logits) or underflowing to an all-zero column (very negative ones).
    """
    exp_Z = np.exp(Z - np.max(Z, axis=0, keepdims=True))
    return exp_Z / np.sum(exp_Z, axis=0, keepdims=True)


def softmax_global_max(Z):
    """The mid-term's softmax, kept as a counter-example: it subtracts the max of the *whole* matrix.

    A column whose logits all lie far below the global maximum underflows to zeros and divides 0 by 0.
    """
    exp_Z = np.exp(Z - np.max(Z))
    return exp_Z / np.sum(exp_Z, axis=0, keepdims=True)


def forward_prop(W1, b1, W2, b2, X):
    """Forward pass: returns ``Z1``, ``A1`` (hidden, m) and ``Z2``, ``A2`` (10, m); A2's columns are probabilities."""
    Z1 = W1 @ X + b1
    A1 = ReLU(Z1)
    Z2 = W2 @ A1 + b2
    A2 = softmax(Z2)
    return Z1, A1, Z2, A2


def one_hot(Y, num_classes: int = NUM_CLASSES):
    """Labels (m,) as one-hot columns (num_classes, m): column j has a 1 in row Y[j].

    Sized from the number of classes, not from ``Y.max() + 1``: a batch without any 9s still has 10 rows.
    """
    Y = np.asarray(Y)
    one_hot_Y = np.zeros((num_classes, Y.size))
    one_hot_Y[Y, np.arange(Y.size)] = 1
    return one_hot_Y


def compute_loss(A2, Y, W1=None, W2=None, lambda_reg: float = 0.0) -> float:
    """Mean cross-entropy of the predicted probabilities A2 (10, m) against labels Y (m,), plus the L2 term.

    The L2 term is ``lambda_reg / (2 m) * (sum(W1**2) + sum(W2**2))``; biases are not penalised.
    """
    m = Y.size
    picked = A2[Y, np.arange(m)]
    loss = -np.mean(np.log(np.maximum(picked, np.finfo(np.float64).tiny)))
    if lambda_reg:
        loss += lambda_reg / (2 * m) * (np.sum(W1**2) + np.sum(W2**2))
    return float(loss)


def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y, lambda_reg: float = 0.0):
    """Gradients of the loss: returns ``dW1`` (hidden, 784), ``db1`` (hidden, 1), ``dW2`` (10, hidden), ``db2`` (10, 1).

    m is the size of *this* batch (``Y.size``). With ``lambda_reg > 0`` the L2 term adds ``lambda_reg / m * W``.
    """
    m = Y.size
    one_hot_Y = one_hot(Y)
    dZ2 = A2 - one_hot_Y
    dW2 = (1 / m) * dZ2 @ A1.T + (lambda_reg / m) * W2
    db2 = (1 / m) * np.sum(dZ2, axis=1, keepdims=True)
    dZ1 = (W2.T @ dZ2) * ReLU_deriv(Z1)
    dW1 = (1 / m) * dZ1 @ X.T + (lambda_reg / m) * W1
    db1 = (1 / m) * np.sum(dZ1, axis=1, keepdims=True)
    return dW1, db1, dW2, db2


def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
    """One gradient-descent step: each parameter moves by ``-alpha`` times its gradient. Returns new arrays."""
    W1 = W1 - alpha * dW1
    b1 = b1 - alpha * db1
    W2 = W2 - alpha * dW2
    b2 = b2 - alpha * db2
    return W1, b1, W2, b2


def get_predictions(A2):
    """Predicted class per column of A2 (10, m): shape (m,)."""
    return np.argmax(A2, axis=0)


def get_accuracy(predictions, Y) -> float:
    """Percentage of predictions equal to Y (both shape (m,)), from 0 to 100."""
    return float(np.mean(predictions == Y) * 100)


def make_predictions(X, W1, b1, W2, b2):
    """Predicted classes (m,) for images X (784, m)."""
    _, _, _, A2 = forward_prop(W1, b1, W2, b2, X)
    return get_predictions(A2)


def check_training_args(X, Y, alpha, iterations, rng=None, hidden_neurons=20, lambda_reg=0.0,
                        print_every=None, params=None, dev=None) -> None:
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
    if params is None:
        require_generator(rng)
        require_number("hidden_neurons", hidden_neurons, minimum=1, whole=True)
    elif not isinstance(params, (tuple, list)) or len(params) != 4:
        raise CourseInputError("params must be the four arrays (W1, b1, W2, b2), as init_params returns them")
    else:
        check_params(*params, input_size=X.shape[0])


def starting_params(rng: np.random.Generator | None, input_size: int, hidden_neurons: int, params=None):
    """Where training starts: copies of ``params`` (W1, b1, W2, b2) when given, else ``init_params`` drawn from rng."""
    if params is not None:
        return tuple(np.array(p, dtype=np.float64) for p in params)
    return init_params(rng, input_size, hidden_neurons, NUM_CLASSES)


def is_logged(i: int, iterations: int, print_every: int | None) -> bool:
    """True when iteration i is recorded: every ``print_every`` iterations (every 10 when None) and the last one."""
    return i % (print_every or 10) == 0 or i == iterations - 1


def record_progress(history: dict, i: int, A2, Y, params, lambda_reg: float = 0.0,
                    print_every: int | None = None, dev=None) -> None:
    """Append iteration i's loss and train accuracy to ``history``; print a log line when ``print_every`` is set.

    A2: this iteration's forward pass on the training images; params: the (W1, b1, W2, b2) that made it.
    dev: (X_dev, Y_dev) or None. With a dev set, also append ``dev_loss`` (cross-entropy, no L2 term) and
    ``dev_accuracy`` of the same parameters, and keep the best dev accuracy so far in ``best_iteration``,
    ``best_dev_accuracy`` and ``best_params`` (a tie keeps the earlier iteration): early stopping's choice.
    """
    W1, _, W2, _ = params
    loss = compute_loss(A2, Y, W1, W2, lambda_reg)
    accuracy = get_accuracy(get_predictions(A2), Y)
    for key, value in (("iteration", i), ("loss", loss), ("train_accuracy", accuracy)):
        history.setdefault(key, []).append(value)
    line = f"Iteration {i:4d}   loss {loss:.4f}   train accuracy {accuracy:6.2f}%"
    if dev is not None:
        X_dev, Y_dev = dev
        A2_dev = forward_prop(*params, X_dev)[3]
        dev_loss = compute_loss(A2_dev, Y_dev)
        dev_accuracy = get_accuracy(get_predictions(A2_dev), Y_dev)
        history.setdefault("dev_loss", []).append(dev_loss)
        history.setdefault("dev_accuracy", []).append(dev_accuracy)
        if dev_accuracy > history.get("best_dev_accuracy", -1.0):
            history.update(best_iteration=i, best_dev_accuracy=dev_accuracy, best_params=tuple(params))
        line += f"   dev loss {dev_loss:.4f}   dev accuracy {dev_accuracy:6.2f}%"
    if print_every:
        print(line)


def gradient_descent(X, Y, alpha: float, iterations: int, rng: np.random.Generator | None = None, *,
                     hidden_neurons: int = 20, lambda_reg: float = 0.0, print_every: int | None = None,
                     params=None, dev=None):
    """Train by full-batch gradient descent. Returns ``(W1, b1, W2, b2), history``.

    X: (784, m) scaled pixels; Y: (m,) labels.
    alpha: learning rate (> 0). iterations: number of updates (>= 1).
    rng: Generator that draws the initial parameters (needed unless ``params`` is given).
    hidden_neurons: width of the hidden layer when initialising. lambda_reg: L2 strength (>= 0).
    print_every: print a log line every this many iterations (None: silent).
    params: start from these (W1, b1, W2, b2) instead of drawing new ones (they are not modified).
    dev: (X_dev, Y_dev) to score at the same iterations as the training images (None: no dev columns).
    history: dict of lists ``iteration``, ``loss``, ``train_accuracy`` (and with dev ``dev_loss``,
    ``dev_accuracy``, plus the best dev iteration: see ``record_progress``), recorded every ``print_every``
    iterations (every 10 when silent) and at the last one, from that iteration's forward pass (before its update).
    """
    check_training_args(X, Y, alpha, iterations, rng, hidden_neurons, lambda_reg, print_every, params, dev)
    history = {}
    W1, b1, W2, b2 = starting_params(rng, X.shape[0], hidden_neurons, params)
    for i in range(iterations):
        Z1, A1, Z2, A2 = forward_prop(W1, b1, W2, b2, X)
        if is_logged(i, iterations, print_every):
            record_progress(history, i, A2, Y, (W1, b1, W2, b2), lambda_reg, print_every, dev)
        dW1, db1, dW2, db2 = backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y, lambda_reg)
        W1, b1, W2, b2 = update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha)
    return (W1, b1, W2, b2), history
