"""fashion_helpers.improve: initialisers, update rules, augmentation, early stopping and the mini-batch trainer."""

import numpy as np
import pytest

from fashion_helpers import checks, improve, network
from fashion_helpers.errors import CourseInputError

# --------------------------------------------------------------------------- starting weights


@pytest.mark.parametrize("init", [improve.he_init, improve.glorot_init])
def test_initialisers_give_the_networks_shapes_zero_biases_and_repeat_with_the_seed(init):
    params = init(np.random.default_rng(0), 784, 30, 10)
    assert [p.shape for p in params] == [(30, 784), (30, 1), (10, 30), (10, 1)]
    assert not params[1].any() and not params[3].any()
    again = init(np.random.default_rng(0), 784, 30, 10)
    assert all(np.array_equal(a, b) for a, b in zip(params, again))
    other = init(np.random.default_rng(1), 784, 30, 10)
    assert not np.array_equal(params[0], other[0])


def test_he_scales_by_fan_in_and_glorot_stays_within_its_bound():
    W1, _, W2, _ = improve.he_init(np.random.default_rng(0), 784, 400, 10)
    assert W1.std() == pytest.approx(np.sqrt(2 / 784), rel=0.02)
    assert W2.std() == pytest.approx(np.sqrt(2 / 400), rel=0.05)
    W1, _, W2, _ = improve.glorot_init(np.random.default_rng(0), 784, 400, 10)
    assert np.abs(W1).max() <= np.sqrt(6 / (784 + 400))
    assert W1.std() == pytest.approx(np.sqrt(2 / (784 + 400)), rel=0.02)
    assert np.abs(W2).max() <= np.sqrt(6 / 410)


def test_initial_params_by_name():
    uniform = improve.initial_params("uniform", np.random.default_rng(4), 784, 20)
    assert all(np.array_equal(a, b) for a, b in zip(uniform, network.init_params(np.random.default_rng(4), 784, 20)))
    with pytest.raises(CourseInputError, match="init must be one of"):
        improve.initial_params("zeros", np.random.default_rng(4))


# --------------------------------------------------------------------------- update rules on a tiny problem


@pytest.fixture
def tiny():
    gen = np.random.default_rng(3)
    X = gen.random((784, 40))
    Y = gen.integers(0, 10, 40)
    params = improve.he_init(gen, 784, 6, 10)
    return X, Y, params


def grads_of(params, X, Y):
    W1, b1, W2, b2 = params
    Z1, A1, Z2, A2 = network.forward_prop(W1, b1, W2, b2, X)
    return network.backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y)


def loss_of(params, X, Y):
    return network.compute_loss(network.forward_prop(*params, X)[3], Y)


def test_momentum_first_step_is_plain_gradient_descent_and_beta_zero_always_is(tiny):
    X, Y, params = tiny
    grads = grads_of(params, X, Y)
    zero = improve.zero_state(params, "momentum")
    stepped, velocity = improve.momentum_update(params, grads, zero, 0.1)
    plain = network.update_params(*params, *grads, 0.1)
    assert all(np.allclose(a, b) for a, b in zip(stepped, plain))
    assert all(np.allclose(v, g) for v, g in zip(velocity, grads))
    p_mom, p_gd, v = params, params, zero
    for _ in range(5):
        p_mom, v = improve.momentum_update(p_mom, grads_of(p_mom, X, Y), v, 0.1, beta=0.0)
        p_gd = network.update_params(*p_gd, *grads_of(p_gd, X, Y), 0.1)
    assert all(np.allclose(a, b) for a, b in zip(p_mom, p_gd))


def test_momentum_builds_speed_along_a_steady_gradient():
    params = (np.zeros((2, 2)),) * 4
    grads = (np.ones((2, 2)),) * 4
    state = improve.zero_state(params, "momentum")
    steps = []
    for _ in range(3):
        new, state = improve.momentum_update(params, grads, state, 0.1, 0.9)
        steps.append(float(params[0][0, 0] - new[0][0, 0]))
        params = new
    assert steps == pytest.approx([0.1, 0.19, 0.271])


def test_adam_first_step_moves_each_weight_by_alpha_against_its_gradient(tiny):
    X, Y, params = tiny
    grads = grads_of(params, X, Y)
    new, (m, v, t) = improve.adam_update(params, grads, improve.zero_state(params, "adam"), 0.01)
    assert t == 1
    for p, q, g in zip(params, new, grads):
        moved = g != 0
        assert np.array_equal(np.sign(p - q)[moved], np.sign(g[moved]))
        assert np.allclose((p - q)[moved], 0.01 * g[moved] / (np.abs(g[moved]) + 1e-8))  # alpha * sign(g), but for epsilon
        assert np.array_equal(p[~moved], q[~moved])  # a zero gradient does not move its weight


@pytest.mark.parametrize("optimizer,alpha", [("sgd", 0.1), ("momentum", 0.01), ("adam", 0.001)])
def test_every_update_rule_lowers_the_loss_on_a_tiny_problem(tiny, optimizer, alpha):
    X, Y, params = tiny
    state = improve.zero_state(params, optimizer)
    start = loss_of(params, X, Y)
    for _ in range(30):
        params, state = improve.optimizer_step(optimizer, params, grads_of(params, X, Y), state, alpha)
    assert loss_of(params, X, Y) < start


def test_unknown_optimizer_is_refused(tiny):
    X, Y, params = tiny
    with pytest.raises(CourseInputError, match="optimizer must be one of"):
        improve.zero_state(params, "rmsprop")
    with pytest.raises(CourseInputError, match="optimizer must be one of"):
        improve.train_minibatch(X, Y, np.random.default_rng(0), optimizer="rmsprop")


# --------------------------------------------------------------------------- augmentation


def test_flip_mirrors_each_image_and_twice_is_the_identity(split):
    X = split[0][:, :5]
    flipped = improve.flip_left_right(X)
    assert flipped.shape == X.shape
    assert np.array_equal(flipped.reshape(28, 28, 5)[:, 0, :], X.reshape(28, 28, 5)[:, 27, :])
    assert np.array_equal(improve.flip_left_right(flipped), X)


def test_shift_moves_pixels_and_fills_with_blank(split):
    X = split[0][:, :3]
    images = X.reshape(28, 28, 3)
    moved = improve.shift_images(X, 2, -1).reshape(28, 28, 3)
    assert np.array_equal(moved[:-1, 2:, :], images[1:, :-2, :])
    assert not moved[:, :2, :].any() and not moved[-1, :, :].any()
    each = improve.shift_images(X, np.array([0, 1, 0]), np.array([0, 0, 3])).reshape(28, 28, 3)
    assert np.array_equal(each[..., 0], images[..., 0])
    assert np.array_equal(each[:, 1:, 1], images[:, :-1, 1])
    assert np.array_equal(each[3:, :, 2], images[:-3, :, 2])


def test_augment_keeps_shape_pixel_range_and_repeats_with_the_seed(split):
    X = split[0][:, :50]
    a = improve.augment(X, np.random.default_rng(8), max_shift=2)
    b = improve.augment(X, np.random.default_rng(8), max_shift=2)
    assert a.shape == X.shape and np.array_equal(a, b)
    assert a.min() >= 0 and a.max() <= 1
    assert not np.array_equal(a, X)
    # every augmented image is its original, perhaps mirrored, then shifted: the ink it keeps is the original's
    assert np.all(a.sum(axis=0) <= X.sum(axis=0) + 1e-9)
    mirrored_only = improve.augment(X, np.random.default_rng(8), max_shift=0)
    for j in range(X.shape[1]):
        assert np.array_equal(mirrored_only[:, j], X[:, j]) or np.array_equal(
            mirrored_only[:, j], improve.flip_left_right(X[:, j:j + 1])[:, 0])


def test_training_with_augmentation_leaves_the_labels_and_images_alone(split):
    X_train, Y_train, _, _ = split
    X, Y = X_train[:, :200].copy(), Y_train[:200].copy()
    improve.train_minibatch(X, Y, np.random.default_rng(0), epochs=1, augment_data=True, max_shift=2)
    assert np.array_equal(X, X_train[:, :200]) and np.array_equal(Y, Y_train[:200])


# --------------------------------------------------------------------------- early stopping and the trainer


@pytest.mark.parametrize("history,patience,expected", [
    ([70.0], 1, False), ([70.0, 69.0], 1, True), ([70.0, 71.0], 1, False),
    ([70.0, 72.0, 72.0, 71.0], 2, True), ([70.0, 72.0, 72.0, 72.5], 2, False), ([70.0, 72.0, 72.0], 3, False),
])
def test_should_stop(history, patience, expected):
    assert improve.should_stop(history, patience) is expected


def test_trainer_shapes_history_and_seeded_reproducibility(split):
    X_train, Y_train, X_dev, Y_dev = split
    X, Y = X_train[:, :300], Y_train[:300]
    kwargs = dict(hidden_neurons=12, epochs=3, batch_size=50, X_dev=X_dev, Y_dev=Y_dev)
    params, history = improve.train_minibatch(X, Y, np.random.default_rng(5), **kwargs)
    assert [p.shape for p in params] == [(12, 784), (12, 1), (10, 12), (10, 1)]
    assert history["epoch"] == [0, 1, 2] and len(history["loss"]) == 3 and len(history["dev_accuracy"]) == 3
    assert history["best_epoch"] == 2  # without patience: the last epoch's weights
    again, history_again = improve.train_minibatch(X, Y, np.random.default_rng(5), **kwargs)
    assert all(np.array_equal(a, b) for a, b in zip(params, again)) and history == history_again
    other, _ = improve.train_minibatch(X, Y, np.random.default_rng(6), **kwargs)
    assert not np.array_equal(params[0], other[0])


def test_one_full_batch_sgd_epoch_is_one_gradient_descent_step(split):
    X_train, Y_train, _, _ = split
    X, Y = X_train[:, :100], Y_train[:100]
    start = improve.he_init(np.random.default_rng(2), 784, 8, 10)
    ours, _ = improve.train_minibatch(X, Y, np.random.default_rng(0), epochs=3, batch_size=100, optimizer="sgd",
                                      alpha=0.1, params=start, lambda_reg=2.0)
    ref, _ = network.gradient_descent(X, Y, 0.1, 3, params=start, lambda_reg=2.0)
    assert all(np.allclose(a, b) for a, b in zip(ours, ref))


def test_early_stopping_returns_the_best_dev_epochs_parameters(split):
    X_train, Y_train, X_dev, Y_dev = split
    X, Y = X_train[:, :400], Y_train[:400]
    kwargs = dict(hidden_neurons=16, batch_size=32, optimizer="adam", alpha=0.01, X_dev=X_dev[:, :100],
                  Y_dev=Y_dev[:100])
    stopped, history = improve.train_minibatch(X, Y, np.random.default_rng(1), epochs=30, patience=2, **kwargs)
    best = history["best_epoch"]
    devs = history["dev_accuracy"]
    assert devs[best] == max(devs) and devs.index(max(devs)) == best
    assert len(devs) < 30 or not improve.should_stop(devs[:-1], 2)
    if len(devs) < 30:
        assert improve.should_stop(devs, 2) and len(devs) - 1 - best == 2
    # the same training, run for exactly best + 1 epochs without early stopping, ends on the same weights
    direct, _ = improve.train_minibatch(X, Y, np.random.default_rng(1), epochs=best + 1, **kwargs)
    assert all(np.array_equal(a, b) for a, b in zip(stopped, direct))
    assert improve.evaluate(stopped, X_dev[:, :100], Y_dev[:100]) == devs[best]


def test_trainer_refuses_bad_arguments(split):
    X_train, Y_train, _, _ = split
    X, Y = X_train[:, :50], Y_train[:50]
    with pytest.raises(CourseInputError, match="needs a dev set"):
        improve.train_minibatch(X, Y, np.random.default_rng(0), patience=3)
    with pytest.raises(CourseInputError, match="batch_size must be"):
        improve.train_minibatch(X, Y, np.random.default_rng(0), batch_size=0)
    with pytest.raises(CourseInputError, match="rng must be a numpy Generator"):
        improve.train_minibatch(X, Y, 42)
    with pytest.raises(CourseInputError, match="did you forget .T"):
        improve.train_minibatch(X.T, Y, np.random.default_rng(0))


# --------------------------------------------------------------------------- the self-checks of notebook 08

# (that each reference passes its own self-check is tested with the others, in tests/test_checks.py)


def bug_uniform_init(rng, input_size=784, hidden_neurons=20, output_size=10):
    return network.init_params(rng, input_size, hidden_neurons, output_size)


def bug_he_without_2(rng, input_size=784, hidden_neurons=20, output_size=10):
    W1, b1, W2, b2 = improve.he_init(rng, input_size, hidden_neurons, output_size)
    return W1 / np.sqrt(2), b1, W2 / np.sqrt(2), b2


def bug_glorot_positive(rng, input_size=784, hidden_neurons=20, output_size=10):
    W1, b1, W2, b2 = improve.glorot_init(rng, input_size, hidden_neurons, output_size)
    return np.abs(W1), b1, np.abs(W2), b2


def bug_momentum_plain(params, grads, velocity, alpha, beta=0.9):
    return tuple(p - alpha * g for p, g in zip(params, grads)), velocity


def bug_momentum_ema(params, grads, velocity, alpha, beta=0.9):
    velocity = tuple(beta * v + (1 - beta) * g for v, g in zip(velocity, grads))
    return tuple(p - alpha * v for p, v in zip(params, velocity)), velocity


def bug_adam_no_correction(params, grads, state, alpha, beta1=0.9, beta2=0.999, epsilon=1e-8):
    m, v, t = state
    m = tuple(beta1 * mi + (1 - beta1) * g for mi, g in zip(m, grads))
    v = tuple(beta2 * vi + (1 - beta2) * g**2 for vi, g in zip(v, grads))
    return tuple(p - alpha * mi / (np.sqrt(vi) + epsilon) for p, mi, vi in zip(params, m, v)), (m, v, t + 1)


def bug_flip_up_down(X):
    return X.reshape(28, 28, X.shape[1])[::-1, :, :].reshape(X.shape)


def bug_shift_roll(X, dx, dy):
    return np.roll(np.roll(X.reshape(28, 28, X.shape[1]), dx, axis=1), dy, axis=0).reshape(X.shape)


def bug_stop_on_tie(dev_accuracies, patience):
    best = len(dev_accuracies) - 1 - int(np.argmax(dev_accuracies[::-1]))  # the last best
    return len(dev_accuracies) - 1 - best >= patience


@pytest.mark.parametrize("check,bug,words", [
    (checks.check_he_init, bug_uniform_init, "mid-term's initialisation"),
    (checks.check_he_init, bug_he_without_2, "factor 2"),
    (checks.check_glorot_init, bug_glorot_positive, "no negative weights"),
    (checks.check_momentum_update, bug_momentum_plain, "plain gradient descent"),
    (checks.check_momentum_update, bug_momentum_ema, "whole gradient"),
    (checks.check_adam_update, bug_adam_no_correction, "neither m nor v is bias-corrected"),
    (checks.check_flip_left_right, bug_flip_up_down, "upside down"),
    (checks.check_shift_images, bug_shift_roll, "np.roll wraps"),
    (checks.check_should_stop, bug_stop_on_tie, "equalling the best is not beating it"),
], ids=lambda x: getattr(x, "__name__", None) if callable(x) else None)
def test_each_student_bug_is_caught_and_named(check, bug, words):
    with pytest.raises(checks.CheckFailed, match=words):
        check(bug)


def test_the_trainer_runs_a_notebooks_own_functions_when_given():
    """Notebook 08 passes the student's functions: the trainer must call them, not its own copies."""
    X, Y = np.random.default_rng(0).random((784, 40)), np.arange(40) % 10
    calls = []

    def counted(name):
        def fn(*args, **kwargs):
            calls.append(name)
            return getattr(improve, name)(*args, **kwargs)
        return fn

    own = {name: counted(name) for name in improve.EXERCISES}
    improve.train_minibatch(X, Y, np.random.default_rng(1), epochs=2, batch_size=20, init="glorot",
                            optimizer="momentum", augment_data=True, X_dev=X, Y_dev=Y, patience=1, functions=own)
    improve.train_minibatch(X, Y, np.random.default_rng(1), epochs=1, batch_size=20, init="he", functions=own)
    assert set(calls) == set(improve.EXERCISES)  # the second training's default optimizer is Adam


def test_the_trainer_refuses_a_function_it_does_not_use():
    X, Y = np.random.default_rng(0).random((784, 20)), np.arange(20) % 10
    with pytest.raises(CourseInputError, match="functions: softmax is not one of the trainer's exercise functions"):
        improve.train_minibatch(X, Y, np.random.default_rng(1), epochs=1, functions={"softmax": network.softmax})
