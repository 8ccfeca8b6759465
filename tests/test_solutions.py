"""The instructor's solutions (notebooks/my_functions.py, exported from the notebooks): what the notebooks rely on
them doing, beyond the self-checks' small cases: the fixes to the mid-term's flaws, determinism, the mid-term's
regime, and gradient descent's one-line refusals (its given lines)."""

import numpy as np
import pytest

from fashion_helpers.errors import CourseInputError

from .conftest import SEED


@pytest.fixture(scope="module")
def R():
    import answer_key

    return answer_key.reference()


def test_softmax_per_column_is_stable_where_one_shift_for_all_breaks(R):
    Z = np.array([[1000.0, -1000.0], [999.0, -1001.0], [998.0, -1002.0]])
    stable = R.softmax(Z)
    assert np.all(np.isfinite(stable)) and np.allclose(stable.sum(axis=0), 1.0)
    with np.errstate(all="ignore"):
        e = np.exp(Z - Z.max())
        broken = e / e.sum(axis=0, keepdims=True)  # the mid-term's global maximum
    assert np.isnan(broken[:, 1]).all() and np.allclose(broken[:, 0], stable[:, 0])
    Z = np.full((10, 3), -5000.0)
    Z[2, 0] = -4990.0
    out = R.softmax(Z)
    assert out[2, 0] > 0.99 and np.allclose(out[:, 1], 0.1)


def test_one_hot_always_has_ten_rows(R):
    Y = np.array([0, 2, 2, 1])
    out = R.one_hot(Y)
    assert out.shape == (10, 4) and np.array_equal(out.argmax(axis=0), Y)


def test_compute_loss_is_the_cross_entropy_plus_the_l2_term_and_stays_finite(R):
    A2 = R.softmax(np.array([[2.0, 0.0, 1.0], [0.0, 1.0, 1.0], [1.0, 3.0, 0.0]] + [[0.0] * 3] * 7))
    Y = np.array([0, 2, 1])
    cross_entropy = -np.mean(np.log(A2[Y, np.arange(3)]))
    W1, W2 = np.full((2, 4), 0.5), np.full((10, 2), -1.0)
    assert np.isclose(R.compute_loss(A2, Y, W1, W2, 0.6), cross_entropy + 0.6 / 6 * (8 * 0.25 + 20))
    A2 = np.zeros((10, 2))
    A2[1, :] = 1.0
    assert np.isclose(R.compute_loss(A2, np.array([0, 1])), -np.log(np.finfo(np.float64).tiny) / 2)


def test_same_seed_same_parameters_and_history_other_seed_differs(R, split):
    X, Y = split[0][:, :300], split[1][:300]
    run = lambda seed: R.gradient_descent(X, Y, 0.1, 30, np.random.default_rng(seed))  # noqa: E731
    (p1, h1), (p2, h2), (p3, h3) = run(5), run(5), run(6)
    assert all(np.array_equal(a, b) for a, b in zip(p1, p2, strict=True)) and h1 == h2
    assert not np.array_equal(p1[0], p3[0]) and h1["loss"] != h3["loss"]


def test_no_global_random_state_is_used_and_the_start_is_left_as_it_was(R, split):
    X, Y = split[0][:, :50], split[1][:50]
    np.random.seed(123)
    state = np.random.get_state()[1].copy()
    start = R.init_params(np.random.default_rng(1), 784, 20)
    copy = [p.copy() for p in start]
    R.gradient_descent(X, Y, 0.1, 3, params=start)
    assert np.array_equal(np.random.get_state()[1], state)
    assert all(np.array_equal(a, b) for a, b in zip(start, copy, strict=True))


def test_records_before_the_first_update_every_print_every_and_after_the_last(R, split, capsys):
    X_train, Y_train, X_dev, Y_dev = split
    params, history = R.gradient_descent(
        X_train[:, :100],
        Y_train[:100],
        0.1,
        25,
        np.random.default_rng(0),
        print_every=10,
        dev=(X_dev[:, :50], Y_dev[:50]),
    )
    assert history["iteration"] == [0, 10, 20, 25] and len(history["dev_accuracy"]) == 4
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4 and lines[0].startswith("Iteration    0") and lines[-1].startswith("Iteration   25")
    trained = R.get_accuracy(R.make_predictions(X_dev[:, :50], *params), Y_dev[:50])
    assert history["dev_accuracy"][-1] == trained  # the last record is the trained network


def test_training_lowers_the_loss_and_l2_shrinks_the_weights(R, split):
    X, Y = split[0][:, :400], split[1][:400]
    start = R.init_params(np.random.default_rng(2), 784, 20)
    plain, history = R.gradient_descent(X, Y, 0.1, 60, params=start)
    shrunk, _ = R.gradient_descent(X, Y, 0.1, 60, params=start, lambda_reg=50.0)
    assert history["loss"][-1] < history["loss"][0]
    assert np.sum(shrunk[0] ** 2) < np.sum(plain[0] ** 2)


def test_the_midterm_configuration_lands_in_the_midterm_regime(R, split):
    """784 -> 20 -> 10, alpha 0.10, 500 iterations: the mid-term saw ~83% train and 77% dev."""
    X_train, Y_train, X_dev, Y_dev = split
    params, _ = R.gradient_descent(X_train, Y_train, 0.10, 500, np.random.default_rng(SEED), hidden_neurons=20)
    assert 80 <= R.get_accuracy(R.make_predictions(X_train, *params), Y_train) <= 86
    assert 73 <= R.get_accuracy(R.make_predictions(X_dev, *params), Y_dev) <= 81


@pytest.mark.parametrize(
    "override, message",
    [
        (dict(alpha=0), "alpha must be > 0"),
        (dict(alpha="fast"), "alpha must be a number"),
        (dict(iterations=2.5), "iterations must be a whole number"),
        (dict(hidden_neurons=0), "hidden_neurons must be >= 1"),
        (dict(lambda_reg=-1), "lambda_reg must be >= 0"),
        (dict(print_every=0), "print_every must be >= 1"),
        (dict(rng=42), r"rng must be a numpy Generator.*default_rng"),
        (dict(dev=(np.zeros((5, 3)), np.array([1, 2, 3]))), "X_dev has 5 rows and X 784"),
    ],
)
def test_gradient_descent_refuses_a_bad_argument_in_one_line(R, split, override, message):
    kwargs = {**dict(alpha=0.1, iterations=5, rng=np.random.default_rng(0)), **override}
    with pytest.raises(CourseInputError, match=message):
        R.gradient_descent(split[0][:, :20], split[1][:20], **kwargs)


def test_momentum_builds_speed_along_a_steady_gradient_and_adam_steps_by_alpha(R):
    params, grads = (np.zeros((2, 2)),) * 4, (np.ones((2, 2)),) * 4
    velocity, steps = tuple(np.zeros((2, 2)) for _ in range(4)), []
    for _ in range(3):
        new, velocity = R.momentum_update(params, grads, velocity, 0.1, 0.9)
        steps.append(float(params[0][0, 0] - new[0][0, 0]))
        params = new
    assert steps == pytest.approx([0.1, 0.19, 0.271])
    zero = tuple(np.zeros((2, 2)) for _ in range(4))
    moved, (_, _, t) = R.adam_update(params, tuple(3 * g for g in grads), (zero, zero, 0), 0.01)
    assert t == 1 and np.allclose(params[0] - moved[0], 0.01, rtol=1e-6)


def test_mirroring_twice_is_the_identity_and_a_shift_fills_with_blank(R, split):
    X = split[0][:, :3]
    assert np.array_equal(R.flip_left_right(R.flip_left_right(X)), X)
    images, moved = X.reshape(28, 28, 3), R.shift_images(X, 2, -1).reshape(28, 28, 3)
    assert np.array_equal(moved[:-1, 2:, :], images[1:, :-2, :])
    assert not moved[:, :2, :].any() and not moved[-1, :, :].any()
