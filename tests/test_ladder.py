"""fashion_helpers.ladder: the seed spread of notebooks 08 and 09, the paired keep-or-tie rule, the baselines."""

import numpy as np
import pytest

from fashion_helpers import ladder, training


@pytest.fixture(scope="module")
def mine(reference):
    return {
        name: getattr(reference, name)
        for name in training.ALWAYS + ("init_params", "update_params", "sgd_epoch", "glorot_init", "adam_update")
    }


def row(step, devs):
    return {
        "step": step,
        "devs": devs,
        "dev_mean": float(np.mean(devs)),
        "dev_std": float(np.std(devs, ddof=1)),
        "verdict": "",
    }


def test_the_recipe_changes_the_plain_start_in_start_optimiser_and_width_only():
    plain = ladder.plain_settings(20, 3, 64, 0.1)
    assert plain == dict(
        hidden_neurons=20,
        epochs=3,
        batch_size=64,
        optimizer="sgd",
        alpha=0.1,
        init="uniform",
        schedule="constant",
        dtype="float64",
    )
    recipe = ladder.recipe_settings(plain, 0.001, 128)
    changed = {name for name in plain if plain[name] != recipe[name]}
    assert changed == {"init", "optimizer", "alpha", "hidden_neurons"} and recipe["init"] == "glorot"


def test_a_change_is_kept_only_when_its_whole_interval_is_above_zero(capsys):
    rungs = ladder.Ladder(None, None, None, None, {}, seed=0, n_seeds=3)
    base = row("base", [70.0, 75.0, 80.0])
    noisy = row("noisy", [72.0, 74.0, 83.0])  # gains +2, -1, +3: the interval straddles 0
    steady = row("steady", [73.0, 78.5, 82.5])  # gains +3, +3.5, +2.5
    larger = row("larger", [75.0, 80.0, 85.0])  # gains +5, +5, +5: sd 0, the largest clear gain
    assert rungs.keep_if_clearly_better(base, noisy) is base and noisy["verdict"] == "tie"
    assert "the simpler configuration stays" in capsys.readouterr().out
    assert rungs.keep_if_clearly_better(base, noisy, steady, larger) is larger
    assert steady["verdict"] == "gain" and steady["paired_gain"] == pytest.approx(3.0)
    table = rungs.summary(larger)
    assert table.empty  # rows are recorded by train only


def test_compare_prints_a_verdict_between_any_two_rows_and_changes_neither(capsys):
    rungs = ladder.Ladder(None, None, None, None, {}, seed=0, n_seeds=3)
    mirror, shifts = row("mirror", [70.0, 75.0, 80.0]), row("shifts", [65.0, 70.5, 74.0])  # -5, -4.5, -6
    before = (dict(mirror), dict(shifts))
    gain = rungs.compare(shifts, mirror)
    assert gain["verdict"] == "loss" and gain["mean"] == pytest.approx(-31 / 6)
    assert "shifts - mirror, seed by seed: -5.00, -4.50, -6.00" in capsys.readouterr().out
    assert (mirror, shifts) == before  # the table's verdicts stay those against the ladder's best


def test_with_one_seed_the_dev_images_decide_beyond_two_paired_standard_errors(capsys):
    Y_dev = np.arange(1000) % 10
    functions = {"make_predictions": lambda X, predictions: predictions}  # a "network" is its predictions

    def one_training(step, right):
        predictions = np.where(right, Y_dev, (Y_dev + 1) % 10)
        return {"step": step, "devs": [100 * float(np.mean(right))], "runs": [((predictions,), {})], "verdict": ""}

    rungs = ladder.Ladder(None, None, np.zeros((784, Y_dev.size)), Y_dev, functions, seed=0, n_seeds=1)
    right = np.arange(1000) < 800
    base = one_training("base", right)
    # 30 images more right, none fewer: +3.0 points, SE sqrt(30 - 0.9) / 10 = 0.54: a gain
    better = one_training("better", right | (np.arange(1000) >= 970))
    # 40 more right and 30 fewer: +1.0 point, SE sqrt(70 - 0.1) / 10 = 0.84: within two standard errors
    shuffled = one_training("shuffled", (right & (np.arange(1000) >= 30)) | (np.arange(1000) >= 960))
    assert rungs.keep_if_clearly_better(base, shuffled) is base and shuffled["verdict"] == "tie"
    assert shuffled["paired_gain"] == pytest.approx(1.0)
    assert "one seed, on the 1000 dev images: +1.00 points, standard error 0.84 -> tie" in capsys.readouterr().out
    assert rungs.keep_if_clearly_better(base, shuffled, better) is better and better["verdict"] == "gain"
    assert "+3.00 points, standard error 0.54 -> gain" in capsys.readouterr().out


def test_training_k_of_two_configurations_shares_its_stream_and_the_summary_marks_the_choice(split, mine):
    X_train, Y_train, X_dev, Y_dev = split
    rungs = ladder.Ladder(X_train[:, :200], Y_train[:200], X_dev, Y_dev, mine, seed=4, n_seeds=2)
    plain = ladder.plain_settings(8, 1, 50, 0.1)
    first = rungs.train("plain", **plain)
    again = rungs.train("plain again", **plain)
    assert first["devs"] == again["devs"] and len(first["devs"]) == 2
    assert first["devs"][0] == training.evaluate(
        training.train_minibatch(
            X_train[:, :200],
            Y_train[:200],
            np.random.default_rng([4, 0]),
            functions=mine,
            X_dev=X_dev,
            Y_dev=Y_dev,
            **plain,
        )[0],
        X_dev,
        Y_dev,
        mine,
    )
    recipe = rungs.train("recipe", **ladder.recipe_settings(plain, 0.01, 16))
    kept = rungs.keep_if_clearly_better(first, recipe)
    table = rungs.summary(kept)
    assert list(table["configuration"]) == ["plain", "plain again", "recipe"]
    assert list(table["chosen"]).count("<-") == 1 and table["verdict"].iloc[2] in ("gain", "tie", "loss")


def test_the_baselines_fit_and_report_their_dev_accuracy(split, capsys):
    X_train, Y_train, X_dev, Y_dev = split
    models = ladder.baselines(wide_neurons=8, batch_size=50, epochs=2, adam_alpha=0.01, seed=0)
    dev = ladder.fit_baselines(models, X_train[:, :300], Y_train[:300], X_dev, Y_dev, svc_max_train=100)
    out = capsys.readouterr().out
    assert list(dev) == ["majority class", "logistic regression", "RBF SVC", "MLPClassifier"]
    assert "RBF SVC              dev accuracy" in out and "trained on 100 images" in out
    assert "(not converged:" in out  # MLPClassifier stops after 2 epochs: one note, no warning
    assert dev["majority class"] < dev["logistic regression"] and all(0 <= v <= 100 for v in dev.values())
