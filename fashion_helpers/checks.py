"""Self-checks for learners: each runs a student's function on small fixed cases and says in words what is wrong.

A check returns the function the rest of the notebook should use, so a self-check cell reads
``ReLU = checks.check_ReLU(ReLU)``:

- when the student's function is right, it prints one line starting with ``PASS`` and returns the student's
  function: from there on the notebook's results come from the student's code;
- while the exercise is open (the function still raises ``NotImplementedError``, as the student edition's stubs
  do) it prints one "NOT YET" line saying that the notebook uses the package's copy meanwhile, and returns a
  stand-in that calls that copy, so a notebook runs from top to bottom before the exercises are done (the stand-in
  is marked: checking it again, as 04 checks ``backward_prop`` twice, says NOT YET again instead of PASS); under nbgrader's autograde (which
  sets ``NBGRADER_EXECUTION``) that line goes to stderr, which costs the test cell its points while the rest of
  the notebook still runs;
- when the function is wrong it raises :class:`CheckFailed` whose message names the mistake.

The numerical gradient check compares ``backward_prop`` with centred finite differences of the loss and
reports the relative error beside its threshold.
"""

from __future__ import annotations

import functools
import os
import sys

import numpy as np

from . import network as ref
from .data import NUM_CLASSES
from .network import compute_loss, forward_prop

GRADIENT_CHECK_THRESHOLD = 1e-7


class CheckFailed(AssertionError):
    """A self-check found a mistake; the message says which."""


#: Where the package keeps the reference copy of each function a check can check (searched in this order);
#: ``checks`` itself is last: it holds ``numerical_gradient``.
_PACKAGE_MODULES = ("network", "analysis", "improve", "checks")


def package_copy(name: str):
    """The package's own copy of the exercise function ``name`` (``network.ReLU`` for "ReLU"), and its module name."""
    import importlib

    for module_name in _PACKAGE_MODULES:
        module = importlib.import_module(f"{__package__}.{module_name}")
        if callable(getattr(module, name, None)):
            return getattr(module, name), module_name
    raise LookupError(f"no package copy of {name} in {', '.join(_PACKAGE_MODULES)}")


def _self_check(func):
    """Wrap a check: PASS line and the student's function on success; while the exercise is open, one line and
    the package's copy; CheckFailed otherwise."""
    exercise = func.__name__.removeprefix("check_")

    @functools.wraps(func)
    def wrapper(fn, *args, **kwargs):
        name = getattr(fn, "__name__", repr(fn))
        try:
            if getattr(fn, "stands_in_for_an_open_exercise", False):  # see below: the exercise is still open
                raise NotImplementedError
            message = func(fn, *args, **kwargs)
        except NotImplementedError:
            fallback, module_name = package_copy(exercise)
            stand_in = _stand_in(fallback)
            if os.environ.get("NBGRADER_EXECUTION"):
                # nbgrader's autograde takes the points of a test cell that writes to stderr; the rest of the
                # notebook still runs, on the stand-in, so one open exercise does not crash the others
                print(f"NOT YET  {name}: not implemented yet (it still raises NotImplementedError); no points. "
                      f"The rest of the notebook ran on the package's {module_name}.{exercise}.", file=sys.stderr)
                return stand_in
            print(f"NOT YET  {name}: not implemented yet; until you write it (between the solution markers, then "
                  f"re-run its cell and this one) the notebook uses the package's {module_name}.{exercise}.")
            return stand_in
        print(f"PASS  {name}: {message}")
        return fn

    return wrapper


def _stand_in(fallback):
    """The package's ``fallback``, marked as standing in for an exercise that is still open."""
    @functools.wraps(fallback)
    def stand_in(*args, **kwargs):
        return fallback(*args, **kwargs)

    stand_in.stands_in_for_an_open_exercise = True
    return stand_in


def _fail(message: str):
    raise CheckFailed(message)


def _fixture(hidden: int = 5, input_size: int = 8):
    """Small deterministic inputs: X (input_size, 6), Y (6,) with several classes, parameters."""
    gen = np.random.default_rng(7)  # a private Generator: the fixture is the same on every call
    X = gen.random((input_size, 6))
    Y = np.array([3, 0, 9, 3, 5, 1])
    W1, b1, W2, b2 = ref.init_params(gen, input_size, hidden, NUM_CLASSES)
    return X, Y, W1, b1, W2, b2


def _as_array(name: str, value) -> np.ndarray:
    if value is None:
        _fail(f"{name} is None: did you forget a return statement?")
    if not isinstance(value, np.ndarray):
        if np.isscalar(value):
            return np.asarray(value)
        _fail(f"{name} is a {type(value).__name__}, expected a numpy array")
    return value


def _compare(name: str, got, expected: np.ndarray, *, batch_m: int | None = None,
             sum_hint: bool = False, atol: float = 1e-10) -> None:
    """Raise CheckFailed with a diagnosis unless ``got`` equals ``expected`` (shape, then values)."""
    got = _as_array(name, got)
    if got.shape != expected.shape:
        if got.shape == expected.shape[::-1] and got.ndim == 2:
            _fail(f"{name} has shape {got.shape}, expected {expected.shape}: rows and columns are swapped")
        if sum_hint and got.ndim == 0:
            _fail(f"{name} has shape (), expected {expected.shape}: did you sum over all axes? "
                  "Sum over axis=1 with keepdims=True")
        if sum_hint and got.shape == (expected.shape[0],):
            _fail(f"{name} has shape {got.shape}, expected {expected.shape}: keep the summed axis "
                  "with keepdims=True")
        _fail(f"{name} has shape {got.shape}, expected {expected.shape}")
    if not np.all(np.isfinite(got)):
        _fail(f"{name} contains NaN or inf")
    if np.allclose(got, expected, rtol=1e-7, atol=atol):
        return
    if np.allclose(got, -expected, rtol=1e-7, atol=atol):
        _fail(f"{name} has the wrong sign: dZ2 is A2 - one_hot(Y), not the other way round")
    scale = _common_factor(got, expected)
    if scale is not None and batch_m is not None:
        if np.isclose(scale, batch_m):
            _fail(f"{name} is m = {batch_m} times too large: did you forget the 1/m?")
        _fail(f"{name} is {scale:.4g} times the expected value: divide by the number of examples in this "
              f"batch (Y.size = {batch_m}), not by a global m")
    if scale is not None:
        _fail(f"{name} is {scale:.4g} times the expected value")
    worst = np.unravel_index(np.argmax(np.abs(got - expected)), expected.shape)
    _fail(f"{name} differs from the expected values, e.g. at index {tuple(int(i) for i in worst)}: "
          f"got {got[worst]:.6g}, expected {expected[worst]:.6g}")


def _common_factor(got: np.ndarray, expected: np.ndarray) -> float | None:
    """If ``got`` is a constant multiple of ``expected`` (other than 1), return that factor."""
    mask = np.abs(expected) > 1e-12
    if not mask.any():
        return None
    ratios = got[mask] / expected[mask]
    factor = float(np.median(ratios))
    if np.allclose(ratios, factor, rtol=1e-6) and not np.isclose(factor, 1.0):
        return factor
    return None


# --------------------------------------------------------------------------- one check per function


@_self_check
def check_init_params(fn) -> str:
    """Check ``init_params(rng, input_size, hidden_neurons, output_size)``: shapes, range, use of rng."""
    out = fn(np.random.default_rng(0), 784, 20, 10)
    if not isinstance(out, tuple) or len(out) != 4:
        _fail("init_params must return four arrays: W1, b1, W2, b2")
    expected_shapes = {"W1": (20, 784), "b1": (20, 1), "W2": (10, 20), "b2": (10, 1)}
    for name, value in zip(expected_shapes, out):
        value = _as_array(name, value)
        if value.shape != expected_shapes[name]:
            _fail(f"{name} has shape {value.shape}, expected {expected_shapes[name]}")
    everything = np.concatenate([np.ravel(v) for v in out])
    if everything.min() < -0.5 or everything.max() >= 0.5:
        _fail(f"values range from {everything.min():.3f} to {everything.max():.3f}, expected [-0.5, 0.5): "
              "rng.random gives [0, 1), subtract 0.5")
    if everything.min() > -0.3:
        _fail("no value is below -0.3: the values should spread over [-0.5, 0.5); did you subtract 0.5?")
    if everything.std() < 0.2:
        _fail(f"the values spread too little (std {everything.std():.3f}, about 0.289 expected for uniform "
              "[-0.5, 0.5)); draw every entry from rng.random")
    again = fn(np.random.default_rng(0), 784, 20, 10)
    if not all(np.array_equal(a, b) for a, b in zip(out, again)):
        _fail("two generators with the same seed gave different parameters: draw from the rng argument, "
              "not from np.random")
    other = fn(np.random.default_rng(1), 784, 20, 10)
    if np.array_equal(out[0], other[0]):
        _fail("different seeds gave the same W1: draw from the rng argument")
    reference = ref.init_params(np.random.default_rng(0), 784, 20, 10)
    if not all(np.array_equal(a, b) for a, b in zip(out, reference)):
        _fail("the values differ from the reference draw with the same seed: draw W1, then b1, W2, b2, each as "
              "rng.random(shape) - 0.5, so that every notebook gets the same initial weights")
    return "shapes (20, 784) (20, 1) (10, 20) (10, 1), values in [-0.5, 0.5), the reference draw from rng"


@_self_check
def check_ReLU(fn) -> str:
    """Check ``ReLU(Z)`` element-wise on a small matrix."""
    Z = np.array([[-2.0, -0.5, 0.0], [0.5, 2.0, -1e-3]])
    got = _as_array("ReLU(Z)", fn(Z))
    if got.shape == Z.shape and np.allclose(got, np.abs(Z)):
        _fail("ReLU(Z) returned |Z|: negative inputs must become 0, not positive")
    if got.shape == Z.shape and np.allclose(got, (Z > 0).astype(float)):
        _fail("ReLU(Z) returned 0/1: that is the derivative; ReLU keeps positive values as they are")
    _compare("ReLU(Z)", got, ref.ReLU(Z))
    return "max(0, Z), element-wise"


@_self_check
def check_ReLU_deriv(fn) -> str:
    """Check ``ReLU_deriv(Z)``: 1 where Z > 0, 0 elsewhere (including at 0)."""
    Z = np.array([[-2.0, -0.5, 0.0], [0.5, 2.5, -1e-3]])
    got = _as_array("ReLU_deriv(Z)", fn(Z))
    if got.shape == Z.shape and np.allclose(got, ref.ReLU(Z)):
        _fail("ReLU_deriv(Z) returned ReLU(Z) (e.g. 2.5 at Z = 2.5): that is the activation A, not its "
              "derivative; return 1 where Z > 0 and 0 elsewhere")
    if got.shape == Z.shape and got[0, 2] == 1:
        _fail("ReLU_deriv(0) is 1: use Z > 0 (strictly), so the derivative at 0 is 0")
    _compare("ReLU_deriv(Z)", got, ref.ReLU_deriv(Z))
    return "1 where Z > 0, 0 elsewhere"


@_self_check
def check_softmax(fn) -> str:
    """Check ``softmax(Z)``: columns sum to 1, values right, stable for huge and very negative logits."""
    Z = np.array([[1.0, 2.0, -1.0], [2.0, 0.0, -1.0], [3.0, 1.0, -1.0]])
    got = _as_array("softmax(Z)", fn(Z))
    if got.shape != Z.shape:
        _fail(f"softmax(Z) has shape {got.shape}, expected {Z.shape}: keep one column per example")
    if np.all(np.isfinite(got)) and np.allclose(got.sum(axis=1), 1) and not np.allclose(got.sum(axis=0), 1):
        _fail("softmax(Z)'s rows sum to 1, its columns do not: normalise over axis=0 (one column per example)")
    if np.all(np.isfinite(got)) and not np.allclose(got.sum(axis=0), 1):
        _fail("softmax(Z)'s columns do not sum to 1: divide exp(Z) by its sum over axis=0")
    _compare("softmax(Z)", got, ref.softmax(Z))
    hard = np.array([[1000.0, -1000.0], [999.0, -1001.0], [0.0, -1002.0]])
    with np.errstate(all="ignore"):  # the message below explains a NaN better than numpy's warning
        got = _as_array("softmax(Z)", fn(hard))
    if not np.all(np.isfinite(got)) or not np.allclose(got.sum(axis=0), 1):
        _fail("softmax(Z) gives NaN or a column that does not sum to 1 for logits like 1000 or -1000: "
              "subtract each column's max (np.max(Z, axis=0, keepdims=True)), not the global max")
    _compare("softmax(Z) on large logits", got, ref.softmax(hard))
    return "columns sum to 1, stable for logits of +-1000"


@_self_check
def check_forward_prop(fn) -> str:
    """Check ``forward_prop(W1, b1, W2, b2, X)`` returns Z1, A1, Z2, A2 with the right shapes and values."""
    X, _, W1, b1, W2, b2 = _fixture()
    out = fn(W1, b1, W2, b2, X)
    if not isinstance(out, tuple) or len(out) != 4:
        _fail("forward_prop must return four arrays: Z1, A1, Z2, A2")
    expected = ref.forward_prop(W1, b1, W2, b2, X)
    for name, got, exp in zip(("Z1", "A1", "Z2", "A2"), out, expected):
        got = _as_array(name, got)
        if name == "A2" and got.shape == exp.shape and np.allclose(got, ref.ReLU(expected[2])):
            _fail("A2 is ReLU(Z2): the output layer uses softmax, not ReLU")
        if name == "Z1" and got.shape == exp.shape and np.allclose(got, W1 @ X):
            _fail("Z1 lacks the bias: Z1 = W1 X + b1")
        _compare(name, got, exp)
    return "Z1, A1 (5, 6) and Z2, A2 (10, 6) on a small batch"


@_self_check
def check_one_hot(fn) -> str:
    """Check ``one_hot(Y)``: (10, m), a single 1 per column in row Y[j], even when Y lacks classes."""
    Y = np.array([0, 2, 1, 2])
    got = _as_array("one_hot(Y)", fn(Y))
    if got.ndim == 2 and got.shape[1] == Y.size and got.shape[0] == Y.max() + 1:
        _fail(f"one_hot({Y.tolist()}) has {got.shape[0]} rows, expected 10: size it from the number of "
              "classes (10), not from Y.max() + 1, or a batch without 9s breaks the shapes")
    if got.shape == (Y.size, NUM_CLASSES):
        _fail(f"one_hot(Y) has shape {got.shape}, expected (10, {Y.size}): one column per example")
    _compare("one_hot(Y)", got, ref.one_hot(Y))
    return "shape (10, m) with one 1 per column, also for a batch without every class"


@_self_check
def check_backward_prop(fn, lambda_reg: float = 0.0) -> str:
    """Check ``backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y[, lambda_reg])`` against the reference gradients."""
    X, Y, W1, b1, W2, b2 = _fixture()
    Z1, A1, Z2, A2 = ref.forward_prop(W1, b1, W2, b2, X)
    args = (Z1, A1, Z2, A2, W1, W2, X, Y)
    out = fn(*args, lambda_reg) if lambda_reg else fn(*args)
    if not isinstance(out, tuple) or len(out) != 4:
        _fail("backward_prop must return four arrays: dW1, db1, dW2, db2")
    expected = ref.backward_prop(*args, lambda_reg)
    plain = ref.backward_prop(*args, 0.0)
    for name, got, exp, base, W in zip(("dW1", "db1", "dW2", "db2"), out, expected, plain,
                                       (W1, None, W2, None)):
        got = _as_array(name, got)
        if W is not None and lambda_reg and got.shape == exp.shape:
            if np.allclose(got, base + lambda_reg * W):
                _fail(f"{name}'s L2 term is m = {Y.size} times too large: the gradient of "
                      "(lambda/2m)·||W||² is (lambda/m)·W")
            if np.allclose(got, base):
                _fail(f"{name} lacks the L2 term: add (lambda_reg / m) * {name[1:]}")
        if name == "dW1" and got.shape == exp.shape:
            dZ1_of_A = (W2.T @ (A2 - ref.one_hot(Y))) * ref.ReLU(Z1)
            if np.allclose(got, dZ1_of_A @ X.T / Y.size + lambda_reg / Y.size * W1):
                _fail("dW1 used ReLU(Z1) where the derivative ReLU_deriv(Z1) belongs")
        _compare(name, got, exp, batch_m=Y.size, sum_hint=name.startswith("db"))
    return f"dW1, db1, dW2, db2 match on a batch of {Y.size}" + (f" with lambda_reg={lambda_reg:g}" if lambda_reg else "")


@_self_check
def check_update_params(fn) -> str:
    """Check ``update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha)`` moves every parameter downhill."""
    _, _, W1, b1, W2, b2 = _fixture()
    grads = tuple(np.full_like(p, 0.25) * (i + 1) for i, p in enumerate((W1, b1, W2, b2)))
    out = fn(W1.copy(), b1.copy(), W2.copy(), b2.copy(), *grads, 0.1)
    if not isinstance(out, tuple) or len(out) != 4:
        _fail("update_params must return four arrays: W1, b1, W2, b2")
    for name, got, p, g in zip(("W1", "b1", "W2", "b2"), out, (W1, b1, W2, b2), grads):
        got = _as_array(name, got)
        if got.shape == p.shape and np.allclose(got, p):
            _fail(f"{name} was not updated: return {name} - alpha * d{name}")
        if got.shape == p.shape and np.allclose(got, p + 0.1 * g):
            _fail(f"{name} moved uphill: subtract alpha * d{name}, do not add it")
        _compare(name, got, p - 0.1 * g)
    return "each parameter moves by -alpha times its gradient"


@_self_check
def check_get_predictions(fn) -> str:
    """Check ``get_predictions(A2)``: the row index of each column's maximum, shape (m,)."""
    A2 = ref.softmax(np.array([[1.0, 5.0, 0.0, 2.0], [3.0, 0.0, 0.0, 2.5], [0.0, 1.0, 4.0, 0.0]]))
    got = _as_array("get_predictions(A2)", fn(A2))
    if got.shape == (3,):
        _fail("get_predictions returned one value per row: take the argmax over axis=0 (one per column)")
    _compare("get_predictions(A2)", got, ref.get_predictions(A2))
    return "argmax over each column"


@_self_check
def check_get_accuracy(fn) -> str:
    """Check ``get_accuracy(predictions, Y)``: percentage of matches, 0 to 100."""
    got = fn(np.array([1, 2, 3, 4]), np.array([1, 2, 0, 0]))
    if np.isclose(got, 0.5):
        _fail("get_accuracy returned 0.5 for 2 of 4 right: the course reports a percentage, multiply by 100")
    if not np.isclose(got, 50.0):
        _fail(f"get_accuracy returned {got!r} for 2 of 4 right, expected 50.0")
    return "percentage of predictions equal to the labels"


@_self_check
def check_make_predictions(fn) -> str:
    """Check ``make_predictions(X, W1, b1, W2, b2)``: one predicted class per column of X."""
    X, _, W1, b1, W2, b2 = _fixture()
    got = _as_array("make_predictions(X, ...)", fn(X, W1, b1, W2, b2))
    expected = ref.make_predictions(X, W1, b1, W2, b2)
    if got.shape == (NUM_CLASSES, X.shape[1]):
        _fail("make_predictions returned the probabilities A2: turn them into classes with get_predictions")
    _compare("make_predictions(X, ...)", got, expected)
    return "one class per column of X, as forward_prop and get_predictions give it"


@_self_check
def check_gradient_descent(fn) -> str:
    """Check ``gradient_descent(X, Y, alpha, iterations, rng, ...)``: same parameters and history as the reference."""
    X, Y, W1, b1, W2, b2 = _fixture(hidden=4, input_size=784)
    start = (W1, b1, W2, b2)
    dev = (X[:, :3], Y[:3])
    out = fn(X, Y, 0.5, 12, params=start, dev=dev)
    if not isinstance(out, tuple) or len(out) != 2:
        _fail("gradient_descent must return two things: the parameters (W1, b1, W2, b2) and the history")
    params, history = out
    ref_params, ref_history = ref.gradient_descent(X, Y, 0.5, 12, params=start, dev=dev)
    if np.allclose(params[0], W1):
        _fail("W1 never changed: update the parameters with update_params inside the loop")
    if not history.get("iteration"):
        _fail("history is empty: call record_progress inside the loop, on the iterations is_logged picks")
    if history["iteration"] != ref_history["iteration"]:
        _fail(f"history['iteration'] is {history['iteration']}, expected {ref_history['iteration']}: "
              "record when is_logged(i, iterations, print_every) says so, once per iteration")
    if not np.allclose(history["loss"], ref_history["loss"], atol=1e-9):
        _fail("history['loss'] differs from the reference: record progress with this iteration's forward pass "
              "and its parameters, before the update")
    if "dev_accuracy" not in history:
        _fail("history has no dev_accuracy: pass dev on to record_progress")
    for name, got, exp in zip(("W1", "b1", "W2", "b2"), params, ref_params):
        _compare(f"{name} after 12 iterations", got, exp, atol=1e-9)
    drawn, _ = fn(X, Y, 0.5, 2, np.random.default_rng(0), hidden_neurons=4)
    ref_drawn, _ = ref.gradient_descent(X, Y, 0.5, 2, np.random.default_rng(0), hidden_neurons=4)
    for name, got, exp in zip(("W1", "b1", "W2", "b2"), drawn, ref_drawn):
        _compare(f"{name} when starting from rng (no params)", got, exp, atol=1e-9)
    return "12 iterations on a small batch give the reference parameters and history (with dev columns)"


@_self_check
def check_top_confusions(fn) -> str:
    """Check ``top_confusions(Y, predictions, k)``: most frequent (true, predicted, count) mistakes, ties in label order."""
    from . import analysis

    Y = np.array([6, 6, 6, 2, 2, 4, 0, 0, 9, 6, 2])
    P = np.array([2, 2, 0, 4, 2, 2, 0, 6, 9, 2, 4])
    got = fn(Y, P, 3)
    expected = analysis.top_confusions(Y, P, 3)
    if not isinstance(got, list) or not all(isinstance(x, tuple) and len(x) == 3 for x in got):
        _fail("top_confusions must return a list of (true name, predicted name, count) tuples")
    if any(t == p for t, p, _ in got):
        _fail("a correct prediction (true == predicted) is listed: skip the diagonal of the confusion matrix")
    if any(isinstance(t, (int, np.integer)) for t, _, _ in got):
        _fail("the classes are numbers: return class names (CLASS_NAMES[label])")
    if len(got) != len(expected):
        _fail(f"returned {len(got)} confusions for k=3, expected {len(expected)}")
    if [c for _, _, c in got] != [c for _, _, c in expected]:
        _fail(f"counts {[c for _, _, c in got]}, expected {[c for _, _, c in expected]}: most frequent first")
    if got != expected:
        _fail(f"got {got}, expected {expected}: break ties by true label, then predicted label")
    return "the k most frequent mistakes, named, most frequent first, ties in label order"


# --------------------------------------------------------------------------- numerical gradient check


def _flatten(arrays) -> np.ndarray:
    return np.concatenate([a.ravel() for a in arrays])


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


def _numerical_gradient_batched(X, Y, params, lambda_reg: float = 0.0, epsilon: float = 1e-5) -> np.ndarray:
    """The same numbers as :func:`numerical_gradient`, a hundred times faster (used by :func:`gradient_check`).

    J is computed in log-softmax form, independently of ``backward_prop``. Nudging one parameter changes little: ``W1[i, j]`` or ``b1[i]`` moves only row i of Z1, ``W2[c, i]``
    or ``b2[c]`` only row c of Z2. So the perturbed networks of one such row are evaluated together, as a
    batch, instead of one full forward pass per parameter: the same numbers, a hundred times faster.
    """
    W1, b1, W2, b2 = (np.asarray(p, dtype=np.float64) for p in params)
    Y = np.asarray(Y)
    m, hidden = Y.size, W1.shape[0]
    Z1 = W1 @ X + b1
    A1 = ref.ReLU(Z1)
    Z2 = W2 @ A1 + b2
    squares = np.sum(W1**2) + np.sum(W2**2)

    def losses(Z2_batch, squares_batch):
        """J of each network in a batch: logits (k, 10, m) and sums of squared weights (k,)."""
        shifted = Z2_batch - Z2_batch.max(axis=1, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        return -log_probs[:, Y, np.arange(m)].mean(axis=1) + lambda_reg / (2 * m) * squares_batch

    def hidden_row_nudged(i, dZ1_row):
        """Logits when row i of Z1 changes by each row of dZ1_row (k, m): (k, 10, m)."""
        dA1_row = ref.ReLU(Z1[i] + dZ1_row) - A1[i]
        return Z2[None] + W2[None, :, i, None] * dA1_row[:, None, :]

    def output_row_nudged(c, dZ2_row):
        """Logits when row c of Z2 changes by each row of dZ2_row (k, m): (k, 10, m)."""
        batch = np.repeat(Z2[None], len(dZ2_row), axis=0)
        batch[:, c, :] += dZ2_row
        return batch

    def centred(nudged, row_change, weights=None):
        """(J+ - J-) / 2 epsilon for a batch of nudges; ``weights`` are the nudged weights (for the L2 term)."""
        extra = 0.0 if weights is None else 2 * epsilon * weights
        plus = losses(nudged(epsilon * row_change), squares + extra + epsilon**2 * (weights is not None))
        minus = losses(nudged(-epsilon * row_change), squares - extra + epsilon**2 * (weights is not None))
        return (plus - minus) / (2 * epsilon)

    gW1 = np.stack([centred(lambda d, i=i: hidden_row_nudged(i, d), X, W1[i]) for i in range(hidden)])
    gb1 = np.array([centred(lambda d, i=i: hidden_row_nudged(i, d), np.ones((1, m)))[0] for i in range(hidden)])
    gW2 = np.stack([centred(lambda d, c=c: output_row_nudged(c, d), A1, W2[c]) for c in range(W2.shape[0])])
    gb2 = np.array([centred(lambda d, c=c: output_row_nudged(c, d), np.ones((1, m)))[0] for c in range(W2.shape[0])])
    return _flatten([gW1, gb1[:, None], gW2, gb2[:, None]])


def gradient_check(X, Y, params, backward=ref.backward_prop, lambda_reg: float = 0.0,
                   epsilon: float = 1e-5, threshold: float = GRADIENT_CHECK_THRESHOLD, verbose: bool = True,
                   numerical=None):
    """Compare ``backward`` with numerical gradients; returns the relative error.

    relative error = ||g_backprop - g_numerical|| / (||g_backprop|| + ||g_numerical||).
    Prints it next to the threshold when verbose. numerical: the function that computes the numerical gradient,
    with :func:`numerical_gradient`'s arguments (notebook 04 passes the student's); None: the batched version.
    """
    W1, b1, W2, b2 = params
    Z1, A1, Z2, A2 = ref.forward_prop(W1, b1, W2, b2, X)
    analytic = _flatten(backward(Z1, A1, Z2, A2, W1, W2, X, Y, lambda_reg))
    numeric = (numerical or _numerical_gradient_batched)(X, Y, params, lambda_reg, epsilon)
    error = float(np.linalg.norm(analytic - numeric) / (np.linalg.norm(analytic) + np.linalg.norm(numeric)))
    if verbose:
        verdict = "PASS" if error < threshold else "FAIL"
        # Only the order of magnitude is printed: the digits of so small a number are rounding noise
        # that differs between machines and BLAS kernels.
        magnitude = int(np.floor(np.log10(max(error, 1e-300))))
        print(f"{verdict}  gradient check (lambda_reg={lambda_reg:g}): relative error ~1e{magnitude}, "
              f"threshold {threshold:.0e}")
    return error


# --------------------------------------------------------------------------- notebook 08: improving the network


def _draw_init(fn, seed: int = 3, hidden: int = 300):
    out = fn(np.random.default_rng(seed), 784, hidden, NUM_CLASSES)
    if not isinstance(out, tuple) or len(out) != 4:
        _fail(f"{getattr(fn, '__name__', 'the initialiser')} must return four arrays: W1, b1, W2, b2")
    return tuple(_as_array(name, p) for name, p in zip(("W1", "b1", "W2", "b2"), out))


def _check_init_shapes_and_biases(params, hidden: int) -> None:
    for name, got, shape in zip(("W1", "b1", "W2", "b2"), params,
                                ((hidden, 784), (hidden, 1), (NUM_CLASSES, hidden), (NUM_CLASSES, 1))):
        if got.shape != shape:
            _fail(f"{name} has shape {got.shape}, expected {shape}")
    if np.any(params[1]) or np.any(params[3]):
        _fail("the biases are not zero: with scaled weights, start b1 and b2 at np.zeros")


@_self_check
def check_he_init(fn) -> str:
    """Check ``he_init(rng, input_size, hidden_neurons, output_size)``: normal weights, sd sqrt(2 / fan_in), zero biases."""
    from . import improve

    hidden = 300
    params = _draw_init(fn, hidden=hidden)
    W1, _, W2, _ = params
    if np.all(W1 >= -0.5) and np.all(W1 < 0.5) and abs(W1.std() - np.sqrt(1 / 12)) < 0.01:
        _fail("W1 looks uniform on [-0.5, 0.5): that is the mid-term's initialisation; draw from "
              "rng.standard_normal and scale by np.sqrt(2 / input_size)")
    _check_init_shapes_and_biases(params, hidden)
    for name, W, fan_in, fan_out in (("W1", W1, 784, hidden), ("W2", W2, hidden, NUM_CLASSES)):
        sd = W.std()
        if abs(sd - np.sqrt(2 / fan_in)) > 0.15 * np.sqrt(2 / fan_in):
            if abs(sd - np.sqrt(2 / fan_out)) < 0.15 * np.sqrt(2 / fan_out):
                _fail(f"{name} is scaled by its fan_out ({fan_out}): He uses the number of inputs, sqrt(2 / {fan_in})")
            if abs(sd - np.sqrt(1 / fan_in)) < 0.15 * np.sqrt(1 / fan_in):
                _fail(f"{name} has standard deviation sqrt(1 / fan_in): He's factor 2 makes up for ReLU zeroing half")
            _fail(f"{name} has standard deviation {sd:.4f}, expected about sqrt(2 / {fan_in}) = {np.sqrt(2 / fan_in):.4f}")
    expected = improve.he_init(np.random.default_rng(3), 784, hidden, NUM_CLASSES)
    for name, got, exp in zip(("W1", "b1", "W2", "b2"), params, expected):
        _compare(name, got, exp)
    return "normal weights with sd sqrt(2 / fan_in), zero biases, drawn W1 then W2"


@_self_check
def check_glorot_init(fn) -> str:
    """Check ``glorot_init(rng, ...)``: uniform weights in [-r, r), r = sqrt(6 / (fan_in + fan_out)), zero biases."""
    from . import improve

    hidden = 300
    params = _draw_init(fn, hidden=hidden)
    _check_init_shapes_and_biases(params, hidden)
    W1, _, W2, _ = params
    for name, W, fan_in, fan_out in (("W1", W1, 784, hidden), ("W2", W2, hidden, NUM_CLASSES)):
        r = np.sqrt(6 / (fan_in + fan_out))
        if W.min() >= 0:
            _fail(f"{name} holds no negative weights: map rng.random() from [0, 1) to [-r, r) with (2 * u - 1) * r")
        if np.abs(W).max() > r:
            _fail(f"{name} reaches {np.abs(W).max():.4f}, beyond r = sqrt(6 / ({fan_in} + {fan_out})) = {r:.4f}")
        if np.abs(W).max() < 0.9 * r:
            _fail(f"{name} stays within {np.abs(W).max():.4f}, far inside r = sqrt(6 / (fan_in + fan_out)) = {r:.4f}")
    expected = improve.glorot_init(np.random.default_rng(3), 784, hidden, NUM_CLASSES)
    for name, got, exp in zip(("W1", "b1", "W2", "b2"), params, expected):
        _compare(name, got, exp)
    return "uniform weights in [-r, r) with r = sqrt(6 / (fan_in + fan_out)), zero biases"


def _tiny_gradients():
    _, _, W1, b1, W2, b2 = _fixture()
    params = (W1, b1, W2, b2)
    gen = np.random.default_rng(11)
    grads = tuple(gen.standard_normal(p.shape) for p in params)
    return params, grads


@_self_check
def check_momentum_update(fn) -> str:
    """Check ``momentum_update(params, grads, velocity, alpha, beta)``: v <- beta v + g, theta <- theta - alpha v."""
    from . import improve

    params, grads = _tiny_gradients()
    velocity = tuple(0.5 * g for g in grads)  # a velocity left over from earlier steps
    out = fn(params, grads, velocity, 0.1, 0.9)
    if not isinstance(out, tuple) or len(out) != 2:
        _fail("momentum_update must return two things: the new params and the new velocity")
    got_params, got_velocity = out
    exp_params, exp_velocity = improve.momentum_update(params, grads, velocity, 0.1, 0.9)
    if len(got_velocity) != 4 or len(got_params) != 4:
        _fail("params and velocity must each be four arrays, in the order W1, b1, W2, b2")
    if np.allclose(got_params[0], params[0] - 0.1 * grads[0]):
        _fail("the step ignores the velocity: that is plain gradient descent; step by alpha times the new velocity")
    if np.allclose(got_velocity[0], velocity[0]):
        _fail("the velocity was not updated: v = beta * v + g")
    if np.allclose(got_velocity[0], 0.9 * velocity[0] + 0.1 * grads[0]):
        _fail("the velocity is an average with (1 - beta) * g: the course's momentum adds the whole gradient, "
              "v = beta * v + g")
    if np.allclose(got_params[0], params[0] + 0.1 * exp_velocity[0]):
        _fail("W1 moved uphill: subtract alpha * v")
    for name, got, exp in zip(("v_W1", "v_b1", "v_W2", "v_b2"), got_velocity, exp_velocity):
        _compare(f"velocity {name}", got, exp)
    for name, got, exp in zip(("W1", "b1", "W2", "b2"), got_params, exp_params):
        _compare(name, got, exp)
    return "the velocity remembers past gradients, the step follows the velocity"


@_self_check
def check_adam_update(fn) -> str:
    """Check ``adam_update(params, grads, state, alpha)`` over two steps against the reference."""
    from . import improve

    params, grads = _tiny_gradients()
    zero = tuple(np.zeros_like(p) for p in params)
    state = (zero, zero, 0)
    out = fn(params, grads, state, 0.01)
    if not isinstance(out, tuple) or len(out) != 2 or not isinstance(out[1], tuple) or len(out[1]) != 3:
        _fail("adam_update must return (params, (m, v, t))")
    got_params, (m, v, t) = out
    exp_params, exp_state = improve.adam_update(params, grads, state, 0.01)
    if t != 1:
        _fail(f"the step count t is {t!r} after one step from 0: add 1 before using it")
    step = params[0] - got_params[0]
    for factor, mistake in ((0.1, "ten times too small: divide m by (1 - beta1**t)"),
                            (np.sqrt(1000), "about 32 times too large: divide v by (1 - beta2**t)"),
                            (0.1 * np.sqrt(1000), "about 3 times too large: neither m nor v is bias-corrected; "
                                                  "divide m by (1 - beta1**t) and v by (1 - beta2**t)")):
        if np.allclose(step, 0.01 * factor * np.sign(grads[0]), rtol=1e-3):
            _fail(f"the first step is {mistake}, to undo their start at zero")
    if not np.allclose(np.abs(step), 0.01, rtol=1e-3):
        _fail("the first Adam step should move every weight by about alpha (m_hat / sqrt(v_hat) = sign(g)): "
              "check the bias corrections m / (1 - beta1**t) and v / (1 - beta2**t), and the square root")
    for name, got, exp in zip(("m", "v"), (m, v), exp_state[:2]):
        for part, g, e in zip(("W1", "b1", "W2", "b2"), got, exp):
            _compare(f"{name} for {part}", g, e)
    second = fn(got_params, tuple(0.5 * g for g in grads), (m, v, t), 0.01)
    expected = improve.adam_update(exp_params, tuple(0.5 * g for g in grads), exp_state, 0.01)
    for name, got, exp in zip(("W1", "b1", "W2", "b2"), second[0], expected[0]):
        _compare(f"{name} after two steps", got, exp)
    return "running means of g and g², bias-corrected, one step size per weight, over two steps"


def _sample_images():
    """Four 28x28 images that are not symmetric, as columns (784, 4) in [0, 1]."""
    gen = np.random.default_rng(5)
    X = gen.random((784, 4))
    X[:100] = 0.0  # a blank top band, as in real images
    return X


@_self_check
def check_flip_left_right(fn) -> str:
    """Check ``flip_left_right(X)``: each image (a column, 28x28) mirrored left to right."""
    from . import improve

    X = _sample_images()
    got = _as_array("flip_left_right(X)", fn(X.copy()))
    expected = improve.flip_left_right(X)
    if got.shape == expected.shape:
        images = X.reshape(28, 28, 4)
        if np.allclose(got, images[::-1, :, :].reshape(X.shape)):
            _fail("the images were flipped upside down: reverse the columns of each 28x28 image (axis 1), not the rows")
        if np.allclose(got, X[::-1]):
            _fail("the whole column of 784 pixels was reversed: that turns the image upside down and mirrors it; "
                  "reshape to (28, 28, m) first")
        if np.allclose(got, X[:, ::-1]):
            _fail("the order of the images was reversed, not their pixels: reshape to (28, 28, m) and reverse axis 1")
    _compare("flip_left_right(X)", got, expected)
    return "every image mirrored left to right, still one column per image"


@_self_check
def check_shift_images(fn) -> str:
    """Check ``shift_images(X, dx, dy)``: images moved right by dx and down by dy, blanks (0) where nothing came in."""
    from . import improve

    X = _sample_images()
    got = _as_array("shift_images(X, 2, -1)", fn(X.copy(), 2, -1))
    expected = improve.shift_images(X, 2, -1)
    if got.shape == expected.shape:
        rolled = np.roll(np.roll(X.reshape(28, 28, 4), 2, axis=1), -1, axis=0).reshape(X.shape)
        if np.allclose(got, rolled):
            _fail("np.roll wraps the pixels that leave one side back in on the other: fill with 0 instead")
        if np.allclose(got, improve.shift_images(X, -2, 1)):
            _fail("the shift goes the wrong way: dx > 0 moves the image right, dy > 0 moves it down")
        if np.allclose(got, improve.shift_images(X, -1, 2)) or np.allclose(got, improve.shift_images(X, 1, -2)):
            _fail("dx and dy are swapped: dx moves along a row (columns, axis 1), dy along a column (rows, axis 0)")
    _compare("shift_images(X, 2, -1)", got, expected)
    per_image = _as_array("shift_images(X, dx, dy)", fn(X.copy(), np.array([0, 1, -2, 0]), np.array([0, 0, 1, -1])))
    _compare("shift_images with one shift per image", per_image,
             improve.shift_images(X, np.array([0, 1, -2, 0]), np.array([0, 0, 1, -1])))
    return "images moved right by dx, down by dy, blank where nothing came in; one shift each also works"


@_self_check
def check_should_stop(fn) -> str:
    """Check ``should_stop(dev_accuracies, patience)``: stop once ``patience`` epochs have not beaten the best."""
    cases = [([70.0], 2, False), ([70.0, 72.0, 71.0], 2, False), ([70.0, 72.0, 71.0, 72.0], 2, True),
             ([70.0, 72.0, 71.0, 71.5, 72.5], 2, False), ([80.0, 79.0], 1, True), ([79.0, 80.0], 1, False)]
    for accuracies, patience, expected in cases:
        got = fn(list(accuracies), patience)
        if got is None:
            _fail("should_stop returned None: did you forget a return statement?")
        if bool(got) != expected:
            if accuracies == [70.0, 72.0, 71.0, 72.0]:
                _fail(f"should_stop({accuracies}, {patience}) is {got}: equalling the best is not beating it, "
                      "so the best epoch is still epoch 1 and two epochs have passed without improvement")
            _fail(f"should_stop({accuracies}, patience={patience}) is {got}, expected {expected}: count the epochs "
                  "after the best one (np.argmax gives the first best)")
    return "stops once patience epochs pass without beating the best dev accuracy; a tie is no improvement"


# --------------------------------------------------------------------------- notebooks 04 and 07: the loss, the
# numerical gradient, the choice of lambda, the held-out score


def _loss_fixture():
    """A2 (10, 6) from the small fixture network, its labels Y and weights W1, W2."""
    X, Y, W1, b1, W2, b2 = _fixture()
    return ref.forward_prop(W1, b1, W2, b2, X)[3], Y, W1, W2


def _scalar(name: str, value) -> float:
    if value is None:
        _fail(f"{name} is None: did you forget a return statement?")
    if np.ndim(value) != 0:
        _fail(f"{name} has shape {np.shape(value)}, expected one number: average over the examples (np.mean)")
    return float(value)


@_self_check
def check_compute_loss(fn) -> str:
    """Check ``compute_loss(A2, Y, W1, W2, lambda_reg)``: mean cross-entropy, plus lambda/(2m) times the squared weights."""
    A2, Y, W1, W2 = _loss_fixture()
    m = Y.size
    try:
        got = _scalar("compute_loss(A2, Y)", fn(A2, Y))
    except (TypeError, AttributeError) as error:
        _fail(f"compute_loss(A2, Y) without weights fails ({type(error).__name__}: {error}): with lambda_reg = 0 "
              "the weights may be None; add the L2 term only when lambda_reg is not 0")
    picked = A2[Y, np.arange(m)]
    expected = ref.compute_loss(A2, Y)
    if np.isclose(got, -expected):
        _fail("compute_loss is negative: the cross-entropy is MINUS the mean log-probability of the true class")
    if np.isclose(got, m * expected):
        _fail(f"compute_loss is m = {m} times too large: take the mean over the examples, not the sum")
    if np.isclose(got, expected / NUM_CLASSES):
        _fail("compute_loss is 10 times too small: averaging one_hot(Y) * log(A2) over all 10 x m entries divides "
              "by 10 m; sum over the classes, then average over the m examples")
    if np.isclose(got, -np.mean(np.log10(picked))):
        _fail("compute_loss used log10: the cross-entropy uses the natural logarithm, np.log")
    if np.isclose(got, -np.mean(np.log(A2))):
        _fail("compute_loss averaged the log of every probability: keep only the true class's, A2[Y, np.arange(m)]")
    if not np.isclose(got, expected, rtol=1e-10, atol=0):
        _fail(f"compute_loss(A2, Y) is {got:.6g}, expected {expected:.6g} (the mean of -ln A2[Y[i], i])")
    lambda_reg = 0.7
    got = _scalar("compute_loss(A2, Y, W1, W2, lambda_reg)", fn(A2, Y, W1, W2, lambda_reg))
    squares = np.sum(W1**2) + np.sum(W2**2)
    mistakes = {
        "the L2 term is missing: add lambda_reg / (2 m) * (sum of W1**2 + sum of W2**2)": 0.0,
        "the L2 term lacks the 1/2: it is lambda / (2 m) times the squared weights, whose gradient is (lambda / m) W":
            lambda_reg / m * squares,
        f"the L2 term lacks the 1/m (m = {m}, the examples in this batch): lambda / (2 m), not lambda / 2":
            lambda_reg / 2 * squares,
        "the L2 term lacks both the 1/2 and the 1/m: lambda / (2 m) times the squared weights": lambda_reg * squares,
        "the L2 term penalises W1 only: add the squares of W2 too": lambda_reg / (2 * m) * np.sum(W1**2),
        "the L2 term penalises W2 only: add the squares of W1 too": lambda_reg / (2 * m) * np.sum(W2**2),
        "the L2 term sums the weights, not their squares: W1**2 and W2**2":
            lambda_reg / (2 * m) * (np.sum(W1) + np.sum(W2)),
        "the L2 term uses the norms, not their squares: sum(W**2) has no square root":
            lambda_reg / (2 * m) * (np.linalg.norm(W1) + np.linalg.norm(W2)),
        "the L2 term squares the sum of the weights: square each weight, then sum":
            lambda_reg / (2 * m) * (np.sum(W1) ** 2 + np.sum(W2) ** 2),
    }
    for message, term in mistakes.items():
        if np.isclose(got, expected + term, rtol=1e-10, atol=0):
            _fail(message)
    expected_l2 = ref.compute_loss(A2, Y, W1, W2, lambda_reg)
    if not np.isclose(got, expected_l2, rtol=1e-10, atol=0):
        _fail(f"compute_loss with lambda_reg = {lambda_reg} is {got:.6g}, expected {expected_l2:.6g}: the cross-entropy "
              f"plus lambda / (2 m) * (sum W1**2 + sum W2**2)")
    sure_and_wrong = A2.copy()
    sure_and_wrong[:, 0] = 0.0
    sure_and_wrong[(Y[0] + 1) % NUM_CLASSES, 0] = 1.0  # all probability on a wrong class: A2[Y[0], 0] is exactly 0
    with np.errstate(all="ignore"):  # the message below explains an inf better than numpy's warning
        got = _scalar("compute_loss(A2, Y)", fn(sure_and_wrong, Y))
    if not np.isfinite(got):
        _fail("compute_loss is inf when the true class gets probability exactly 0 (ln 0 = -inf): clip the picked "
              "probabilities from below with np.maximum(picked, np.finfo(np.float64).tiny)")
    if not np.isclose(got, ref.compute_loss(sure_and_wrong, Y), rtol=1e-10, atol=0):
        _fail("compute_loss clips a probability of 0 to another value than np.finfo(np.float64).tiny, the smallest "
              "positive float")
    return "mean cross-entropy, plus lambda/(2m) * (sum W1^2 + sum W2^2); finite when a probability is 0"


def _numerical_gradient_variant(X, Y, params, lambda_reg: float, epsilon: float, mistake: str) -> np.ndarray:
    """A typical wrong numerical gradient: ``forward`` difference, or the entry left at ``plus`` / ``minus``."""
    params = [np.array(p, dtype=np.float64) for p in params]
    gradients = []
    for p in params:
        g = np.zeros_like(p)
        for index in np.ndindex(p.shape):
            saved = p[index]
            here = compute_loss(forward_prop(*params, X)[3], Y, params[0], params[2], lambda_reg)
            p[index] = saved + epsilon
            plus = compute_loss(forward_prop(*params, X)[3], Y, params[0], params[2], lambda_reg)
            if mistake == "forward":
                g[index] = (plus - here) / epsilon
                p[index] = saved
                continue
            p[index] = saved - epsilon
            minus = compute_loss(forward_prop(*params, X)[3], Y, params[0], params[2], lambda_reg)
            g[index] = (plus - minus) / (2 * epsilon)
            p[index] = saved + epsilon if mistake == "plus" else saved - epsilon
        gradients.append(g)
    return _flatten(gradients)


@_self_check
def check_numerical_gradient(fn) -> str:
    """Check ``numerical_gradient(X, Y, params, lambda_reg, epsilon)``: centred differences of J, flattened W1, b1, W2, b2."""
    X, Y, W1, b1, W2, b2 = _fixture(hidden=3, input_size=4)
    params = (W1, b1, W2, b2)
    originals = tuple(p.copy() for p in params)
    lambda_reg, epsilon = 0.7, 1e-3  # a large epsilon makes a forward difference stand out
    got = fn(X, Y, params, lambda_reg, epsilon)
    if not all(np.array_equal(p, o) for p, o in zip(params, originals)):
        _fail("numerical_gradient changed the caller's parameters: work on the copies in params, and put every "
              "nudged entry back to its saved value")
    if isinstance(got, (list, tuple)):
        _fail("numerical_gradient returned a list: return one flat vector, "
              "np.concatenate([g.ravel() for g in gradients])")
    got = _as_array("numerical_gradient(...)", got)
    expected = numerical_gradient(X, Y, params, lambda_reg, epsilon)
    if got.shape != expected.shape:
        _fail(f"numerical_gradient has shape {got.shape}, expected ({expected.size},): one entry per parameter "
              "(W1, b1, W2, b2 flattened and concatenated)")
    if np.allclose(got, expected, rtol=1e-7, atol=1e-9):
        return f"centred differences of J for all {expected.size} parameters, in the order W1, b1, W2, b2"
    if np.allclose(got, -expected, rtol=1e-6, atol=1e-9):
        _fail("numerical_gradient has the wrong sign: (J(theta + epsilon) - J(theta - epsilon)) / (2 epsilon), "
              "plus side first")
    if np.allclose(got, 2 * expected, rtol=1e-6, atol=1e-9):
        _fail("numerical_gradient is twice too large: the two nudges are 2 epsilon apart, divide by 2 * epsilon, "
              "not by epsilon")
    if np.allclose(got, expected * epsilon**2, rtol=1e-6, atol=1e-15):
        _fail("numerical_gradient is epsilon**2 times the expected value: / 2 * epsilon divides by 2, then MULTIPLIES "
              "by epsilon; write (plus - minus) / (2 * epsilon)")
    blocks = np.split(expected, np.cumsum([p.size for p in params])[:-1])
    if np.allclose(got, np.concatenate([blocks[0], blocks[2], blocks[1], blocks[3]]), rtol=1e-6, atol=1e-9):
        _fail("the gradients are in the order W1, W2, b1, b2: keep the order of params, W1, b1, W2, b2")
    if np.allclose(got, _flatten([b.reshape(p.shape).T for b, p in zip(blocks, params)]), rtol=1e-6, atol=1e-9):
        _fail("each gradient was flattened column by column: use g.ravel() (row by row, as np.ndindex walks)")
    diagnoses = {
        "forward": "numerical_gradient uses the forward difference (J(theta + epsilon) - J(theta)) / epsilon: its error "
                   "shrinks only like epsilon; take the centred difference (J(theta + epsilon) - J(theta - epsilon)) "
                   "/ (2 epsilon)",
        "plus": "an entry stays nudged after its turn (left at saved + epsilon): put p[index] = saved back before "
                "moving on, or every later entry is measured at the wrong point",
        "minus": "an entry stays nudged after its turn (left at saved - epsilon): put p[index] = saved back before "
                 "moving on, or every later entry is measured at the wrong point",
    }
    for mistake, message in diagnoses.items():
        if np.allclose(got, _numerical_gradient_variant(X, Y, params, lambda_reg, epsilon, mistake),
                       rtol=1e-6, atol=1e-9):
            _fail(message)
    if np.allclose(got, numerical_gradient(X, Y, params, 0.0, epsilon), rtol=1e-6, atol=1e-9):
        _fail("numerical_gradient ignores lambda_reg: pass it to compute_loss, so that J includes the L2 term")
    if np.allclose(got, numerical_gradient(X, Y, params, lambda_reg, 1e-5), rtol=1e-6, atol=1e-9):
        _fail("numerical_gradient ignores its epsilon argument (it was called with epsilon = 1e-3): nudge by epsilon")
    _compare("numerical_gradient(...)", got, expected, atol=1e-9)
    return "centred differences"  # not reached: _compare raised


def _choice_cases():
    """(lambda_regs, dev_accuracies, chosen lambda, why): a clear winner, a tie, a tie with the larger lambda first."""
    return [([0.0, 1.0, 3.0, 10.0, 30.0], [66.25, 66.25, 68.75, 72.5, 69.25], 10.0, "the highest dev accuracy"),
            ([0.0, 1.0, 3.0, 10.0], [70.0, 72.0, 72.0, 71.0], 1.0, "a tie goes to the smaller lambda"),
            ([10.0, 0.0, 3.0], [72.0, 70.0, 72.0], 3.0,
             "a tie goes to the smallest lambda, wherever it stands in the list")]


@_self_check
def check_choose_lambda(fn) -> str:
    """Check ``choose_lambda(lambda_regs, dev_accuracies)``: highest dev accuracy, a tie to the smallest lambda."""
    for lambdas, accuracies, expected, why in _choice_cases():
        got = fn(list(lambdas), list(accuracies))
        if got is None:
            _fail("choose_lambda returned None: did you forget a return statement?")
        if not np.isscalar(got):
            _fail(f"choose_lambda returned {type(got).__name__}, expected one lambda (a number)")
        if got == expected:
            continue
        shown = f"choose_lambda({lambdas}, {accuracies}) is {got!r}, expected {expected:g}"
        if got in accuracies and got not in lambdas:
            _fail(f"{shown}: that is a dev accuracy; return the lambda that reached it")
        if isinstance(got, (int, np.integer)) and 0 <= got < len(lambdas) and lambdas[got] == expected:
            _fail(f"{shown}: {got} is the position of the chosen lambda; return the lambda itself, lambda_regs[{got}]")
        if got in lambdas and accuracies[lambdas.index(got)] == min(accuracies):
            _fail(f"{shown}: that lambda has the LOWEST dev accuracy; choose the highest (max, not min)")
        tied = [lam for lam, acc in zip(lambdas, accuracies) if acc == max(accuracies)]
        if got in tied and got == tied[0]:
            _fail(f"{shown}: the tie went to the lambda listed first (np.argmax picks the first); {why}")
        if got in tied:
            _fail(f"{shown}: the tie went to the larger lambda; {why} (the least regularisation that does the job)")
        _fail(f"{shown} ({why})")
    return "the highest dev accuracy wins; a tie goes to the smallest lambda, wherever it stands in the list"


def _holdout_fixture():
    """A small network, 40 images and labels it gets exactly 30 right (75 %)."""
    gen = np.random.default_rng(5)
    W1, b1, W2, b2 = ref.init_params(gen, 8, 5, NUM_CLASSES)
    X = gen.random((8, 40))
    predictions = ref.make_predictions(X, W1, b1, W2, b2)
    Y = predictions.copy()
    Y[:10] = (Y[:10] + 1) % NUM_CLASSES
    return (W1, b1, W2, b2), X, Y


@_self_check
def check_holdout_score(fn) -> str:
    """Check ``holdout_score(params, X_holdout, Y_holdout)``: accuracy (%) and its standard error (points)."""
    from . import analysis

    params, X, Y = _holdout_fixture()
    got = fn(params, X, Y)
    if not isinstance(got, tuple) or len(got) != 2:
        _fail("holdout_score must return two numbers: the accuracy (%) and its standard error (points)")
    accuracy, standard_error = (_scalar(name, value) for name, value in zip(("accuracy", "standard error"), got))
    expected_accuracy, expected_se = analysis.holdout_score(params, X, Y)
    p, n = expected_accuracy / 100, Y.size
    if np.isclose(accuracy, p):
        _fail(f"the accuracy is {accuracy:g}, a fraction: the course reports percentages ({expected_accuracy:g})")
    if not np.isclose(accuracy, expected_accuracy):
        _fail(f"the accuracy is {accuracy:g}%, expected {expected_accuracy:g}% (30 of the {n} images are right): "
              "compare make_predictions(X_holdout, *params) with Y_holdout")
    if np.isnan(standard_error):
        _fail("the standard error is NaN: p in sqrt(p (1 - p) / n) is the accuracy as a fraction (accuracy / 100)")
    mistakes = {
        "the standard error is a fraction: multiply by 100 to have percentage points, like the accuracy":
            expected_se / 100,
        "the standard error lacks the square root: 100 * sqrt(p (1 - p) / n)": 100 * p * (1 - p) / n,
        "the standard error divides by n outside the square root: 100 * sqrt(p (1 - p) / n)":
            100 * np.sqrt(p * (1 - p)) / n,
        "the standard error forgot to divide by n, the number of held-out images": 100 * np.sqrt(p * (1 - p)),
        "the standard error uses n - 1: the binomial standard error divides by n": 100 * np.sqrt(p * (1 - p) / (n - 1)),
    }
    for message, wrong in mistakes.items():
        if np.isclose(standard_error, wrong):
            _fail(message)
    if not np.isclose(standard_error, expected_se):
        _fail(f"the standard error is {standard_error:.4g}, expected {expected_se:.4g} = 100 * sqrt(p (1 - p) / n) "
              f"with p = {p:g}, n = {n}")
    return "the accuracy (%) on the held-out images and its standard error 100 * sqrt(p (1 - p) / n)"
