"""Self-checks of notebooks 06, 07 and 10: predictions, confusions, the choice of lambda, the held-out score, and
notebook 10's search within a budget."""

from __future__ import annotations

import numbers

from .. import exercises
from . import _framework
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


def check_next_trial(fn, trainer, *, n_seeds: int, target: float):
    """Check the search ``next_trial(trials, budget_left)`` of notebook 10: run it with the counted ``trainer``,
    print its trials, then judge the choice as :func:`fashion_helpers.search.verdict` does (trained by the search on
    every seed; the mean of ``n_seeds`` fresh trainings against ``target``).

    Returns the chosen configuration (None while the exercise is open). The grade does not come from here: the
    isolated grader runs the same search with its own trainer and judges the choice itself."""
    from .. import search

    result = search.verdict(fn, trainer, n_seeds, target)
    for i, t in enumerate(trainer.trials, 1):
        print(
            f"training {i:2d}: hidden {t['hidden_neurons']:3d}  alpha {t['alpha']:<6g} epochs {t['epochs']:3d}  "
            f"lambda_reg {t['lambda_reg']:<5g} seed {t['seed']}  ->  dev {t['dev_accuracy']:6.2f}%"
        )
    if result.get("open"):
        _framework._to_grader(f"NOT YET  {search.NAME}: {result['message']}; no choice to score yet.")
        return None
    if result["points"] < 1:
        raise _framework.CheckFailed(result["message"])
    print(f"PASS  {search.NAME}: {result['message']}")
    return result["choice"]
