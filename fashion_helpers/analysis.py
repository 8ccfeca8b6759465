"""Error analysis (notebook 07): the confusion matrix, the classification report and the images behind a
confusion, with class names. The most frequent confusions, the choice of lambda and the held-out score are the
student's exercises of that notebook."""

from __future__ import annotations

import numpy as np

from .data import CLASS_NAMES, NUM_CLASSES
from .errors import CourseInputError

LABELS = list(range(NUM_CLASSES))


def _check_pair(Y, predictions) -> tuple[np.ndarray, np.ndarray]:
    Y, predictions = np.asarray(Y), np.asarray(predictions)
    if Y.shape != predictions.shape or Y.ndim != 1:
        raise CourseInputError(f"Y {Y.shape} and predictions {predictions.shape} must be 1-D and the same length")
    for name, values in (("Y", Y), ("predictions", predictions)):
        if values.size and (values.dtype.kind not in "iu" or values.min() < 0 or values.max() >= NUM_CLASSES):
            raise CourseInputError(
                f"{name} must hold class labels, whole numbers 0 to {NUM_CLASSES - 1}; "
                "pass labels (e.g. network.get_predictions(A2)), not probabilities or names"
            )
    return Y, predictions


def confusion_matrix(Y, predictions) -> np.ndarray:
    """Counts (10, 10): row = true class, column = predicted class; all ten classes even if some are absent."""
    Y, predictions = _check_pair(Y, predictions)
    pairs = Y.astype(np.int64) * NUM_CLASSES + predictions.astype(np.int64)  # one number per (true, predicted)
    return np.bincount(pairs, minlength=NUM_CLASSES * NUM_CLASSES).reshape(NUM_CLASSES, NUM_CLASSES)


def classification_report(Y, predictions, digits: int = 2) -> str:
    """Per-class precision, recall, F1 and support with class names, laid out as scikit-learn's report.

    Precision of class c: of the images predicted c, the share that are c (column c of the confusion matrix);
    recall: of the images of class c, the share predicted c (row c); F1: their harmonic mean. A class never
    predicted (or absent) gets 0 instead of 0 / 0. Written with NumPy from the confusion matrix: scikit-learn's
    ``classification_report`` prints the same table (a test checks it) but takes over a second to import.
    """
    cm = confusion_matrix(Y, predictions)
    correct, predicted, support = np.diag(cm), cm.sum(axis=0), cm.sum(axis=1)
    precision = np.divide(correct, predicted, out=np.zeros(NUM_CLASSES), where=predicted > 0)
    recall = np.divide(correct, support, out=np.zeros(NUM_CLASSES), where=support > 0)
    both = precision + recall
    f1 = np.divide(2 * precision * recall, both, out=np.zeros(NUM_CLASSES), where=both > 0)
    total = int(support.sum())
    columns = zip(CLASS_NAMES, precision, recall, f1, support, strict=True)
    rows = [(name, (p, r, f), int(n)) for name, p, r, f, n in columns]
    averages = [
        ("macro avg", (precision.mean(), recall.mean(), f1.mean()), total),
        (
            "weighted avg",
            tuple(np.average(v, weights=support) if total else 0.0 for v in (precision, recall, f1)),
            total,
        ),
    ]
    width = max(len(name) for name in (*CLASS_NAMES, "weighted avg"))
    head = f"{'':>{width}s} " + "".join(f" {h:>9s}" for h in ("precision", "recall", "f1-score", "support"))
    line = "{:>{width}s} " + " {:>9.{digits}f}" * 3 + " {:>9}"
    lines = [head, ""]
    lines += [line.format(name, *values, n, width=width, digits=digits) for name, values, n in rows]
    lines.append("")
    accuracy = correct.sum() / total if total else 0.0
    lines.append(f"{'accuracy':>{width}s} " + " " * 20 + f" {accuracy:>9.{digits}f} {total:>9}")
    lines += [line.format(name, *values, n, width=width, digits=digits) for name, values, n in averages]
    return "\n".join(lines) + "\n"


def misclassified_indices(Y, predictions, true_label: int | str, predicted_label: int | str) -> np.ndarray:
    """Indices of the examples of class ``true_label`` predicted as ``predicted_label`` (labels or names)."""
    Y, predictions = _check_pair(Y, predictions)
    t, p = (_label(x) for x in (true_label, predicted_label))
    return np.flatnonzero((Y == t) & (predictions == p))


def _label(value: int | str) -> int:
    if isinstance(value, str):
        if value not in CLASS_NAMES:
            raise CourseInputError(f"unknown class name {value!r}; the classes are {', '.join(CLASS_NAMES)}")
        return CLASS_NAMES.index(value)
    return int(value)


# --------------------------------------------------------------------------- paired comparisons over seeds

#: The 97.5 % quantile of Student's t with 1 to 30 degrees of freedom (a test checks them against scipy); a
#: two-sided 95 % interval for a mean of n values is mean ± t(n - 1) · s / sqrt(n). Beyond 30: 2.0 is close.
T_975 = (
    12.706,
    4.303,
    3.182,
    2.776,
    2.571,
    2.447,
    2.365,
    2.306,
    2.262,
    2.228,
    2.201,
    2.179,
    2.160,
    2.145,
    2.131,
    2.120,
    2.110,
    2.101,
    2.093,
    2.086,
    2.080,
    2.074,
    2.069,
    2.064,
    2.060,
    2.056,
    2.052,
    2.048,
    2.045,
    2.042,
)


def t_975(df: int) -> float:
    """The factor of a 95 % interval from df degrees of freedom: 4.30 for 3 seeds (df 2), about 2 for many."""
    if df < 1:
        raise CourseInputError(f"a t interval needs at least 1 degree of freedom (2 values), got {df}")
    return T_975[df - 1] if df <= len(T_975) else 2.0


def paired_gain(new, old) -> dict:
    """Seed-by-seed comparison of two configurations scored on the same seeds (same splits, same streams).

    new, old: one score each per seed, in the same seed order. Returns the per-seed ``gains`` (new - old), their
    ``mean``, the ``se`` of the mean (sd / sqrt(n)), the 95 % t interval ``low``, ``high`` and a ``verdict``:
    "gain" when the whole interval is above 0, "loss" when below, "tie" otherwise (also with a single seed).
    """
    gains = np.asarray(new, dtype=float) - np.asarray(old, dtype=float)
    if gains.ndim != 1 or gains.size == 0:
        raise CourseInputError("new and old must be one score per seed, the same number of seeds")
    mean = float(gains.mean())
    if gains.size == 1:
        return {
            "gains": gains,
            "mean": mean,
            "se": float("nan"),
            "low": float("-inf"),
            "high": float("inf"),
            "verdict": "tie",
        }
    se = float(gains.std(ddof=1) / np.sqrt(gains.size))
    half = t_975(gains.size - 1) * se
    verdict = "gain" if mean - half > 0 else "loss" if mean + half < 0 else "tie"
    return {"gains": gains, "mean": mean, "se": se, "low": mean - half, "high": mean + half, "verdict": verdict}


def paired_image_gain(right_new, right_old) -> tuple[float, float, int, int]:
    """Gain (points) of one network over another on the same images, and its paired standard error.

    right_new, right_old: booleans, one per image, True where each network is right. With b images right only
    with the new one and c only with the old, the gain is 100 (b - c) / n and its SE 100 sqrt(b + c - (b - c)²/n) / n.
    Returns ``gain, se, b, c``.
    """
    right_new, right_old = np.asarray(right_new, dtype=bool), np.asarray(right_old, dtype=bool)
    n = right_new.size
    b, c = int(np.sum(right_new & ~right_old)), int(np.sum(right_old & ~right_new))
    return 100 * (b - c) / n, 100 * np.sqrt(b + c - (b - c) ** 2 / n) / n, b, c


def accuracy_se(accuracy, n: int) -> float:
    """Standard error (points) of an accuracy (%) measured on n images: 100 sqrt(p (1 - p) / n), p = accuracy/100."""
    p = accuracy / 100
    return float(100 * np.sqrt(p * (1 - p) / n))


def describe_gain(gain: dict, what: str) -> str:
    """One line of a :func:`paired_gain`: ``what``, the per-seed gains, their mean and, from two seeds on, the 95 % t
    interval and its verdict; for a tie, the mean gain that spread would have needed (the interval's half-width)."""
    line = f"{what}, seed by seed: " + ", ".join(f"{g:+.2f}" for g in gain["gains"]) + f"; mean {gain['mean']:+.2f}"
    if gain["gains"].size == 1:
        return line + " (one seed: no interval)"
    line += f", 95% interval {gain['low']:+.2f} to {gain['high']:+.2f} -> {gain['verdict']}"
    if gain["verdict"] == "tie":  # how large a mean gain this spread of gains would have needed
        line += f" (at this spread a gain needs a mean above {(gain['high'] - gain['low']) / 2:.2f})"
    return line


def describe_image_gain(right_new, right_old) -> tuple[str, bool]:
    """One network's :func:`paired_image_gain` over another on the same images, in words (``+4.00 points (standard
    error 1.83; 35 gained, 19 lost) -> beyond two standard errors``), and whether it is a gain beyond two."""
    gain, se, b, c = paired_image_gain(right_new, right_old)
    beyond = "beyond two standard errors" if abs(gain) > 2 * se else "within two standard errors"
    return f"{gain:+.2f} points (standard error {se:.2f}; {b} gained, {c} lost) -> {beyond}", bool(gain > 2 * se)
