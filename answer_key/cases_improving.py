"""Cases of notebooks 08 and 09: starts, update rules, augmentation, stopping."""

from __future__ import annotations

import numpy as np

from . import reference
from .specs import Case, Spec, call, network, rng

R = reference()


# --------------------------------------------------------------------------- 08: he_init, glorot_init


def _he_w2_first(rng_, input_size=784, hidden_neurons=20, output_size=10):
    W2 = rng_.standard_normal((output_size, hidden_neurons)) * np.sqrt(2.0 / hidden_neurons)
    W1 = rng_.standard_normal((hidden_neurons, input_size)) * np.sqrt(2.0 / input_size)
    return W1, np.zeros((hidden_neurons, 1)), W2, np.zeros((output_size, 1))


def _glorot_w2_first(rng_, input_size=784, hidden_neurons=20, output_size=10):
    r2 = np.sqrt(6.0 / (hidden_neurons + output_size))
    W2 = (2 * rng_.random((output_size, hidden_neurons)) - 1) * r2
    r1 = np.sqrt(6.0 / (input_size + hidden_neurons))
    W1 = (2 * rng_.random((hidden_neurons, input_size)) - 1) * r1
    return W1, np.zeros((hidden_neurons, 1)), W2, np.zeros((output_size, 1))


def _initialiser(name: str, w2_first) -> Spec:
    what = {
        "he_init": "normal weights with sd sqrt(2 / fan_in), zero biases, drawn W1 then W2",
        "glorot_init": "uniform weights in [-r, r) with r = sqrt(6 / (fan_in + fan_out)), zero biases",
    }[name]
    mistakes = [("it draws W2 before W1: draw W1 first, so the same seed gives the course's start", w2_first)]
    return Spec(
        name,
        what,
        ("W1", "b1", "W2", "b2"),
        (
            Case(
                "784 inputs and 300 hidden neurons, from default_rng(3)",
                (call(rng(3), 784, 300, 10),),
                exact=False,
                tag="properties",
            ),
            Case("a small network (8 inputs, 5 hidden) from default_rng(3)", (call(rng(3), 8, 5, 10),)),
        ),
        (
            Case("a hidden case", (call(rng(9), 6, 4, 10),)),
            Case("a hidden case", (call(rng(10), 500, 200, 10),), exact=False, tag="properties"),
        ),
        tuple(mistakes),
    )


# --------------------------------------------------------------------------- 08: minibatches


def _cut(order, batch_size, m):
    return [order[start : start + batch_size] for start in range(0, m, batch_size)]


def minibatches() -> Spec:
    return Spec(
        "minibatches",
        "each index 0 .. m-1 exactly once, in batches of batch_size (the last one what is left), in the order of "
        "one rng.permutation(m)",
        ("batches",),
        (
            Case("10 images in batches of 4, from default_rng(0)", (call(rng(0), 10, 4),)),
            Case("8 images in batches of 8, from default_rng(1)", (call(rng(1), 8, 8),)),
            Case("5 images in batches of 16, from default_rng(2)", (call(rng(2), 5, 16),)),
        ),
        (
            Case("a hidden case", (call(rng(5), 100, 32),)),
            Case("a hidden case", (call(rng(6), 7, 3),)),
        ),
        (
            (
                "the last, smaller batch is dropped: every image belongs to one batch in each epoch",
                lambda rng_, m, b: _cut(rng_.permutation(m), b, m)[: m // b],
            ),
            (
                "the images keep their order: shuffle them with rng.permutation(m), a new order each epoch",
                lambda rng_, m, b: _cut(np.arange(m), b, m),
            ),
            (
                "the order is drawn with rng.choice: it is a random order too, but not the course's; draw it with "
                "rng.permutation(m)",
                lambda rng_, m, b: _cut(rng_.choice(m, m, replace=False), b, m),
            ),
            (
                "the indices are drawn with replacement, so some images repeat and others are missed: shuffle all m "
                "once with rng.permutation(m)",
                lambda rng_, m, b: _cut(rng_.integers(0, m, m), b, m),
            ),
        ),
    )


# --------------------------------------------------------------------------- 08: sgd_epoch


def _sgd_epoch(X, Y, params, rng_, batch_size, alpha, lambda_reg=0.0, mistake=""):
    """The reference epoch with one of the catalogued mistakes."""
    m = Y.size
    W1, b1, W2, b2 = params
    losses = []
    for batch in R.minibatches(rng_, m, batch_size):
        X_b, Y_b = X[:, batch], Y[batch]
        lam = lambda_reg if mistake == "unscaled_l2" else lambda_reg * Y_b.size / m
        Z1, A1, Z2, A2 = R.forward_prop(W1, b1, W2, b2, X_b)
        loss = R.compute_loss(A2, Y_b, W1, W2, lam)
        grads = R.backward_prop(Z1, A1, Z2, A2, W1, W2, X_b, Y_b, lam)
        W1, b1, W2, b2 = R.update_params(W1, b1, W2, b2, *grads, alpha)
        if mistake == "loss_after_update":
            loss = R.compute_loss(R.forward_prop(W1, b1, W2, b2, X_b)[3], Y_b, W1, W2, lam)
        losses.append(loss * (Y_b.size if mistake == "weighted_loss" else 1))
    if mistake == "weighted_loss":
        return (W1, b1, W2, b2), float(np.sum(losses) / m)
    if mistake == "last_loss":
        return (W1, b1, W2, b2), float(losses[-1])
    return (W1, b1, W2, b2), float(np.mean(losses))


def sgd_epoch() -> Spec:
    X, Y, start = network(seed=61, hidden=4, m=10, coarse=True)
    Xh, Yh, sh = network(seed=62, input_size=6, hidden=3, m=9, coarse=True)
    mistakes = {
        "unscaled_l2": "each batch gets the whole lambda_reg: a batch of b of the m images gets lambda_reg * b / m, "
        "so that every batch's gradient estimates the same cost",
        "loss_after_update": "the loss is measured after the batch's update: record it from the forward pass that "
        "gives the gradients, before the update",
        "weighted_loss": "the batches' losses are weighted by their sizes: return their plain mean (each batch counts "
        "once), as the course's trainer records it",
        "last_loss": "it returns the last batch's loss: return the mean over the epoch's batches",
    }
    return Spec(
        "sgd_epoch",
        "one update per batch of your minibatches, lambda_reg scaled by b / m, the mean of the batches' losses",
        ("params", "loss"),
        (
            Case("10 images in batches of 4 at alpha = 0.5, from default_rng(0)", (call(X, Y, start, rng(0), 4, 0.5),)),
            Case(
                "the same with lambda_reg = 0.7",
                (call(X, Y, start, rng(0), 4, 0.5, 0.7),),
                same_as=(0, "lambda_reg"),
            ),
            Case("one batch of all 10 images, lambda_reg = 0.7", (call(X, Y, start, rng(1), 10, 0.5, 0.7),)),
        ),
        (
            Case("a hidden case", (call(Xh, Yh, sh, rng(7), 2, 0.3, 0.4),)),
            Case("a hidden case", (call(Xh, Yh, sh, rng(8), 5, 0.8),)),
        ),
        tuple(
            (message, lambda *a, kind=kind, **k: _sgd_epoch(*a, **k, mistake=kind))
            for kind, message in mistakes.items()
        ),
    )


# --------------------------------------------------------------------------- 08: momentum_update, adam_update


def _tiny(seed=11):
    _, _, params = network(input_size=4, hidden=3)
    gen = np.random.default_rng(seed)
    return params, tuple(gen.standard_normal(p.shape) for p in params)


def momentum_update() -> Spec:
    params, grads = _tiny()
    velocity = tuple(np.round(np.random.default_rng(12).standard_normal(p.shape), 3) for p in params)
    ph, gh = _tiny(61)
    vh = tuple(np.random.default_rng(62).standard_normal(p.shape) for p in ph)
    return Spec(
        "momentum_update",
        "the velocity remembers past gradients, the step follows the velocity",
        ("params", "velocity"),
        (
            Case(
                "a step from a velocity left over by earlier steps, alpha = 0.1, beta = 0.9",
                (call(params, grads, velocity, 0.1, 0.9),),
            ),
            Case("the same with beta = 0.5", (call(params, grads, velocity, 0.1, 0.5),), same_as=(0, "beta")),
        ),
        (Case("a hidden case", (call(ph, gh, vh, 0.03, 0.8),)),),
        (
            (
                "the step ignores the velocity: that is plain gradient descent; step by alpha times the new velocity",
                lambda p, g, v, a, b=0.9: (
                    tuple(x - a * y for x, y in zip(p, g, strict=True)),
                    tuple(b * x + y for x, y in zip(v, g, strict=True)),
                ),
            ),
            (
                "the velocity was not updated: it decays by beta and takes in the new gradient",
                lambda p, g, v, a, b=0.9: (tuple(x - a * y for x, y in zip(p, v, strict=True)), v),
            ),
            (
                "the velocity is an average, beta v + (1 - beta) g, as in DLS course 2: both are momentum (the two "
                "differ by a factor 1 - beta in alpha); this course uses the sum form, v = beta v + g",
                lambda p, g, v, a, b=0.9: R.momentum_update(p, tuple((1 - b) * y for y in g), v, a, b),
            ),
            (
                "the parameters moved uphill: subtract alpha times the velocity",
                lambda p, g, v, a, b=0.9: (
                    tuple(x + a * (b * w + y) for x, w, y in zip(p, v, g, strict=True)),
                    tuple(b * w + y for w, y in zip(v, g, strict=True)),
                ),
            ),
        ),
        order=("velocity", "params"),
    )


def _adam(params, grads, state, alpha, beta1=0.9, beta2=0.999, epsilon=1e-8, mistake=""):
    m, v, t = state
    t = t if mistake == "no_count" else t + 1
    m = tuple(beta1 * mi + (1 - beta1) * g for mi, g in zip(m, grads, strict=True))
    v = tuple(beta2 * vi + (1 - beta2) * g**2 for vi, g in zip(v, grads, strict=True))
    c1 = 1.0 if mistake in ("no_m_correction", "no_correction") else 1 - beta1**t
    c2 = 1.0 if mistake in ("no_v_correction", "no_correction") else 1 - beta2**t
    root = (lambda x: x) if mistake == "no_root" else np.sqrt
    params = tuple(p - alpha * (mi / c1) / (root(vi / c2) + epsilon) for p, mi, vi in zip(params, m, v, strict=True))
    return params, (m, v, t)


def adam_update() -> Spec:
    params, grads = _tiny()
    zero = tuple(np.zeros_like(p) for p in params)
    first = R.adam_update(params, grads, (zero, zero, 0), 0.01)
    half = tuple(0.5 * g for g in grads)
    ph, gh = _tiny(63)
    zh = tuple(np.zeros_like(p) for p in ph)
    one = R.adam_update(ph, gh, (zh, zh, 0), 0.003)
    two = R.adam_update(*one[:1], tuple(-g for g in gh), one[1], 0.003)
    mistakes = {
        "no_m_correction": "m is not corrected for starting at zero: divide it by 1 - beta1 ** t",
        "no_v_correction": "v is not corrected for starting at zero: divide it by 1 - beta2 ** t",
        "no_correction": "neither m nor v is corrected for starting at zero: divide them by 1 - beta1 ** t and "
        "1 - beta2 ** t",
        "no_root": "the step divides by v_hat: Adam divides by its square root (the root-mean-square gradient)",
        "no_count": "the step count t does not move: add 1 before using it",
    }
    return Spec(
        "adam_update",
        "running means of g and g squared, bias-corrected, one step size per weight, over two steps",
        ("params", "state"),
        (
            Case("a first step from a zero state, alpha = 0.01", (call(params, grads, (zero, zero, 0), 0.01),)),
            Case("a second step, from the first one's state", (call(first[0], half, first[1], 0.01),)),
        ),
        (Case("a hidden case", (call(*two[:1], gh, two[1], 0.003),)),),
        tuple((message, lambda *a, kind=kind, **k: _adam(*a, **k, mistake=kind)) for kind, message in mistakes.items()),
        order=("state", "params"),
    )


# --------------------------------------------------------------------------- 09: flip_left_right, shift_images


def _images(seed=5, m=2):
    X = np.random.default_rng(seed).random((784, m))
    X[:100] = 0.0  # a blank top band, as in real images
    return np.round(X * 8) / 8


def flip_left_right() -> Spec:
    X = _images()
    as_images = lambda X: X.reshape(28, 28, X.shape[1])  # noqa: E731
    return Spec(
        "flip_left_right",
        "every image mirrored left to right, still one column per image",
        ("flip_left_right(X)",),
        (Case("two 28 x 28 images, not symmetric", (call(X),)),),
        (Case("a hidden case", (call(_images(7, 3)),)),),
        (
            (
                "the images were flipped upside down: mirror each row of pixels (left to right), not the rows' order",
                lambda X: as_images(X)[::-1].reshape(X.shape),
            ),
            (
                "the whole column of 784 pixels was reversed: that turns the image upside down and mirrors it; reshape "
                "each image to 28 x 28 first",
                lambda X: X[::-1],
            ),
            ("the order of the images was reversed, not their pixels", lambda X: X[:, ::-1]),
            (
                "each image was transposed (turned and mirrored): mirror left to right only",
                lambda X: as_images(X).transpose(1, 0, 2).reshape(X.shape),
            ),
        ),
    )


def _shift_roll(X, dx, dy):
    m = X.shape[1]
    dx = np.broadcast_to(np.asarray(dx), (m,))
    dy = np.broadcast_to(np.asarray(dy), (m,))
    images = X.reshape(28, 28, m)
    return np.stack(
        [np.roll(np.roll(images[:, :, j], dx[j], axis=1), dy[j], axis=0) for j in range(m)], axis=2
    ).reshape(X.shape)


def shift_images() -> Spec:
    X = _images()
    dx, dy = np.array([1, -2]), np.array([0, 1])
    Xh = _images(9, 3)
    return Spec(
        "shift_images",
        "images moved right by dx, down by dy, blank where nothing came in; one shift each also works",
        ("shift_images(X, dx, dy)",),
        (
            Case("two images moved 2 pixels right and 1 up", (call(X, 2, -1),)),
            Case("the same images with one shift each", (call(X, dx, dy),)),
        ),
        (Case("a hidden case", (call(Xh, -3, 2), call(Xh, np.array([1, 0, -1]), np.array([-2, 3, 0])))),),
        (
            (
                "the pixels that leave one side come back in on the other (np.roll wraps them around): fill with 0 "
                "instead",
                _shift_roll,
            ),
            (
                "the shift goes the wrong way: dx > 0 moves the image right, dy > 0 moves it down",
                lambda X, dx, dy: R.shift_images(X, -np.asarray(dx), -np.asarray(dy)),
            ),
            (
                "dx and dy are swapped: dx moves along a row (the columns of the image), dy along a column",
                lambda X, dx, dy: R.shift_images(X, dy, dx),
            ),
        ),
    )


# --------------------------------------------------------------------------- 09: should_stop


def should_stop() -> Spec:
    calls = (
        call([70.0], 2),
        call([70.0, 72.0, 71.0], 2),
        call([70.0, 72.0, 71.0, 72.0], 2),
        call([70.0, 72.0, 71.0, 71.5, 72.5], 2),
        call([80.0, 79.0], 1),
        call([79.0, 80.0], 1),
    )
    hidden = (
        call([60.0, 61.0, 61.0, 61.0, 60.5], 3),
        call([60.0, 61.0, 61.0, 61.0, 60.5, 59.0], 3),
        call([55.0, 50.0, 56.0], 2),
    )

    def last_best(accuracies, patience):
        best = len(accuracies) - 1 - int(np.argmax(np.asarray(accuracies)[::-1]))
        return len(accuracies) - 1 - best >= patience

    return Spec(
        "should_stop",
        "stops once patience epochs pass without beating the best dev accuracy; a tie is no improvement",
        ("should_stop",),
        (Case("six histories of dev accuracies", calls, tag="histories"),),
        (Case("a hidden case", hidden, tag="histories"),),
        (
            (
                "a tie counted as an improvement: equalling the best is not beating it, so the earlier epoch stays the "
                "best",
                last_best,
            ),
            (
                "it stops one epoch late: stop once the epochs after the best reach patience",
                lambda acc, patience: len(acc) - 1 - int(np.argmax(acc)) > patience,
            ),
            (
                "it stops one epoch early: patience epochs may pass without a better score before it stops",
                lambda acc, patience: len(acc) - 1 - int(np.argmax(acc)) >= patience - 1,
            ),
        ),
    )


def specs() -> list[Spec]:
    return [
        _initialiser("he_init", _he_w2_first),
        _initialiser("glorot_init", _glorot_w2_first),
        minibatches(),
        sgd_epoch(),
        momentum_update(),
        adam_update(),
        flip_left_right(),
        shift_images(),
        should_stop(),
    ]
