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
