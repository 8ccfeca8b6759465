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
    functions = {n: namespace[n] for n in (*training.ALWAYS, "update_params", "he_init")}
    pixels, labels = data.load_data(None)
    split = data.split_dev_train(pixels[:600], labels[:600], 100, np.random.default_rng(42))

    def make(budget):
        return search.Trainer(*split, seed=42, budget=budget, batch_size=64, functions=functions)

    return make


def test_the_trainer_charges_each_training_its_epochs_and_refuses_what_the_budget_cannot_pay(trainer_of):
    trainer = trainer_of(1)  # one training of 40 epochs, or its worth
    long = {**SMALL, "epochs": 30}
    first = trainer.train({**long, "seed": 0})
    assert trainer.train({**long, "seed": 0}) == first  # a repeat is free
    assert (trainer.used, trainer.spent, trainer.left) == (1, 0.75, 0.25)
    with pytest.raises(search.BudgetSpent, match="0.25 is left, a training of 30 epochs costs 0.75"):
        trainer.train({**long, "seed": 1})
    trainer.train({**SMALL, "epochs": 10, "seed": 1})
    assert (trainer.used, trainer.spent, trainer.left) == (2, 1, 0)
    with pytest.raises(search.BudgetSpent, match="budget of 1 trainings of 40 epochs is spent"):
        trainer.train({**SMALL, "seed": 2})
    assert [t["seed"] for t in trainer.trials] == [0, 1]


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


def test_the_verdict_compares_the_mean_of_the_choices_trainings_with_the_target(trainer_of):
    passed = search.verdict(measure_small, trainer_of(3), 2, 10.0)
    failed = search.verdict(measure_small, trainer_of(3), 2, 99.0)
    assert passed["points"] == 1 and failed["points"] == 0
    assert passed["devs"] == failed["devs"] and len(passed["devs"]) == 2
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
