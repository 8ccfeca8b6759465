"""Self-checks of notebooks 06 and 07: predictions, confusions, the choice of lambda, the held-out score."""

from __future__ import annotations

import numbers

from .. import exercises
from ._framework import NO_HOOKS, Hooks, arguments, self_check


def check_make_predictions(fn, *, hidden: bool = False):
    """Check ``make_predictions(X, W1, b1, W2, b2)``: one predicted class per column of X."""
    return self_check(fn, "make_predictions", HOOKS.get("make_predictions", NO_HOOKS), hidden=hidden)


def _confusion_shape(case, outcomes):
    got = outcomes[0].returned
    if not isinstance(got, list) or not all(isinstance(x, tuple) and len(x) == 3 for x in got):
        return "it must return a list of (true name, predicted name, count) tuples"
    if any(t == p for t, p, _ in got):
        return "a correct prediction (true == predicted) is listed: the diagonal of the confusion matrix is no mistake"
    return None


def check_top_confusions(fn, *, hidden: bool = False):
    """Check ``top_confusions(Y, predictions, k)``: the k most frequent (true, predicted, count), ties in label
    order."""
    return self_check(fn, "top_confusions", HOOKS.get("top_confusions", NO_HOOKS), hidden=hidden)


def _lambda_words(case, outcomes):
    (lambdas, accuracies), _ = arguments(exercises.exercise("choose_lambda"), case["calls"][0])
    got = outcomes[0].returned
    if not isinstance(got, numbers.Real):
        return f"it returned {type(got).__name__}, expected one lambda (a number)"
    if got in accuracies and got not in lambdas:
        return "it returned a dev accuracy: return the lambda that reached it"
    if isinstance(got, numbers.Integral) and 0 <= got < len(lambdas) and got not in lambdas:
        return f"it returned {got}, a position in the list: return the lambda itself"
    return None


def check_choose_lambda(fn, *, hidden: bool = False):
    """Check ``choose_lambda(lambda_regs, dev_accuracies)``: the highest dev accuracy, a tie to the smallest lambda."""
    return self_check(fn, "choose_lambda", HOOKS.get("choose_lambda", NO_HOOKS), hidden=hidden)


def check_holdout_score(fn, *, hidden: bool = False):
    """Check ``holdout_score(params, X_holdout, Y_holdout)``: accuracy (%) and its standard error (points)."""
    return self_check(fn, "holdout_score", HOOKS.get("holdout_score", NO_HOOKS), hidden=hidden)


#: What each check adds to its exercise's recorded cases; the isolated grader uses the same.
HOOKS = {
    "top_confusions": Hooks(before=_confusion_shape),
    "choose_lambda": Hooks(after=_lambda_words),
}
