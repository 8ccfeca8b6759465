"""fashion_helpers.analysis: confusion matrix, report and top confusions with class names."""

import numpy as np
import pytest

from fashion_helpers import analysis
from fashion_helpers.errors import CourseInputError

Y = np.array([6, 6, 6, 2, 2, 4, 0, 0, 9])
P = np.array([2, 2, 0, 4, 2, 2, 0, 6, 9])


def test_confusion_matrix_has_all_ten_classes():
    cm = analysis.confusion_matrix(Y, P)
    assert cm.shape == (10, 10) and cm.sum() == len(Y)
    assert cm[6, 2] == 2 and cm[2, 4] == 1 and cm[9, 9] == 1


def test_top_confusions_are_named_sorted_and_tie_broken():
    top = analysis.top_confusions(Y, P, k=3)
    assert top[0] == ("Shirt", "Pullover", 2)
    # the ties of count 1 come in (true, predicted) label order
    assert top[1:] == [("T-shirt/top", "Shirt", 1), ("Pullover", "Coat", 1)]


def test_classification_report_names_classes():
    report = analysis.classification_report(Y, P)
    assert "Shirt" in report and "Ankle boot" in report and "accuracy" in report


@pytest.mark.parametrize("case", range(6))
def test_confusion_matrix_and_report_are_scikit_learns_to_the_character(case):
    """The NumPy versions print what scikit-learn prints, absent and never-predicted classes included."""
    from sklearn.metrics import classification_report, confusion_matrix

    rng = np.random.default_rng(case)
    n = [9, 40, 400, 1, 25, 400][case]
    classes = 10 if case < 3 else 4  # cases 3-5: six classes absent from both
    labels = rng.integers(0, classes, n)
    guesses = np.where(rng.random(n) < 0.7, labels, rng.integers(0, classes, n))
    if case == 5:
        guesses[guesses == 1] = 2  # class 1 present but never predicted: precision 0 / 0
    assert np.array_equal(analysis.confusion_matrix(labels, guesses),
                          confusion_matrix(labels, guesses, labels=analysis.LABELS))
    for digits in (2, 4):
        expected = classification_report(labels, guesses, labels=analysis.LABELS,
                                          target_names=list(analysis.CLASS_NAMES), digits=digits, zero_division=0)
        assert analysis.classification_report(labels, guesses, digits=digits) == expected


def test_labels_outside_the_ten_classes_are_refused():
    with pytest.raises(CourseInputError, match="whole numbers 0 to 9"):
        analysis.confusion_matrix(Y, np.where(P == 9, 10, P))
    with pytest.raises(CourseInputError, match="whole numbers 0 to 9"):
        analysis.classification_report(Y.astype(float), P)


def test_misclassified_indices_by_label_or_name():
    assert list(analysis.misclassified_indices(Y, P, 6, 2)) == [0, 1]
    assert list(analysis.misclassified_indices(Y, P, "Shirt", "Pullover")) == [0, 1]
    with pytest.raises(CourseInputError, match="unknown class name 'Shirts'"):
        analysis.misclassified_indices(Y, P, "Shirts", "Pullover")


def test_mismatched_lengths_are_refused():
    with pytest.raises(CourseInputError, match="same length"):
        analysis.confusion_matrix(Y, P[:-1])


def test_choose_lambda_takes_the_best_dev_accuracy_and_the_smallest_lambda_on_a_tie():
    assert analysis.choose_lambda([0.0, 1.0, 3.0], [70.0, 72.5, 71.0]) == 1.0
    assert analysis.choose_lambda([10.0, 0.0, 3.0], [72.0, 70.0, 72.0]) == 3.0
    assert isinstance(analysis.choose_lambda([0, 1], [70.0, 70.0]), float)


def test_holdout_score_is_a_percentage_with_its_binomial_standard_error():
    from fashion_helpers import network

    rng = np.random.default_rng(0)
    params = network.init_params(rng, 784, 5)
    X = rng.random((784, 50))
    Y = network.make_predictions(X, *params)
    Y[:10] = (Y[:10] + 1) % 10                      # 40 of 50 right
    accuracy, standard_error = analysis.holdout_score(params, X, Y)
    assert accuracy == 80.0
    assert np.isclose(standard_error, 100 * np.sqrt(0.8 * 0.2 / 50))
