"""How the full-data configuration of params/full.yaml was chosen: candidates trained on 50,000 of the official
training images and scored on the other 10,000 (the dev split of params/full.yaml, drawn as notebook 08 draws it),
never on the test images. Prints one row per candidate: dev accuracy after the last epoch, the best epoch's, and
the training seconds (the machine is shared: compare the seconds of one run with each other, not across runs).

    .venv/bin/python scripts/full_data_dev.py            # every candidate
    .venv/bin/python scripts/full_data_dev.py 0 3        # candidates 0 and 3 only
    .venv/bin/python scripts/full_data_dev.py 14 16 --seeds 42 43 44  # three trainings each (08's paired rule)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))  # scripts/: the workloads beside this file
from bench_workloads import FUNCTIONS, ROOT, full_data_settings  # noqa: E402

from fashion_helpers import data, training  # noqa: E402

BASE = dict(init="he", optimizer="adam", batch_size=256, hidden_neurons=512, alpha=0.001)
#: Today's configuration (30 constant epochs in float64), then shorter trainings that fit the 60 s budget.
CANDIDATES = [
    dict(BASE, epochs=30),
    dict(BASE, epochs=20, dtype="float32"),
    dict(BASE, epochs=20, dtype="float32", schedule="cosine"),
    dict(BASE, epochs=20, dtype="float32", schedule="cosine", alpha=0.002),
    dict(BASE, epochs=15, dtype="float32", schedule="cosine", alpha=0.002),
    dict(BASE, epochs=20, dtype="float32", schedule="cosine", lambda_reg=10.0),
    dict(BASE, epochs=20, dtype="float32", schedule="cosine", hidden_neurons=256, alpha=0.002),
    dict(BASE, epochs=30, dtype="float32", schedule="cosine"),
    dict(BASE, epochs=20, dtype="float32", schedule="cosine", hidden_neurons=1024),
    dict(BASE, epochs=25, dtype="float32", schedule="cosine"),
    # Mirrored images (no shift): a second look at each garment for the price of a flip per batch.
    dict(BASE, epochs=30, dtype="float32", schedule="cosine", augment_data=True, max_shift=0),
    dict(BASE, epochs=30, dtype="float32", schedule="cosine", augment_data=True, max_shift=0, alpha=0.002),
    dict(BASE, epochs=30, dtype="float32", schedule="cosine", augment_data=True, max_shift=1),
    dict(BASE, epochs=20, dtype="float32", schedule="cosine", augment_data=True, max_shift=0, hidden_neurons=1024),
    # Notebook 08's recipe (a Glorot start, as MLPClassifier's) on params/full.yaml: what make bench trains.
    full_data_settings(),
    dict(full_data_settings(), alpha=0.002, augment_data=True, max_shift=0),
    # After the solutions kept float32 through backward_prop (3 s of 5 saved a batch): what the freed time buys.
    dict(full_data_settings(), epochs=40),
    dict(full_data_settings(), hidden_neurons=768),
    dict(full_data_settings(), augment_data=True),
    dict(full_data_settings(), alpha=0.002),
    # The recipe has no L2: lambda/m W in each gradient, 1e-4, 2e-4 and 5e-4 of the weights on 50,000 images.
    dict(full_data_settings(), lambda_reg=5.0),
    dict(full_data_settings(), lambda_reg=10.0),
    dict(full_data_settings(), lambda_reg=25.0),
    # 40 epochs at half the updates per epoch (the Adam steps cost about as much as the products of a batch).
    dict(full_data_settings(), epochs=40, batch_size=512),
    dict(full_data_settings(), epochs=40, batch_size=512, alpha=0.002),
]


def main(which: list[int], seeds: list[int]) -> None:
    values = yaml.safe_load((ROOT / "params" / "full.yaml").read_text())
    pixels, labels = data.load_data(values["data_path"], "train")
    X, Y, X_dev, Y_dev = data.split_dev_train(pixels, labels, values["dev_size"], np.random.default_rng(42))
    print(f"{Y.size} training images, {Y_dev.size} dev images", flush=True)
    for k in which:
        settings = CANDIDATES[k]
        for seed in seeds:  # the training's generator; the dev split stays the one drawn with 42
            start = time.perf_counter()
            params, history = training.train_minibatch(
                X, Y, np.random.default_rng(seed), functions=FUNCTIONS, X_dev=X_dev, Y_dev=Y_dev, **settings
            )
            seconds = time.perf_counter() - start
            devs = history["dev_accuracy"]
            print(
                f"[{k}] seed {seed}: dev {devs[-1]:6.2f}% (best epoch {int(np.argmax(devs)) + 1}: {max(devs):6.2f}%)  "
                f"{seconds:5.1f} s  " + ", ".join(f"{name} {value}" for name, value in settings.items()),
                flush=True,
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("which", nargs="*", type=int, help="candidate numbers (default: every candidate)")
    parser.add_argument("--seeds", nargs="+", type=int, default=[42], help="training seeds (default: 42)")
    args = parser.parse_args()
    main(args.which or list(range(len(CANDIDATES))), args.seeds)
