"""scripts/build_sample.py and the shipped data: checksums and class counts as the datasheet states them, and
`make data` reproduces both files byte-for-byte."""

import hashlib
import re

import numpy as np
import pytest

from fashion_helpers import data
from fashion_helpers._formats import IDX_FILES
from fashion_helpers.errors import CourseInputError

from ..conftest import ROOT, load_script

sample = load_script("build_sample")

DATASHEET = (ROOT / "data" / "README.md").read_text()


def datasheet_sha256(filename):
    match = re.search(rf"`{re.escape(filename)}` \| `([0-9a-f]{{64}})`", DATASHEET)
    assert match, f"data/README.md records no SHA-256 for {filename}"
    return match.group(1)


@pytest.mark.parametrize("filename", list(sample.SAMPLES))
def test_shipped_csv_matches_the_datasheet_sha256(filename):
    digest = hashlib.sha256((ROOT / "data" / filename).read_bytes()).hexdigest()
    assert digest == datasheet_sha256(filename)


def test_datasheet_class_counts_match_the_files():
    rows = re.findall(r"^\| (\d) \| ([^|]+) \| (\d+) \| (\d+) \|$", DATASHEET, flags=re.M)
    assert len(rows) == 10
    counts = {name: data.class_counts(data.load_data(ROOT / "data" / name)[1]) for name in sample.SAMPLES}
    for label, class_name, n_data, n_holdout in rows:
        label = int(label)
        assert class_name.strip() == data.CLASS_NAMES[label]
        assert counts["fashion_data.csv"][label] == int(n_data)
        assert counts["fashion_holdout.csv"][label] == int(n_holdout)


def test_datasheet_records_the_idx_checksums_of_the_code():
    for name, digest in sample.IDX_SHA256.items():
        assert f"`{name}` | `{digest}`" in DATASHEET


def test_make_data_rebuilds_both_csvs_byte_for_byte(tmp_path, official_idx):
    """Needs the official IDX files (Debian's dataset-fashion-mnist, or $FASHION_MNIST_DIR)."""
    assert sample.source_dir() == official_idx
    assert sample.main(["--out", str(tmp_path)]) == 0
    for filename in sample.SAMPLES:
        assert (tmp_path / filename).read_bytes() == (ROOT / "data" / filename).read_bytes()


def test_sample_rule_is_a_seeded_uniform_draw():
    a, b = sample.sample_indices(60000, 4531), sample.sample_indices(60000, 4531)
    assert np.array_equal(a, b) and len(np.unique(a)) == 2000 and np.all(np.diff(a) > 0)
    assert not np.array_equal(a, sample.sample_indices(60000, 4532))


def test_a_corrupted_idx_file_is_refused(tmp_path):
    import gzip

    for split in ("train", "test"):
        for name in IDX_FILES[split]:
            with gzip.open(tmp_path / name, "wb") as f:
                f.write(b"\x00\x00\x08\x01" + b"\x00" * 8)
    with pytest.raises(CourseInputError, match="not the official Fashion-MNIST file"):
        sample.build(tmp_path, "train", 4531)
