"""fashion_helpers.gradcheck: backward propagation against numerical differences, both the student's, named."""

import numpy as np

from fashion_helpers import gradcheck, yours


def test_a_right_backward_pass_passes_and_a_wrong_one_fails_by_orders_of_magnitude(reference, split, capsys):
    R = reference
    X, Y = split[0][:, :8], split[1][:8]
    W1, b1, W2, b2 = R.init_params(np.random.default_rng(3), 784, 20)
    params = (W1[:2], b1[:2], W2[:, :2], b2)
    error = gradcheck.gradient_check(
        X, Y, params, forward=R.forward_prop, backward=R.backward_prop, numerical=R.numerical_gradient, lambda_reg=0.7
    )
    assert error < gradcheck.THRESHOLD
    line = capsys.readouterr().out
    assert line.startswith(
        "PASS  gradient check of your backward_prop against your numerical_gradient "
        "(lambda_reg=0.7): relative error ~1e-"
    )

    def half_dW2(*args):
        dW1, db1, dW2, db2 = R.backward_prop(*args)
        return dW1, db1, dW2 / 2, db2

    assert (
        gradcheck.gradient_check(
            X, Y, params, forward=R.forward_prop, backward=half_dW2, numerical=R.numerical_gradient, verbose=False
        )
        > 1e-3
    )


def test_the_line_names_what_stands_in_for_an_open_exercise(reference, split, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    stand_in = yours.stand_in("numerical_gradient")
    gradcheck.relative_error(np.ones(2), np.ones(2))
    assert "the course's working copy" in yours.describe(yours._mark(lambda: 0, "course"), "numerical_gradient")
    assert yours.describe(stand_in, "numerical_gradient") == "numerical_gradient, which has not passed yet"
    assert yours.describe(lambda: 0, "backward_prop") == "your backward_prop"
    assert yours.describe(lambda: 0, "backward_prop_without_l2") == "backward_prop_without_l2"  # a notebook's demo


def test_the_relative_error_is_0_for_equal_1_for_opposite_and_a_half_root_two_at_right_angles():
    a, b = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    assert gradcheck.relative_error(a, a) == 0 and gradcheck.relative_error(a, -a) == 1
    assert np.isclose(gradcheck.relative_error(a, b), np.sqrt(2) / 2)
