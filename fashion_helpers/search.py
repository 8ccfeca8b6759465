"""Model selection within a budget (notebook 10): the course's counted trainer, the search it drives, and the
retraining that judges a choice.

The student's search is a function ``next_trial(trials, budget_left)``. It never trains anything itself: it
reads the trials so far (each a dict of the configuration, the seed index and the dev accuracy it reached) and
returns either ``("train", config)``, one more training, or ``("choose", config)``, its final choice. A config is
a dict with ``hidden_neurons``, ``alpha``, ``epochs``, ``lambda_reg`` and, for a training, ``seed`` (training k
of a configuration draws from ``default_rng([seed, k])``, as in notebook 08). :func:`run_search` asks and
trains in turn; the :class:`Trainer` charges each training its width times its epochs (the largest training
costs 1 of the budget, a narrower or shorter one its share) and refuses one that costs more than is left. Because
the student's function only ever sees numbers the trainer computed, the isolated grader can run the same loop
with the student's function in its sandbox and the trainer on its own side (``fashion_helpers.tools.verify``).
A choice counts only when the search trained it with every seed k = 0 .. n-1; it is then judged on n fresh
trainings, k = n .. 2n-1, which the search never saw (:func:`verdict`): nothing the student's kernel printed
enters the grade, and the dev scores the search chose on, optimistic by the winner's curse, do not either.

Each training is mini-batch SGD from a He start (:func:`fashion_helpers.training.train_minibatch`), the fast
path of notebook 08: a full-batch training of 500 steps costs about fifty mini-batch epochs' worth of products.
"""

from __future__ import annotations

import numbers

import numpy as np

from . import analysis, training
from .errors import CourseInputError

#: The exercise, and the notebook it belongs to. It has solution markers and a self-check like every exercise,
#: but no recorded cases: it is judged by running the search and retraining its choice, not against outputs
#: (so it is not in ``exercises.json``, and ``SEARCHED`` tells the tooling so).
NAME, NOTEBOOK = "next_trial", "10_model_selection"
SEARCHED = {NAME: NOTEBOOK}
#: What a configuration holds, and the range the trainer accepts for each (a training's cost is bounded).
LIMITS = {"hidden_neurons": (1, 64), "alpha": (1e-4, 2.0), "epochs": (1, 40), "lambda_reg": (0.0, 100.0)}
KEYS = tuple(LIMITS)
#: The budget is counted in largest trainings (FULL_WIDTH neurons, FULL_EPOCHS epochs): a training of h neurons
#: and e epochs costs h e / (FULL_WIDTH FULL_EPOCHS) of it, so a narrow or short screening is cheap and the width
#: and the epochs are part of the plan. At most MOST_PER_BUDGET trainings per unit of budget, however cheap.
FULL_WIDTH, FULL_EPOCHS = LIMITS["hidden_neurons"][1], LIMITS["epochs"][1]
MOST_PER_BUDGET = 5


def _neuron_epochs(config: dict) -> int:
    return config["hidden_neurons"] * config["epochs"]


def cost(config: dict) -> float:
    """What one training of ``config`` costs, in largest trainings."""
    return _neuron_epochs(config) / (FULL_WIDTH * FULL_EPOCHS)


def training_key(config: dict, seed: int) -> tuple:
    """Training ``seed`` of a configuration, as the trainer files it."""
    return tuple(config[name] for name in KEYS) + (seed,)


class BudgetSpent(CourseInputError):
    """The trainer refused a training: the budget is spent."""


def config_of(value, *, with_seed: bool) -> dict:
    """A checked copy of a configuration dict (CourseInputError, in words, for anything else)."""
    if not isinstance(value, dict):
        raise CourseInputError(f"a configuration is a dict with the keys {', '.join(KEYS)}, got {type(value).__name__}")
    wanted = KEYS + (("seed",) if with_seed else ())
    missing = [k for k in wanted if k not in value]
    if missing:
        raise CourseInputError(f"the configuration lacks {', '.join(missing)}")
    config = {}
    for key in KEYS:
        number = value[key]
        low, high = LIMITS[key]
        if isinstance(number, bool) or not isinstance(number, numbers.Real) or not low <= number <= high:
            raise CourseInputError(f"{key} must be a number from {low:g} to {high:g}, got {number!r}")
        if key in ("hidden_neurons", "epochs"):
            if int(number) != number:
                raise CourseInputError(f"{key} must be a whole number, got {number!r}")
            number = int(number)
        config[key] = float(number) if key in ("alpha", "lambda_reg") else number
    if with_seed:
        seed = value["seed"]
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
            raise CourseInputError(f"seed is the index k of a training (0, 1, 2, ...), got {seed!r}")
        config["seed"] = int(seed)
    return config


class Trainer:
    """Trains configurations on the dev split, charging each its :func:`cost`; refuses one the ``budget`` cannot
    pay, and any past ``MOST_PER_BUDGET * budget`` trainings.

    ``budget`` is in largest trainings (:data:`FULL_WIDTH` neurons, :data:`FULL_EPOCHS` epochs).
    ``train(config)`` returns the dev accuracy (%) of training ``config["seed"]`` of that configuration and
    appends it to ``trials``. Repeating a training already made returns its result again at no cost.
    functions: the network's functions by exercise name (:data:`fashion_helpers.training.ALWAYS`,
    ``update_params`` and ``he_init``), the student's in the notebook, the course's in the grader.
    """

    def __init__(self, X_train, Y_train, X_dev, Y_dev, *, seed: int, budget: int, batch_size: int, functions):
        self.data = (X_train, Y_train, X_dev, Y_dev)
        self.seed, self.budget, self.batch_size, self.functions = seed, budget, batch_size, functions
        self.trials: list[dict] = []
        self.networks: dict[tuple, tuple] = {}

    @property
    def used(self) -> int:
        """How many trainings the search made."""
        return len(self.trials)

    @property
    def units_left(self) -> int:
        """What is left, in neuron-epochs (exact: no rounding decides a refusal)."""
        spent = sum(_neuron_epochs(t) for t in self.trials)
        return self.budget * FULL_WIDTH * FULL_EPOCHS - spent

    @property
    def spent(self) -> float:
        """What the trainings cost, in largest trainings."""
        return self.budget - self.left

    @property
    def left(self) -> float:
        """What the budget still pays for, in largest trainings."""
        return self.units_left / (FULL_WIDTH * FULL_EPOCHS)

    def fit(self, config: dict):
        """The network of training ``config["seed"]`` of a configuration, uncounted (for :func:`retrain`)."""
        X_train, Y_train, _, _ = self.data
        params, _ = training.train_minibatch(
            X_train,
            Y_train,
            np.random.default_rng([self.seed, config["seed"]]),
            functions=self.functions,
            hidden_neurons=config["hidden_neurons"],
            epochs=config["epochs"],
            batch_size=self.batch_size,
            optimizer="sgd",
            alpha=config["alpha"],
            init="he",
            lambda_reg=config["lambda_reg"],
        )
        return params

    def dev_accuracy(self, params) -> float:
        return training.evaluate(params, self.data[2], self.data[3], self.functions)

    def train(self, config: dict) -> float:
        config = config_of(config, with_seed=True)
        key = training_key(config, config["seed"])
        for trial in self.trials:
            if training_key(trial, trial["seed"]) == key:
                return trial["dev_accuracy"]
        if _neuron_epochs(config) > self.units_left:
            raise BudgetSpent(
                f"the budget of {self.budget} largest trainings is spent: {self.left:g} is left, a training of "
                f"{config['hidden_neurons']} neurons x {config['epochs']} epochs costs {cost(config):g}; choose "
                "among the trials you have"
            )
        if self.used >= MOST_PER_BUDGET * self.budget:
            raise BudgetSpent(
                f"{self.used} trainings made, the most a budget of {self.budget} allows ({MOST_PER_BUDGET} per unit, "
                "however cheap): choose among the trials you have"
            )
        params = self.fit(config)
        self.networks[key] = params
        self.trials.append({**config, "dev_accuracy": self.dev_accuracy(params)})
        return self.trials[-1]["dev_accuracy"]


def run_search(next_trial, trainer: Trainer) -> dict:
    """Ask ``next_trial(trials, budget_left)`` for trainings until it chooses; returns the chosen config.

    It is asked at most ``MOST_PER_BUDGET * budget + 1`` times, one more than the most trainings the trainer makes
    (a repeated training costs nothing, so asking again and again for one is refused too). CourseInputError, in
    words, for an answer that is neither ``("train", config)`` nor ``("choose", config)``; BudgetSpent for a
    training past the budget."""
    asks = MOST_PER_BUDGET * trainer.budget + 1
    for _ in range(asks):
        answer = next_trial([dict(t) for t in trainer.trials], trainer.left)
        if not (isinstance(answer, (tuple, list)) and len(answer) == 2 and answer[0] in ("train", "choose")):
            raise CourseInputError(f'next_trial must return ("train", config) or ("choose", config), got {answer!r}')
        action, config = answer
        if action == "choose":
            return config_of(config, with_seed=False)
        trainer.train(config)
    raise BudgetSpent(f'next_trial was asked {asks} times and never chose: return ("choose", config)')


def retrain(config: dict, trainer: Trainer, n_seeds: int, first: int = 0) -> list[tuple]:
    """The networks of trainings ``first`` .. ``first + n_seeds - 1`` of ``config``: those the search made, the rest
    trained now and kept (uncounted: the course's judging of the choice is not part of the search; no trial
    records them)."""
    config = config_of(config, with_seed=False)
    found = []
    for k in range(first, first + n_seeds):
        key = training_key(config, k)
        if key not in trainer.networks:
            trainer.networks[key] = trainer.fit({**config, "seed": k})
        found.append(trainer.networks[key])
    return found


def verdict(next_trial, trainer: Trainer, n_seeds: int, target: float) -> dict:
    """Run the search and judge its choice on fresh trainings: ``{"points", "message", "choice", "devs"}``.

    One point when the search chose within the budget a configuration it trained with every seed 0 .. n_seeds-1
    (a choice it never measured scores nothing, however good) and the mean dev accuracy of n_seeds fresh
    trainings of it, seeds n_seeds .. 2 n_seeds - 1 (``devs``), reaches ``target``: the search chose on its own
    trainings' scores, so those are optimistic; new draws of the training remove that luck of the draw (not the
    luck of the dev images, which only a held-out set can show). The message says why not otherwise, and sets the
    search's own mean beside the fresh one."""
    try:
        choice = run_search(next_trial, trainer)
    except NotImplementedError:
        return {"points": 0.0, "message": "not implemented yet (it still raises NotImplementedError)", "open": True}
    except BudgetSpent as error:
        return {"points": 0.0, "message": f"the search went past its budget: {error}"}
    except CourseInputError as error:
        return {"points": 0.0, "message": str(error)}
    described = ", ".join(f"{k} {choice[k]:g}" for k in KEYS)
    measured = {training_key(t, t["seed"]): t["dev_accuracy"] for t in trainer.trials}
    unmeasured = [k for k in range(n_seeds) if training_key(choice, k) not in measured]
    if unmeasured:
        message = (
            f"the choice ({described}) was not trained by your search with seed {', '.join(map(str, unmeasured))}: "
            f"choose a configuration your trials measured on all {n_seeds} seeds (0 to {n_seeds - 1})"
        )
        return {"points": 0.0, "message": message, "choice": choice}
    own = float(np.mean([measured[training_key(choice, k)] for k in range(n_seeds)]))
    devs = [trainer.dev_accuracy(params) for params in retrain(choice, trainer, n_seeds, first=n_seeds)]
    mean = float(np.mean(devs))
    fresh = f"{mean:.2f}% mean dev accuracy over {n_seeds} fresh trainings, seeds {n_seeds} to {2 * n_seeds - 1}"
    if mean < target:
        message = (
            f"the choice ({described}) reaches {fresh}, short of the target {target:g}% (your search's own "
            f"{n_seeds} trainings of it: {own:.2f}%)"
        )
        return {"points": 0.0, "message": message, "choice": choice, "devs": devs}
    message = (
        f"the choice ({described}) reaches {fresh} (target {target:g}%; your search's own {n_seeds}: {own:.2f}%), "
        f"found with {trainer.used} trainings, {trainer.spent:g} of the budget of {trainer.budget}"
    )
    return {"points": 1.0, "message": message, "choice": choice, "devs": devs}


def holdout_look(choice: dict, trainer: Trainer, n_seeds: int, X_holdout, Y_holdout, target: float) -> dict:
    """Score the networks the search trained of ``choice`` (trainings 0 .. n_seeds-1, nothing new) on the held-out
    images, once: ``{"dev_mean", "holdout_mean", "lines"}``, the lines to print: the choice and its cost, both
    means with their per-seed values and standard errors (:func:`analysis.accuracy_se`), the held-out mean's fall
    from the dev mean in standard errors of the difference, and where both stand against ``target``."""
    networks = retrain(choice, trainer, n_seeds)
    devs = [trainer.dev_accuracy(p) for p in networks]
    holdouts = [training.evaluate(p, X_holdout, Y_holdout, trainer.functions) for p in networks]
    dev_mean, holdout_mean = float(np.mean(devs)), float(np.mean(holdouts))
    n_dev, n_holdout = trainer.data[3].size, Y_holdout.size
    dev_se, holdout_se = analysis.accuracy_se(dev_mean, n_dev), analysis.accuracy_se(holdout_mean, n_holdout)
    difference = holdout_mean - dev_mean
    fall = difference / np.hypot(dev_se, holdout_se)
    from_target = (dev_mean - target) / dev_se
    per_seed = ", ".join
    lines = [
        "chosen: "
        + ", ".join(f"{k} {choice[k]:g}" for k in KEYS)
        + f"; {trainer.used} trainings, {trainer.spent:g} of the budget of {trainer.budget}",
        f"  dev accuracy over {n_seeds} seeds, used to choose: {dev_mean:6.2f}% (per seed "
        + per_seed(f"{a:.2f}" for a in devs)
        + f"; standard error {dev_se:.2f} on {n_dev} images)",
        f"  held-out accuracy, never used to choose:  {holdout_mean:6.2f}% (per seed "
        + per_seed(f"{a:.2f}" for a in holdouts)
        + f"; standard error {holdout_se:.2f} on {n_holdout} images)",
        f"held-out minus dev: {difference:+.2f} points, {fall:+.2f} standard errors of the difference: "
        + ("within two, what noise alone gives" if abs(fall) <= 2 else "beyond two, more than noise alone gives"),
        f"target {target:g}%: the dev mean is {from_target:+.2f} dev standard errors from it"
        + (" (within one: a close call)" if abs(from_target) < 1 else "")
        + f"; the held-out mean {'reaches' if holdout_mean >= target else 'does not reach'} it "
        f"({holdout_mean - target:+.2f} points)",
    ]
    return {"dev_mean": dev_mean, "holdout_mean": holdout_mean, "lines": lines}
