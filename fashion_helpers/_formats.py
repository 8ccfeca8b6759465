"""The two file formats on disk, read with every check behind the course's one-line errors (private).

``data.load_data`` is what the course calls; this module holds the forensics: which line and column of a CSV
is not a number, a header without a ``label`` column, a semicolon-separated file, an IDX file with the wrong
magic number or length. Each problem becomes one :class:`CourseInputError` naming it and the fix.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import CourseInputError

IMAGE_SHAPE = (28, 28)
NUM_PIXELS = IMAGE_SHAPE[0] * IMAGE_SHAPE[1]
NUM_LABELS = 10
PIXEL_COLUMNS: tuple[str, ...] = tuple(f"pixel{i}" for i in range(1, NUM_PIXELS + 1))
LABEL_COLUMN = "label"

#: File names of the official release, by split.
IDX_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
#: Where Debian's package ``dataset-fashion-mnist`` installs them.
DEBIAN_IDX_DIR = Path("/usr/share/datasets/fashion-mnist")
#: The variable that names another folder of the official files (the Makefile, the tests and the bench read it).
IDX_DIR_VARIABLE = "FASHION_MNIST_DIR"


def official_idx_dir() -> Path:
    """Where the official IDX files are looked for: ``$FASHION_MNIST_DIR``, else Debian's place."""
    return Path(os.environ.get(IDX_DIR_VARIABLE) or DEBIAN_IDX_DIR)


def have_official_idx(directory: Path | None = None) -> bool:
    """Whether all four official files are in ``directory`` (default :func:`official_idx_dir`)."""
    directory = official_idx_dir() if directory is None else directory
    return all((directory / name).is_file() for files in IDX_FILES.values() for name in files)


HOW_TO_GET_IDX = (
    "install Debian's package dataset-fashion-mnist (apt-get install dataset-fashion-mnist, files land in "
    f"{DEBIAN_IDX_DIR}) or download the four .gz files of the official release into one directory"
)


def _require_file(path: Path, what: str) -> None:
    if not path.exists():
        raise CourseInputError(
            f"{what} not found: {path}. Point data_path at the course CSV (data/fashion_data.csv) "
            "or at a directory holding the four official Fashion-MNIST IDX .gz files."
        )
    if path.is_dir():
        raise CourseInputError(f"{what} is a directory without the expected files: {path}")
    if path.stat().st_size == 0:
        raise CourseInputError(
            f"{what} is empty: {path}. Expected a header row and 785 columns (784 pixels and a label); "
            "if it is one of the course files, re-create it with `make data`."
        )


def read_csv(path: str | os.PathLike) -> tuple[np.ndarray, np.ndarray]:
    """Load a Fashion-MNIST CSV: returns ``pixels`` (m, 784) int64 0..255 and ``labels`` (m,) int64 0..9.

    The label column is found by its name, ``label``, so both the course layout (pixels then label)
    and the common label-first layout load. Every other column is a pixel, in file order.
    """
    path = Path(path)
    _require_file(path, "data file")
    try:
        frame = pd.read_csv(path)
    except pd.errors.EmptyDataError:
        raise CourseInputError(
            f"data file is empty: {path}. Expected a header row and 785 columns; "
            "if it is one of the course files, re-create it with `make data`."
        ) from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CourseInputError(f"{path} is not a readable CSV ({first}); check the file's format.") from None

    columns = [str(c).strip() for c in frame.columns]
    _check_header(columns, path)
    if len(frame) == 0:
        raise CourseInputError(f"{path} has a header but no rows of data; add the images, one row each.")

    if not all(pd.api.types.is_numeric_dtype(t) and not pd.api.types.is_bool_dtype(t) for t in frame.dtypes):
        # some cell is not a number: read again as text to say which one
        raw = np.char.strip(pd.read_csv(path, dtype=str, keep_default_na=False).to_numpy(dtype=str))
        row, col = _first_non_number(raw)
        raise CourseInputError(
            f"{path}: line {row + 2}, column '{columns[col]}' holds {str(raw[row, col])!r}, which is not a "
            "number; fix or drop that row."
        )
    numeric = frame.to_numpy(dtype=np.float64)
    if not np.isfinite(numeric).all():
        row, col = map(int, np.argwhere(~np.isfinite(numeric))[0])
        raise CourseInputError(
            f"{path}: line {row + 2}, column '{columns[col]}' is empty, NaN or infinite; every cell must hold "
            "a number: fill it in or drop that row."
        )
    label_idx = columns.index(LABEL_COLUMN)
    labels = numeric[:, label_idx]
    pixels = np.delete(numeric, label_idx, axis=1)
    _check_values(pixels, labels, str(path), columns, label_idx)
    return pixels.astype(np.int64), labels.astype(np.int64)


def _first_non_number(cells: np.ndarray) -> tuple[int, int]:
    """Row and column of the first cell that does not parse as a number (only called on the error path)."""
    for (row, col), text in np.ndenumerate(cells):
        if not _is_number(text) and text.lower() not in ("", "nan", "na", "n/a", "null", "none", "#n/a"):
            return row, col
    return 0, 0


def _check_header(columns: list[str], path) -> None:
    """Raise unless the header names a 'label' column and 784 pixel columns."""
    if len(columns) == 1 and ";" in columns[0]:
        raise CourseInputError(
            f"{path} is separated by semicolons: the course reads comma-separated files; re-save it with commas."
        )
    if LABEL_COLUMN not in columns:
        if all(_is_number(c.split(".")[0]) for c in columns[:5]):
            raise CourseInputError(
                f"{path} has no header row (its first line holds numbers): add the header "
                f"pixel1,...,pixel784,{LABEL_COLUMN} as the first line."
            )
        start = ", ".join(columns[:3])
        start = start if len(start) <= 60 else start[:57] + "..."
        raise CourseInputError(
            f"{path} has no column named '{LABEL_COLUMN}' (its header starts {start}, ...): "
            f"name the label column '{LABEL_COLUMN}' in the header row."
        )
    if len(columns) != NUM_PIXELS + 1:
        raise CourseInputError(
            f"{path} has {len(columns)} columns, expected {NUM_PIXELS + 1} "
            f"({NUM_PIXELS} pixel columns and one '{LABEL_COLUMN}' column): check that the file is a "
            "28x28 Fashion-MNIST CSV and was not cut short."
        )


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def count_rows(path: str | os.PathLike, split: str = "train") -> int:
    """How many images ``load_data(path, split)`` would return, from the header alone (fast, for checks
    before any work). Raises the loaders' one-line errors for a missing file or a wrong header."""
    import csv

    path = Path(path)
    if path.is_dir():
        _, labels_path = idx_paths(path, split)
        with gzip.open(labels_path, "rb") as handle:
            header = handle.read(8)
        if len(header) < 8 or int.from_bytes(header[:4], "big") != 2049:
            raise CourseInputError(f"{labels_path} is not an IDX labels file; re-download it.")
        return int.from_bytes(header[4:8], "big")
    _require_file(path, "data file")
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", newline="") as handle:
            columns = [c.strip() for c in next(csv.reader(handle), [])]
            _check_header(columns, path)
            return sum(1 for line in handle if line.strip())
    except (UnicodeDecodeError, OSError, csv.Error) as exc:
        raise CourseInputError(
            f"{path} is not a readable CSV ({type(exc).__name__}); check the file's format."
        ) from None


def _check_values(pixels: np.ndarray, labels: np.ndarray, where: str, columns=None, label_idx=None) -> None:
    """Raise if a pixel is not a whole number 0..255 or a label not a whole number 0..9."""
    pixel_names = [c for i, c in enumerate(columns) if i != label_idx] if columns else None
    bad_pixel = (pixels < 0) | (pixels > 255) | (pixels != np.round(pixels))
    if bad_pixel.any():
        row, col = map(int, np.argwhere(bad_pixel)[0])
        name = pixel_names[col] if pixel_names else f"pixel{col + 1}"
        value = pixels[row, col]
        hint = (
            "the file looks scaled already (all values in [0, 1]); store raw 0..255 pixels, the course scales them"
            if 0 <= pixels.min() and pixels.max() <= 1
            else "pixels must be whole numbers from 0 to 255 (raw, unscaled)"
        )
        raise CourseInputError(f"{where}: line {row + 2}, column '{name}' is {value:g}: {hint}.")
    bad_label = (labels < 0) | (labels >= NUM_LABELS) | (labels != np.round(labels))
    if bad_label.any():
        row = int(np.argwhere(bad_label)[0][0])
        raise CourseInputError(
            f"{where}: line {row + 2}, label is {labels[row]:g}: labels must be whole numbers 0 to 9 "
            "(the ten Fashion-MNIST classes); fix or drop that row."
        )


def _read_idx(path: Path, expected_magic: int) -> np.ndarray:
    with gzip.open(path, "rb") as handle:
        content = handle.read()
    return parse_idx(content, expected_magic, str(path))


def parse_idx(content: bytes, expected_magic: int, where: str = "IDX data") -> np.ndarray:
    """Decode the bytes of an uncompressed IDX file (magic 2049 labels, 2051 images) into a uint8 array."""
    if len(content) < 8:
        raise CourseInputError(f"{where} is too short to be an IDX file; re-download it.")
    magic = int.from_bytes(content[:4], "big")
    if magic != expected_magic:
        kind = "labels (idx1)" if expected_magic == 2049 else "images (idx3)"
        raise CourseInputError(f"{where} is not an IDX {kind} file (magic number {magic}); check the file name.")
    ndim = content[3]
    dims = [int.from_bytes(content[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    offset = 4 + 4 * ndim
    expected = int(np.prod(dims))
    if len(content) - offset != expected:
        raise CourseInputError(
            f"{where} holds {len(content) - offset} bytes of data, its header promises {expected}; re-download it."
        )
    return np.frombuffer(content, dtype=np.uint8, offset=offset).reshape(dims)


def idx_paths(directory: str | os.PathLike, split: str = "train") -> tuple[Path, Path]:
    """The (images, labels) paths of one split in a directory of official files; raises if either is missing."""
    if split not in IDX_FILES:
        raise CourseInputError(f"split must be 'train' or 'test', got {split!r}")
    directory = Path(directory)
    paths = tuple(directory / name for name in IDX_FILES[split])
    missing = [p.name for p in paths if not p.is_file()]
    if missing:
        raise CourseInputError(
            f"{directory} lacks {', '.join(missing)}: {HOW_TO_GET_IDX}, then point the path at that directory."
        )
    return paths  # type: ignore[return-value]


def read_idx(directory: str | os.PathLike, split: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """Load one split of the official IDX ``.gz`` files: ``pixels`` (m, 784) int64, ``labels`` (m,) int64."""
    images_path, labels_path = idx_paths(directory, split)
    images = _read_idx(images_path, 2051)
    labels = _read_idx(labels_path, 2049)
    if images.shape[1:] != IMAGE_SHAPE:
        raise CourseInputError(f"{images_path} holds {images.shape[1:]} images, expected 28x28.")
    if len(images) != len(labels):
        raise CourseInputError(
            f"{images_path.name} has {len(images)} images but {labels_path.name} has {len(labels)} labels; "
            "re-download both."
        )
    pixels = images.reshape(len(images), NUM_PIXELS).astype(np.int64)
    labels = labels.astype(np.int64)
    if labels.max() >= NUM_LABELS:
        raise CourseInputError(f"{labels_path} has a label above 9; it is not Fashion-MNIST.")
    return pixels, labels
