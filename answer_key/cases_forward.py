"""Cases of notebooks 01 to 03: the network's pieces, from the first weights to the forward pass."""

from __future__ import annotations

import numpy as np

from . import reference
from .specs import Case, Spec, call, network, rng

R = reference()

# --------------------------------------------------------------------------- 01: init_params


def _init_order_b_first(rng_, input_size=784, hidden_neurons=20, output_size=10):
    b1 = rng_.random((hidden_neurons, 1)) - 0.5
    W1 = rng_.random((hidden_neurons, input_size)) - 0.5
    b2 = rng_.random((output_size, 1)) - 0.5
    W2 = rng_.random((output_size, hidden_neurons)) - 0.5
    return W1, b1, W2, b2


def _init_transposed_draw(rng_, input_size=784, hidden_neurons=20, output_size=10):
    W1 = (rng_.random((input_size, hidden_neurons)) - 0.5).T
    b1 = rng_.random((hidden_neurons, 1)) - 0.5
    W2 = (rng_.random((hidden_neurons, output_size)) - 0.5).T
    b2 = rng_.random((output_size, 1)) - 0.5
    return W1, b1, W2, b2


def init_params() -> Spec:
    properties = Case(
        "the course's sizes (784 inputs, 20 hidden, 10 classes), drawn twice from default_rng(0) "
        "and once from default_rng(1)",
        (call(rng(0), 784, 20, 10), call(rng(0), 784, 20, 10), call(rng(1), 784, 20, 10)),
        exact=False,
        tag="properties",
    )
    small = Case(
        "a small network (8 inputs, 5 hidden, 10 classes) drawn from default_rng(3)", (call(rng(3), 8, 5, 10),)
    )
    return Spec(
        "init_params",
        "shapes (20, 784) (20, 1) (10, 20) (10, 1), values in [-0.5, 0.5), drawn from rng in the order W1, b1, W2, b2",
        ("W1", "b1", "W2", "b2"),
        (properties, small),
        (
            Case("a hidden case", (call(rng(11), 3, 4, 10), call(rng(12), 5, 2, 7)), tag="hidden"),
            Case("a hidden case", (call(rng(5), 784, 7, 10),), exact=False, tag="properties"),
        ),
        (
            (
                "the values are drawn in another order: draw W1, then b1, W2 and b2, so every notebook gets the same "
                "start from the same seed",
                _init_order_b_first,
            ),
            (
                "the weights are drawn as (input, hidden) and transposed: draw each array in its own shape, (hidden, "
                "input) for W1, so the numbers land where the course's do",
                _init_transposed_draw,
            ),
        ),
    )


# --------------------------------------------------------------------------- 02: ReLU, ReLU_deriv, softmax

Z_SMALL = np.array([[-2.0, -0.5, 0.0], [0.5, 2.0, -1e-3]])
Z_HIDDEN = np.round(np.random.default_rng(31).standard_normal((4, 7)) * 2, 2)
Z_HIDDEN[0, :3] = 0.0


def relu() -> Spec:
    return Spec(
        "ReLU",
        "max(0, Z), element-wise",
        ("ReLU(Z)",),
        (Case("a 2 x 3 matrix of positive, negative and zero entries", (call(Z_SMALL),)),),
        (Case("a hidden case", (call(Z_HIDDEN), call(Z_HIDDEN[:1])), tag="hidden"),),
        (
            ("negative inputs became positive: ReLU makes them 0, it does not take the absolute value", np.abs),
            (
                "it returned 0 and 1: that is the derivative; ReLU keeps positive values as they are",
                lambda Z: (Z > 0).astype(float),
            ),
            (
                "it kept the negative values and zeroed the positive ones: the comparison points the wrong way",
                lambda Z: np.minimum(0, Z),
            ),
            ("it returned max(1, Z): the threshold is 0", lambda Z: np.maximum(1, Z)),
        ),
    )


def relu_deriv() -> Spec:
    return Spec(
        "ReLU_deriv",
        "1 where Z > 0, 0 elsewhere",
        ("ReLU_deriv(Z)",),
        (
            Case(
                "a 2 x 3 matrix of positive, negative and zero entries",
                (call(np.array([[-2.0, -0.5, 0.0], [0.5, 2.5, -1e-3]])),),
            ),
        ),
        (Case("a hidden case", (call(Z_HIDDEN),), tag="hidden"),),
        (
            ("it returned ReLU(Z) (the activation A), not its derivative: 1 where Z > 0 and 0 elsewhere", R.ReLU),
            (
                "the derivative at 0 came out 1: the slope is 1 only where Z is strictly above 0",
                lambda Z: (Z >= 0).astype(float),
            ),
            (
                "it returned 1 for negative inputs and 0 for positive ones: the comparison points the wrong way",
                lambda Z: (Z < 0).astype(float),
            ),
        ),
    )


def _softmax_rows(Z):
    e = np.exp(Z - Z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _softmax_global(Z):
    e = np.exp(Z - np.max(Z))
    return e / np.sum(e, axis=0, keepdims=True)


def _softmax_whole(Z):
    e = np.exp(Z - Z.max(axis=0, keepdims=True))
    return e / e.sum()


def _softmax_shift_without_keepdims(Z):
    e = np.exp(Z - Z.max(axis=1, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def softmax() -> Spec:
    moderate = np.array([[1.0, 2.0, -1.0], [2.0, 0.0, -1.0], [3.0, 1.0, -1.0]])
    hard = np.array([[1000.0, -1000.0], [999.0, -1001.0], [0.0, -1002.0]])
    gen = np.random.default_rng(41)
    hidden = np.round(gen.standard_normal((10, 5)) * 3, 3)
    far = np.round(gen.standard_normal((10, 4)), 3) + np.array([-800.0, 0.0, 700.0, -30.0])
    return Spec(
        "softmax",
        "columns sum to 1, stable for logits of +-1000",
        ("softmax(Z)",),
        (
            Case("three columns of moderate logits", (call(moderate),)),
            Case("logits of +1000 and -1000", (call(hard),), tag="hard"),
        ),
        (Case("a hidden case", (call(hidden),)), Case("a hidden case", (call(far),), tag="hard")),
        (
            ("its rows sum to 1, not its columns: normalise each column (one column per example)", _softmax_rows),
            (
                "it subtracts the global maximum: a column far below it underflows to 0 / 0; "
                "subtract each column's own maximum",
                _softmax_global,
            ),
            ("it divides by the sum over the whole matrix: each column must sum to 1 on its own", _softmax_whole),
            (
                "it subtracts each row's maximum, not each column's: the shift must be one number per column",
                _softmax_shift_without_keepdims,
            ),
        ),
    )


# --------------------------------------------------------------------------- 03: forward_prop


def _forward(W1, b1, W2, b2, X, relu_out=True, softmax_out=True, bias=True, from_A1=True):
    Z1 = W1 @ X + (b1 if bias else 0)
    A1 = R.ReLU(Z1) if relu_out else Z1
    Z2 = W2 @ (A1 if from_A1 else Z1) + b2
    A2 = R.softmax(Z2) if softmax_out else R.ReLU(Z2)
    return Z1, A1, Z2, A2


def _forward_mistakes(inputs: str) -> tuple:
    """The forward pass's four mistakes, in the matrix version (``inputs`` "X") and image by image ("x")."""
    return (
        (
            "A2 is ReLU(Z2): the output layer uses softmax, so each column is a probability distribution",
            lambda *a: _forward(*a, softmax_out=False),
        ),
        (f"Z1 lacks the bias: add b1 to W1 {inputs}", lambda *a: _forward(*a, bias=False)),
        ("A1 is Z1: the hidden layer applies ReLU to its pre-activations", lambda *a: _forward(*a, relu_out=False)),
        (
            "Z2 is computed from Z1: the output layer takes the hidden activations A1",
            lambda *a: _forward(*a, from_A1=False),
        ),
    )


def forward_prop() -> Spec:
    X, _, params = network()
    Xh, _, ph = network(seed=21, input_size=7, hidden=3, m=9)
    return Spec(
        "forward_prop",
        "Z1, A1 (hidden, m) and Z2, A2 (10, m) on a small batch",
        ("Z1", "A1", "Z2", "A2"),
        (Case("a small batch of 6 images, 8 pixels each, 5 hidden neurons", (call(*params, X),)),),
        (Case("a hidden case", (call(*ph, Xh),)),),
        _forward_mistakes("X"),
    )


def _forward_loop(W1, b1, W2, b2, X, columns=None, same_image=False):
    """The forward pass one image at a time, over ``columns`` (default: all), each from image 0 if ``same_image``."""
    m = X.shape[1]
    Z1, A1 = np.zeros((W1.shape[0], m)), np.zeros((W1.shape[0], m))
    Z2, A2 = np.zeros((W2.shape[0], m)), np.zeros((W2.shape[0], m))
    for j in range(m) if columns is None else columns:
        x = X[:, [0 if same_image else j]]
        Z1[:, [j]] = W1 @ x + b1
        A1[:, [j]] = R.ReLU(Z1[:, [j]])
        Z2[:, [j]] = W2 @ A1[:, [j]] + b2
        A2[:, [j]] = R.softmax(Z2[:, [j]])
    return Z1, A1, Z2, A2


def forward_prop_loop() -> Spec:
    X, _, params = network()
    Xh, _, ph = network(seed=22, input_size=7, hidden=3, m=9)
    return Spec(
        "forward_prop_loop",
        "one image at a time, the same Z1, A1, Z2, A2 as the matrix version",
        ("Z1", "A1", "Z2", "A2"),
        (
            Case("a small batch of 6 images, 8 pixels each, 5 hidden neurons", (call(*params, X),)),
            Case("a batch of one image", (call(*params, X[:, :1]),)),
        ),
        (Case("a hidden case", (call(*ph, Xh),)),),
        (
            (
                "the last image is left out (its columns stay 0): loop over all m columns of X",
                lambda *a: _forward_loop(*a, columns=range(a[-1].shape[1] - 1)),
            ),
            (
                "the first image is left out (its columns stay 0): loop over all m columns of X, from column 0",
                lambda *a: _forward_loop(*a, columns=range(1, a[-1].shape[1])),
            ),
            (
                "every column holds the first image's values: take image j, column j of X, inside the loop",
                lambda *a: _forward_loop(*a, same_image=True),
            ),
            *_forward_mistakes("x"),
        ),
    )


def specs() -> list[Spec]:
    return [init_params(), relu(), relu_deriv(), softmax(), forward_prop(), forward_prop_loop()]
