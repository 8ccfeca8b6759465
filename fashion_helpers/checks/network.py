"""Self-checks of notebooks 01 to 05: the network's pieces and the training loop."""

from __future__ import annotations

import numpy as np

from ._framework import NO_HOOKS, Hooks, self_check
from ._values import as_array

# --------------------------------------------------------------------------- 01


def _init_properties(case, outcomes):
    """Shapes, range, spread and use of the generator, judged without recorded values (the draws are large)."""
    if case.get("tag") != "properties":
        return None
    shapes = {"W1": None, "b1": None, "W2": None, "b2": None}
    out = outcomes[0].returned
    if not isinstance(out, tuple) or len(out) != 4:
        return "it must return four arrays: W1, b1, W2, b2"
    args = case["calls"][0]["args"]
    input_size, hidden, output = args[1], args[2], args[3]
    shapes = {"W1": (hidden, input_size), "b1": (hidden, 1), "W2": (output, hidden), "b2": (output, 1)}
    for name, value in zip(shapes, out, strict=True):
        if not isinstance(value, np.ndarray):
            return f"{name} is a {type(value).__name__}, expected a numpy array"
        if value.shape != shapes[name]:
            return f"{name} has shape {value.shape}, expected {shapes[name]}"
    values = np.concatenate([v.ravel() for v in out])
    if values.min() < -0.5 or values.max() >= 0.5:
        return (
            f"values range from {values.min():.3f} to {values.max():.3f}, expected [-0.5, 0.5): shift the "
            "generator's [0, 1) down by a half"
        )
    if values.min() > -0.3:
        return "no value is below -0.3: the values should spread over all of [-0.5, 0.5)"
    if values.std() < 0.2:
        return (
            f"the values spread too little (standard deviation {values.std():.3f}, about 0.289 for uniform "
            "[-0.5, 0.5)): draw every entry from the generator"
        )
    if len(outcomes) < 3:
        return None
    again, other = outcomes[1].returned, outcomes[2].returned
    if not all(np.array_equal(a, b) for a, b in zip(out, again, strict=True)):
        return "two generators with the same seed gave different parameters: draw from the rng argument, not np.random"
    if np.array_equal(out[0], other[0]):
        return "two generators with different seeds gave the same W1: draw from the rng argument"
    return None


def check_init_params(fn, *, hidden: bool = False):
    """Check ``init_params(rng, input_size, hidden_neurons, output_size)``: shapes, range, the draws from rng."""
    return self_check(fn, "init_params", HOOKS.get("init_params", NO_HOOKS), hidden=hidden)


# --------------------------------------------------------------------------- 02


def check_ReLU(fn, *, hidden: bool = False):
    """Check ``ReLU(Z)`` element-wise on small matrices."""
    return self_check(fn, "ReLU", HOOKS.get("ReLU", NO_HOOKS), hidden=hidden)


def check_ReLU_deriv(fn, *, hidden: bool = False):
    """Check ``ReLU_deriv(Z)``: 1 where Z > 0, 0 elsewhere (including at 0)."""
    return self_check(fn, "ReLU_deriv", HOOKS.get("ReLU_deriv", NO_HOOKS), hidden=hidden)


def _softmax_columns(case, outcomes):
    got = as_array(outcomes[0].returned)
    if got is None or got.ndim != 2 or not np.all(np.isfinite(got)):
        if case.get("tag") == "hard" and got is not None:
            return (
                "it gives NaN or inf for logits like +1000 or -1000: exp overflows (or a whole column "
                "underflows to 0); shift each column by its own maximum before exponentiating"
            )
        return None
    if not np.allclose(got.sum(axis=0), 1):
        return "its columns do not sum to 1: divide each column's exponentials by their sum"
    return None


def check_softmax(fn, *, hidden: bool = False):
    """Check ``softmax(Z)``: columns sum to 1, values right, stable for huge and very negative logits."""
    return self_check(fn, "softmax", HOOKS.get("softmax", NO_HOOKS), hidden=hidden)


# --------------------------------------------------------------------------- 03


def check_forward_prop(fn, *, hidden: bool = False):
    """Check ``forward_prop(W1, b1, W2, b2, X)``: Z1, A1, Z2, A2 with the right shapes and values."""
    return self_check(fn, "forward_prop", HOOKS.get("forward_prop", NO_HOOKS), hidden=hidden)


def _flat_column(case, outcome):
    kind, message = outcome.raised
    if kind == "ValueError" and "broadcast" in message:
        return (
            f"shapes do not fit ({message}): a column taken out of X as a flat vector, shape (n,), meets the bias, "
            "a column (hidden, 1), and broadcasts into a square matrix; keep image j two-dimensional, shape (n, 1)"
        )
    return None


def check_forward_prop_loop(fn, *, hidden: bool = False):
    """Check ``forward_prop_loop(W1, b1, W2, b2, X)``: the forward pass image by image, the same four arrays."""
    return self_check(fn, "forward_prop_loop", HOOKS.get("forward_prop_loop", NO_HOOKS), hidden=hidden)


# --------------------------------------------------------------------------- 04


def check_one_hot(fn, *, hidden: bool = False):
    """Check ``one_hot(Y)``: (10, m), a single 1 per column in row Y[j], even when Y lacks classes."""
    return self_check(fn, "one_hot", HOOKS.get("one_hot", NO_HOOKS), hidden=hidden)


def _loss_without_weights(case, outcome):
    kind, message = outcome.raised
    if kind in ("TypeError", "AttributeError") and len(case["calls"][0]["args"]) == 2:
        return (
            f"compute_loss(A2, Y) without weights fails ({kind}: {message}): with lambda_reg = 0 the weights "
            "may be None, so add the L2 term only when lambda_reg is not 0"
        )
    return None


def _loss_finite(case, outcomes):
    got = as_array(outcomes[-1].returned)
    if case.get("tag") == "zero" and got is not None and not np.all(np.isfinite(got)):
        return (
            "it is infinite when the true class gets probability exactly 0 (ln 0 is minus infinity): clip the "
            "probabilities of the true classes from below, at the smallest positive float"
        )
    return None


def check_compute_loss(fn, *, hidden: bool = False):
    """Check ``compute_loss(A2, Y, W1, W2, lambda_reg)``: mean cross-entropy, plus lambda/(2m) times the squared
    weights; finite when a probability is 0."""
    return self_check(fn, "compute_loss", HOOKS.get("compute_loss", NO_HOOKS), hidden=hidden)


def _shapes_do_not_fit(case, outcome):
    kind, message = outcome.raised
    if kind == "ValueError" and ("matmul" in message or "broadcast" in message):
        return (
            f"a product's shapes do not fit ({message}): write down each array's shape, (10, m) for dZ2, "
            "(hidden, m) for dZ1, and make each product's inner sizes agree"
        )
    return None


def check_backward_prop(fn, *, hidden: bool = False):
    """Check ``backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y[, lambda_reg])``: the four gradients, with and without L2."""
    return self_check(fn, "backward_prop", HOOKS.get("backward_prop", NO_HOOKS), hidden=hidden)


def check_update_params(fn, *, hidden: bool = False):
    """Check ``update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha)``: every parameter moves downhill."""
    return self_check(fn, "update_params", HOOKS.get("update_params", NO_HOOKS), hidden=hidden)


def check_numerical_gradient(fn, *, hidden: bool = False):
    """Check ``numerical_gradient(X, Y, params, lambda_reg, epsilon)``: centred differences of J, flattened."""
    return self_check(fn, "numerical_gradient", HOOKS.get("numerical_gradient", NO_HOOKS), hidden=hidden)


# --------------------------------------------------------------------------- 05


def check_get_predictions(fn, *, hidden: bool = False):
    """Check ``get_predictions(A2)``: the row index of each column's maximum, shape (m,)."""
    return self_check(fn, "get_predictions", HOOKS.get("get_predictions", NO_HOOKS), hidden=hidden)


def check_get_accuracy(fn, *, hidden: bool = False):
    """Check ``get_accuracy(predictions, Y)``: the percentage of matches, 0 to 100."""
    return self_check(fn, "get_accuracy", HOOKS.get("get_accuracy", NO_HOOKS), hidden=hidden)


def check_gradient_descent(fn, *, hidden: bool = False):
    """Check ``gradient_descent(X, Y, alpha, iterations, rng, ...)``: the parameters and history of the reference
    on small problems: a given start or a drawn one, with and without L2, a dev set and printing."""
    return self_check(fn, "gradient_descent", HOOKS.get("gradient_descent", NO_HOOKS), hidden=hidden)


#: What each check adds to its exercise's recorded cases; the isolated grader uses the same.
HOOKS = {
    "init_params": Hooks(before=_init_properties),
    "softmax": Hooks(after=_softmax_columns),
    "compute_loss": Hooks(raised=_loss_without_weights, after=_loss_finite),
    "forward_prop_loop": Hooks(raised=_flat_column),
    "backward_prop": Hooks(raised=_shapes_do_not_fit),
    "gradient_descent": Hooks(raised=_shapes_do_not_fit),
}
