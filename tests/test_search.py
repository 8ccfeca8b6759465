"""fashion_helpers.search: the counted trainer refuses the training past its budget, and the search loop asks,
trains and stops as the exercise of notebook 10 says."""

import numpy as np
import pytest

from fashion_helpers import data, search, training, yours
from fashion_helpers.errors import CourseInputError

from .conftest import NOTEBOOK_DIR

SMALL = {"hidden_neurons": 4, "alpha": 0.1, "epochs": 1, "lambda_reg": 0.0}


@pytest.fixture(scope="module")
def trainer_of():
    namespace = {"np": np}
    for text in yours.read_sections(NOTEBOOK_DIR / yours.RECORD_NAME).values():
        exec(text, namespace)
    functions = {n: namespace[n] for n in (*training.ALWAYS, "update_params", "sgd_epoch", "he_init")}
    pixels, labels = data.load_data(None)
    split = data.split_dev_train(pixels[:600], labels[:600], 100, np.random.default_rng(42))

    def make(budget):
        return search.Trainer(*split, seed=42, budget=budget, batch_size=64, functions=functions)

    return make


def test_the_trainer_charges_width_times_epochs_and_refuses_what_the_budget_cannot_pay(trainer_of):
    trainer = trainer_of(1)  # one largest training (64 neurons, 40 epochs), or its worth
    wide = {**SMALL, "hidden_neurons": 64, "epochs": 30}
    first = trainer.train({**wide, "seed": 0})
    assert trainer.train({**wide, "seed": 0}) == first  # a repeat is free
    assert (trainer.used, trainer.spent, trainer.left) == (1, 0.75, 0.25)
    with pytest.raises(search.BudgetSpent, match="0.25 is left, a training of 64 neurons x 30 epochs costs 0.75"):
        trainer.train({**wide, "seed": 1})
    trainer.train({**SMALL, "hidden_neurons": 32, "epochs": 20, "seed": 1})  # half the width, half the epochs
    assert (trainer.used, trainer.spent, trainer.left) == (2, 1, 0)
    with pytest.raises(search.BudgetSpent, match="the budget of 1 largest trainings is spent"):
        trainer.train({**SMALL, "seed": 2})
    assert [t["seed"] for t in trainer.trials] == [0, 1]


def test_however_cheap_the_trainings_the_trainer_makes_at_most_five_per_unit_of_budget(trainer_of):
    trainer = trainer_of(1)
    for k in range(search.MOST_PER_BUDGET):
        trainer.train({**SMALL, "seed": k})  # 4 neurons x 1 epoch: 1/640 of the budget each
    with pytest.raises(search.BudgetSpent, match="5 trainings made, the most a budget of 1 allows"):
        trainer.train({**SMALL, "seed": 5})
    assert trainer.left > 0.99


def test_training_k_is_the_same_network_in_any_trainer(trainer_of):
    a, b = trainer_of(5), trainer_of(5)
    b.train({**SMALL, "seed": 1})
    assert a.train({**SMALL, "seed": 0}) == b.train({**SMALL, "seed": 0})
    chosen = search.retrain(SMALL, b, 2)
    assert all(np.array_equal(x, y) for x, y in zip(chosen[0], a.networks[(*SMALL.values(), 0)], strict=True))
    assert b.used == 2  # retraining the choice is not part of the search


@pytest.mark.parametrize(
    "config, words",
    [
        ({**SMALL, "hidden_neurons": 65, "seed": 0}, "hidden_neurons must be a number from 1 to 64"),
        ({**SMALL, "epochs": 2.5, "seed": 0}, "epochs must be a whole number"),
        ({**SMALL, "alpha": True, "seed": 0}, "alpha must be a number"),
        (SMALL, "lacks seed"),
        ("64 hidden", "a configuration is a dict"),
    ],
)
def test_a_bad_configuration_is_refused_in_words_and_costs_nothing(trainer_of, config, words):
    trainer = trainer_of(3)
    with pytest.raises(CourseInputError, match=words):
        trainer.train(config)
    assert trainer.used == 0


def test_the_search_sees_only_copies_of_the_trials_and_its_choice_is_checked(trainer_of):
    trainer = trainer_of(3)

    def next_trial(trials, budget_left):
        if trials:
            trials[0]["dev_accuracy"] = 100.0  # a copy: the trainer's record stays
            return "choose", {**SMALL, "note": "ignored"}
        return "train", {**SMALL, "seed": 0}

    assert search.run_search(next_trial, trainer) == SMALL
    assert trainer.trials[0]["dev_accuracy"] < 100.0


def measure_small(trials, budget_left):
    """Train SMALL with seeds 0 and 1, then choose it."""
    return ("train", {**SMALL, "seed": len(trials)}) if len(trials) < 2 else ("choose", SMALL)


def test_the_verdict_judges_the_choice_on_fresh_trainings_the_search_never_saw(trainer_of):
    trainer = trainer_of(3)
    passed = search.verdict(measure_small, trainer, 2, 10.0)
    failed = search.verdict(measure_small, trainer_of(3), 2, 99.0)
    assert passed["points"] == 1 and failed["points"] == 0
    assert passed["devs"] == failed["devs"] and len(passed["devs"]) == 2
    fresh = [trainer.dev_accuracy(trainer.networks[(*SMALL.values(), k)]) for k in (2, 3)]  # seeds 2 and 3
    assert passed["devs"] == fresh and trainer.used == 2  # judged on them, outside the budget
    own = np.mean([t["dev_accuracy"] for t in trainer.trials])
    assert "over 2 fresh trainings, seeds 2 to 3 (target 10%;" in passed["message"]
    assert f"your search's own 2: {own:.2f}%" in passed["message"]
    assert "short of the target 99%" in failed["message"]


@pytest.mark.parametrize("trained", [0, 1])
def test_a_choice_the_search_did_not_train_on_every_seed_scores_nothing_however_good(trainer_of, trained):
    def choose_early(trials, budget_left):
        return ("train", {**SMALL, "seed": len(trials)}) if len(trials) < trained else ("choose", SMALL)

    trainer = trainer_of(3)
    found = search.verdict(choose_early, trainer, 2, 10.0)  # SMALL reaches 10% (the test above): only the rule fails
    assert found["points"] == 0 and trainer.used == trained
    missing = ", ".join(str(k) for k in range(trained, 2))
    assert f"was not trained by your search with seed {missing}:" in found["message"]


def test_the_holdout_look_scores_the_searchs_own_networks_once_and_trains_nothing(trainer_of):
    trainer = trainer_of(1)
    for k in range(2):
        trainer.train({**SMALL, "seed": k})
    X_dev, Y_dev = trainer.data[2], trainer.data[3]
    look = search.holdout_look(SMALL, trainer, 2, X_dev, Y_dev, target=50.0)  # the dev images as a stand-in
    assert trainer.used == 2 and len(trainer.networks) == 2  # the search's two networks, nothing new
    own = np.mean([t["dev_accuracy"] for t in trainer.trials])
    assert look["dev_mean"] == pytest.approx(own) and look["holdout_mean"] == pytest.approx(own)
    assert len(look["lines"]) == 5
    assert "held-out minus dev: +0.00 points, +0.00 standard errors" in look["lines"][3]
    assert look["lines"][4].startswith("target 50%: the dev mean is")
