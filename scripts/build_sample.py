"""Rebuild the course's two CSV samples byte-for-byte from the official Fashion-MNIST IDX files.

``make data`` runs ``python scripts/build_sample.py`` (a repository script, not part of the package). The rule,
in full:

1. Read the four official ``.gz`` files from ``$FASHION_MNIST_DIR`` (default: where Debian's package
   ``dataset-fashion-mnist`` puts them) and check each *decompressed* file against the SHA-256 below.
   (Packagers recompress the ``.gz`` files, so their bytes differ between sources; the IDX bytes do not.)
2. For each split, draw one uniform random number per image with ``numpy.random.default_rng(seed)``
   (PCG64; ``seed`` below) and keep the ``SAMPLE_SIZE`` images with the smallest numbers: a uniform sample
   without replacement. Rows are written in ascending order of their index in the official file.
3. Write ``pixel1,...,pixel784,label`` as a header, then one row of integers per image, ``\\n`` line endings.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import sys
from pathlib import Path

import numpy as np

from fashion_helpers._formats import (
    IDX_DIR_VARIABLE,
    LABEL_COLUMN,
    PIXEL_COLUMNS,
    idx_paths,
    official_idx_dir,
    parse_idx,
)
from fashion_helpers.errors import CourseInputError

SAMPLE_SIZE = 2000
#: seed of the draw, per output file: (official split, seed)
SAMPLES = {
    "fashion_data.csv": ("train", 4531),
    "fashion_holdout.csv": ("test", 4532),
}
#: SHA-256 of the decompressed official IDX files.
IDX_SHA256 = {
    "train-images-idx3-ubyte": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    "train-labels-idx1-ubyte": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    "t10k-images-idx3-ubyte": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    "t10k-labels-idx1-ubyte": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
}


def source_dir() -> Path:
    """Where the official files are read from: ``$FASHION_MNIST_DIR`` or Debian's location."""
    return official_idx_dir()


def read_verified(path: Path) -> bytes:
    """Decompress one official file and check its SHA-256; raises CourseInputError on a mismatch."""
    content = gzip.open(path, "rb").read()
    name = path.name.removesuffix(".gz")
    digest = hashlib.sha256(content).hexdigest()
    if IDX_SHA256.get(name) != digest:
        raise CourseInputError(
            f"{path} decompresses to SHA-256 {digest[:16]}..., expected {IDX_SHA256.get(name, '?')[:16]}...: "
            "this is not the official Fashion-MNIST file; re-install dataset-fashion-mnist or re-download it."
        )
    return content


def sample_indices(n: int, seed: int, size: int = SAMPLE_SIZE) -> np.ndarray:
    """Indices of the sample: the ``size`` smallest of ``n`` uniform draws from ``default_rng(seed)``, ascending."""
    keys = np.random.default_rng(seed).random(n)
    return np.sort(np.argsort(keys, kind="stable")[:size])


def csv_bytes(pixels: np.ndarray, labels: np.ndarray) -> bytes:
    """The course CSV layout: header, then ``pixel1..pixel784,label`` integers per row."""
    lines = [",".join((*PIXEL_COLUMNS, LABEL_COLUMN))]
    for row, label in zip(pixels, labels, strict=True):
        lines.append(",".join(map(str, row.tolist())) + f",{int(label)}")
    return ("\n".join(lines) + "\n").encode("ascii")


def build(directory: Path, split: str, seed: int) -> bytes:
    """The bytes of one course CSV drawn from ``split`` of the official files in ``directory``."""
    images_path, labels_path = idx_paths(directory, split)
    images = parse_idx(read_verified(images_path), 2051, str(images_path))
    labels = parse_idx(read_verified(labels_path), 2049, str(labels_path))
    chosen = sample_indices(len(labels), seed)
    return csv_bytes(images[chosen].reshape(len(chosen), -1), labels[chosen])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="data", help="folder to write the CSVs into (default: data)")
    parser.add_argument("--check", action="store_true", help="rebuild in memory and compare with --out, write nothing")
    args = parser.parse_args(argv)
    try:
        directory = source_dir()
        if not directory.is_dir():
            raise CourseInputError(
                f"no official Fashion-MNIST files at {directory}: install Debian's package dataset-fashion-mnist "
                f"(apt-get install dataset-fashion-mnist) or set {IDX_DIR_VARIABLE} to a directory holding the four "
                ".gz files."
            )
        out = Path(args.out)
        status = 0
        for filename, (split, seed) in SAMPLES.items():
            content = build(directory, split, seed)
            target = out / filename
            digest = hashlib.sha256(content).hexdigest()
            if args.check:
                same = target.is_file() and target.read_bytes() == content
                print(f"{target}: {'identical' if same else 'DIFFERS'} (sha256 {digest})")
                status |= not same
            else:
                out.mkdir(parents=True, exist_ok=True)
                target.write_bytes(content)
                print(f"wrote {target} ({split} split, seed {seed}, sha256 {digest})")
        return status
    except CourseInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
