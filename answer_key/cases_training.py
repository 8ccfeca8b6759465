"""Cases of notebook 05: predictions, accuracy and the training loop."""

from __future__ import annotations

import numpy as np

from . import reference
from .specs import Case, Spec, call, network, rng

R = reference()

# --------------------------------------------------------------------------- 05: get_predictions, get_accuracy


def get_predictions() -> Spec:
    A2 = R.softmax(np.array([[1.0, 5.0, 0.0, 2.0], [3.0, 0.0, 0.0, 2.5], [0.0, 1.0, 4.0, 0.0]]))
    Ah = R.softmax(np.round(np.random.default_rng(51).standard_normal((10, 7)) * 2, 2))
    return Spec(
        "get_predictions",
        "the row of each column's largest probability",
        ("get_predictions(A2)",),
        (Case("probabilities of 3 classes for 4 images", (call(A2),)),),
        (Case("a hidden case", (call(Ah),)),),
        (
            (
                "it returns one value per row: take the largest of each column (one prediction per image)",
                lambda A2: np.argmax(A2, axis=1),
            ),
            ("it returns the largest probabilities, not the rows where they are", lambda A2: np.max(A2, axis=0)),
            (
                "it returns the least likely class of each image: the largest probability wins",
                lambda A2: np.argmin(A2, axis=0),
            ),
        ),
    )


def get_accuracy() -> Spec:
    return Spec(
        "get_accuracy",
        "percentage of predictions equal to the labels",
        ("get_accuracy",),
        (
            Case(
                "2 of 4 predictions right",
                (call(np.array([1, 2, 3, 4]), np.array([1, 2, 0, 0])),),
                quantities={"percent": True},
            ),
            Case(
                "3 of 5 predictions right",
                (call(np.array([1, 2, 3, 4, 5]), np.array([1, 2, 3, 0, 0])),),
                quantities={"percent": True},
            ),
        ),
        (
            Case(
                "a hidden case",
                (
                    call(np.array([0, 9, 9, 3, 1, 1, 2]), np.array([0, 9, 8, 3, 2, 7, 5])),
                    call(np.array([4, 4]), np.array([4, 4])),
                ),
                quantities={"percent": True},
            ),
        ),
        (
            (
                "it counts the right predictions: the accuracy is their percentage of all predictions",
                lambda p, Y: float(np.sum(p == Y)),
            ),
        ),
    )


# --------------------------------------------------------------------------- 05: gradient_descent


def _descent(
    X,
    Y,
    alpha,
    iterations,
    rng_=None,
    *,
    hidden_neurons=20,
    lambda_reg=0.0,
    print_every=None,
    params=None,
    dev=None,
    mistake="",
):
    """The reference loop with one of the catalogued mistakes."""
    W1, b1, W2, b2 = R.init_params(rng_, X.shape[0], hidden_neurons) if params is None else params
    every, history = print_every or 10, {}
    last = iterations - 1 if mistake == "no_final_record" else iterations
    for i in range(last + 1):
        Z1, A1, Z2, A2 = R.forward_prop(W1, b1, W2, b2, X)
        if i % every == 0 or i == last:
            record = {
                "iteration": i,
                "loss": R.compute_loss(A2, Y, W1, W2, 0.0 if mistake == "loss_without_l2" else lambda_reg),
                "train_accuracy": R.get_accuracy(R.get_predictions(A2), Y),
            }
            if dev is not None:
                A2_dev = R.forward_prop(W1, b1, W2, b2, dev[0])[3]
                record["dev_loss"] = R.compute_loss(
                    A2_dev, dev[1], W1, W2, lambda_reg if mistake == "dev_loss_with_l2" else 0.0
                )
                record["dev_accuracy"] = R.get_accuracy(R.get_predictions(A2_dev), dev[1])
            for key, value in record.items():
                history.setdefault(key, []).append(value)
            if print_every:
                print(i)
        if i < iterations:
            grads = R.backward_prop(
                Z1, A1, Z2, A2, W1, W2, X, Y, 0.0 if mistake == "l2_not_in_gradients" else lambda_reg
            )
            W1, b1, W2, b2 = R.update_params(W1, b1, W2, b2, *grads, alpha)
    return (W1, b1, W2, b2), history


def gradient_descent() -> Spec:
    X, Y, start = network(seed=53, hidden=4, m=8, coarse=True)
    Xd, Yd, _ = network(seed=54, m=3, coarse=True)
    dev = (Xd, Yd)
    Xh, Yh, sh = network(seed=55, input_size=6, hidden=3, m=10, coarse=True)
    Xhd, Yhd, _ = network(seed=56, input_size=6, m=4, coarse=True)
    cases = (
        Case(
            "12 iterations at alpha = 0.5 from a given start, with a dev set of 3",
            (call(X, Y, 0.5, 12, params=start, dev=dev),),
            tag="main",
        ),
        Case("the same at alpha = 0.25", (call(X, Y, 0.25, 12, params=start, dev=dev),), same_as=(0, "alpha")),
        Case(
            "the same with lambda_reg = 0.7",
            (call(X, Y, 0.5, 12, lambda_reg=0.7, params=start, dev=dev),),
            same_as=(0, "lambda_reg"),
        ),
        Case(
            "3 iterations from default_rng(0) with 4 hidden neurons, no dev set",
            (call(X, Y, 0.5, 3, rng(0), hidden_neurons=4),),
        ),
        Case("9 iterations printing every 4", (call(X, Y, 0.5, 9, params=start, print_every=4),), printed=True),
    )
    hidden = (
        Case(
            "a hidden case",
            (
                call(Xh, Yh, 0.3, 7, params=sh, dev=(Xhd, Yhd), print_every=3, lambda_reg=0.2),
                call(Xh, Yh, 0.8, 25, rng(57), hidden_neurons=2),
            ),
            printed=True,
        ),
    )
    mistakes = {
        "no_final_record": "history has no record after the last update: record before the first update, every "
        "print_every updates, and once more after the last one (the trained network)",
        "loss_without_l2": "history['loss'] leaves out the L2 term: the loss recorded is J, with "
        "lambda/(2m) times the squared weights",
        "dev_loss_with_l2": "history['dev_loss'] includes the L2 term: the dev loss is the cross-entropy alone",
        "l2_not_in_gradients": "the updates ignore lambda_reg: pass it on to backward_prop",
    }
    return Spec(
        "gradient_descent",
        "the reference's parameters and history after 12 iterations, with and without a dev "
        "set, a given start or a drawn one",
        ("params", "history"),
        cases,
        hidden,
        tuple(
            (message, lambda *a, kind=kind, **k: _descent(*a, **k, mistake=kind)) for kind, message in mistakes.items()
        ),
        order=("history", "params"),
    )


def specs() -> list[Spec]:
    return [get_predictions(), get_accuracy(), gradient_descent()]
