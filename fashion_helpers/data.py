"""The course's data: Fashion-MNIST images and labels, one seeded shuffle, the dev/train split, scaling.

The story in four steps, as notebook 01 tells it:

1. :func:`load_data` reads the course CSV (or the official IDX files) into ``pixels`` and ``labels``;
2. :data:`CLASS_NAMES` names the ten labels;
3. :func:`split_dev_train` shuffles with the notebook's Generator, takes the first ``dev_size`` images as the
   dev set and the rest as the training set,
4. and scales pixels to [0, 1] (:func:`scale_pixels`), one column per image.

Shapes used throughout the course:

- ``pixels``: ``(m, 784)`` int64 in 0..255, one row per image (as stored on disk);
- ``labels``: ``(m,)`` int64 in 0..9;
- ``X``: ``(784, m)`` float64 in [0, 1], one *column* per image (as the network consumes it);
- ``Y``: ``(m,)`` int64 in 0..9.

Reading and checking the files (which line of a CSV is broken, and how to fix it) lives in ``_formats``.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from . import _formats
from ._formats import IDX_FILES, IMAGE_SHAPE, LABEL_COLUMN, NUM_PIXELS, PIXEL_COLUMNS  # noqa: F401 (re-exported)
from .errors import CourseInputError, require_generator, require_number

#: The ten Fashion-MNIST classes, indexed by label.
CLASS_NAMES: tuple[str, ...] = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
NUM_CLASSES = len(CLASS_NAMES)
assert NUM_CLASSES == _formats.NUM_LABELS

#: The course's two samples, by the official split they come from: what ``load_data(None, split)`` reads.
COURSE_FILES = {"train": "fashion_data.csv", "test": "fashion_holdout.csv"}
#: The data folder of the repository this package was installed from (a clone with an editable install).
_SOURCE_DATA = Path(__file__).resolve().parents[1] / "data"


def class_name(label: int) -> str:
    """The class name of one label (0..9)."""
    return CLASS_NAMES[int(label)]


# --------------------------------------------------------------------------- loading


def course_file(split: str = "train", start: str | os.PathLike | None = None) -> Path:
    """Where the course's sample of ``split`` is, wherever the notebook runs from.

    The first ``data/fashion_data.csv`` (``fashion_holdout.csv`` for ``"test"``) found in ``start`` (default:
    the working directory) or a folder above it: a notebook run from ``notebooks/``, the repository root, a
    student edition or an nbgrader course folder. Failing that, the data folder beside the package's source,
    for a notebook run from anywhere else with this clone's package (e.g. ``papermill /full/path/...``).
    """
    if split not in COURSE_FILES:
        raise CourseInputError(f"split must be 'train' or 'test', got {split!r}")
    name = COURSE_FILES[split]
    here = Path(start if start is not None else Path.cwd()).resolve()
    for folder in (here, *here.parents, _SOURCE_DATA.parent):
        if (folder / "data" / name).is_file():
            return folder / "data" / name
    raise CourseInputError(
        f"the course file data/{name} is in neither {here} nor a folder above it: give its path "
        f"(data_path / holdout_path), e.g. papermill ... -p data_path /path/to/{name}"
    )


def load_data(path: str | os.PathLike | None = None, split: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """Load images and labels from a course CSV or a directory of official IDX ``.gz`` files.

    Returns ``pixels`` (m, 784) int64 in 0..255 and ``labels`` (m,) int64 in 0..9.
    path: a CSV file (label column named ``label``, anywhere; pixel columns in order), or a directory
    holding the official files, in which case ``split`` picks ``"train"`` (60,000) or ``"test"`` (10,000).
    None: the course's own sample of that split (:func:`course_file`); a path given is taken as given.
    Bad files are refused with one line that names the problem and the fix.
    """
    path = course_file(split) if path is None else Path(path)
    if path.is_dir():
        return load_idx(path, split)
    if split not in IDX_FILES:
        raise CourseInputError(f"split must be 'train' or 'test', got {split!r}")
    return load_csv(path)


def load_csv(path: str | os.PathLike) -> tuple[np.ndarray, np.ndarray]:
    """A Fashion-MNIST CSV: ``pixels`` (m, 784) int64 0..255 and ``labels`` (m,) int64 0..9.

    The label column is found by its name, ``label``, so both the course layout (pixels then label)
    and the common label-first layout load. Every other column is a pixel, in file order.
    """
    return _formats.read_csv(path)


def load_idx(directory: str | os.PathLike, split: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """One split of the official IDX ``.gz`` files: ``pixels`` (m, 784) int64, ``labels`` (m,) int64."""
    return _formats.read_idx(directory, split)


# --------------------------------------------------------------------------- preprocessing


def scale_pixels(pixels: np.ndarray) -> np.ndarray:
    """Map raw pixels 0..255 to floats in [0, 1] (divide by 255)."""
    return np.asarray(pixels, dtype=np.float64) / 255.0


def shuffle_rows(pixels: np.ndarray, labels: np.ndarray, rng: np.random.Generator):
    """Shuffle images and labels together with ``rng``: returns new ``(pixels, labels)``."""
    require_generator(rng)
    order = rng.permutation(len(labels))
    return pixels[order], labels[order]


def check_dev_size(dev_size: int, m: int) -> None:
    """Raise a one-line error unless ``dev_size`` is a whole number from 1 to m - 1 (both sets non-empty)."""
    require_number(
        "dev_size",
        dev_size,
        whole=True,
        minimum=1,
        maximum=m - 1,
        fix=f"both sets must be non-empty, and the data has {m} rows: choose a dev_size from 1 to {m - 1}",
    )


def split_dev_train(
    pixels: np.ndarray, labels: np.ndarray, dev_size: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle with ``rng``, take the first ``dev_size`` rows as the dev set, the rest as train; scale.

    Returns ``X_train`` (784, m_train), ``Y_train`` (m_train,), ``X_dev`` (784, dev_size), ``Y_dev`` (dev_size,).
    X is transposed to one column per image, the layout the network uses, and scaled to [0, 1].
    """
    check_dev_size(dev_size, len(labels))
    pixels, labels = shuffle_rows(pixels, labels, rng)
    X_dev = scale_pixels(pixels[:dev_size]).T
    Y_dev = labels[:dev_size]
    X_train = scale_pixels(pixels[dev_size:]).T
    Y_train = labels[dev_size:]
    return X_train, Y_train, X_dev, Y_dev


def class_counts(labels: np.ndarray) -> np.ndarray:
    """How many examples of each of the ten classes: shape (10,)."""
    return np.bincount(np.asarray(labels, dtype=np.int64), minlength=NUM_CLASSES)
