"""fashion_helpers.network: the maths, the fixes to the mid-term's flaws, determinism, and the mid-term's regime."""

import numpy as np
import pytest

from fashion_helpers import checks, network
from fashion_helpers.errors import CourseInputError

from .conftest import SEED


@pytest.fixture(scope="module")
def small_batch(split):
    X_train, Y_train, _, _ = split
    return X_train[:, :12], Y_train[:12]


@pytest.mark.parametrize("lambda_reg", [0.0, 0.7])
def test_gradient_check_on_real_data(small_batch, lambda_reg):
    X, Y = small_batch
    params = network.init_params(np.random.default_rng(SEED))
    error = checks.gradient_check(X, Y, params, lambda_reg=lambda_reg, verbose=False)
    assert error < 1e-7


def test_gradient_check_notices_a_wrong_gradient(small_batch):
    X, Y = small_batch
    params = network.init_params(np.random.default_rng(SEED))

    def missing_half(*args):
        dW1, db1, dW2, db2 = network.backward_prop(*args)
        return dW1, db1, dW2 / 2, db2

    assert checks.gradient_check(X, Y, params, backward=missing_half, verbose=False) > 1e-3


def test_softmax_per_column_is_stable_where_global_max_breaks():
    Z = np.array([[1000.0, -1000.0], [999.0, -1001.0], [998.0, -1002.0]])
    stable = network.softmax(Z)
    assert np.all(np.isfinite(stable))
    assert np.allclose(stable.sum(axis=0), 1.0)
    with np.errstate(all="ignore"):
        broken = network.softmax_global_max(Z)
    # the second column sits 2000 below the global max: exp underflows to 0 and 0/0 is NaN
    assert np.isnan(broken[:, 1]).all()
    assert np.allclose(broken[:, 0], stable[:, 0])


def test_softmax_precision_where_global_max_underflows():
    """A column about 740 below the global max: the global-max version works with denormals and loses
    the probabilities (they no longer sum to 1); per-column max keeps full precision."""
    Z = np.array([[0.0, -740.0], [-1.0, -741.5], [-2.0, -742.0]])
    stable = network.softmax(Z)
    assert np.allclose(stable.sum(axis=0), 1.0)
    assert np.allclose(stable[:, 1], network.softmax(Z[:, 1:] + 740.0)[:, 0])
    with np.errstate(all="ignore"):
        broken = network.softmax_global_max(Z)
    assert not np.allclose(broken[:, 1], stable[:, 1], rtol=1e-3)


def test_softmax_very_negative_logits():
    Z = np.full((10, 3), -5000.0)
    Z[2, 0] = -4990.0
    out = network.softmax(Z)
    assert np.all(np.isfinite(out)) and np.allclose(out.sum(axis=0), 1.0)
    assert out[2, 0] > 0.99 and np.allclose(out[:, 1], 0.1)


def test_one_hot_always_has_ten_rows():
    Y = np.array([0, 2, 2, 1])  # no class above 2 in this batch
    out = network.one_hot(Y)
    assert out.shape == (10, 4)
    assert np.array_equal(out.argmax(axis=0), Y) and np.array_equal(out.sum(axis=0), np.ones(4))


def test_relu_and_derivative():
    Z = np.array([[-1.0, 0.0, 2.0]])
    assert np.array_equal(network.ReLU(Z), [[0.0, 0.0, 2.0]])
    assert np.array_equal(network.ReLU_deriv(Z), [[0.0, 0.0, 1.0]])


def test_init_params_shapes_and_range():
    W1, b1, W2, b2 = network.init_params(np.random.default_rng(0), 784, 20, 10)
    assert (W1.shape, b1.shape, W2.shape, b2.shape) == ((20, 784), (20, 1), (10, 20), (10, 1))
    for p in (W1, b1, W2, b2):
        assert p.min() >= -0.5 and p.max() < 0.5


def test_same_seed_same_parameters_and_history_other_seed_differs(split):
    X_train, Y_train, _, _ = split
    X, Y = X_train[:, :300], Y_train[:300]
    run = lambda seed: network.gradient_descent(X, Y, 0.1, 30, np.random.default_rng(seed))  # noqa: E731
    (p1, h1), (p2, h2), (p3, h3) = run(5), run(5), run(6)
    assert all(np.array_equal(a, b) for a, b in zip(p1, p2))
    assert h1 == h2
    assert not np.array_equal(p1[0], p3[0])
    assert h1["loss"] != h3["loss"]


def test_no_global_random_state_is_used(split):
    X_train, Y_train, _, _ = split
    np.random.seed(123)
    state = np.random.get_state()[1].copy()
    network.gradient_descent(X_train[:, :50], Y_train[:50], 0.1, 3, np.random.default_rng(0))
    assert np.array_equal(np.random.get_state()[1], state)


def test_history_logging_and_printing(split, capsys):
    X_train, Y_train, _, _ = split
    _, history = network.gradient_descent(X_train[:, :100], Y_train[:100], 0.1, 25,
                                          np.random.default_rng(0), print_every=10)
    assert history["iteration"] == [0, 10, 20, 24]
    assert len(history["loss"]) == len(history["train_accuracy"]) == 4
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4 and lines[0].startswith("Iteration    0")


def test_dev_columns_are_recorded_at_the_training_iterations_with_the_best_kept(split, capsys):
    X_train, Y_train, X_dev, Y_dev = split
    start = network.init_params(np.random.default_rng(0))
    params, history = network.gradient_descent(X_train[:, :100], Y_train[:100], 0.1, 25, params=start,
                                               print_every=10, dev=(X_dev[:, :50], Y_dev[:50]))
    assert history["iteration"] == [0, 10, 20, 24]
    assert len(history["dev_loss"]) == len(history["dev_accuracy"]) == 4
    assert "dev accuracy" in capsys.readouterr().out.splitlines()[0]
    best = int(np.argmax(history["dev_accuracy"]))  # the first of equal maxima: a tie keeps the earlier iteration
    assert history["best_iteration"] == history["iteration"][best]
    assert history["best_dev_accuracy"] == history["dev_accuracy"][best]
    W1, b1, W2, b2 = history["best_params"]
    assert network.get_accuracy(network.make_predictions(X_dev[:, :50], W1, b1, W2, b2), Y_dev[:50]) == \
        history["best_dev_accuracy"]
    A2_dev = network.forward_prop(W1, b1, W2, b2, X_dev[:, :50])[3]
    assert history["dev_loss"][best] == network.compute_loss(A2_dev, Y_dev[:50])
    same, silent = network.gradient_descent(X_train[:, :100], Y_train[:100], 0.1, 25, params=start)
    assert all(np.array_equal(a, b) for a, b in zip(params, same)), "scoring the dev set changes no parameter"
    assert set(silent) == {"iteration", "loss", "train_accuracy"}, "no dev set, no dev columns"


def test_gradient_descent_refuses_a_bad_dev_set(split):
    X_train, Y_train, X_dev, Y_dev = split
    with pytest.raises(CourseInputError, match="dev must be the pair"):
        network.gradient_descent(X_train[:, :20], Y_train[:20], 0.1, 5, np.random.default_rng(0), dev=X_dev)
    with pytest.raises(CourseInputError, match="one label per column"):
        network.gradient_descent(X_train[:, :20], Y_train[:20], 0.1, 5, np.random.default_rng(0),
                                 dev=(X_dev, Y_dev[:10]))


def test_training_reduces_the_loss(split):
    X_train, Y_train, _, _ = split
    _, history = network.gradient_descent(X_train, Y_train, 0.1, 60, np.random.default_rng(SEED))
    assert history["loss"][-1] < history["loss"][0] / 2


def test_l2_shrinks_the_weights(split):
    X_train, Y_train, _, _ = split
    start = network.init_params(np.random.default_rng(1))
    (W1, _, W2, _), _ = network.gradient_descent(X_train, Y_train, 0.1, 50, params=start)
    (W1r, _, W2r, _), _ = network.gradient_descent(X_train, Y_train, 0.1, 50, params=start, lambda_reg=100.0)
    assert np.sum(W1r**2) + np.sum(W2r**2) < np.sum(W1**2) + np.sum(W2**2)


def test_params_argument_is_not_modified(split):
    X_train, Y_train, _, _ = split
    start = network.init_params(np.random.default_rng(1))
    copy = [p.copy() for p in start]
    network.gradient_descent(X_train[:, :50], Y_train[:50], 0.1, 5, params=start)
    assert all(np.array_equal(a, b) for a, b in zip(start, copy))


def test_midterm_configuration_lands_in_the_midterm_regime(split):
    """784 -> 20 -> 10, alpha 0.10, 500 iterations: the mid-term saw ~83% train and 77% dev."""
    X_train, Y_train, X_dev, Y_dev = split
    rng = np.random.default_rng(SEED)
    params, _ = network.gradient_descent(X_train, Y_train, 0.10, 500, rng, hidden_neurons=20)
    train = network.get_accuracy(network.make_predictions(X_train, *params), Y_train)
    dev = network.get_accuracy(network.make_predictions(X_dev, *params), Y_dev)
    assert 80 <= train <= 86
    assert 73 <= dev <= 81


BAD_ARGS = [
    (dict(alpha=0), "alpha must be > 0"),
    (dict(alpha=-0.1), "alpha must be > 0"),
    (dict(alpha="fast"), "alpha must be a number"),
    (dict(iterations=0), "iterations must be >= 1"),
    (dict(iterations=2.5), "iterations must be a whole number"),
    (dict(hidden_neurons=0), "hidden_neurons must be >= 1"),
    (dict(lambda_reg=-1), "lambda_reg must be >= 0"),
    (dict(print_every=0), "print_every must be >= 1"),
    (dict(rng=42), r"rng must be a numpy Generator.*default_rng"),
]


@pytest.mark.parametrize("override,message", BAD_ARGS)
def test_gradient_descent_validates_arguments(split, override, message):
    X_train, Y_train, _, _ = split
    kwargs = dict(alpha=0.1, iterations=5, rng=np.random.default_rng(0))
    kwargs.update(override)
    with pytest.raises(CourseInputError, match=message):
        network.gradient_descent(X_train[:, :20], Y_train[:20], **kwargs)


def test_gradient_descent_explains_transposed_X(split):
    X_train, Y_train, _, _ = split
    with pytest.raises(CourseInputError, match=r"expected \(784, m\).*forget \.T"):
        network.gradient_descent(X_train[:, :20].T, Y_train[:20], 0.1, 5, np.random.default_rng(0))


def test_gradient_descent_checks_label_count(split):
    X_train, Y_train, _, _ = split
    with pytest.raises(CourseInputError, match="one label per column of X"):
        network.gradient_descent(X_train[:, :20], Y_train[:19], 0.1, 5, np.random.default_rng(0))


def test_gradient_descent_checks_given_params(split):
    X_train, Y_train, _, _ = split
    W1, b1, W2, b2 = network.init_params(np.random.default_rng(0))
    with pytest.raises(CourseInputError, match=r"W1 has shape \(784, 20\), expected \(20, 784\)"):
        network.gradient_descent(X_train[:, :20], Y_train[:20], 0.1, 5, params=(W1.T, b1, W2, b2))


@pytest.mark.parametrize("lambda_reg", [0.0, 2.5])
def test_fast_numerical_gradient_equals_the_obvious_one(small_batch, lambda_reg):
    X, Y = small_batch
    params = network.init_params(np.random.default_rng(3), hidden_neurons=4)
    fast = checks._numerical_gradient_batched(X[:, :5], Y[:5], params, lambda_reg)
    slow = checks.numerical_gradient(X[:, :5], Y[:5], params, lambda_reg)  # the plain loop students read
    assert np.allclose(fast, slow, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("X,Y,message", [
    (np.full((784, 3), 255.0), np.array([1, 2, 3]), r"X holds values from 255 to 255, expected scaled pixels in \[0, 1\]: divide raw pixels by 255"),
    (np.zeros((784, 0)), np.array([], dtype=int), r"X holds no images"),
    (np.zeros((784, 3)), [1, 2, 3], r"Y must be a numpy array of labels, got list: use np.asarray\(Y\)"),
    (np.zeros((784, 3)), np.array([1.0, 2.0, 3.0]), r"got dtype float64: convert with Y.astype\(int\)"),
    (np.zeros((784, 3)), np.array([1, 2, 12]), r"Y holds labels from 1 to 12, expected 0..9"),
])
def test_gradient_descent_refuses_bad_data(X, Y, message):
    with pytest.raises(CourseInputError, match=message):
        network.gradient_descent(X, Y, 0.1, 5, np.random.default_rng(0))


def test_gradient_descent_refuses_bad_params():
    X, Y = np.zeros((784, 3)), np.array([1, 2, 3])
    W1, b1, W2, b2 = network.init_params(np.random.default_rng(0))
    with pytest.raises(CourseInputError, match=r"params must be the four arrays"):
        network.gradient_descent(X, Y, 0.1, 5, params=(W1, b1, W2))
    W1[0, 0] = np.nan
    with pytest.raises(CourseInputError, match=r"W1 holds NaN or inf"):
        network.gradient_descent(X, Y, 0.1, 5, params=(W1, b1, W2, b2))


def test_compute_loss_is_the_cross_entropy_plus_the_l2_term():
    A2 = network.softmax(np.array([[2.0, 0.0, 1.0], [0.0, 1.0, 1.0], [1.0, 3.0, 0.0]] + [[0.0] * 3] * 7))
    Y = np.array([0, 2, 1])
    cross_entropy = -np.mean(np.log(A2[Y, np.arange(3)]))
    assert np.isclose(network.compute_loss(A2, Y), cross_entropy)
    W1, W2 = np.full((2, 4), 0.5), np.full((10, 2), -1.0)
    assert np.isclose(network.compute_loss(A2, Y, W1, W2, 0.6), cross_entropy + 0.6 / 6 * (8 * 0.25 + 20))
    assert network.compute_loss(A2, Y, W1, W2, 0.0) == network.compute_loss(A2, Y)


def test_compute_loss_stays_finite_when_the_true_class_gets_probability_zero():
    A2 = np.zeros((10, 2))
    A2[1, :] = 1.0
    loss = network.compute_loss(A2, np.array([0, 1]))
    assert np.isfinite(loss) and np.isclose(loss, -np.log(np.finfo(np.float64).tiny) / 2)
