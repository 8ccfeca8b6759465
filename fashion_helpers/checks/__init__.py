"""Self-checks for learners: each runs a student's function on the exercise's recorded cases and says in words
what is wrong.

A self-check cell reads ``ReLU = checks.check_ReLU(ReLU)``:

- when the function is right it prints one ``PASS`` line, records the function's cell in ``my_functions.py``
  (so later notebooks run it: :mod:`fashion_helpers.yours`) and returns it;
- while the exercise is open (the function still raises ``NotImplementedError``, as the released stubs do) it
  prints one ``NOT YET`` line and returns what stands in meanwhile: the course's working copy in the self-study
  edition, nothing that works in a graded assignment (:func:`fashion_helpers.yours.stand_in`). Under nbgrader's
  autograde (``NBGRADER_EXECUTION``) that line goes to stderr, which costs the test cell its points;
- when it is wrong it raises :class:`CheckFailed`, whose message names the mistake.

The recorded cases hold the instructor's outputs and those of catalogued mistakes (``exercises.json``); no check
holds code that computes an answer. ``check_X(fn, hidden=True)``, in the test cells' hidden regions, runs the
hidden cases a grader's kernel has (silent when they pass). The grade itself comes from the isolated grader,
which runs the same cases outside the notebook's kernel (``fashion_helpers.tools.verify``).
"""

from . import network as _network
from . import selection as _selection
from . import training as _training
from ._framework import CheckFailed, judge
from .network import (
    check_backward_prop,
    check_compute_loss,
    check_forward_prop,
    check_forward_prop_loop,
    check_get_accuracy,
    check_get_predictions,
    check_gradient_descent,
    check_init_params,
    check_numerical_gradient,
    check_one_hot,
    check_ReLU,
    check_ReLU_deriv,
    check_softmax,
    check_update_params,
)
from .selection import (
    check_choose_lambda,
    check_holdout_score,
    check_make_predictions,
    check_next_trial,
    check_top_confusions,
)
from .training import (
    check_adam_update,
    check_flip_left_right,
    check_glorot_init,
    check_he_init,
    check_minibatches,
    check_momentum_update,
    check_sgd_epoch,
    check_shift_images,
    check_should_stop,
)

#: Every exercise's hooks (what its check adds to the recorded cases), for the isolated grader.
HOOKS = {**_network.HOOKS, **_selection.HOOKS, **_training.HOOKS}

__all__ = [
    "CheckFailed",
    "HOOKS",
    "judge",
    "check_adam_update",
    "check_backward_prop",
    "check_choose_lambda",
    "check_compute_loss",
    "check_flip_left_right",
    "check_forward_prop",
    "check_forward_prop_loop",
    "check_get_accuracy",
    "check_get_predictions",
    "check_glorot_init",
    "check_gradient_descent",
    "check_he_init",
    "check_holdout_score",
    "check_init_params",
    "check_make_predictions",
    "check_minibatches",
    "check_momentum_update",
    "check_next_trial",
    "check_numerical_gradient",
    "check_one_hot",
    "check_ReLU",
    "check_ReLU_deriv",
    "check_sgd_epoch",
    "check_shift_images",
    "check_should_stop",
    "check_softmax",
    "check_top_confusions",
    "check_update_params",
]
