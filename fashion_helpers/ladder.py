"""The ladder of notebooks 08 and 09: configurations trained over a seed spread and compared seed by seed.

One home for what both notebooks do: train a configuration ``n_seeds`` times (training k from
``default_rng([seed, k])``, so training k of two configurations shares its random stream), keep a change only
when its paired gain's 95 % t interval is above zero (:func:`fashion_helpers.analysis.paired_gain`; with a
single seed, when its gain on the dev images exceeds two of their paired standard errors,
:func:`fashion_helpers.analysis.paired_image_gain`), and the
scikit-learn baselines both notebooks measure. The settings of the plain start and of the recipe are written
here once, so 09 re-runs the very comparison 08 ended with.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from . import analysis, training

#: beta of momentum; its learning rate is alpha (1 - beta), so a steady gradient moves as far as plain descent
MOMENTUM_BETA = 0.9


def plain_settings(
    hidden_neurons: int, epochs: int, batch_size: int, alpha: float, schedule: str = "constant", dtype: str = "float64"
) -> dict:
    """The ladder's first rung: the mid-term's width and uniform start, plain gradient descent on mini-batches.
    ``schedule`` and ``dtype`` (:func:`.training.train_minibatch`) hold for every rung: the sample's parameters keep
    a constant rate in float64; params/full.yaml lowers the rate each epoch (cosine) and computes in float32."""
    return dict(
        hidden_neurons=hidden_neurons,
        epochs=epochs,
        batch_size=batch_size,
        optimizer="sgd",
        alpha=alpha,
        init="uniform",
        schedule=schedule,
        dtype=dtype,
    )


def recipe_settings(plain: dict, adam_alpha: float, wide_neurons: int) -> dict:
    """The recipe that notebook 08 tests as one change after the single steps (a post-hoc look, as 08 says): a
    Glorot start, Adam and the wider layer together, on top of ``plain``."""
    return {**plain, "init": "glorot", "optimizer": "adam", "alpha": adam_alpha, "hidden_neurons": wide_neurons}


class Ladder:
    """Every configuration tried, over the seeds; ``functions`` is the notebook's dict of your functions (read at
    each training, so functions added to it later are used from then on)."""

    def __init__(self, X_train, Y_train, X_dev, Y_dev, functions, seed: int, n_seeds: int):
        self.X_train, self.Y_train, self.X_dev, self.Y_dev = X_train, Y_train, X_dev, Y_dev
        self.functions, self.seed, self.n_seeds = functions, seed, n_seeds
        self.rows: list[dict] = []

    def generator(self, k: int) -> np.random.Generator:
        """The generator of training k of every configuration."""
        return np.random.default_rng([self.seed, k])

    def train(self, step: str, **settings) -> dict:
        """Train one configuration n_seeds times; record, print and return its dev accuracies and networks."""
        runs = [
            training.train_minibatch(
                self.X_train,
                self.Y_train,
                self.generator(k),
                X_dev=self.X_dev,
                Y_dev=self.Y_dev,
                functions=self.functions,
                **settings,
            )
            for k in range(self.n_seeds)
        ]
        devs = [training.evaluate(params, self.X_dev, self.Y_dev, self.functions) for params, _ in runs]
        sd = float(np.std(devs, ddof=1)) if self.n_seeds > 1 else 0.0
        row = {
            "step": step,
            "settings": settings,
            "devs": devs,
            "dev_mean": float(np.mean(devs)),
            "dev_std": sd,
            "runs": runs,
            "verdict": "",
        }
        self.rows.append(row)
        print(f"{step:45s} dev {row['dev_mean']:6.2f}% ± {sd:.2f}")
        return row

    def keep_if_clearly_better(self, best: dict, *candidates: dict) -> dict:
        """The candidate with the largest mean paired gain over best among those whose 95 % t interval is above
        0; if none is, best: the simpler configuration, without the change ("tie"). With one seed there is no
        spread over seeds to judge by: the dev images decide, as in notebook 05 (:meth:`image_gain`)."""
        clear = []
        for candidate in candidates:
            gain = self.compare(candidate, best)
            candidate["verdict"], candidate["paired_gain"] = gain["verdict"], gain["mean"]
            if gain["verdict"] == "gain":
                clear.append((gain["mean"], candidate))
        chosen = max(clear, key=lambda pair: pair[0])[1] if clear else best
        print(f"-> kept: {chosen['step']}" + ("" if clear else " (tie or loss: the simpler configuration stays)"))
        return chosen

    def compare(self, new: dict, old: dict) -> dict:
        """Print and return the paired gain of configuration new over old (its "verdict": gain, tie or loss),
        seed by seed, or with one seed on the dev images; neither row is changed."""
        what = f"{new['step']} - {old['step']}"
        if self.n_seeds == 1:
            gain = self.image_gain(new, old)
            print(
                f"   {what}, one seed, on the {self.Y_dev.size} dev images: {gain['mean']:+.2f} points, "
                f"standard error {gain['se']:.2f} -> {gain['verdict']}"
            )
        else:
            gain = analysis.paired_gain(new["devs"], old["devs"])
            print("   " + analysis.describe_gain(gain, what))
        return gain

    def image_gain(self, new: dict, old: dict) -> dict:
        """One training each: the gain of new over old on the dev images and its paired standard error (from the
        images only one of them gets right); "gain" or "loss" beyond two standard errors, else "tie". It knows the
        dev images' noise, not the seed's, so it is the weaker test, for when one training is all there is."""
        right = [training.predict(row["runs"][0][0], self.X_dev, self.functions) == self.Y_dev for row in (new, old)]
        mean, se, _, _ = analysis.paired_image_gain(*right)
        verdict = "gain" if mean > 2 * se else "loss" if mean < -2 * se else "tie"
        return {"mean": mean, "se": se, "verdict": verdict}

    def summary(self, chosen: dict) -> pd.DataFrame:
        """One row per configuration tried: mean and sd over the seeds, paired gain, verdict, and the chosen one."""
        return pd.DataFrame(
            [
                {
                    "configuration": r["step"],
                    "dev mean (%)": round(r["dev_mean"], 2),
                    "dev sd": round(r["dev_std"], 2),
                    "paired gain": f"{r['paired_gain']:+.2f}" if "paired_gain" in r else "",
                    "verdict": r["verdict"],
                    "chosen": "<-" if r is chosen else "",
                }
                for r in self.rows
            ]
        )


def logistic_regression():
    """The linear baseline, unfitted: softmax(W x + b) with scikit-learn's small default L2, fitted by Newton's
    method to its one optimum (newton-cg, a tight tolerance)."""
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(solver="newton-cg", tol=1e-6)


def baselines(wide_neurons: int, batch_size: int, epochs: int, adam_alpha: float, seed: int) -> dict:
    """The four scikit-learn baselines, unfitted: scikit-learn's defaults except where the comment says why."""
    from sklearn.dummy import DummyClassifier
    from sklearn.neural_network import MLPClassifier
    from sklearn.svm import SVC

    return {
        "majority class": DummyClassifier(strategy="most_frequent"),
        "logistic regression": logistic_regression(),
        "RBF SVC": SVC(),
        "MLPClassifier": MLPClassifier(
            hidden_layer_sizes=(wide_neurons,),
            batch_size=batch_size,
            max_iter=epochs,
            learning_rate_init=adam_alpha,
            random_state=seed,
        ),
    }


def fit_baselines(models: dict, X_train, Y_train, X_dev, Y_dev, svc_max_train: int) -> dict:
    """Fit each model on images X_train (784, m) (the SVC on the first svc_max_train); print and return the dev
    accuracies (%). A "not converged" warning is printed as one note instead of a warning."""
    from sklearn.exceptions import ConvergenceWarning

    dev = {}
    for name, model in models.items():
        m = min(svc_max_train, Y_train.size) if name == "RBF SVC" else Y_train.size
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            model.fit(X_train[:, :m].T, Y_train[:m])
        notes = [str(w.message).split(".")[0] for w in caught if issubclass(w.category, ConvergenceWarning)]
        dev[name] = 100 * model.score(X_dev.T, Y_dev)
        note = f"   (not converged: {notes[0].lower()})" if notes else ""
        print(f"{name:20s} dev accuracy {dev[name]:6.2f}%   trained on {m} images{note}")
    return dev
