"""Beyond the mid-term (notebook 08): the same one-hidden-layer network, trained better.

Each improvement is a small function a learner can read and write: starting weights scaled to the layer
(:func:`he_init`, :func:`glorot_init`), update rules with a memory (:func:`momentum_update`, :func:`adam_update`),
cheap label-preserving changes of the training images (:func:`flip_left_right`, :func:`shift_images`,
:func:`augment`), and a rule for when to stop (:func:`should_stop`). :func:`train_minibatch` puts them
together around the course's own ``network.forward_prop``, ``backward_prop`` and ``compute_loss``: still
NumPy only, gradients by hand, no autograd.

Parameters are the tuple ``(W1, b1, W2, b2)`` with the shapes of ``network``; so are gradients and optimiser
states. Randomness comes from a ``numpy.random.Generator`` passed in; nothing touches numpy's global state.
"""

from __future__ import annotations

import numpy as np

from . import network
from .data import IMAGE_SHAPE, NUM_CLASSES, NUM_PIXELS
from .errors import CourseInputError, require_generator, require_number

OPTIMIZERS = ("sgd", "momentum", "adam")
INITIALISERS = ("uniform", "he", "glorot")

# --------------------------------------------------------------------------- starting weights


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


#: The exercise functions of notebook 08, which the trainer takes from a notebook (``functions=``) when given.
EXERCISES = ("he_init", "glorot_init", "momentum_update", "adam_update", "should_stop", "flip_left_right",
             "shift_images")


def _own(functions, name: str):
    """``functions[name]`` when a notebook passed its own version, else this module's."""
    return (functions or {}).get(name) or globals()[name]


def initial_params(init: str, rng: np.random.Generator, input_size: int = NUM_PIXELS, hidden_neurons: int = 20,
                   functions=None):
    """Starting parameters by name: ``"uniform"`` (the mid-term's [-0.5, 0.5), ``network.init_params``), ``"he"`` or ``"glorot"``.

    functions: a notebook's own ``he_init``/``glorot_init`` by name, used instead of this module's.
    """
    require_generator(rng)
    require_number("hidden_neurons", hidden_neurons, minimum=1, whole=True)
    if init == "uniform":
        return network.init_params(rng, input_size, hidden_neurons, NUM_CLASSES)
    if init in ("he", "glorot"):
        return _own(functions, f"{init}_init")(rng, input_size, hidden_neurons, NUM_CLASSES)
    raise CourseInputError(f"init must be one of {', '.join(INITIALISERS)}, got {init!r}")


# --------------------------------------------------------------------------- update rules


def momentum_update(params, grads, velocity, alpha: float, beta: float = 0.9):
    """One step of gradient descent with momentum. Returns ``(params, velocity)``, both new tuples.

    The velocity is a running sum of past gradients, each older one weighted down by beta:
    ``v <- beta * v + g``, then ``theta <- theta - alpha * v``. Start from zero velocities.
    With beta = 0 this is plain gradient descent.
    """
    velocity = tuple(beta * v + g for v, g in zip(velocity, grads))
    params = tuple(p - alpha * v for p, v in zip(params, velocity))
    return params, velocity


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


def zero_state(params, optimizer: str):
    """The starting state of an optimizer for these parameters: None (sgd), zero velocities, or Adam's ``(m, v, 0)``."""
    if optimizer == "sgd":
        return None
    zeros = tuple(np.zeros_like(p) for p in params)
    if optimizer == "momentum":
        return zeros
    if optimizer == "adam":
        return zeros, tuple(np.zeros_like(p) for p in params), 0
    raise CourseInputError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, got {optimizer!r}")


def optimizer_step(optimizer: str, params, grads, state, alpha: float, functions=None):
    """One update with the named rule (``"sgd"``, ``"momentum"``, ``"adam"``): returns ``(params, state)``.

    functions: a notebook's own ``momentum_update``/``adam_update`` by name, used instead of this module's.
    """
    if optimizer == "sgd":
        return network.update_params(*params, *grads, alpha), state
    return _own(functions, f"{optimizer}_update")(params, grads, state, alpha)


# --------------------------------------------------------------------------- augmentation


def flip_left_right(X):
    """Mirror every image (columns of X, (784, m)) left to right. A mirrored coat is still a coat."""
    images = X.reshape(IMAGE_SHAPE + (X.shape[1],))
    return images[:, ::-1, :].reshape(X.shape)


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


def augment(X, rng: np.random.Generator, max_shift: int = 2, functions=None):
    """A randomly changed copy of the images X (784, m): each mirrored with probability 1/2 and shifted by
    whole pixels from -max_shift to max_shift in each direction. The labels do not change; rng draws the flips,
    then the shifts. functions: a notebook's own ``flip_left_right``/``shift_images`` by name."""
    m = X.shape[1]
    flip = rng.random(m) < 0.5
    X = np.where(flip, _own(functions, "flip_left_right")(X), X)
    if max_shift:
        dx, dy = rng.integers(-max_shift, max_shift + 1, size=(2, m))
        X = _own(functions, "shift_images")(X, dx, dy)
    return X


# --------------------------------------------------------------------------- early stopping and training


def should_stop(dev_accuracies, patience: int) -> bool:
    """True once the last ``patience`` epochs have not beaten the best dev accuracy before them.

    dev_accuracies: one per epoch so far. An equal score is not an improvement: the earlier epoch is kept.
    """
    best_epoch = int(np.argmax(dev_accuracies))
    return len(dev_accuracies) - 1 - best_epoch >= patience


def evaluate(params, X, Y) -> float:
    """Accuracy (%) of the network with these parameters on images X (784, m) with labels Y (m,)."""
    return network.get_accuracy(network.make_predictions(X, *params), Y)


def train_minibatch(X, Y, rng: np.random.Generator, *, hidden_neurons: int = 20, epochs: int = 20,
                    batch_size: int = 64, optimizer: str = "adam", alpha: float = 0.001, init: str = "he",
                    lambda_reg: float = 0.0, augment_data: bool = False, max_shift: int = 1, X_dev=None, Y_dev=None,
                    patience: int | None = None, params=None, functions=None):
    """Train the course network by mini-batch gradient descent. Returns ``params, history``.

    Each epoch shuffles the training images with rng and walks through them in batches of ``batch_size``;
    each batch makes one update with ``optimizer`` ("sgd", "momentum" or "adam") at learning rate alpha.
    init: "uniform" (the mid-term's), "he" or "glorot", used unless ``params`` gives the starting point.
    lambda_reg: L2 strength of the whole training set's cost ``lambda/(2m) ||W||^2``; a batch of b images gets
    ``lambda_reg * b / m``, so that every batch's gradient estimates the same cost.
    augment_data: train on a fresh random variant of each batch (:func:`augment`: mirrored at random, shifted by up
    to ``max_shift`` pixels).
    X_dev, Y_dev: when given, the dev accuracy is recorded after every epoch; with ``patience``, training stops
    once that many epochs have not beaten the best (:func:`should_stop`) and the parameters of the best epoch
    are returned (an equal score keeps the earlier epoch).
    history: dict of lists ``epoch``, ``loss`` (mean training loss of the epoch's batches) and, with a dev set,
    ``dev_accuracy``; ``best_epoch`` is the epoch whose parameters are returned.
    rng draws the starting weights, then each epoch's order, then (with augmentation) its changes.
    functions: a notebook's own versions of the exercise functions (:data:`EXERCISES`) by name; the trainer calls
    them instead of this module's, so a notebook's results come from the student's code.
    """
    network.check_inputs(X, Y)
    require_generator(rng)
    require_number("epochs", epochs, minimum=1, whole=True)
    require_number("batch_size", batch_size, minimum=1, whole=True)
    require_number("alpha", alpha, minimum=0, strict=True)
    require_number("lambda_reg", lambda_reg, minimum=0)
    if optimizer not in OPTIMIZERS:
        raise CourseInputError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, got {optimizer!r}")
    unknown = sorted(set(functions or {}) - set(EXERCISES))
    if unknown:
        raise CourseInputError(f"functions: {', '.join(unknown)} is not one of the trainer's exercise functions "
                               f"({', '.join(EXERCISES)}); pass only those")
    if patience is not None:
        require_number("patience", patience, minimum=1, whole=True)
        if X_dev is None:
            raise CourseInputError("early stopping (patience) needs a dev set: pass X_dev and Y_dev")
    if X_dev is not None:
        network.check_inputs(X_dev, Y_dev)
    if params is None:
        params = initial_params(init, rng, X.shape[0], hidden_neurons, functions)
    else:
        network.check_params(*params, input_size=X.shape[0])
        params = tuple(np.array(p, dtype=np.float64) for p in params)
    m = Y.size
    state = zero_state(params, optimizer)
    history = {"epoch": [], "loss": [], "dev_accuracy": [], "best_epoch": None}
    best = params
    for epoch in range(epochs):
        order = rng.permutation(m)
        losses = []
        for start in range(0, m, batch_size):
            batch = order[start:start + batch_size]
            X_batch, Y_batch = X[:, batch], Y[batch]
            if augment_data:
                X_batch = augment(X_batch, rng, max_shift, functions)
            batch_lambda = lambda_reg * Y_batch.size / m
            W1, b1, W2, b2 = params
            Z1, A1, Z2, A2 = network.forward_prop(W1, b1, W2, b2, X_batch)
            losses.append(network.compute_loss(A2, Y_batch, W1, W2, batch_lambda))
            grads = network.backward_prop(Z1, A1, Z2, A2, W1, W2, X_batch, Y_batch, batch_lambda)
            params, state = optimizer_step(optimizer, params, grads, state, alpha, functions)
        history["epoch"].append(epoch)
        history["loss"].append(float(np.mean(losses)))
        if X_dev is None:
            best, history["best_epoch"] = params, epoch
            continue
        history["dev_accuracy"].append(evaluate(params, X_dev, Y_dev))
        if int(np.argmax(history["dev_accuracy"])) == epoch:
            best, history["best_epoch"] = params, epoch
        if patience is not None and _own(functions, "should_stop")(history["dev_accuracy"], patience):
            break
    if patience is None:  # no early stopping: the last epoch's parameters, whatever the dev set says
        best, history["best_epoch"] = params, history["epoch"][-1]
    return tuple(best), history
