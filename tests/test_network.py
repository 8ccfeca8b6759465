"""fashion_helpers.network: the one-line refusals of what the network's functions are given."""

import numpy as np
import pytest

from fashion_helpers import network
from fashion_helpers.errors import CourseInputError


@pytest.mark.parametrize(
    "X, Y, message",
    [
        (
            np.full((784, 3), 255.0),
            np.array([1, 2, 3]),
            r"X holds values from 255 to 255, expected scaled pixels in "
            r"\[0, 1\]: divide raw pixels by 255",
        ),
        (
            np.zeros((3, 784)),
            np.array([1, 2, 3]),
            r"expected \(784, m\): one column per image \(did you forget \.T\?\)",
        ),
        (np.zeros((784, 0)), np.array([], dtype=int), r"X holds no numbers"),
        (np.zeros((784, 3)), [1, 2, 3], r"Y must be a numpy array of labels, got list: use np.asarray\(Y\)"),
        (np.zeros((784, 3)), np.array([1.0, 2.0, 3.0]), r"got dtype float64: convert with Y.astype\(int\)"),
        (np.zeros((784, 3)), np.array([1, 2, 12]), r"Y holds labels from 1 to 12, expected 0..9"),
        (np.zeros((784, 3)), np.array([1, 2]), r"one label per column of X"),
    ],
)
def test_bad_inputs_are_refused_in_one_line(X, Y, message):
    with pytest.raises(CourseInputError, match=message):
        network.check_inputs(X, Y)


def test_a_small_made_up_problem_with_few_inputs_is_accepted():
    network.check_inputs(np.array([[-3.0, 2.5], [0.5, 9.0]]), np.array([0, 1]))


def test_parameters_with_shapes_that_do_not_agree_are_refused():
    W1, b1, W2, b2 = np.zeros((20, 784)), np.zeros((20, 1)), np.zeros((10, 20)), np.zeros((10, 1))
    network.check_params(W1, b1, W2, b2)
    with pytest.raises(CourseInputError, match=r"W1 has shape \(784, 20\), expected \(20, 784\)"):
        network.check_params(W1.T, b1, W2, b2)
    W1[0, 0] = np.nan
    with pytest.raises(CourseInputError, match="W1 holds NaN or inf"):
        network.check_params(W1, b1, W2, b2)
    with pytest.raises(CourseInputError, match="params must be the four arrays"):
        network.check_training_args(np.zeros((784, 2)), np.array([1, 2]), 0.1, 5, params=(W1, b1, W2))
