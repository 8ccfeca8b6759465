"""Shared fixtures: the shipped course data, split the way every notebook splits it."""

from pathlib import Path

import numpy as np
import pytest

from fashion_helpers import data

ROOT = Path(__file__).resolve().parents[1]
DATA_CSV = ROOT / "data" / "fashion_data.csv"
HOLDOUT_CSV = ROOT / "data" / "fashion_holdout.csv"
SEED = 42  # the notebooks' default seed


@pytest.fixture(scope="session")
def course_data():
    """(pixels, labels) of data/fashion_data.csv."""
    return data.load_data(DATA_CSV)


@pytest.fixture(scope="session")
def split(course_data):
    """X_train, Y_train, X_dev, Y_dev with the notebooks' defaults (seed 42, dev_size 400)."""
    pixels, labels = course_data
    return data.split_dev_train(pixels, labels, 400, np.random.default_rng(SEED))
