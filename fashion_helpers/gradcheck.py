"""The gradient check of notebook 04: backward propagation against numerical differences of the loss.

Both sides are the student's: ``backward`` (their ``backward_prop``) gives the gradients by the chain rule,
``numerical`` (their ``numerical_gradient``) by nudging each parameter and watching the loss. When two independent
computations agree to a relative error far below the threshold, both are right; a mistake in either shows up as
an error many orders of magnitude larger.
"""

from __future__ import annotations

import numpy as np

from . import yours

THRESHOLD = 1e-7


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """``||a - b|| / (||a|| + ||b||)``: 0 when equal, 1 when opposite; between vectors of equal length at right
    angles, sqrt(2)/2."""
    return float(np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b)))


def gradient_check(
    X,
    Y,
    params,
    *,
    forward,
    backward,
    numerical,
    lambda_reg: float = 0.0,
    epsilon: float = 1e-5,
    threshold: float = THRESHOLD,
    verbose: bool = True,
) -> float:
    """Compare ``backward``'s gradients with ``numerical``'s; returns their relative error.

    forward, backward, numerical: functions with the signatures of the exercises ``forward_prop``,
    ``backward_prop`` and ``numerical_gradient``. Prints the verdict beside the threshold when verbose, naming
    whose functions it compared.
    """
    W1, b1, W2, b2 = params
    Z1, A1, Z2, A2 = forward(W1, b1, W2, b2, X)
    analytic = np.concatenate([g.ravel() for g in backward(Z1, A1, Z2, A2, W1, W2, X, Y, lambda_reg)])
    numeric = np.asarray(numerical(X, Y, params, lambda_reg, epsilon))
    error = relative_error(analytic, numeric)
    if verbose:
        verdict = "PASS" if error < threshold else "FAIL"
        # Only the order of magnitude is printed: the digits of so small a number are rounding noise that differs
        # between machines and BLAS kernels.
        magnitude = int(np.floor(np.log10(max(error, 1e-300))))
        whose = (
            f"{yours.describe(backward, getattr(backward, '__name__', 'backward'))} against "
            f"{yours.describe(numerical, getattr(numerical, '__name__', 'numerical'))}"
        )
        print(
            f"{verdict}  gradient check of {whose} (lambda_reg={lambda_reg:g}): relative error ~1e{magnitude}, "
            f"threshold {threshold:.0e}"
        )
    return error
