"""Cases of notebooks 06 and 07: predictions for a batch, the most frequent confusions, the choice of lambda and
the held-out score."""

from __future__ import annotations

import numpy as np

from fashion_helpers.analysis import LABELS, confusion_matrix
from fashion_helpers.data import CLASS_NAMES

from . import reference
from .specs import Case, Spec, call, network

R = reference()


def make_predictions() -> Spec:
    X, _, params = network()
    Xh, _, ph = network(seed=71, input_size=7, hidden=3, m=11)
    return Spec(
        "make_predictions",
        "one class per column of X, as forward_prop and get_predictions give it",
        ("make_predictions(X, ...)",),
        (Case("a small batch of 6 images", (call(X, *params),)),),
        (Case("a hidden case", (call(Xh, *ph),)),),
        (
            (
                "it returns the probabilities A2: turn them into classes, one per image",
                lambda X, *p: R.forward_prop(*p, X)[3],
            ),
            (
                "it returns the hidden layer's strongest neuron, not the output layer's most likely class",
                lambda X, *p: np.argmax(R.forward_prop(*p, X)[1], axis=0),
            ),
        ),
    )


def _confusions(order: str = "", diagonal: bool = False, numbers: bool = False):
    def top(Y, predictions, k=3):
        cm = confusion_matrix(Y, predictions)
        pairs = [(int(cm[t, p]), t, p) for t in LABELS for p in LABELS if (diagonal or t != p) and cm[t, p] > 0]
        key = {
            "": lambda x: (-x[0], x[1], x[2]),
            "predicted_first": lambda x: (-x[0], x[2], x[1]),
            "ascending": lambda x: (x[0], x[1], x[2]),
            "labels_descending": lambda x: (-x[0], -x[1], -x[2]),
        }[order]
        pairs.sort(key=key)
        if numbers:
            return [(t, p, count) for count, t, p in pairs[:k]]
        return [(CLASS_NAMES[t], CLASS_NAMES[p], count) for count, t, p in pairs[:k]]

    return top


def top_confusions() -> Spec:
    Y = np.array([6, 6, 6, 2, 2, 4, 0, 0, 9, 6, 2])
    P = np.array([2, 2, 0, 4, 2, 2, 0, 6, 9, 2, 4])
    gen = np.random.default_rng(73)
    Yh = gen.integers(0, 10, 60)
    Ph = np.where(gen.random(60) < 0.5, Yh, gen.integers(0, 10, 60))
    return Spec(
        "top_confusions",
        "the k most frequent mistakes, named, most frequent first, ties in label order",
        ("top_confusions",),
        (
            Case("11 labelled predictions, k = 3", (call(Y, P, 3),)),
            Case("the same with k = 1", (call(Y, P, 1),), same_as=(0, "k")),
            Case("the same with k = 20, more than the confusions there are", (call(Y, P, 20),)),
        ),
        (Case("a hidden case", (call(Yh, Ph, 5), call(Yh, Ph, 2), call(Yh[:12], Ph[:12], 90))),),
        (
            (
                "a correct prediction (true == predicted) is listed: "
                "the diagonal of the confusion matrix is no mistake",
                _confusions(diagonal=True),
            ),
            ("the classes are numbers: return class names (data.CLASS_NAMES)", _confusions(numbers=True)),
            (
                "ties are broken by predicted label first: break them by true label, then predicted label",
                _confusions("predicted_first"),
            ),
            ("the least frequent come first: most frequent first", _confusions("ascending")),
            (
                "ties are broken by the larger labels first: by true label, then predicted label, in increasing order",
                _confusions("labels_descending"),
            ),
        ),
    )


def _lambda_choice(rule: str):
    def choose(lambda_regs, dev_accuracies):
        lambdas, accuracies = list(lambda_regs), list(dev_accuracies)
        if rule == "first":
            return float(lambdas[int(np.argmax(accuracies))])
        if rule == "largest":
            return float(max(lam for lam, a in zip(lambdas, accuracies, strict=True) if a == max(accuracies)))
        if rule == "lowest":
            return float(lambdas[int(np.argmin(accuracies))])
        return float(accuracies[int(np.argmax(accuracies))])

    return choose


def choose_lambda() -> Spec:
    cases = (
        Case("a clear winner", (call([0.0, 1.0, 3.0, 10.0, 30.0], [66.25, 66.25, 68.75, 72.5, 69.25]),)),
        Case("a tie between 1 and 3", (call([0.0, 1.0, 3.0, 10.0], [70.0, 72.0, 72.0, 71.0]),), tag="tie"),
        Case("a tie with the larger lambda listed first", (call([10.0, 0.0, 3.0], [72.0, 70.0, 72.0]),), tag="tie"),
    )
    hidden = (
        Case(
            "a hidden case", (call([30.0, 0.3, 3.0, 0.0, 1.0], [71.5, 73.25, 70.0, 73.25, 73.25]), call([0.1], [50.0]))
        ),
    )
    return Spec(
        "choose_lambda",
        "the highest dev accuracy wins; a tie goes to the smallest lambda, wherever it stands in the list",
        ("choose_lambda",),
        cases,
        hidden,
        (
            (
                "the tie went to the lambda listed first (np.argmax picks the first): "
                "a tie goes to the smallest lambda, wherever it stands in the list",
                _lambda_choice("first"),
            ),
            (
                "the tie went to the larger lambda: "
                "a tie goes to the smallest (the least regularisation that does the job)",
                _lambda_choice("largest"),
            ),
            ("that lambda has the lowest dev accuracy: choose the highest", _lambda_choice("lowest")),
            ("it returns the best dev accuracy, not the lambda that reached it", _lambda_choice("accuracy")),
        ),
    )


def _holdout_fixture(seed=5, m=40, wrong=10):
    gen = np.random.default_rng(seed)
    params = R.init_params(gen, 8, 5, 10)
    X = gen.random((8, m))
    Y = R.make_predictions(X, *params).copy()
    Y[:wrong] = (Y[:wrong] + 1) % 10
    return params, X, Y


def _holdout(se):
    def score(params, X, Y):
        accuracy = R.get_accuracy(R.make_predictions(X, *params), Y)
        return accuracy, float(se(accuracy / 100, Y.size))

    return score


def holdout_score() -> Spec:
    params, X, Y = _holdout_fixture()
    ph, Xh, Yh = _holdout_fixture(seed=75, m=33, wrong=7)
    return Spec(
        "holdout_score",
        "the accuracy (%) on the held-out images and its standard error 100 * sqrt(p (1 - p) / n)",
        ("accuracy", "standard error"),
        (Case("40 images, 30 of them predicted right", (call(params, X, Y),), quantities={"percent": True}),),
        (Case("a hidden case", (call(ph, Xh, Yh),), quantities={"percent": True}),),
        (
            (
                "the accuracy is a fraction: the course reports percentages",
                lambda p, X, Y: (
                    _holdout(lambda q, n: 100 * np.sqrt(q * (1 - q) / n))(p, X, Y)[0] / 100,
                    _holdout(lambda q, n: 100 * np.sqrt(q * (1 - q) / n))(p, X, Y)[1],
                ),
            ),
            (
                "the standard error is a fraction: multiply by 100 to have percentage points, like the accuracy",
                _holdout(lambda q, n: np.sqrt(q * (1 - q) / n)),
            ),
            ("the standard error lacks the square root", _holdout(lambda q, n: 100 * q * (1 - q) / n)),
            (
                "the standard error divides by n outside the square root",
                _holdout(lambda q, n: 100 * np.sqrt(q * (1 - q)) / n),
            ),
            (
                "the standard error forgot to divide by n, the number of held-out images",
                _holdout(lambda q, n: 100 * np.sqrt(q * (1 - q))),
            ),
            (
                "the standard error divides by n - 1: the binomial standard error divides by n",
                _holdout(lambda q, n: 100 * np.sqrt(q * (1 - q) / (n - 1))),
            ),
            (
                "the standard error uses the accuracy in percent inside the square root: p is a fraction there",
                _holdout(lambda q, n: np.sqrt(100 * q * (1 - 100 * q) / n)),
            ),
        ),
    )


def specs() -> list[Spec]:
    return [make_predictions(), top_confusions(), choose_lambda(), holdout_score()]
