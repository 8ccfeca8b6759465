"""fashion_helpers.training: the mini-batch trainer orders the work and calls the functions it is given, only."""

import numpy as np
import pytest

from fashion_helpers import training
from fashion_helpers.errors import CourseInputError


@pytest.fixture(scope="module")
def mine(reference):
    return {
        name: getattr(reference, name)
        for name in (
            "init_params",
            "forward_prop",
            "backward_prop",
            "compute_loss",
            "update_params",
            "get_predictions",
            "get_accuracy",
            "make_predictions",
            "minibatches",
            "sgd_epoch",
            "he_init",
            "glorot_init",
            "momentum_update",
            "adam_update",
            "flip_left_right",
            "shift_images",
            "should_stop",
        )
    }


def test_the_trainer_gives_shapes_history_and_repeats_with_the_seed(split, mine):
    X_train, Y_train, X_dev, Y_dev = split
    X, Y = X_train[:, :300], Y_train[:300]
    kwargs = dict(functions=mine, hidden_neurons=12, epochs=3, batch_size=50, X_dev=X_dev, Y_dev=Y_dev)
    params, history = training.train_minibatch(X, Y, np.random.default_rng(5), **kwargs)
    assert [p.shape for p in params] == [(12, 784), (12, 1), (10, 12), (10, 1)]
    assert history["epoch"] == [0, 1, 2] and len(history["dev_accuracy"]) == 3 and history["best_epoch"] == 2
    again, history_again = training.train_minibatch(X, Y, np.random.default_rng(5), **kwargs)
    assert all(np.array_equal(a, b) for a, b in zip(params, again, strict=True)) and history == history_again


def test_one_full_batch_sgd_epoch_is_one_gradient_descent_step(split, mine, reference):
    X, Y = split[0][:, :100], split[1][:100]
    start = reference.he_init(np.random.default_rng(2), 784, 8, 10)
    ours, _ = training.train_minibatch(
        X,
        Y,
        np.random.default_rng(0),
        functions=mine,
        epochs=3,
        batch_size=100,
        optimizer="sgd",
        alpha=0.1,
        params=start,
        lambda_reg=2.0,
    )
    theirs, _ = reference.gradient_descent(X, Y, 0.1, 3, params=start, lambda_reg=2.0)
    assert all(np.allclose(a, b) for a, b in zip(ours, theirs, strict=True))


def test_early_stopping_returns_the_best_dev_epochs_parameters(split, mine):
    X_train, Y_train, X_dev, Y_dev = split
    kwargs = dict(
        functions=mine,
        hidden_neurons=16,
        batch_size=32,
        optimizer="adam",
        alpha=0.01,
        X_dev=X_dev[:, :100],
        Y_dev=Y_dev[:100],
    )
    stopped, history = training.train_minibatch(
        X_train[:, :400], Y_train[:400], np.random.default_rng(1), epochs=30, patience=2, **kwargs
    )
    best, devs = history["best_epoch"], history["dev_accuracy"]
    assert devs[best] == max(devs) and devs.index(max(devs)) == best
    direct, _ = training.train_minibatch(
        X_train[:, :400], Y_train[:400], np.random.default_rng(1), epochs=best + 1, **kwargs
    )
    assert all(np.array_equal(a, b) for a, b in zip(stopped, direct, strict=True))


def test_training_with_augmentation_leaves_the_labels_and_images_alone(split, mine):
    X, Y = split[0][:, :200].copy(), split[1][:200].copy()
    training.train_minibatch(X, Y, np.random.default_rng(0), functions=mine, epochs=1, augment_data=True, max_shift=2)
    assert np.array_equal(X, split[0][:, :200]) and np.array_equal(Y, split[1][:200])


def test_augment_without_mirror_only_shifts_and_with_no_shift_only_mirrors(split, mine):
    X = split[0][:, :50]
    shifted = training.augment(X, np.random.default_rng(3), 1, mine, mirror=False)
    dx, dy = np.random.default_rng(3).integers(-1, 2, size=(2, 50))
    assert np.array_equal(shifted, mine["shift_images"](X, dx, dy))
    mirrored = training.augment(X, np.random.default_rng(3), 0, mine)
    flip = np.random.default_rng(3).random(50) < 0.5
    assert np.array_equal(mirrored, np.where(flip, mine["flip_left_right"](X), X))


def test_the_trainer_calls_the_functions_it_is_given_and_has_none_of_its_own(split, mine):
    calls = []

    def spy(name):
        def wrapped(*args, **kwargs):
            calls.append(name)
            return mine[name](*args, **kwargs)

        return wrapped

    watched = {name: spy(name) for name in mine}
    training.train_minibatch(
        split[0][:, :64],
        split[1][:64],
        np.random.default_rng(0),
        functions=watched,
        epochs=1,
        batch_size=32,
        optimizer="momentum",
        init="glorot",
        augment_data=True,
        alpha=0.01,
    )
    assert {
        "glorot_init",
        "forward_prop",
        "backward_prop",
        "compute_loss",
        "momentum_update",
        "flip_left_right",
        "shift_images",
    } <= set(calls)
    missing = {k: v for k, v in mine.items() if k != "adam_update"}
    with pytest.raises(CourseInputError, match=r"this training needs your adam_update: pass it in functions"):
        training.train_minibatch(split[0][:, :64], split[1][:64], np.random.default_rng(0), functions=missing)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(patience=3), "needs a dev set"),
        (dict(batch_size=0), "batch_size must be"),
        (dict(optimizer="rmsprop"), "optimizer must be one of"),
        (dict(init="zeros"), "init must be one of"),
        (dict(schedule="step"), "schedule must be one of"),
        (dict(dtype="float16"), "dtype must be None or one of"),
    ],
)
def test_the_trainer_refuses_bad_settings_in_one_line(split, mine, kwargs, message):
    with pytest.raises(CourseInputError, match=message):
        training.train_minibatch(split[0][:, :50], split[1][:50], np.random.default_rng(0), functions=mine, **kwargs)


def test_the_cosine_schedule_falls_from_alpha_towards_zero_and_constant_keeps_alpha():
    rates = [training.learning_rate("cosine", 0.002, epoch, 4) for epoch in range(4)]
    assert rates == pytest.approx([0.002, 0.001 * (1 + np.cos(np.pi / 4)), 0.001, 0.001 * (1 - np.cos(np.pi / 4))])
    assert all(a > b > 0 for a, b in zip(rates, rates[1:], strict=False))
    assert [training.learning_rate("constant", 0.002, epoch, 4) for epoch in range(4)] == [0.002] * 4


def test_a_cosine_schedule_changes_the_training_and_constant_is_the_default(split, mine):
    X, Y = split[0][:, :200], split[1][:200]
    kwargs = dict(functions=mine, hidden_neurons=8, epochs=3, batch_size=50)
    default, _ = training.train_minibatch(X, Y, np.random.default_rng(1), **kwargs)
    constant, _ = training.train_minibatch(X, Y, np.random.default_rng(1), schedule="constant", **kwargs)
    cosine, _ = training.train_minibatch(X, Y, np.random.default_rng(1), schedule="cosine", **kwargs)
    assert all(np.array_equal(a, b) for a, b in zip(default, constant, strict=True))
    assert not np.allclose(default[0], cosine[0])


def test_float32_training_stays_float32_and_predicts_as_float64_does(split, mine):
    X, Y, X_dev, Y_dev = split[0][:, :300], split[1][:300], split[2], split[3]
    kwargs = dict(functions=mine, hidden_neurons=16, epochs=3, batch_size=50)
    as_given, _ = training.train_minibatch(X, Y, np.random.default_rng(3), **kwargs)
    f64, _ = training.train_minibatch(X, Y, np.random.default_rng(3), dtype="float64", **kwargs)
    f32, history = training.train_minibatch(
        X, Y, np.random.default_rng(3), dtype="float32", X_dev=X_dev, Y_dev=Y_dev, **kwargs
    )
    assert all(np.array_equal(a, b) for a, b in zip(as_given, f64, strict=True))  # float64 data: nothing changes
    assert all(p.dtype == np.float32 for p in f32) and all(p.dtype == np.float64 for p in f64)
    assert all(np.allclose(a, b, atol=1e-3) for a, b in zip(f32, f64, strict=True))
    same = np.mean(mine["make_predictions"](X_dev, *f32) == mine["make_predictions"](X_dev, *f64))
    assert same >= 0.99 and len(history["dev_accuracy"]) == 3


def test_the_course_solutions_keep_float32_through_both_passes(split, mine, reference):
    """The full-data path's speed: were ReLU_deriv or one_hot to build float64 arrays, backward_prop's largest
    product (dZ1 @ X.T) would run in float64, about three times as slow, with no error to show it."""
    X, Y = split[0][:, :64].astype(np.float32), split[1][:64]
    rng = np.random.default_rng(0)
    params = tuple(p.astype(np.float32) for p in mine["init_params"](rng, X.shape[0], 16))
    Z1, A1, Z2, A2 = mine["forward_prop"](*params, X)
    grads = mine["backward_prop"](Z1, A1, Z2, A2, params[0], params[2], X, Y, 0.5)
    assert [a.dtype for a in (Z1, A1, Z2, A2, *grads)] == [np.float32] * 8
    assert reference.ReLU_deriv(Z1).dtype == np.float32


def test_the_trainer_walks_through_the_batches_your_minibatches_returns(split, mine):
    X_train, Y_train, _, _ = split
    X, Y = X_train[:, :100], Y_train[:100]
    calls = []

    def reversed_batches(rng, m, batch_size):  # the same draws, the batches in the opposite order
        calls.append((m, batch_size))
        return mine["minibatches"](rng, m, batch_size)[::-1]

    kwargs = dict(hidden_neurons=6, epochs=3, batch_size=32, optimizer="momentum", alpha=0.1)
    ours, _ = training.train_minibatch(X, Y, np.random.default_rng(1), functions=mine, **kwargs)
    again, _ = training.train_minibatch(X, Y, np.random.default_rng(1), functions=mine, **kwargs)
    theirs, _ = training.train_minibatch(
        X, Y, np.random.default_rng(1), functions={**mine, "minibatches": reversed_batches}, **kwargs
    )
    assert calls == [(100, 32)] * 3  # once per epoch
    assert all(np.array_equal(a, b) for a, b in zip(ours, again, strict=True))
    assert not np.allclose(ours[0], theirs[0])  # another order of updates: another network


@pytest.mark.parametrize(
    "batches, message",
    [
        (lambda rng, m, b: [rng.permutation(m)[: m - 1]], "exactly once"),  # an image left out
        (lambda rng, m, b: [np.arange(m), np.arange(m)], "exactly once"),  # every image twice
        (lambda rng, m, b: [rng.permutation(m)], "larger than 32"),  # one batch of all 100
        (lambda rng, m, b: [np.arange(m, dtype=float)], "integer indices"),  # not indices
    ],
)
def test_minibatches_that_skip_repeat_or_oversize_are_refused_in_one_line(split, mine, batches, message):
    X_train, Y_train, _, _ = split
    with pytest.raises(CourseInputError, match=message):
        training.train_minibatch(
            X_train[:, :100],
            Y_train[:100],
            np.random.default_rng(1),
            functions={**mine, "minibatches": batches},
            hidden_neurons=6,
            epochs=1,
            batch_size=32,
            optimizer="momentum",
        )


def test_plain_sgd_trains_by_your_sgd_epoch_and_refuses_a_malformed_return(split, mine):
    X_train, Y_train, _, _ = split
    X, Y = X_train[:, :100], Y_train[:100]
    calls = []

    def spy(X, Y, params, rng, batch_size, alpha, lambda_reg):
        calls.append((batch_size, alpha, lambda_reg))
        return mine["sgd_epoch"](X, Y, params, rng, batch_size, alpha, lambda_reg)

    kwargs = dict(hidden_neurons=6, epochs=2, batch_size=32, optimizer="sgd", alpha=0.1, lambda_reg=3.0)
    _, history = training.train_minibatch(
        X, Y, np.random.default_rng(1), functions={**mine, "sgd_epoch": spy}, **kwargs
    )
    assert calls == [(32, 0.1, 3.0)] * 2 and len(history["loss"]) == 2  # each epoch is yours
    # with momentum the course's loop runs the same steps with the optimiser's memory: at beta 0 the same network
    ours, _ = training.train_minibatch(X, Y, np.random.default_rng(1), functions=mine, **kwargs)
    velocity_free = {**mine, "momentum_update": lambda p, g, v, a: mine["momentum_update"](p, g, v, a, beta=0.0)}
    loop, _ = training.train_minibatch(
        X, Y, np.random.default_rng(1), functions=velocity_free, **{**kwargs, "optimizer": "momentum"}
    )
    assert all(np.allclose(a, b, rtol=1e-12, atol=0) for a, b in zip(ours, loop, strict=True))
    with pytest.raises(CourseInputError, match=r"sgd_epoch must return \(\(W1, b1, W2, b2\), mean loss"):
        training.train_minibatch(
            X, Y, np.random.default_rng(1), functions={**mine, "sgd_epoch": lambda *a: a[2]}, **kwargs
        )
