"""fashion_helpers.checks: every reference function passes, and each typical student bug is caught by name."""

import re

import numpy as np
import pytest

from fashion_helpers import checks, improve, network
from fashion_helpers.checks import CheckFailed

FUNCTIONS = ["init_params", "ReLU", "ReLU_deriv", "softmax", "forward_prop", "one_hot", "backward_prop",
             "update_params", "get_predictions", "get_accuracy"]


#: notebook 08's exercises, whose reference copies live in fashion_helpers.improve
IMPROVE_FUNCTIONS = ["he_init", "glorot_init", "momentum_update", "adam_update", "flip_left_right", "shift_images",
                     "should_stop"]


@pytest.mark.parametrize("name", FUNCTIONS + IMPROVE_FUNCTIONS)
def test_reference_passes_with_one_line_and_is_the_function_to_use(name, capsys):
    fn = getattr(network if name in FUNCTIONS else improve, name)
    assert getattr(checks, f"check_{name}")(fn) is fn
    out = capsys.readouterr().out
    assert out.startswith(f"PASS  {name}:") and out.count("\n") == 1


def test_reference_backward_passes_with_l2(capsys):
    checks.check_backward_prop(network.backward_prop, lambda_reg=0.7)
    assert capsys.readouterr().out.startswith("PASS  backward_prop:")


def test_not_implemented_is_friendly_and_hands_over_the_package_copy(capsys):
    def ReLU(Z):
        raise NotImplementedError

    stand_in = checks.check_ReLU(ReLU)
    out = capsys.readouterr().out
    assert out.startswith("NOT YET  ReLU: not implemented yet") and out.count("\n") == 1
    assert "the notebook uses the package's network.ReLU" in out
    Z = np.array([[-1.0, 2.0]])
    assert stand_in.__name__ == "ReLU" and np.array_equal(stand_in(Z), network.ReLU(Z))
    checks.check_ReLU(stand_in)  # 04 checks backward_prop twice: the stand-in must not pass the second check
    assert capsys.readouterr().out.startswith("NOT YET  ReLU")


def test_a_different_but_correct_function_passes_and_is_the_one_returned(capsys):
    def ReLU(Z):
        return Z * (Z > 0)

    assert checks.check_ReLU(ReLU) is ReLU
    assert capsys.readouterr().out.startswith("PASS  ReLU:")


def test_every_check_knows_the_package_copy_it_falls_back_to():
    for name in dir(checks):
        if name.startswith("check_"):
            fn, module = checks.package_copy(name.removeprefix("check_"))
            assert fn.__name__ == name.removeprefix("check_") and module in checks._PACKAGE_MODULES


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


def test_under_nbgrader_an_unfinished_exercise_loses_its_points_but_the_notebook_goes_on(monkeypatch, capsys):
    """nbgrader takes the points of a test cell that raises or writes to stderr: under its autograde, NOT YET goes
    to stderr, and the package's copy is still handed over, so the cells after it run."""
    def ReLU(Z):
        raise NotImplementedError

    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    stand_in = checks.check_ReLU(ReLU)
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("NOT YET  ReLU: not implemented yet") and "no points" in err
    assert np.array_equal(stand_in(np.array([-1.0, 2.0])), [0.0, 2.0])
    checks.check_ReLU(stand_in)  # a second check of the stand-in gives no point either
    assert capsys.readouterr().err.startswith("NOT YET  ReLU")


# ---------------------------------------------------------------- notebooks 04 and 07, second pass: the new checks

from fashion_helpers import analysis  # noqa: E402


def test_the_second_pass_references_pass_and_are_the_functions_to_use(capsys):
    for check, fn in ((checks.check_compute_loss, network.compute_loss),
                      (checks.check_numerical_gradient, checks.numerical_gradient),
                      (checks.check_choose_lambda, analysis.choose_lambda),
                      (checks.check_holdout_score, analysis.holdout_score)):
        assert check(fn) is fn
        out = capsys.readouterr().out
        assert out.startswith(f"PASS  {fn.__name__}:") and out.count("\n") == 1


def test_an_open_numerical_gradient_falls_back_to_the_checks_module(capsys):
    def numerical_gradient(X, Y, params, lambda_reg=0.0, epsilon=1e-5):
        raise NotImplementedError

    assert checks.check_numerical_gradient(numerical_gradient).__wrapped__ is checks.numerical_gradient
    assert "the package's checks.numerical_gradient" in capsys.readouterr().out


def _ce(A2, Y):
    return -np.mean(np.log(np.maximum(A2[Y, np.arange(Y.size)], np.finfo(np.float64).tiny)))


def loss_with_l2(term):
    def compute_loss(A2, Y, W1=None, W2=None, lambda_reg=0.0):
        return _ce(A2, Y) + (term(W1, W2, lambda_reg, Y.size) if lambda_reg else 0.0)
    return compute_loss


def bug_loss_summed(A2, Y, W1=None, W2=None, lambda_reg=0.0):
    return Y.size * _ce(A2, Y)


def bug_loss_positive_log(A2, Y, W1=None, W2=None, lambda_reg=0.0):
    return -_ce(A2, Y)


def bug_loss_mean_over_classes(A2, Y, W1=None, W2=None, lambda_reg=0.0):
    return -np.mean(network.one_hot(Y) * np.log(A2))


def bug_loss_l2_always(A2, Y, W1=None, W2=None, lambda_reg=0.0):
    return _ce(A2, Y) + lambda_reg / (2 * Y.size) * (np.sum(W1**2) + np.sum(W2**2))


def bug_loss_unclipped(A2, Y, W1=None, W2=None, lambda_reg=0.0):
    loss = -np.mean(np.log(A2[Y, np.arange(Y.size)]))
    if lambda_reg:
        loss += lambda_reg / (2 * Y.size) * (np.sum(W1**2) + np.sum(W2**2))
    return loss


def bug_loss_per_example(A2, Y, W1=None, W2=None, lambda_reg=0.0):
    return -np.log(A2[Y, np.arange(Y.size)])


def numerical_gradient_with(step):
    """A numerical gradient whose loop is ``step(p, index, loss, epsilon)``, returning that entry's value."""
    def numerical_gradient(X, Y, params, lambda_reg=0.0, epsilon=1e-5):
        params = [np.array(p, dtype=np.float64) for p in params]

        def loss():
            W1, b1, W2, b2 = params
            return network.compute_loss(network.forward_prop(W1, b1, W2, b2, X)[3], Y, W1, W2, lambda_reg)

        gradients = []
        for p in params:
            g = np.zeros_like(p)
            for index in np.ndindex(p.shape):
                g[index] = step(p, index, loss, epsilon)
            gradients.append(g)
        return np.concatenate([g.ravel() for g in gradients])
    return numerical_gradient


def _forward(p, index, loss, epsilon):
    saved = p[index]
    here = loss()
    p[index] = saved + epsilon
    value = (loss() - here) / epsilon
    p[index] = saved
    return value


def _not_restored(p, index, loss, epsilon):
    saved = p[index]
    p[index] = saved + epsilon
    plus = loss()
    p[index] = saved - epsilon
    return (plus - loss()) / (2 * epsilon)


def bug_numerical_over_epsilon(X, Y, params, lambda_reg=0.0, epsilon=1e-5):
    return 2 * checks.numerical_gradient(X, Y, params, lambda_reg, epsilon)  # (plus - minus) / epsilon


def bug_numerical_unparenthesised(X, Y, params, lambda_reg=0.0, epsilon=1e-5):
    return checks.numerical_gradient(X, Y, params, lambda_reg, epsilon) * epsilon**2  # (plus - minus) / 2 * epsilon


def bug_numerical_in_place(X, Y, params, lambda_reg=0.0, epsilon=1e-5):
    for p in params:
        p += 0.0
        p.flat[0] += epsilon  # never put back
    return checks.numerical_gradient(X, Y, params, lambda_reg, epsilon)


def bug_numerical_list(X, Y, params, lambda_reg=0.0, epsilon=1e-5):
    g = checks.numerical_gradient(X, Y, params, lambda_reg, epsilon)
    return np.split(g, np.cumsum([p.size for p in params])[:-1])


def bug_numerical_no_l2(X, Y, params, lambda_reg=0.0, epsilon=1e-5):
    return checks.numerical_gradient(X, Y, params, 0.0, epsilon)


def bug_numerical_fixed_epsilon(X, Y, params, lambda_reg=0.0, epsilon=1e-5):
    return checks.numerical_gradient(X, Y, params, lambda_reg, 1e-5)


def bug_numerical_wrong_order(X, Y, params, lambda_reg=0.0, epsilon=1e-5):
    blocks = bug_numerical_list(X, Y, params, lambda_reg, epsilon)
    return np.concatenate([blocks[0], blocks[2], blocks[1], blocks[3]])


def bug_choose_lowest(lambda_regs, dev_accuracies):
    return float(lambda_regs[int(np.argmin(dev_accuracies))])


def bug_choose_first_listed(lambda_regs, dev_accuracies):
    return float(lambda_regs[int(np.argmax(dev_accuracies))])


def bug_choose_larger_on_tie(lambda_regs, dev_accuracies):
    best = max(dev_accuracies)
    return float(max(lam for lam, acc in zip(lambda_regs, dev_accuracies) if acc == best))


def bug_choose_position(lambda_regs, dev_accuracies):
    return sorted(range(len(lambda_regs)), key=lambda k: (-dev_accuracies[k], lambda_regs[k]))[0]


def bug_choose_accuracy(lambda_regs, dev_accuracies):
    return max(dev_accuracies)


def holdout_with_se(se):
    def holdout_score(params, X_holdout, Y_holdout):
        accuracy = network.get_accuracy(network.make_predictions(X_holdout, *params), Y_holdout)
        return accuracy, se(accuracy / 100, Y_holdout.size)
    return holdout_score


def bug_holdout_fraction(params, X_holdout, Y_holdout):
    accuracy, se = analysis.holdout_score(params, X_holdout, Y_holdout)
    return accuracy / 100, se


SECOND_PASS = [
    ("compute_loss", bug_loss_summed, r"m = 6 times too large: take the mean"),
    ("compute_loss", bug_loss_positive_log, r"MINUS the mean log-probability"),
    ("compute_loss", bug_loss_mean_over_classes, r"10 times too small"),
    ("compute_loss", bug_loss_per_example, r"expected one number: average over the examples"),
    ("compute_loss", bug_loss_unclipped, r"inf when the true class gets probability exactly 0"),
    ("compute_loss", loss_with_l2(lambda W1, W2, lam, m: 0.0), r"the L2 term is missing"),
    ("compute_loss", loss_with_l2(lambda W1, W2, lam, m: lam / m * (np.sum(W1**2) + np.sum(W2**2))),
     r"lacks the 1/2"),
    ("compute_loss", loss_with_l2(lambda W1, W2, lam, m: lam / 2 * (np.sum(W1**2) + np.sum(W2**2))),
     r"lacks the 1/m \(m = 6"),
    ("compute_loss", loss_with_l2(lambda W1, W2, lam, m: lam / (2 * m) * np.sum(W1**2)), r"penalises W1 only"),
    ("compute_loss", loss_with_l2(lambda W1, W2, lam, m: lam / (2 * m) * (np.linalg.norm(W1) + np.linalg.norm(W2))),
     r"uses the norms, not their squares"),
    ("numerical_gradient", numerical_gradient_with(_forward), r"forward difference"),
    ("numerical_gradient", numerical_gradient_with(_not_restored), r"stays nudged .*put p\[index\] = saved back"),
    ("numerical_gradient", bug_numerical_over_epsilon, r"twice too large: .*divide by 2 \* epsilon"),
    ("numerical_gradient", bug_numerical_unparenthesised, r"/ 2 \* epsilon divides by 2, then MULTIPLIES"),
    ("numerical_gradient", bug_numerical_in_place, r"changed the caller's parameters"),
    ("numerical_gradient", bug_numerical_list, r"returned a list: return one flat vector"),
    ("numerical_gradient", bug_numerical_no_l2, r"ignores lambda_reg"),
    ("numerical_gradient", bug_numerical_fixed_epsilon, r"ignores its epsilon argument"),
    ("numerical_gradient", bug_numerical_wrong_order, r"order W1, W2, b1, b2"),
    ("choose_lambda", bug_choose_lowest, r"LOWEST dev accuracy"),
    ("choose_lambda", bug_choose_first_listed, r"the tie went to the lambda listed first"),
    ("choose_lambda", bug_choose_larger_on_tie, r"the tie went to the larger lambda"),
    ("choose_lambda", bug_choose_position, r"is the position of the chosen lambda"),
    ("choose_lambda", bug_choose_accuracy, r"that is a dev accuracy"),
    ("holdout_score", bug_holdout_fraction, r"a fraction: the course reports percentages"),
    ("holdout_score", holdout_with_se(lambda p, n: np.sqrt(p * (1 - p) / n)), r"standard error is a fraction"),
    ("holdout_score", holdout_with_se(lambda p, n: 100 * p * (1 - p) / n), r"lacks the square root"),
    ("holdout_score", holdout_with_se(lambda p, n: 100 * np.sqrt(p * (1 - p)) / n), r"divides by n outside"),
    ("holdout_score", holdout_with_se(lambda p, n: np.sqrt(100 * p * (1 - 100 * p) / n)), r"NaN"),
]


@pytest.mark.parametrize("check,bug,words", SECOND_PASS,
                         ids=[f"{c[0]}-{c[2][:30]}" for c in SECOND_PASS])
def test_each_second_pass_bug_is_caught_and_named(check, bug, words, capsys):
    with np.errstate(all="ignore"), pytest.raises(CheckFailed) as info:
        getattr(checks, f"check_{check}")(bug)
    message = str(info.value)
    assert re.search(words, message), message
    assert "\n" not in message
    assert "PASS" not in capsys.readouterr().out


def test_a_loss_that_needs_the_weights_even_without_l2_is_told_so():
    with pytest.raises(CheckFailed, match="with lambda_reg = 0 the weights may be None"):
        checks.check_compute_loss(bug_loss_l2_always)


def test_gradient_check_can_use_a_given_numerical_gradient(capsys):
    X, Y, W1, b1, W2, b2 = checks._fixture(hidden=3, input_size=4)
    params = (W1, b1, W2, b2)
    error = checks.gradient_check(X, Y, params, lambda_reg=0.7, numerical=checks.numerical_gradient)
    assert error < checks.GRADIENT_CHECK_THRESHOLD and capsys.readouterr().out.startswith("PASS")
