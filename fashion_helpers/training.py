"""Mini-batch training (notebook 08): the course network trained by the student's own functions.

Nothing here computes a gradient, an update, a starting point or an epoch's batches, and plain descent's epochs
are the student's own loop: :func:`train_minibatch` orders the work (epochs, early stopping's bookkeeping) and
calls the functions it is given. ``functions`` maps
exercise names to the student's functions: ``forward_prop``, ``backward_prop``, ``compute_loss``,
``get_predictions``, ``get_accuracy``, ``make_predictions`` and ``minibatches`` (each epoch's shuffle and batches)
always, and as the settings need them ``update_params`` and ``sgd_epoch`` (sgd: without augmentation, your
``sgd_epoch`` runs each whole epoch), ``momentum_update``, ``adam_update``, ``init_params`` (the mid-term's uniform
start), ``he_init``, ``glorot_init``, ``flip_left_right``, ``shift_images`` (augmentation) and ``should_stop``
(patience).

Parameters are the tuple ``(W1, b1, W2, b2)``; so are gradients and optimiser states. Randomness comes from a
``numpy.random.Generator`` passed in; nothing touches numpy's global state.
"""

from __future__ import annotations

import numpy as np

from . import network
from .errors import CourseInputError, require_generator, require_number

OPTIMIZERS = ("sgd", "momentum", "adam")
SCHEDULES = ("constant", "cosine")
DTYPES = ("float64", "float32")
INITIALISERS = ("uniform", "he", "glorot")
#: The functions every training calls, and those a setting adds.
ALWAYS = (
    "forward_prop",
    "backward_prop",
    "compute_loss",
    "get_predictions",
    "get_accuracy",
    "make_predictions",
    "minibatches",
)
BY_SETTING = {
    "sgd": ("update_params", "sgd_epoch"),
    "momentum": ("momentum_update",),
    "adam": ("adam_update",),
    "uniform": ("init_params",),
    "he": ("he_init",),
    "glorot": ("glorot_init",),
    "augment": ("flip_left_right", "shift_images"),
    "patience": ("should_stop",),
}
_INIT_FUNCTION = {"uniform": "init_params", "he": "he_init", "glorot": "glorot_init"}


def _function(functions, name: str):
    if not functions or name not in functions:
        raise CourseInputError(f"this training needs your {name}: pass it in functions (e.g. yours.use({name!r}))")
    return functions[name]


def needed(optimizer: str, init: str | None, augment_data: bool, patience) -> tuple[str, ...]:
    """The names of the functions a training with these settings calls."""
    names = list(ALWAYS) + list(BY_SETTING[optimizer])
    if init is not None:
        names += BY_SETTING[init]
    if augment_data:
        names += BY_SETTING["augment"]
    if patience is not None:
        names += BY_SETTING["patience"]
    return tuple(names)


def initial_params(init: str, rng: np.random.Generator, input_size: int, hidden_neurons: int, functions):
    """Starting parameters by name: ``"uniform"`` (the mid-term's [-0.5, 0.5), your ``init_params``), ``"he"`` or
    ``"glorot"`` (your ``he_init``, ``glorot_init``)."""
    require_generator(rng)
    require_number("hidden_neurons", hidden_neurons, minimum=1, whole=True)
    if init not in INITIALISERS:
        raise CourseInputError(f"init must be one of {', '.join(INITIALISERS)}, got {init!r}")
    return _function(functions, _INIT_FUNCTION[init])(rng, input_size, hidden_neurons, 10)


def zero_state(params, optimizer: str):
    """The starting state of an optimizer for these parameters: None (sgd), zero velocities, or Adam's ``(m, v, 0)``."""
    if optimizer not in OPTIMIZERS:
        raise CourseInputError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, got {optimizer!r}")
    if optimizer == "sgd":
        return None
    zeros = tuple(np.zeros_like(p) for p in params)
    return zeros if optimizer == "momentum" else (zeros, tuple(np.zeros_like(p) for p in params), 0)


def optimizer_step(optimizer: str, params, grads, state, alpha: float, functions):
    """One update with the named rule, by your function for it: returns ``(params, state)``."""
    if optimizer == "sgd":
        return _function(functions, "update_params")(*params, *grads, alpha), state
    return _function(functions, f"{optimizer}_update")(params, grads, state, alpha)


def learning_rate(schedule: str, alpha: float, epoch: int, epochs: int) -> float:
    """The learning rate of epoch ``epoch`` (0 to epochs - 1): ``alpha`` throughout (``"constant"``), or
    ``"cosine"``: ``alpha (1 + cos(pi epoch / epochs)) / 2``, from alpha down to near 0 at the last epoch, large
    steps while far from a minimum and small ones to settle into it."""
    if schedule not in SCHEDULES:
        raise CourseInputError(f"schedule must be one of {', '.join(SCHEDULES)}, got {schedule!r}")
    if schedule == "constant":
        return alpha
    return float(alpha * (1 + np.cos(np.pi * epoch / epochs)) / 2)


def augment(X, rng: np.random.Generator, max_shift: int, functions, mirror: bool = True):
    """A randomly changed copy of the images X (784, m), by your ``flip_left_right`` and ``shift_images``: each
    image mirrored with probability 1/2 (unless ``mirror`` is False), then shifted by whole pixels from -max_shift
    to max_shift each way. The labels do not change; rng draws the flips, then the shifts."""
    m = X.shape[1]
    if mirror:
        flip = rng.random(m) < 0.5
        X = np.where(flip, _function(functions, "flip_left_right")(X), X)
    if max_shift:
        dx, dy = rng.integers(-max_shift, max_shift + 1, size=(2, m))
        X = _function(functions, "shift_images")(X, dx, dy)
    return X


def predict(params, X, functions):
    """The class the network ``params`` predicts for each image of X (784, m), by your ``make_predictions``."""
    return _function(functions, "make_predictions")(X, *params)


def evaluate(params, X, Y, functions) -> float:
    """Accuracy (%) of the network ``params`` on images X (784, m) with labels Y (m,), by your functions."""
    return _function(functions, "get_accuracy")(predict(params, X, functions), Y)


def _check_settings(X, Y, rng, epochs, batch_size, optimizer, init, alpha, lambda_reg, patience, X_dev, Y_dev):
    network.check_inputs(X, Y)
    if init not in INITIALISERS:
        raise CourseInputError(f"init must be one of {', '.join(INITIALISERS)}, got {init!r}")
    require_generator(rng)
    require_number("epochs", epochs, minimum=1, whole=True)
    require_number("batch_size", batch_size, minimum=1, whole=True)
    require_number("alpha", alpha, minimum=0, strict=True)
    require_number("lambda_reg", lambda_reg, minimum=0)
    if optimizer not in OPTIMIZERS:
        raise CourseInputError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, got {optimizer!r}")
    if patience is not None:
        require_number("patience", patience, minimum=1, whole=True)
        if X_dev is None:
            raise CourseInputError("early stopping (patience) needs a dev set: pass X_dev and Y_dev")
    if X_dev is not None:
        network.check_inputs(X_dev, Y_dev)


def _epoch_batches(minibatches, rng, m: int, batch_size: int) -> list:
    """Your ``minibatches(rng, m, batch_size)``, refused in one line when its batches do not cover each of the m
    images exactly once (a training on them would quietly skip or repeat images)."""
    batches = minibatches(rng, m, batch_size)
    try:
        batches = [np.asarray(batch) for batch in batches]
        covered = np.sort(np.concatenate(batches)) if batches else np.array([])
    except (TypeError, ValueError) as err:
        raise CourseInputError(
            f"your minibatches must return a list of index arrays ({err}): see notebook 08"
        ) from None
    if covered.dtype.kind not in "iu" and covered.size:
        raise CourseInputError("your minibatches must return arrays of integer indices: see notebook 08")
    if covered.shape != (m,) or not np.array_equal(covered, np.arange(m)):
        raise CourseInputError(
            f"your minibatches(rng, {m}, {batch_size}) must hold each index 0..{m - 1} exactly once, in batches of "
            f"at most {batch_size}: check it against notebook 08's self-check"
        )
    if any(batch.size > batch_size for batch in batches):
        raise CourseInputError(f"your minibatches returned a batch larger than {batch_size}: see notebook 08")
    return batches


def _your_epoch(result):
    """What your ``sgd_epoch`` returned, as ``(params, loss)``, or a one-line refusal."""
    try:
        params, loss = result
        params = tuple(params)
        if len(params) != 4 or not all(isinstance(p, np.ndarray) for p in params):
            raise ValueError
        return params, float(loss)
    except (TypeError, ValueError):
        raise CourseInputError(
            "your sgd_epoch must return ((W1, b1, W2, b2), mean loss of the epoch): see notebook 08"
        ) from None


def train_minibatch(
    X,
    Y,
    rng: np.random.Generator,
    *,
    functions,
    hidden_neurons: int = 20,
    epochs: int = 20,
    batch_size: int = 64,
    optimizer: str = "adam",
    alpha: float = 0.001,
    init: str = "he",
    lambda_reg: float = 0.0,
    augment_data: bool = False,
    max_shift: int = 1,
    mirror: bool = True,
    X_dev=None,
    Y_dev=None,
    patience: int | None = None,
    params=None,
    schedule: str = "constant",
    dtype: str | None = None,
):
    """Train the course network by mini-batch gradient descent with your functions. Returns ``params, history``.

    Each epoch walks through the training images in the batches your ``minibatches(rng, m, batch_size)`` returns
    (a shuffled order cut into batches of ``batch_size``); each batch makes one update with ``optimizer`` ("sgd",
    "momentum" or "adam") at learning rate alpha. With "sgd" and no augmentation, the epoch is your
    ``sgd_epoch(X, Y, params, rng, batch_size, alpha, lambda_reg)``; otherwise this function's own loop, which
    adds the optimiser's memory and the augmented batches to the same steps.
    init: "uniform" (the mid-term's), "he" or "glorot", used unless ``params`` gives the starting point.
    lambda_reg: L2 strength of the whole training set's cost ``lambda/(2m) ||W||^2``; a batch of b images gets
    ``lambda_reg * b / m``, so that every batch's gradient estimates the same cost.
    augment_data: train on a fresh random variant of each batch (:func:`augment`): mirrored (unless ``mirror``
    is False) and shifted by up to ``max_shift`` pixels (0: no shift).
    X_dev, Y_dev: when given, the dev accuracy is recorded after every epoch; with ``patience``, training stops
    once your ``should_stop`` says so and the parameters of the best epoch are returned (an equal score keeps the
    earlier epoch). history: lists ``epoch``, ``loss`` (mean training loss of the epoch's batches) and, with a dev
    set, ``dev_accuracy``; ``best_epoch`` is the epoch whose parameters are returned.
    schedule: the learning rate of each epoch, :func:`learning_rate` (``"constant"``: alpha throughout;
    ``"cosine"``: from alpha down to near 0 by the last epoch).
    dtype: None computes as the arrays come (float64 for the course's); ``"float32"`` or ``"float64"`` converts
    the images, the starting parameters and every update's gradients to it, so the parameters and the optimiser's
    state stay in it (float32: half the memory traffic, faster matrix products, about 7 significant digits). The
    products stay in float32 only where your functions keep their inputs' type: a ``ReLU_deriv`` or ``one_hot``
    that builds float64 arrays turns ``backward_prop``'s largest product back into a float64 one (right, slower).
    rng draws the starting weights, then each epoch's order, then (with augmentation) its changes.
    functions: your functions by exercise name (see the module's docstring for which).
    """
    _check_settings(X, Y, rng, epochs, batch_size, optimizer, init, alpha, lambda_reg, patience, X_dev, Y_dev)
    learning_rate(schedule, alpha, 0, epochs)  # checks the schedule's name before any work
    if dtype is not None and dtype not in DTYPES:
        raise CourseInputError(f"dtype must be None or one of {', '.join(DTYPES)}, got {dtype!r}")
    for name in needed(optimizer, init if params is None else None, augment_data, patience):
        _function(functions, name)
    if params is None:
        params = initial_params(init, rng, X.shape[0], hidden_neurons, functions)
    else:
        network.check_params(*params, input_size=X.shape[0])
        params = tuple(np.array(p, dtype=np.float64) for p in params)
    if dtype is not None:
        X = np.asarray(X, dtype=dtype)
        X_dev = None if X_dev is None else np.asarray(X_dev, dtype=dtype)
        params = tuple(np.asarray(p, dtype=dtype) for p in params)
    forward, backward, loss, batches = (
        functions[name] for name in ("forward_prop", "backward_prop", "compute_loss", "minibatches")
    )
    m = Y.size
    state = zero_state(params, optimizer)
    history = {"epoch": [], "loss": [], "dev_accuracy": [], "best_epoch": None}
    best = params
    for epoch in range(epochs):
        epoch_alpha = learning_rate(schedule, alpha, epoch, epochs)
        if optimizer == "sgd" and not augment_data:  # plain mini-batch descent: your own epoch loop
            params, epoch_loss = _your_epoch(
                functions["sgd_epoch"](X, Y, params, rng, batch_size, epoch_alpha, lambda_reg)
            )
        else:  # the same loop, with the optimiser's memory and, when asked, augmented batches
            losses = []
            for batch in _epoch_batches(batches, rng, m, batch_size):
                X_batch, Y_batch = X[:, batch], Y[batch]
                if augment_data:
                    X_batch = augment(X_batch, rng, max_shift, functions, mirror)
                    X_batch = X_batch if dtype is None else np.asarray(X_batch, dtype=dtype)
                batch_lambda = lambda_reg * Y_batch.size / m
                W1, b1, W2, b2 = params
                Z1, A1, Z2, A2 = forward(W1, b1, W2, b2, X_batch)
                losses.append(loss(A2, Y_batch, W1, W2, batch_lambda))
                grads = backward(Z1, A1, Z2, A2, W1, W2, X_batch, Y_batch, batch_lambda)
                if dtype is not None:
                    grads = tuple(np.asarray(g, dtype=dtype) for g in grads)
                params, state = optimizer_step(optimizer, params, grads, state, epoch_alpha, functions)
            epoch_loss = np.mean(losses)
        history["epoch"].append(epoch)
        history["loss"].append(float(epoch_loss))
        if X_dev is None:
            best, history["best_epoch"] = params, epoch
            continue
        history["dev_accuracy"].append(evaluate(params, X_dev, Y_dev, functions))
        if int(np.argmax(history["dev_accuracy"])) == epoch:
            best, history["best_epoch"] = params, epoch
        if patience is not None and functions["should_stop"](history["dev_accuracy"], patience):
            break
    if patience is None:  # no early stopping: the last epoch's parameters, whatever the dev set says
        best, history["best_epoch"] = params, history["epoch"][-1]
    return tuple(best), history
