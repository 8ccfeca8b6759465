"""fashion_helpers.analysis: confusion matrix, report and misclassified indices with class names (top_confusions,
choose_lambda and holdout_score are exercises now: tests/test_solutions.py and the recorded cases check them)."""

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
    assert np.array_equal(
        analysis.confusion_matrix(labels, guesses), confusion_matrix(labels, guesses, labels=analysis.LABELS)
    )
    for digits in (2, 4):
        expected = classification_report(
            labels,
            guesses,
            labels=analysis.LABELS,
            target_names=list(analysis.CLASS_NAMES),
            digits=digits,
            zero_division=0,
        )
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


def test_t_975_matches_scipy_and_is_about_two_for_many_seeds():
    from scipy import stats

    for df in range(1, 31):
        assert analysis.t_975(df) == pytest.approx(stats.t.ppf(0.975, df), abs=5e-4)
    assert analysis.t_975(200) == 2.0
    with pytest.raises(CourseInputError):
        analysis.t_975(0)


def test_paired_gain_keeps_only_what_the_t_interval_puts_beyond_zero():
    steady = analysis.paired_gain([80.0, 81.0, 82.0], [78.0, 79.0, 80.5])  # +2, +2, +1.5: small spread
    assert steady["verdict"] == "gain" and steady["low"] > 0
    noisy = analysis.paired_gain([80.0, 75.0, 82.0], [78.0, 76.0, 79.0])  # +2, -1, +3
    assert noisy["verdict"] == "tie" and noisy["low"] < 0 < noisy["high"]
    assert analysis.paired_gain([70.0, 71.0, 69.0], [75.0, 76.0, 74.5])["verdict"] == "loss"
    assert analysis.paired_gain([80.0], [70.0])["verdict"] == "tie"
    assert list(noisy["gains"]) == [2.0, -1.0, 3.0]


def test_paired_image_gain_counts_the_images_the_two_networks_disagree_on():
    new = np.array([True] * 38 + [False] * 13 + [True] * 300 + [False] * 49)
    old = np.array([False] * 38 + [True] * 13 + [True] * 300 + [False] * 49)
    gain, se, b, c = analysis.paired_image_gain(new, old)
    assert (b, c) == (38, 13)
    assert gain == pytest.approx(6.25) and se == pytest.approx(1.76, abs=0.005)


def test_the_standard_error_of_an_accuracy_is_that_of_a_proportion():
    assert analysis.accuracy_se(80.0, 400) == pytest.approx(2.0)  # 100 sqrt(0.8 * 0.2 / 400)
    assert analysis.accuracy_se(100.0, 50) == 0.0


def test_gains_are_described_in_one_line_with_their_interval_or_the_lack_of_one():
    three = analysis.paired_gain([72.0, 70.0, 75.0], [70.0, 69.0, 71.0])
    line = analysis.describe_gain(three, "L2 - none")
    assert line.startswith("L2 - none, seed by seed: +2.00, +1.00, +4.00; mean +2.33, 95% interval ")
    assert f"-> {three['verdict']}" in line
    noisy = analysis.paired_gain([72.0, 70.0, 75.0], [70.0, 72.0, 71.0])  # gains +2, -2, +4
    half = analysis.t_975(2) * noisy["se"]  # the interval's half-width: the mean a gain would need
    assert analysis.describe_gain(noisy, "noisy").endswith(
        f"-> tie (at this spread a gain needs a mean above {half:.2f})"
    )
    assert analysis.describe_gain(analysis.paired_gain([72.0], [70.0]), "x").endswith("(one seed: no interval)")


def test_an_image_gain_is_described_with_its_counts_and_whether_it_is_beyond_two_standard_errors():
    new = np.array([True] * 30 + [False] * 70)
    old = np.array([False] * 20 + [True] * 10 + [False] * 70)
    line, beyond = analysis.describe_image_gain(new, old)  # 20 gained, none lost
    assert line.startswith("+20.00 points (standard error ") and "20 gained, 0 lost" in line
    assert line.endswith("beyond two standard errors") and beyond
    line, beyond = analysis.describe_image_gain(old, new)  # the same, lost: beyond, but no gain
    assert line.startswith("-20.00 points") and line.endswith("beyond two standard errors") and not beyond
