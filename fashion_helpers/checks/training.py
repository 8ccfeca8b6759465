"""Self-checks of notebooks 08 and 09: scaled starts, an epoch's batches, update rules with a memory, augmentation,
early stopping."""

from __future__ import annotations

import numpy as np

from .. import exercises
from ._framework import NO_HOOKS, Hooks, arguments, self_check


def _drawn(case, outcomes):
    """The shapes and zero biases of a scaled start, or a message."""
    out = outcomes[0].returned
    if not isinstance(out, tuple) or len(out) != 4 or not all(isinstance(p, np.ndarray) for p in out):
        return None, "it must return four arrays: W1, b1, W2, b2"
    args = case["calls"][0]["args"]
    n_in, hidden, n_out = args[1], args[2], args[3]
    shapes = ((hidden, n_in), (hidden, 1), (n_out, hidden), (n_out, 1))
    for name, got, shape in zip(("W1", "b1", "W2", "b2"), out, shapes, strict=True):
        if got.shape != shape:
            return None, f"{name} has shape {got.shape}, expected {shape}"
    if np.any(out[1]) or np.any(out[3]):
        return None, "the biases are not zero: with scaled weights, start b1 and b2 at zero"
    return (n_in, hidden, n_out), None


def _he_properties(case, outcomes):
    sizes, message = _drawn(case, outcomes)
    if message or case.get("tag") != "properties":
        return message
    n_in, hidden, n_out = sizes
    W1, _, W2, _ = outcomes[0].returned
    if np.all(np.abs(W1) < 0.5) and abs(W1.std() - np.sqrt(1 / 12)) < 0.01:
        return "W1 looks uniform on [-0.5, 0.5): that is the mid-term's start; He draws from a normal distribution"
    for name, W, fan_in, fan_out in (("W1", W1, n_in, hidden), ("W2", W2, hidden, n_out)):
        sd, target = W.std(), np.sqrt(2 / fan_in)
        if abs(sd - target) > 0.15 * target:
            if abs(sd - np.sqrt(2 / fan_out)) < 0.15 * np.sqrt(2 / fan_out):
                return f"{name} is scaled by its fan_out ({fan_out}): He uses the number of inputs, fan_in ({fan_in})"
            if abs(sd - np.sqrt(1 / fan_in)) < 0.15 * np.sqrt(1 / fan_in):
                return f"{name} has standard deviation sqrt(1 / fan_in): He's factor 2 makes up for ReLU zeroing half"
            return f"{name} has standard deviation {sd:.4f}, expected about sqrt(2 / {fan_in}) = {target:.4f}"
    return None


def _glorot_properties(case, outcomes):
    sizes, message = _drawn(case, outcomes)
    if message or case.get("tag") != "properties":
        return message
    n_in, hidden, n_out = sizes
    W1, _, W2, _ = outcomes[0].returned
    for name, W, fan_in, fan_out in (("W1", W1, n_in, hidden), ("W2", W2, hidden, n_out)):
        r = np.sqrt(6 / (fan_in + fan_out))
        if W.min() >= 0:
            return f"{name} holds no negative weights: spread them over [-r, r), centred on 0"
        if np.abs(W).max() > r:
            return f"{name} reaches {np.abs(W).max():.4f}, beyond r = sqrt(6 / ({fan_in} + {fan_out})) = {r:.4f}"
        if np.abs(W).max() < 0.9 * r:
            return f"{name} stays within {np.abs(W).max():.4f}, far inside r = sqrt(6 / (fan_in + fan_out)) = {r:.4f}"
    return None


def check_he_init(fn, *, hidden: bool = False):
    """Check ``he_init(rng, input_size, hidden_neurons, output_size)``: normal weights, sd sqrt(2 / fan_in), zero
    biases."""
    return self_check(fn, "he_init", HOOKS.get("he_init", NO_HOOKS), hidden=hidden)


def check_glorot_init(fn, *, hidden: bool = False):
    """Check ``glorot_init(rng, ...)``: uniform weights in [-r, r), r = sqrt(6 / (fan_in + fan_out)), zero biases."""
    return self_check(fn, "glorot_init", HOOKS.get("glorot_init", NO_HOOKS), hidden=hidden)


def _batches_shape(case, outcomes):
    """A list of integer index arrays, or a message."""
    out = outcomes[0].returned
    if not isinstance(out, (list, tuple)):
        return f"it returned {type(out).__name__}: return a list holding one index array per batch"
    for k, batch in enumerate(out):
        if not isinstance(batch, np.ndarray) or batch.dtype.kind not in "iu":
            return f"batch {k} is not an array of integer indices: slice the array rng.permutation(m) returns"
    return None


def check_minibatches(fn, *, hidden: bool = False):
    """Check ``minibatches(rng, m, batch_size)``: one rng.permutation(m), cut into batches of batch_size."""
    return self_check(fn, "minibatches", HOOKS.get("minibatches", NO_HOOKS), hidden=hidden)


def check_sgd_epoch(fn, *, hidden: bool = False):
    """Check ``sgd_epoch(X, Y, params, rng, batch_size, alpha, lambda_reg)``: one update per batch, lambda_reg
    scaled by b / m, the mean of the batches' losses."""
    return self_check(fn, "sgd_epoch", HOOKS.get("sgd_epoch", NO_HOOKS), hidden=hidden)


def check_momentum_update(fn, *, hidden: bool = False):
    """Check ``momentum_update(params, grads, velocity, alpha, beta)``: v <- beta v + g, theta <- theta - alpha v."""
    return self_check(fn, "momentum_update", HOOKS.get("momentum_update", NO_HOOKS), hidden=hidden)


def check_adam_update(fn, *, hidden: bool = False):
    """Check ``adam_update(params, grads, state, alpha)`` over two steps."""
    return self_check(fn, "adam_update", HOOKS.get("adam_update", NO_HOOKS), hidden=hidden)


def check_flip_left_right(fn, *, hidden: bool = False):
    """Check ``flip_left_right(X)``: each image (a column, 28 x 28) mirrored left to right."""
    return self_check(fn, "flip_left_right", HOOKS.get("flip_left_right", NO_HOOKS), hidden=hidden)


def check_shift_images(fn, *, hidden: bool = False):
    """Check ``shift_images(X, dx, dy)``: images moved right by dx and down by dy, blank where nothing came in."""
    return self_check(fn, "shift_images", HOOKS.get("shift_images", NO_HOOKS), hidden=hidden)


def _stop_words(case, outcomes):
    exercise = exercises.exercise("should_stop")
    for call, outcome, expected in zip(case["calls"], outcomes, case["expected"], strict=True):
        if outcome.returned is None:
            return "it returned None: did you forget a return statement?"
        if bool(outcome.returned) != expected:
            (accuracies, patience), _ = arguments(exercise, call)
            shown = f"should_stop({accuracies}, {patience}) is {bool(outcome.returned)}, expected {expected}"
            return f"{shown}: count the epochs after the best one (the first best, if it is tied)"
    return None


def check_should_stop(fn, *, hidden: bool = False):
    """Check ``should_stop(dev_accuracies, patience)``: stop once ``patience`` epochs have not beaten the best."""
    return self_check(fn, "should_stop", HOOKS.get("should_stop", NO_HOOKS), hidden=hidden)


#: What each check adds to its exercise's recorded cases; the isolated grader uses the same.
HOOKS = {
    "he_init": Hooks(before=_he_properties),
    "glorot_init": Hooks(before=_glorot_properties),
    "minibatches": Hooks(before=_batches_shape),
    "should_stop": Hooks(after=_stop_words),
}
