"""Functions recorded by the course's self-checks when they passed; later notebooks load them from here.

Each section is one exercise's cell: its imports and its function. To change one, edit the exercise in its
notebook and run its self-check again: that rewrites the section (an edit made here is overwritten then).
"""

import numpy as np


# --- init_params (01_initialization) ---
from fashion_helpers.data import NUM_CLASSES, NUM_PIXELS
from fashion_helpers.errors import require_generator, require_number


def init_params(rng: np.random.Generator, input_size: int = NUM_PIXELS, hidden_neurons: int = 20,
                output_size: int = NUM_CLASSES):
    """Parameters drawn uniformly from [-0.5, 0.5): ``W1`` (hidden, input), ``b1`` (hidden, 1), ``W2`` (output, hidden), ``b2`` (output, 1).

    rng: the notebook's Generator; drawing W1, b1, W2, b2 in that order advances it.
    """
    # Given: argument checks with a clear message
    require_generator(rng)
    require_number("input_size", input_size, minimum=1, whole=True)
    require_number("hidden_neurons", hidden_neurons, minimum=1, whole=True)
    require_number("output_size", output_size, minimum=1, whole=True)
    W1 = rng.random((hidden_neurons, input_size)) - 0.5
    b1 = rng.random((hidden_neurons, 1)) - 0.5
    W2 = rng.random((output_size, hidden_neurons)) - 0.5
    b2 = rng.random((output_size, 1)) - 0.5
    return W1, b1, W2, b2


# --- ReLU (02_activations) ---
def ReLU(Z):
    """ReLU, element-wise: ``max(0, Z)``; same shape as Z."""
    return np.maximum(0, Z)


# --- ReLU_deriv (02_activations) ---
def ReLU_deriv(Z):
    """Derivative of ReLU at Z, element-wise: 1.0 where Z > 0, else 0.0; same shape as Z."""
    return (Z > 0).astype(Z.dtype)        # in Z's own precision: float32 data stays float32


# --- softmax (02_activations) ---
def softmax(Z):
    """Softmax of each column of Z (10, m): probabilities that sum to 1 per column.

    Subtracting each column's own maximum leaves the result unchanged mathematically and keeps
    ``exp`` from overflowing (large logits) or underflowing to an all-zero column (very negative ones).
    """
    exp_Z = np.exp(Z - np.max(Z, axis=0, keepdims=True))
    return exp_Z / np.sum(exp_Z, axis=0, keepdims=True)


# --- forward_prop (03_forward_propagation) ---
def forward_prop(W1, b1, W2, b2, X):
    """Forward pass: returns ``Z1``, ``A1`` (hidden, m) and ``Z2``, ``A2`` (10, m); A2's columns are probabilities."""
    Z1 = W1 @ X + b1
    A1 = ReLU(Z1)
    Z2 = W2 @ A1 + b2
    A2 = softmax(Z2)
    return Z1, A1, Z2, A2


# --- forward_prop_loop (03_forward_propagation) ---
def forward_prop_loop(W1, b1, W2, b2, X):
    """The forward pass one image (column of X) at a time: the same ``Z1``, ``A1``, ``Z2``, ``A2`` as forward_prop."""
    m = X.shape[1]
    Z1, A1 = np.zeros((W1.shape[0], m)), np.zeros((W1.shape[0], m))
    Z2, A2 = np.zeros((W2.shape[0], m)), np.zeros((W2.shape[0], m))
    for j in range(m):
        x = X[:, [j]]
        Z1[:, [j]] = W1 @ x + b1
        A1[:, [j]] = ReLU(Z1[:, [j]])
        Z2[:, [j]] = W2 @ A1[:, [j]] + b2
        A2[:, [j]] = softmax(Z2[:, [j]])
    return Z1, A1, Z2, A2


# --- get_predictions (03_forward_propagation) ---
def get_predictions(A2):
    """Predicted class per column of A2 (10, m): shape (m,)."""
    return np.argmax(A2, axis=0)


# --- get_accuracy (03_forward_propagation) ---
def get_accuracy(predictions, Y) -> float:
    """Percentage of predictions equal to Y (both shape (m,)), from 0 to 100."""
    return float(np.mean(predictions == Y) * 100)


# --- one_hot (04_backward_propagation) ---
from fashion_helpers.data import NUM_CLASSES


def one_hot(Y, num_classes: int = NUM_CLASSES):
    """Labels (m,) as one-hot columns (num_classes, m): column j has a 1 in row Y[j].

    Sized from the number of classes, not from ``Y.max() + 1``: a batch without any 9s still has 10 rows.
    """
    Y = np.asarray(Y)
    one_hot_Y = np.zeros((num_classes, Y.size))
    one_hot_Y[Y, np.arange(Y.size)] = 1
    return one_hot_Y


# --- compute_loss (04_backward_propagation) ---
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


# --- backward_prop (04_backward_propagation) ---
def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y, lambda_reg: float = 0.0):
    """Gradients of the loss: returns ``dW1`` (hidden, 784), ``db1`` (hidden, 1), ``dW2`` (10, hidden), ``db2`` (10, 1).

    m is the size of *this* batch (``Y.size``). With ``lambda_reg > 0`` the L2 term adds ``lambda_reg / m * W``.
    """
    m = Y.size
    one_hot_Y = one_hot(Y).astype(A2.dtype)   # in A2's precision: float32 data stays float32
    dZ2 = A2 - one_hot_Y
    dW2 = (1 / m) * dZ2 @ A1.T + (lambda_reg / m) * W2
    db2 = (1 / m) * np.sum(dZ2, axis=1, keepdims=True)
    dZ1 = (W2.T @ dZ2) * ReLU_deriv(Z1)
    dW1 = (1 / m) * dZ1 @ X.T + (lambda_reg / m) * W1
    db1 = (1 / m) * np.sum(dZ1, axis=1, keepdims=True)
    return dW1, db1, dW2, db2


# --- update_params (04_backward_propagation) ---
def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
    """One gradient-descent step: each parameter moves by ``-alpha`` times its gradient. Returns new arrays."""
    W1 = W1 - alpha * dW1
    b1 = b1 - alpha * db1
    W2 = W2 - alpha * dW2
    b2 = b2 - alpha * db2
    return W1, b1, W2, b2


# --- numerical_gradient (04_backward_propagation) ---
def numerical_gradient(X, Y, params, lambda_reg: float = 0.0, epsilon: float = 1e-5) -> np.ndarray:
    """Centred finite differences of the loss for every parameter, flattened in the order W1, b1, W2, b2.

    Entry k is ``(J(theta + epsilon e_k) - J(theta - epsilon e_k)) / (2 epsilon)``: nudge one parameter up,
    then down, and divide the change of the loss J (mean cross-entropy plus the L2 term) by the step. Nothing
    here uses ``backward_prop``, which is what makes it a check of it.
    """
    params = [np.array(p, dtype=np.float64) for p in params]  # copies: the caller's arrays stay as they are

    def loss() -> float:
        """J at the current values of ``params``."""
        W1, b1, W2, b2 = params
        A2 = forward_prop(W1, b1, W2, b2, X)[3]
        return compute_loss(A2, Y, W1, W2, lambda_reg)

    gradients = []
    for p in params:
        g = np.zeros_like(p)
        for index in np.ndindex(p.shape):
            saved = p[index]
            p[index] = saved + epsilon
            plus = loss()
            p[index] = saved - epsilon
            minus = loss()
            p[index] = saved
            g[index] = (plus - minus) / (2 * epsilon)
        gradients.append(g)
    return np.concatenate([g.ravel() for g in gradients])


# --- gradient_descent (05_gradient_descent) ---
from fashion_helpers.network import check_training_args


def gradient_descent(X, Y, alpha: float, iterations: int, rng: np.random.Generator | None = None, *,
                     hidden_neurons: int = 20, lambda_reg: float = 0.0, print_every: int | None = None,
                     params=None, dev=None):
    """Train by full-batch gradient descent. Returns ``(W1, b1, W2, b2), history``.

    X: (784, m) scaled pixels; Y: (m,) labels. alpha: learning rate (> 0); iterations: updates (>= 1).
    rng: draws the starting parameters with init_params, unless ``params`` gives them (left unmodified).
    hidden_neurons: hidden width when drawing; lambda_reg: L2 strength (>= 0).
    dev: (X_dev, Y_dev), scored at the same records as the training images (None: no dev columns).
    history: lists "iteration", "loss" (J, with the L2 term), "train_accuracy" and, with dev, "dev_loss"
    (cross-entropy only) and "dev_accuracy": one record before the first update, one every ``print_every``
    updates (every 10 when None) and one after the last; ``print_every`` also prints each record as a line.
    """
    check_training_args(X, Y, alpha, iterations, rng, hidden_neurons, lambda_reg, print_every, params, dev)
    history = {}
    if params is None:
        params = init_params(rng, X.shape[0], hidden_neurons)
    W1, b1, W2, b2 = params
    every = print_every or 10
    for i in range(iterations + 1):
        Z1, A1, Z2, A2 = forward_prop(W1, b1, W2, b2, X)
        if i % every == 0 or i == iterations:
            record = {"iteration": i, "loss": compute_loss(A2, Y, W1, W2, lambda_reg),
                      "train_accuracy": get_accuracy(get_predictions(A2), Y)}
            line = f"Iteration {i:4d}   loss {record['loss']:.4f}   train accuracy {record['train_accuracy']:6.2f}%"
            if dev is not None:
                A2_dev = forward_prop(W1, b1, W2, b2, dev[0])[3]
                record["dev_loss"] = compute_loss(A2_dev, dev[1])
                record["dev_accuracy"] = get_accuracy(get_predictions(A2_dev), dev[1])
                line += f"   dev loss {record['dev_loss']:.4f}   dev accuracy {record['dev_accuracy']:6.2f}%"
            for key, value in record.items():
                history.setdefault(key, []).append(value)
            if print_every:
                print(line)
        if i < iterations:
            dW1, db1, dW2, db2 = backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y, lambda_reg)
            W1, b1, W2, b2 = update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha)
    return (W1, b1, W2, b2), history


# --- make_predictions (06_validation) ---
def make_predictions(X, W1, b1, W2, b2):
    """Predicted classes (m,) for images X (784, m)."""
    _, _, _, A2 = forward_prop(W1, b1, W2, b2, X)
    return get_predictions(A2)


# --- top_confusions (07_error_analysis_l2) ---
from fashion_helpers.analysis import LABELS, confusion_matrix
from fashion_helpers.data import CLASS_NAMES


def top_confusions(Y, predictions, k: int = 3) -> list[tuple[str, str, int]]:
    """The k most frequent mistakes as ``(true name, predicted name, count)``, most frequent first.

    Ties are broken by true label, then predicted label, so the order never depends on the machine.
    """
    cm = confusion_matrix(Y, predictions)
    pairs = [(int(cm[t, p]), t, p) for t in LABELS for p in LABELS if t != p and cm[t, p] > 0]
    pairs.sort(key=lambda item: (-item[0], item[1], item[2]))
    return [(CLASS_NAMES[t], CLASS_NAMES[p], count) for count, t, p in pairs[:k]]


# --- choose_lambda (07_error_analysis_l2) ---
def choose_lambda(lambda_regs, dev_accuracies) -> float:
    """The L2 strength with the highest dev accuracy; a tie goes to the smallest lambda (the least regularisation).

    lambda_regs: the strengths tried, in any order; dev_accuracies: the dev accuracy (%) of each, in the same order.
    """
    best_accuracy = max(dev_accuracies)
    return float(min(lam for lam, accuracy in zip(lambda_regs, dev_accuracies) if accuracy == best_accuracy))


# --- holdout_score (07_error_analysis_l2) ---
def holdout_score(params, X_holdout, Y_holdout) -> tuple[float, float]:
    """Accuracy (%) of the network ``params`` = (W1, b1, W2, b2) on held-out images X_holdout (784, n), Y_holdout (n,),
    and its standard error in percentage points, ``100 * sqrt(p (1 - p) / n)`` with p the accuracy as a fraction."""
    accuracy = get_accuracy(make_predictions(X_holdout, *params), Y_holdout)
    p = accuracy / 100
    standard_error = 100 * np.sqrt(p * (1 - p) / Y_holdout.size)
    return accuracy, float(standard_error)


# --- minibatches (08_initialization_and_optimizers) ---
def minibatches(rng: np.random.Generator, m: int, batch_size: int):
    """One epoch's batches: the indices 0 .. m-1 in a random order drawn from rng, cut into consecutive batches of
    batch_size (the last one holds what is left). Returns a list of integer index arrays."""
    order = rng.permutation(m)
    return [order[start : start + batch_size] for start in range(0, m, batch_size)]


# --- sgd_epoch (08_initialization_and_optimizers) ---
def sgd_epoch(X, Y, params, rng: np.random.Generator, batch_size: int, alpha: float, lambda_reg: float = 0.0):
    """One epoch of mini-batch gradient descent on the images X (784, m) and labels Y: one update per batch of
    your minibatches, each with the L2 strength lambda_reg * b / m of its b images. Returns the parameters
    (W1, b1, W2, b2) after the last update and the mean loss of the epoch's batches."""
    m = Y.size
    W1, b1, W2, b2 = params
    losses = []
    for batch in minibatches(rng, m, batch_size):
        X_batch, Y_batch = X[:, batch], Y[batch]
        batch_lambda = lambda_reg * Y_batch.size / m
        Z1, A1, Z2, A2 = forward_prop(W1, b1, W2, b2, X_batch)
        losses.append(compute_loss(A2, Y_batch, W1, W2, batch_lambda))
        dW1, db1, dW2, db2 = backward_prop(Z1, A1, Z2, A2, W1, W2, X_batch, Y_batch, batch_lambda)
        W1, b1, W2, b2 = update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha)
    return (W1, b1, W2, b2), float(np.mean(losses))


# --- he_init (08_initialization_and_optimizers) ---
from fashion_helpers.data import NUM_CLASSES, NUM_PIXELS


def he_init(rng: np.random.Generator, input_size: int = NUM_PIXELS, hidden_neurons: int = 20,
            output_size: int = NUM_CLASSES):
    """He initialisation: weights drawn from a normal with standard deviation ``sqrt(2 / fan_in)``, biases zero.

    fan_in is the number of inputs of a layer (input_size for W1, hidden_neurons for W2). With ReLU, half of the
    inputs are zero on average; the factor 2 makes up for it, so the variance of the pre-activations stays
    about the same from layer to layer. rng draws W1, then W2.
    """
    W1 = rng.standard_normal((hidden_neurons, input_size)) * np.sqrt(2.0 / input_size)
    b1 = np.zeros((hidden_neurons, 1))
    W2 = rng.standard_normal((output_size, hidden_neurons)) * np.sqrt(2.0 / hidden_neurons)
    b2 = np.zeros((output_size, 1))
    return W1, b1, W2, b2


# --- glorot_init (08_initialization_and_optimizers) ---
from fashion_helpers.data import NUM_CLASSES, NUM_PIXELS


def glorot_init(rng: np.random.Generator, input_size: int = NUM_PIXELS, hidden_neurons: int = 20,
                output_size: int = NUM_CLASSES):
    """Glorot (Xavier) initialisation: weights uniform in ``[-r, r)``, ``r = sqrt(6 / (fan_in + fan_out))``; biases zero.

    The variance ``2 / (fan_in + fan_out)`` balances the forward pass (fan_in) and the backward pass (fan_out),
    made for activations symmetric around 0. rng draws W1, then W2.
    """
    r1 = np.sqrt(6.0 / (input_size + hidden_neurons))
    W1 = (2 * rng.random((hidden_neurons, input_size)) - 1) * r1
    b1 = np.zeros((hidden_neurons, 1))
    r2 = np.sqrt(6.0 / (hidden_neurons + output_size))
    W2 = (2 * rng.random((output_size, hidden_neurons)) - 1) * r2
    b2 = np.zeros((output_size, 1))
    return W1, b1, W2, b2


# --- momentum_update (08_initialization_and_optimizers) ---
def momentum_update(params, grads, velocity, alpha: float, beta: float = 0.9):
    """One step of gradient descent with momentum. Returns ``(params, velocity)``, both new tuples.

    The velocity is a running sum of past gradients, each older one weighted down by beta:
    ``v <- beta * v + g``, then ``theta <- theta - alpha * v``. Start from zero velocities.
    With beta = 0 this is plain gradient descent.
    """
    velocity = tuple(beta * v + g for v, g in zip(velocity, grads))
    params = tuple(p - alpha * v for p, v in zip(params, velocity))
    return params, velocity


# --- adam_update (08_initialization_and_optimizers) ---
def adam_update(params, grads, state, alpha: float, beta1: float = 0.9, beta2: float = 0.999,
                epsilon: float = 1e-8):
    """One Adam step. ``state`` is ``(m, v, t)``: running means of the gradients and of their squares, and the step count.

    ``m <- beta1 m + (1 - beta1) g``, ``v <- beta2 v + (1 - beta2) g**2``, both corrected for starting at zero
    (divided by ``1 - beta**t``); then ``theta <- theta - alpha * m_hat / (sqrt(v_hat) + epsilon)``: each
    parameter gets its own step size. Returns ``(params, (m, v, t))``, all new.
    """
    m, v, t = state
    t = t + 1
    m = tuple(beta1 * mi + (1 - beta1) * g for mi, g in zip(m, grads))
    v = tuple(beta2 * vi + (1 - beta2) * g**2 for vi, g in zip(v, grads))
    params = tuple(p - alpha * (mi / (1 - beta1**t)) / (np.sqrt(vi / (1 - beta2**t)) + epsilon)
                   for p, mi, vi in zip(params, m, v))
    return params, (m, v, t)


# --- should_stop (09_regularization_and_the_honest_table) ---
def should_stop(dev_accuracies, patience: int) -> bool:
    """True once the last ``patience`` epochs have not beaten the best dev accuracy before them.

    dev_accuracies: one per epoch so far. An equal score is not an improvement: the earlier epoch is kept.
    """
    best_epoch = int(np.argmax(dev_accuracies))
    return len(dev_accuracies) - 1 - best_epoch >= patience


# --- flip_left_right (09_regularization_and_the_honest_table) ---
from fashion_helpers.data import IMAGE_SHAPE


def flip_left_right(X):
    """Mirror every image (columns of X, (784, m)) left to right. A mirrored coat is still a coat."""
    images = X.reshape(IMAGE_SHAPE + (X.shape[1],))
    return images[:, ::-1, :].reshape(X.shape)


# --- shift_images (09_regularization_and_the_honest_table) ---
from fashion_helpers.data import IMAGE_SHAPE


def shift_images(X, dx, dy):
    """Move each image (columns of X, (784, m)) by dx pixels right and dy pixels down; what enters is blank (0).

    dx, dy: whole numbers, one for all images or one per image (arrays of shape (m,)).
    """
    m = X.shape[1]
    dx = np.broadcast_to(np.asarray(dx, dtype=np.int64), (m,))
    dy = np.broadcast_to(np.asarray(dy, dtype=np.int64), (m,))
    rows, cols = IMAGE_SHAPE
    pad = int(max(np.abs(dx).max(), np.abs(dy).max()))
    images = np.pad(X.reshape(rows, cols, m), ((pad, pad), (pad, pad), (0, 0)))
    r = pad - dy[None, None, :] + np.arange(rows)[:, None, None]
    c = pad - dx[None, None, :] + np.arange(cols)[None, :, None]
    return images[r, c, np.arange(m)[None, None, :]].reshape(X.shape)
