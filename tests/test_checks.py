"""fashion_helpers.checks: every reference function passes, and each typical student bug is caught by name."""

import re

import numpy as np
import pytest

from fashion_helpers import checks, network
from fashion_helpers.checks import CheckFailed

FUNCTIONS = ["init_params", "ReLU", "ReLU_deriv", "softmax", "forward_prop", "one_hot", "backward_prop",
             "update_params", "get_predictions", "get_accuracy"]


@pytest.mark.parametrize("name", FUNCTIONS)
def test_reference_passes_with_one_line_and_is_the_function_to_use(name, capsys):
    fn = getattr(network, name)
    assert getattr(checks, f"check_{name}")(fn) is fn
    out = capsys.readouterr().out
    assert out.startswith(f"PASS  {name}:") and out.count("\n") == 1


def test_reference_backward_passes_with_l2(capsys):
    checks.check_backward_prop(network.backward_prop, lambda_reg=0.7)
    assert capsys.readouterr().out.startswith("PASS  backward_prop:")


def test_not_implemented_is_friendly_and_hands_over_the_package_copy(capsys):
    def ReLU(Z):
        raise NotImplementedError

    assert checks.check_ReLU(ReLU) is network.ReLU
    out = capsys.readouterr().out
    assert out.startswith("NOT YET  ReLU: not implemented yet") and out.count("\n") == 1
    assert "the notebook uses the package's network.ReLU" in out


def test_a_different_but_correct_function_passes_and_is_the_one_returned(capsys):
    def ReLU(Z):
        return Z * (Z > 0)

    assert checks.check_ReLU(ReLU) is ReLU
    assert capsys.readouterr().out.startswith("PASS  ReLU:")


def test_every_check_knows_the_package_copy_it_falls_back_to():
    for name in dir(checks):
        if name.startswith("check_"):
            fn, module = checks.package_copy(name.removeprefix("check_"))
            assert fn.__name__ == name.removeprefix("check_") and module in ("network", "analysis", "improve")


# ---------------------------------------------------------------- the catalogue of typical student bugs

M_GLOBAL = 1600  # a notebook-level m_train that a student might reach for


def bug_global_m(Z1, A1, Z2, A2, W1, W2, X, Y):
    m = M_GLOBAL
    dZ2 = A2 - network.one_hot(Y)
    dZ1 = W2.T @ dZ2 * network.ReLU_deriv(Z1)
    return (dZ1 @ X.T / m, dZ1.sum(axis=1, keepdims=True) / m, dZ2 @ A1.T / m, dZ2.sum(axis=1, keepdims=True) / m)


def bug_scalar_db(Z1, A1, Z2, A2, W1, W2, X, Y):
    dW1, _, dW2, db2 = network.backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y)
    dZ1 = W2.T @ (A2 - network.one_hot(Y)) * network.ReLU_deriv(Z1)
    return dW1, np.sum(dZ1) / Y.size, dW2, db2


def bug_db_without_keepdims(Z1, A1, Z2, A2, W1, W2, X, Y):
    dW1, db1, dW2, db2 = network.backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y)
    return dW1, db1.ravel(), dW2, db2


def bug_missing_1_over_m(Z1, A1, Z2, A2, W1, W2, X, Y):
    dW1, db1, dW2, db2 = network.backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y)
    return dW1, db1, dW2 * Y.size, db2


def bug_relu_deriv_of_activation_in_backprop(Z1, A1, Z2, A2, W1, W2, X, Y):
    m = Y.size
    dZ2 = A2 - network.one_hot(Y)
    dZ1 = W2.T @ dZ2 * network.ReLU(Z1)  # the activation where its derivative belongs
    return dZ1 @ X.T / m, dZ1.sum(axis=1, keepdims=True) / m, dZ2 @ A1.T / m, dZ2.sum(axis=1, keepdims=True) / m


def bug_wrong_sign(Z1, A1, Z2, A2, W1, W2, X, Y):
    return tuple(-g for g in network.backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y))


def bug_l2_without_1_over_m(Z1, A1, Z2, A2, W1, W2, X, Y, lambda_reg=0.0):
    dW1, db1, dW2, db2 = network.backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y)
    return dW1 + lambda_reg * W1, db1, dW2 + lambda_reg * W2, db2


def bug_l2_missing(Z1, A1, Z2, A2, W1, W2, X, Y, lambda_reg=0.0):
    return network.backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y)


def bug_softmax_wrong_axis(Z):
    e = np.exp(Z - Z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def bug_softmax_global_max(Z):
    return network.softmax_global_max(Z)


def bug_relu_deriv_returns_activation(Z):
    return np.maximum(0, Z)


def bug_relu_deriv_at_zero(Z):
    return (Z >= 0).astype(float)


def bug_relu_abs(Z):
    return np.abs(Z)


def bug_one_hot_from_max(Y):
    out = np.zeros((Y.max() + 1, Y.size))
    out[Y, np.arange(Y.size)] = 1
    return out


def bug_one_hot_transposed(Y):
    return network.one_hot(Y).T


def bug_bias_never_updated(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
    return W1 - alpha * dW1, b1, W2 - alpha * dW2, b2 - alpha * db2


def bug_update_uphill(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
    return W1 + alpha * dW1, b1 + alpha * db1, W2 + alpha * dW2, b2 + alpha * db2


def bug_init_wrong_shape(rng, input_size=784, hidden_neurons=20, output_size=10):
    W1, b1, W2, b2 = network.init_params(rng, input_size, hidden_neurons, output_size)
    return W1.T, b1, W2, b2


def bug_init_not_centred(rng, input_size=784, hidden_neurons=20, output_size=10):
    return tuple(p + 0.5 for p in network.init_params(rng, input_size, hidden_neurons, output_size))


def bug_init_global_rng(rng, input_size=784, hidden_neurons=20, output_size=10):
    return (np.random.rand(hidden_neurons, input_size) - 0.5, np.random.rand(hidden_neurons, 1) - 0.5,
            np.random.rand(output_size, hidden_neurons) - 0.5, np.random.rand(output_size, 1) - 0.5)


def bug_init_draw_order(rng, input_size=784, hidden_neurons=20, output_size=10):
    b1 = rng.random((hidden_neurons, 1)) - 0.5  # b1 before W1: right shapes and range, other weights
    W1 = rng.random((hidden_neurons, input_size)) - 0.5
    return W1, b1, rng.random((output_size, hidden_neurons)) - 0.5, rng.random((output_size, 1)) - 0.5


def bug_forward_no_bias(W1, b1, W2, b2, X):
    Z1 = W1 @ X
    A1 = network.ReLU(Z1)
    Z2 = W2 @ A1 + b2
    return Z1, A1, Z2, network.softmax(Z2)


def bug_forward_relu_output(W1, b1, W2, b2, X):
    Z1, A1, Z2, _ = network.forward_prop(W1, b1, W2, b2, X)
    return Z1, A1, Z2, network.ReLU(Z2)


def bug_predictions_wrong_axis(A2):
    return np.argmax(A2, axis=1)


def bug_accuracy_fraction(predictions, Y):
    return np.mean(predictions == Y)


CATALOGUE = [
    # (check, buggy function, extra kwargs, words the message must contain)
    ("backward_prop", bug_global_m, {}, r"divide by the number of examples in this batch \(Y\.size = 6\), not by a global m"),
    ("backward_prop", bug_scalar_db, {}, r"db1 has shape \(\), expected \(5, 1\): did you sum over all axes\?"),
    ("backward_prop", bug_db_without_keepdims, {}, r"db1 has shape \(5,\), expected \(5, 1\): keep the summed axis"),
    ("backward_prop", bug_missing_1_over_m, {}, r"dW2 is m = 6 times too large: did you forget the 1/m\?"),
    ("backward_prop", bug_relu_deriv_of_activation_in_backprop, {}, r"used ReLU\(Z1\) where the derivative ReLU_deriv\(Z1\) belongs"),
    ("backward_prop", bug_wrong_sign, {}, r"wrong sign"),
    ("backward_prop", bug_l2_without_1_over_m, {"lambda_reg": 0.7}, r"L2 term is m = 6 times too large"),
    ("backward_prop", bug_l2_missing, {"lambda_reg": 0.7}, r"lacks the L2 term"),
    ("softmax", bug_softmax_wrong_axis, {}, r"rows sum to 1, its columns do not: normalise over axis=0"),
    ("softmax", bug_softmax_global_max, {}, r"subtract each column's max .*not the global max"),
    ("ReLU_deriv", bug_relu_deriv_returns_activation, {}, r"returned ReLU\(Z\).*not its derivative"),
    ("ReLU_deriv", bug_relu_deriv_at_zero, {}, r"ReLU_deriv\(0\) is 1"),
    ("ReLU", bug_relu_abs, {}, r"returned \|Z\|"),
    ("one_hot", bug_one_hot_from_max, {}, r"has 3 rows, expected 10: size it from the number of classes"),
    ("one_hot", bug_one_hot_transposed, {}, r"shape \(4, 10\), expected \(10, 4\)"),
    ("update_params", bug_bias_never_updated, {}, r"b1 was not updated"),
    ("update_params", bug_update_uphill, {}, r"W1 moved uphill"),
    ("init_params", bug_init_wrong_shape, {}, r"W1 has shape \(784, 20\), expected \(20, 784\)"),
    ("init_params", bug_init_not_centred, {}, r"expected \[-0\.5, 0\.5\).*subtract 0\.5"),
    ("init_params", bug_init_global_rng, {}, r"draw from the rng argument, not from np\.random"),
    ("init_params", bug_init_draw_order, {}, r"differ from the reference draw .* draw W1, then b1, W2, b2"),
    ("forward_prop", bug_forward_no_bias, {}, r"Z1 lacks the bias"),
    ("forward_prop", bug_forward_relu_output, {}, r"A2 is ReLU\(Z2\): the output layer uses softmax"),
    ("get_predictions", bug_predictions_wrong_axis, {}, r"argmax over axis=0"),
    ("get_accuracy", bug_accuracy_fraction, {}, r"multiply by 100"),
]


@pytest.mark.parametrize("check,bug,kwargs,words", CATALOGUE, ids=[c[1].__name__ for c in CATALOGUE])
def test_each_student_bug_is_caught_and_named(check, bug, kwargs, words, capsys):
    with pytest.raises(CheckFailed) as info:
        getattr(checks, f"check_{check}")(bug, **kwargs)
    message = str(info.value)
    assert re.search(words, message), message
    assert "\n" not in message
    assert "PASS" not in capsys.readouterr().out


def test_gradient_descent_check_passes_and_catches_a_frozen_loop(capsys):
    checks.check_gradient_descent(network.gradient_descent)
    assert capsys.readouterr().out.startswith("PASS")

    def frozen(X, Y, alpha, iterations, rng=None, *, hidden_neurons=20, lambda_reg=0.0, print_every=None,
               params=None, dev=None):
        history = {"iteration": [0, 10, 11], "loss": [], "train_accuracy": []}
        return tuple(np.array(p) for p in params), history

    with pytest.raises(CheckFailed, match="W1 never changed"):
        checks.check_gradient_descent(frozen)


def _loop(record_after_update=False, pass_dev=True, log_every_iteration=False):
    """A student's gradient_descent with one of the usual slips."""
    def gradient_descent(X, Y, alpha, iterations, rng=None, *, hidden_neurons=20, lambda_reg=0.0,
                         print_every=None, params=None, dev=None):
        history = {}
        W1, b1, W2, b2 = network.starting_params(rng, X.shape[0], hidden_neurons, params)
        for i in range(iterations):
            Z1, A1, Z2, A2 = network.forward_prop(W1, b1, W2, b2, X)
            grads = network.backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y, lambda_reg)
            new = network.update_params(W1, b1, W2, b2, *grads, alpha)
            if log_every_iteration or network.is_logged(i, iterations, print_every):
                A2_logged = network.forward_prop(*new, X)[3] if record_after_update else A2
                network.record_progress(history, i, A2_logged, Y, new if record_after_update else (W1, b1, W2, b2),
                                        lambda_reg, print_every, dev if pass_dev else None)
            W1, b1, W2, b2 = new
        return (W1, b1, W2, b2), history
    return gradient_descent


@pytest.mark.parametrize("slip, words", [
    ({"record_after_update": True}, "before the update"),
    ({"pass_dev": False}, "pass dev on to record_progress"),
    ({"log_every_iteration": True}, "is_logged"),
])
def test_gradient_descent_check_names_the_slip(slip, words, capsys):
    checks.check_gradient_descent(_loop())
    assert capsys.readouterr().out.startswith("PASS")
    with pytest.raises(CheckFailed, match=words):
        checks.check_gradient_descent(_loop(**slip))


def test_make_predictions_check(capsys):
    checks.check_make_predictions(network.make_predictions)
    assert capsys.readouterr().out.startswith("PASS")

    def returns_probabilities(X, W1, b1, W2, b2):
        return network.forward_prop(W1, b1, W2, b2, X)[3]

    with pytest.raises(CheckFailed, match="returned the probabilities A2"):
        checks.check_make_predictions(returns_probabilities)


def test_top_confusions_check(capsys):
    from fashion_helpers import analysis

    checks.check_top_confusions(analysis.top_confusions)
    assert capsys.readouterr().out.startswith("PASS")

    def with_diagonal(Y, predictions, k=3):
        cm = analysis.confusion_matrix(Y, predictions)
        pairs = sorted(((int(cm[t, p]), t, p) for t in range(10) for p in range(10) if cm[t, p]), reverse=True)
        return [(analysis.CLASS_NAMES[t], analysis.CLASS_NAMES[p], c) for c, t, p in pairs[:k]]

    with pytest.raises(CheckFailed, match="skip the diagonal"):
        checks.check_top_confusions(with_diagonal)


def test_under_nbgrader_an_unfinished_exercise_fails_its_check(monkeypatch):
    """nbgrader takes points only off a test cell that raises: under its autograde, NOT YET becomes an error."""
    def ReLU(Z):
        raise NotImplementedError

    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    with pytest.raises(CheckFailed, match="ReLU: not implemented yet"):
        checks.check_ReLU(ReLU)
