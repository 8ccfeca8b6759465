"""fashion_helpers.checks._values: values written down and read back, fingerprints, the one comparison."""

import math

import numpy as np
import pytest

from fashion_helpers.checks._values import Seeded, close, decode, encode, matches, sketch


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        3,
        0.1,
        "Shirt",
        [1, 2.5],
        (1, (2, 3)),
        {"loss": [0.5, 0.25], 3: "x"},
        np.array([[1.0, -2.5], [np.inf, 0.0]]),
        np.arange(6).reshape(2, 3),
        np.array([True, False]),
        np.random.default_rng(0).random((4, 5)),
        np.round(np.random.default_rng(1).random(40) * 8) / 8,
    ],
)
def test_a_value_reads_back_as_it_was_written(value):
    back = decode(encode(value))
    assert close(back, value) and type(back) is type(value)
    if isinstance(value, np.ndarray):
        assert back.dtype == value.dtype and back.shape == value.shape


def test_pixels_on_a_grid_are_written_as_whole_numbers():
    assert "ints" in encode(np.round(np.random.default_rng(2).random((28, 2)) * 8) / 8)


def test_non_finite_numbers_survive_and_a_generator_is_a_fresh_one_each_time():
    assert math.isnan(decode(encode(float("nan")))) and decode(encode(-math.inf)) == -math.inf
    first, second = decode(encode(Seeded(5))), decode(encode(Seeded(5)))
    assert first is not second and first.random() == second.random()


@pytest.mark.parametrize(
    "other, same",
    [
        (lambda a: a.copy(), True),
        (lambda a: a * (1 + 1e-12), True),
        (lambda a: a + np.eye(1, a.size).reshape(a.shape) * 1e-3, False),
        (lambda a: a.T, False),
        (lambda a: a.astype(int), False),
    ],
)
def test_a_fingerprint_recognises_its_output_and_nothing_else(other, same):
    a = np.random.default_rng(3).random((6, 5))
    assert matches(other(a), sketch(a)) is same
    assert matches((other(a), {"k": [1.0]}), sketch((a, {"k": [1.0]}))) is same


def test_the_comparison_tells_arrays_from_lists_and_tuples_from_numbers():
    assert close([1, 2], (1, 2)) and not close([1.0, 2.0], np.array([1.0, 2.0]))
    assert close(np.float64(50.0), 50.0) and not close(True, 1.0) and not close("a", "b")
    assert not close({"a": 1}, {"a": 1, "b": 2}) and close(np.array([np.nan]), np.array([np.nan]))
