"""Cases of notebook 04: one-hot labels, the loss, backward propagation, the update and the numerical gradient."""

from __future__ import annotations

import numpy as np

from . import reference
from .specs import Case, Spec, call, network

R = reference()
M_GLOBAL = 1600  # the training set's size: the m a student may reach for instead of this batch's

# --------------------------------------------------------------------------- 04: one_hot, compute_loss, backward_prop,
# update_params, numerical_gradient


def _one_hot_from_max(Y, num_classes=10):
    out = np.zeros((Y.max() + 1, Y.size))
    out[Y, np.arange(Y.size)] = 1
    return out


def one_hot() -> Spec:
    return Spec(
        "one_hot",
        "shape (10, m) with one 1 per column, also for a batch without every class",
        ("one_hot(Y)",),
        (Case("the labels [0, 2, 1, 2] (no 9 among them)", (call(np.array([0, 2, 1, 2])),)),),
        (
            Case(
                "a hidden case",
                (call(np.array([9, 0, 9, 4, 4, 7, 1])), call(np.array([5]))),
            ),
        ),
        (
            (
                "it has Y.max() + 1 rows: size it from the number of classes, 10, "
                "or a batch without 9s breaks the shapes",
                _one_hot_from_max,
            ),
        ),
    )


def _loss_fixture(seed=7, m=6, hidden=5):
    X, Y, (W1, b1, W2, b2) = network(seed=seed, m=m, hidden=hidden)
    A2 = R.forward_prop(W1, b1, W2, b2, X)[3]
    return A2, Y, W1, W2


def _picked(A2, Y):
    return A2[Y, np.arange(Y.size)]


def _with_l2(term):
    def loss(A2, Y, W1=None, W2=None, lambda_reg=0.0):
        base = R.compute_loss(A2, Y)
        return base + (term(A2, Y, W1, W2, lambda_reg) if lambda_reg else 0.0)

    return loss


def _sure_and_wrong(A2, Y):
    A = A2.copy()
    A[:, 0] = 0.0
    A[(Y[0] + 1) % 10, 0] = 1.0  # all probability on a wrong class: the true class gets exactly 0
    return A


def compute_loss() -> Spec:
    A2, Y, W1, W2 = _loss_fixture()
    A2h, Yh, W1h, W2h = _loss_fixture(seed=23, m=9, hidden=3)
    m = Y.size
    sq = lambda W1, W2: np.sum(W1**2) + np.sum(W2**2)  # noqa: E731
    mistakes = (
        (
            "it is negative: the cross-entropy is minus the mean log-probability of the true class",
            lambda A2, Y, *a: -R.compute_loss(A2, Y, *a),
        ),
        (
            "it is the sum over the examples, m times too large: take the mean",
            lambda A2, Y, W1=None, W2=None, lambda_reg=0.0: (
                Y.size * R.compute_loss(A2, Y) + (lambda_reg / 2 * sq(W1, W2) if lambda_reg else 0.0)
            ),
        ),
        (
            "it averages over all 10 x m entries of one_hot(Y) * log(A2), 10 times too small: sum over the classes, "
            "then average over the examples",
            lambda A2, Y, *a: R.compute_loss(A2, Y, *a) / 10,
        ),
        (
            "it uses the base-10 logarithm: the cross-entropy uses the natural log",
            lambda A2, Y, *a: -np.mean(np.log10(np.maximum(_picked(A2, Y), np.finfo(float).tiny))),
        ),
        (
            "it averages the log of every probability: keep only the true class's",
            lambda A2, Y, *a: -np.mean(np.log(np.maximum(A2, np.finfo(float).tiny))),
        ),
        (
            "it averages the probabilities of the true class, then takes the log: the mean of the logs is the loss",
            lambda A2, Y, *a: -np.log(np.mean(_picked(A2, Y))),
        ),
        (
            "the L2 term lacks the 1/2: it is lambda / (2 m) times the squared weights, whose gradient is (lambda/m) W",
            _with_l2(lambda A2, Y, W1, W2, lam: lam / Y.size * sq(W1, W2)),
        ),
        (
            "the L2 term lacks the 1/m (m: the examples in this batch): lambda / (2 m), not lambda / 2",
            _with_l2(lambda A2, Y, W1, W2, lam: lam / 2 * sq(W1, W2)),
        ),
        ("the L2 term lacks both the 1/2 and the 1/m", _with_l2(lambda A2, Y, W1, W2, lam: lam * sq(W1, W2))),
        (
            "the L2 term penalises W1 only: add the squares of W2 too",
            _with_l2(lambda A2, Y, W1, W2, lam: lam / (2 * Y.size) * np.sum(W1**2)),
        ),
        (
            "the L2 term penalises W2 only: add the squares of W1 too",
            _with_l2(lambda A2, Y, W1, W2, lam: lam / (2 * Y.size) * np.sum(W2**2)),
        ),
        (
            "the L2 term sums the weights, not their squares",
            _with_l2(lambda A2, Y, W1, W2, lam: lam / (2 * Y.size) * (np.sum(W1) + np.sum(W2))),
        ),
        (
            "the L2 term uses the norms, not their squares: a sum of squares has no square root",
            _with_l2(lambda A2, Y, W1, W2, lam: lam / (2 * Y.size) * (np.linalg.norm(W1) + np.linalg.norm(W2))),
        ),
        (
            "the L2 term squares the sum of the weights: square each weight, then sum",
            _with_l2(lambda A2, Y, W1, W2, lam: lam / (2 * Y.size) * (np.sum(W1) ** 2 + np.sum(W2) ** 2)),
        ),
        (
            "it clips a probability of 0 to another value than the smallest positive float (np.finfo(np.float64).tiny)",
            lambda A2, Y, *a: (
                -np.mean(np.log(np.maximum(_picked(A2, Y), 1e-12))) + R.compute_loss(A2, Y, *a) - R.compute_loss(A2, Y)
            ),
        ),
        (
            "it clips by adding a small number to every probability: clip from below only, so right answers keep "
            "their exact log",
            lambda A2, Y, *a: (
                -np.mean(np.log(_picked(A2, Y) + 1e-12)) + R.compute_loss(A2, Y, *a) - R.compute_loss(A2, Y)
            ),
        ),
    )
    return Spec(
        "compute_loss",
        "mean cross-entropy, plus lambda/(2m) * (sum W1^2 + sum W2^2); finite when a probability is 0",
        ("compute_loss",),
        (
            Case("A2 (10 x 6) and its labels, without weights", (call(A2, Y),), quantities={"m": m}),
            Case("the same with the weights and lambda_reg = 0", (call(A2, Y, W1, W2, 0.0),), quantities={"m": m}),
            Case(
                "the same with lambda_reg = 0.7",
                (call(A2, Y, W1, W2, 0.7),),
                quantities={"m": m},
                same_as=(1, "lambda_reg"),
            ),
            Case("a true class given probability exactly 0", (call(_sure_and_wrong(A2, Y), Y),), tag="zero"),
        ),
        (
            Case("a hidden case", (call(A2h, Yh), call(A2h, Yh, W1h, W2h, 2.5)), quantities={"m": Yh.size}),
            Case("a hidden case", (call(_sure_and_wrong(A2h, Yh), Yh, W1h, W2h, 0.3),), tag="zero"),
        ),
        mistakes,
    )


def _backward_with(relu_in_place_of_derivative=False, l2_times_m=False, l2=True, m_override=None):
    def backward(Z1, A1, Z2, A2, W1, W2, X, Y, lambda_reg=0.0):
        m = m_override or Y.size
        lam = lambda_reg if l2 else 0.0
        scale = Y.size if l2_times_m else 1
        dZ2 = A2 - R.one_hot(Y)
        dW2 = dZ2 @ A1.T / m + scale * lam / Y.size * W2
        db2 = dZ2.sum(axis=1, keepdims=True) / m
        dZ1 = (W2.T @ dZ2) * (R.ReLU(Z1) if relu_in_place_of_derivative else R.ReLU_deriv(Z1))
        dW1 = dZ1 @ X.T / m + scale * lam / Y.size * W1
        db1 = dZ1.sum(axis=1, keepdims=True) / m
        return dW1, db1, dW2, db2

    return backward


def _backward_A1_for_derivative(Z1, A1, Z2, A2, W1, W2, X, Y, lambda_reg=0.0):
    m = Y.size
    dZ2 = A2 - R.one_hot(Y)
    dZ1 = (W2.T @ dZ2) * R.ReLU_deriv(A1 - 1)
    return (
        dZ1 @ X.T / m + lambda_reg / m * W1,
        dZ1.sum(axis=1, keepdims=True) / m,
        dZ2 @ A1.T / m + lambda_reg / m * W2,
        dZ2.sum(axis=1, keepdims=True) / m,
    )


def _backward_Z1_in_dW2(Z1, A1, Z2, A2, W1, W2, X, Y, lambda_reg=0.0):
    dW1, db1, dW2, db2 = R.backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y, lambda_reg)
    return dW1, db1, (A2 - R.one_hot(Y)) @ Z1.T / Y.size + lambda_reg / Y.size * W2, db2


def _backward_db_from_dW(Z1, A1, Z2, A2, W1, W2, X, Y, lambda_reg=0.0):
    dW1, db1, dW2, db2 = R.backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y, lambda_reg)
    return dW1, dW1.sum(axis=1, keepdims=True), dW2, dW2.sum(axis=1, keepdims=True)


def backward_prop() -> Spec:
    X, Y, (W1, b1, W2, b2) = network()
    forward = R.forward_prop(W1, b1, W2, b2, X)
    args = (*forward, W1, W2, X, Y)
    Xh, Yh, (W1h, b1h, W2h, b2h) = network(seed=25, input_size=7, hidden=3, m=9)
    argsh = (*R.forward_prop(W1h, b1h, W2h, b2h, Xh), W1h, W2h, Xh, Yh)
    return Spec(
        "backward_prop",
        "dW1, db1, dW2, db2 match on a batch of 6, with and without lambda_reg",
        ("dW1", "db1", "dW2", "db2"),
        (
            Case("a batch of 6 images, without L2", (call(*args),), quantities={"m": Y.size}),
            Case(
                "the same batch with lambda_reg = 0.7",
                (call(*args, 0.7),),
                quantities={"m": Y.size},
                same_as=(0, "lambda_reg"),
            ),
        ),
        (Case("a hidden case", (call(*argsh), call(*argsh, 1.3)), quantities={"m": Yh.size}),),
        (
            (
                "dZ1 uses ReLU(Z1) where the derivative ReLU_deriv(Z1) belongs",
                _backward_with(relu_in_place_of_derivative=True),
            ),
            (
                "the L2 term is m times too large: the gradient of (lambda / 2m) times the squared weights is "
                "(lambda / m) W",
                _backward_with(l2_times_m=True),
            ),
            (
                f"it divides by a global m ({M_GLOBAL}, the training set's size): m is the size of this batch, Y.size",
                _backward_with(m_override=M_GLOBAL),
            ),
            ("the ReLU derivative is taken of A1 - 1, not of Z1", _backward_A1_for_derivative),
            (
                "dW2 multiplies dZ2 by Z1 transposed: the output layer's input is A1, the activations",
                _backward_Z1_in_dW2,
            ),
            (
                "db1 and db2 are sums of the weight gradients: each bias gradient sums dZ over the examples",
                _backward_db_from_dW,
            ),
        ),
        order=("dW2", "db2", "dW1", "db1"),
    )


def update_params() -> Spec:
    _, _, params = network()
    grads = tuple(np.full_like(p, 0.25) * (i + 1) for i, p in enumerate(params))
    _, _, ph = network(seed=27, hidden=3)
    gh = tuple(np.random.default_rng(28).standard_normal(p.shape) for p in ph)
    return Spec(
        "update_params",
        "each parameter moves by -alpha times its gradient",
        ("W1", "b1", "W2", "b2"),
        (
            Case("the small network with alpha = 0.1", (call(*params, *grads, 0.1),)),
            Case("the same with alpha = 0.25", (call(*params, *grads, 0.25),), same_as=(0, "alpha")),
        ),
        (Case("a hidden case", (call(*ph, *gh, 0.037),)),),
        (
            (
                "the parameters moved uphill: subtract alpha times the gradient, do not add it",
                lambda W1, b1, W2, b2, dW1, db1, dW2, db2, alpha: (
                    W1 + alpha * dW1,
                    b1 + alpha * db1,
                    W2 + alpha * dW2,
                    b2 + alpha * db2,
                ),
            ),
        ),
    )


def _numerical(X, Y, params, lambda_reg=0.0, epsilon=1e-5, mistake=""):
    """Numerical gradients with one of the catalogued mistakes."""
    params = [np.array(p, dtype=np.float64) for p in params]

    def loss():
        W1, b1, W2, b2 = params
        return R.compute_loss(
            R.forward_prop(W1, b1, W2, b2, X)[3], Y, W1, W2, 0.0 if mistake == "no_lambda" else lambda_reg
        )

    grads = []
    for p in params:
        g = np.zeros_like(p)
        for index in np.ndindex(p.shape):
            saved = p[index]
            here = loss()
            p[index] = saved + epsilon
            plus = loss()
            p[index] = saved - epsilon
            minus = loss()
            p[index] = {"left_plus": saved + epsilon, "left_minus": saved - epsilon}.get(mistake, saved)
            g[index] = {
                "forward": (plus - here) / epsilon,
                "one_epsilon": (plus - minus) / epsilon,
                "precedence": (plus - minus) / 2 * epsilon,
            }.get(mistake, (plus - minus) / (2 * epsilon))
        grads.append(g)
    if mistake == "order":
        grads = [grads[0], grads[2], grads[1], grads[3]]
    if mistake == "columns":
        return np.concatenate([g.ravel(order="F") for g in grads])
    return np.concatenate([g.ravel() for g in grads])


def numerical_gradient() -> Spec:
    X, Y, params = network(input_size=4, hidden=3)
    Xh, Yh, ph = network(seed=29, input_size=3, hidden=2, m=5)
    base = (X, Y, params)
    mistakes = {
        "forward": "it uses the forward difference (J(theta + epsilon) - J(theta)) / epsilon, whose error shrinks only "
        "like epsilon: take the centred difference of J(theta + epsilon) and J(theta - epsilon)",
        "one_epsilon": "it divides by epsilon: the two nudges are 2 epsilon apart, divide by 2 epsilon",
        "precedence": "it divides by 2, then multiplies by epsilon: the whole 2 * epsilon is the denominator",
        "left_plus": "a parameter stays nudged (at saved + epsilon) after its turn: put it back to its saved value "
        "before the next, or every later entry is measured at the wrong point",
        "left_minus": "a parameter stays nudged (at saved - epsilon) after its turn: put it back to its saved value "
        "before the next, or every later entry is measured at the wrong point",
        "order": "the gradients are in the order W1, W2, b1, b2: keep the order of params, W1, b1, W2, b2",
        "columns": "each gradient is flattened column by column: flatten row by row, as np.ndindex walks",
        "no_lambda": "it ignores lambda_reg: J includes the L2 term, so pass lambda_reg on to compute_loss",
    }
    return Spec(
        "numerical_gradient",
        "centred differences of J for all 55 parameters, in the order W1, b1, W2, b2",
        ("numerical_gradient",),
        (
            Case(
                "a network of 4 inputs and 3 hidden neurons, lambda_reg = 0.7, epsilon = 1e-3",
                (call(*base, 0.7, 1e-3),),
            ),
            Case("the same with epsilon = 1e-4", (call(*base, 0.7, 1e-4),), same_as=(0, "epsilon")),
            Case("the same with lambda_reg = 0", (call(*base, 0.0, 1e-3),), same_as=(0, "lambda_reg")),
        ),
        (Case("a hidden case", (call(Xh, Yh, ph, 0.0, 1e-4), call(Xh, Yh, ph, 1.9, 1e-3))),),
        tuple(
            (message, lambda *a, kind=kind, **k: _numerical(*a, **k, mistake=kind))
            for kind, message in mistakes.items()
        ),
    )


def specs() -> list[Spec]:
    return [one_hot(), compute_loss(), backward_prop(), update_params(), numerical_gradient()]
