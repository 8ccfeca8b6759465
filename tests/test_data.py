"""fashion_helpers.data: loaders, the split, and one clear error per kind of bad input."""

import gzip
import re

import numpy as np
import pytest

from fashion_helpers import _formats, data
from fashion_helpers.errors import CourseInputError

from .conftest import DATA_CSV

HEADER = ",".join([*data.PIXEL_COLUMNS, "label"])


def write_csv(tmp_path, rows, header=HEADER, name="bad.csv"):
    path = tmp_path / name
    path.write_text(header + "\n" + "".join(",".join(map(str, r)) + "\n" for r in rows))
    return path


def good_row(label=3, fill=0):
    return [fill] * 784 + [label]


def test_course_csv_shapes_and_dtypes(course_data):
    pixels, labels = course_data
    assert pixels.shape == (2000, 784) and pixels.dtype == np.int64
    assert labels.shape == (2000,) and labels.dtype == np.int64
    assert pixels.min() == 0 and pixels.max() == 255
    assert set(np.unique(labels)) == set(range(10))


def test_label_first_csv_loads_the_same(tmp_path, course_data):
    pixels, labels = course_data
    header = ",".join(["label", *data.PIXEL_COLUMNS])
    rows = [[int(labels[i]), *pixels[i].tolist()] for i in range(5)]
    got_pixels, got_labels = data.load_csv(write_csv(tmp_path, rows, header=header))
    assert np.array_equal(got_pixels, pixels[:5]) and np.array_equal(got_labels, labels[:5])


def write_idx(directory, split, images, labels):
    img_name, lab_name = data.IDX_FILES[split]
    header = (2051).to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in images.shape)
    with gzip.open(directory / img_name, "wb") as f:
        f.write(header + images.astype(np.uint8).tobytes())
    with gzip.open(directory / lab_name, "wb") as f:
        f.write((2049).to_bytes(4, "big") + len(labels).to_bytes(4, "big") + labels.astype(np.uint8).tobytes())


def test_idx_directory_loads_both_splits(tmp_path, course_data):
    pixels, labels = course_data
    write_idx(tmp_path, "train", pixels[:30].reshape(30, 28, 28), labels[:30])
    write_idx(tmp_path, "test", pixels[30:40].reshape(10, 28, 28), labels[30:40])
    train_x, train_y = data.load_data(tmp_path)
    assert np.array_equal(train_x, pixels[:30]) and np.array_equal(train_y, labels[:30])
    test_x, test_y = data.load_data(tmp_path, split="test")
    assert np.array_equal(test_x, pixels[30:40]) and np.array_equal(test_y, labels[30:40])


def test_idx_directory_missing_files_says_how_to_get_them(tmp_path):
    with pytest.raises(CourseInputError, match="dataset-fashion-mnist"):
        data.load_data(tmp_path)


def test_split_shapes_scaling_and_determinism(course_data, split):
    X_train, Y_train, X_dev, Y_dev = split
    assert X_train.shape == (784, 1600) and X_dev.shape == (784, 400)
    assert Y_train.shape == (1600,) and Y_dev.shape == (400,)
    assert 0.0 <= X_train.min() and X_train.max() <= 1.0
    again = data.split_dev_train(*course_data, 400, np.random.default_rng(42))
    assert all(np.array_equal(a, b) for a, b in zip(split, again, strict=True))
    other = data.split_dev_train(*course_data, 400, np.random.default_rng(43))
    assert not np.array_equal(split[1], other[1])


def test_split_does_not_touch_numpy_global_state(course_data):
    np.random.seed(0)
    before = np.random.get_state()[1].copy()
    data.split_dev_train(*course_data, 400, np.random.default_rng(1))
    assert np.array_equal(np.random.get_state()[1], before)


BAD_INPUTS = {
    "missing file": (lambda p: p / "nope.csv", r"data file not found: .*nope\.csv\. Point data_path"),
    "empty file": (lambda p: (p / "empty.csv").write_text("") and None or p / "empty.csv", r"is empty: .*make data"),
    "wrong number of columns": (
        lambda p: write_csv(p, [[0] * 700 + [1]], header=",".join([*data.PIXEL_COLUMNS[:700], "label"])),
        r"has 701 columns, expected 785",
    ),
    "no label column": (
        lambda p: write_csv(p, [[0] * 785], header=",".join([*data.PIXEL_COLUMNS, "class"])),
        r"has no column named 'label'.*name the label column",
    ),
    "non-numeric cell": (
        lambda p: write_csv(p, [good_row(), [0] * 4 + ["abc"] + [0] * 779 + [2]]),
        r"line 3, column 'pixel5' holds 'abc', which is not a number",
    ),
    "NaN cell": (
        lambda p: write_csv(p, [[0] * 9 + ["NaN"] + [0] * 774 + [2]]),
        r"line 2, column 'pixel10' is empty, NaN or infinite",
    ),
    "empty cell": (
        lambda p: write_csv(p, [[0] * 9 + [""] + [0] * 774 + [2]]),
        r"line 2, column 'pixel10' is empty, NaN or infinite",
    ),
    "pixel above 255": (
        lambda p: write_csv(p, [good_row(), good_row(), [300] + [0] * 783 + [1]]),
        r"line 4, column 'pixel1' is 300: pixels must be whole numbers from 0 to 255",
    ),
    "negative pixel": (
        lambda p: write_csv(p, [[0, -1] + [0] * 782 + [1]]),
        r"column 'pixel2' is -1: pixels must be whole numbers from 0 to 255",
    ),
    "already scaled pixels": (
        lambda p: write_csv(p, [[0.5] + [0] * 783 + [1]]),
        r"looks scaled already",
    ),
    "label outside 0-9": (
        lambda p: write_csv(p, [good_row(label=10)]),
        r"line 2, label is 10: labels must be whole numbers 0 to 9",
    ),
    "header only": (lambda p: write_csv(p, []), r"has a header but no rows"),
    "semicolon separated": (
        lambda p: (
            (p / "semi.csv").write_text(HEADER.replace(",", ";") + "\n" + ";".join(["0"] * 785) + "\n")
            and p / "semi.csv"
        ),
        r"separated by semicolons: .* re-save it with commas",
    ),
    "no header row": (
        lambda p: (
            (p / "nohead.csv").write_text("\n".join(",".join(["0"] * 784 + ["1"]) for _ in range(3)) + "\n")
            and p / "nohead.csv"
        ),
        r"has no header row \(its first line holds numbers\): add the header pixel1,...,pixel784,label",
    ),
    "one fraction in a raw file": (
        lambda p: write_csv(p, [[0.5, 200] + [0] * 782 + [1]]),
        r"column 'pixel1' is 0.5: pixels must be whole numbers from 0 to 255",
    ),
}


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_input_raises_one_line_error(tmp_path, case):
    make, pattern = BAD_INPUTS[case]
    path = make(tmp_path)
    with pytest.raises(CourseInputError) as info:
        data.load_data(path)
    message = str(info.value)
    assert "\n" not in message
    assert re.search(pattern, message), message


@pytest.mark.parametrize("dev_size", [2000, 2500, 0, -1])
def test_dev_size_must_leave_both_sets_non_empty(course_data, dev_size):
    with pytest.raises(
        CourseInputError, match=r"dev_size must be >= 1 and <= 1999, got .*: both sets must be non-empty"
    ):
        data.split_dev_train(*course_data, dev_size, np.random.default_rng(0))


def test_dev_size_must_be_whole(course_data):
    with pytest.raises(CourseInputError, match="dev_size must be a whole number"):
        data.split_dev_train(*course_data, 400.5, np.random.default_rng(0))


def test_split_needs_a_generator(course_data):
    with pytest.raises(CourseInputError, match=r"np\.random\.default_rng\(seed\)"):
        data.split_dev_train(*course_data, 400, 42)


def test_error_is_a_value_error():
    assert issubclass(CourseInputError, ValueError)


def test_class_names():
    assert len(data.CLASS_NAMES) == 10
    assert data.class_name(6) == "Shirt" and data.class_name(2) == "Pullover"
    assert data.class_name(4) == "Coat" and data.class_name(0) == "T-shirt/top"


def test_course_csv_is_the_shipped_path():
    assert DATA_CSV.is_file()


def test_count_rows_reads_only_the_header_and_counts(tmp_path, course_data):
    from .conftest import DATA_CSV

    assert _formats.count_rows(DATA_CSV) == 2000
    with pytest.raises(CourseInputError, match="has no column named 'label'"):
        _formats.count_rows(write_csv(tmp_path, [[0] * 785], header=",".join([*data.PIXEL_COLUMNS, "class"])))
    pixels, labels = course_data
    write_idx(tmp_path, "train", pixels[:30].reshape(30, 28, 28), labels[:30])
    assert _formats.count_rows(tmp_path, "train") == 30


def test_the_course_files_are_found_from_any_folder_under_the_course(tmp_path, monkeypatch):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "fashion_data.csv").write_text("x")
    (tmp_path / "data" / "fashion_holdout.csv").write_text("x")
    (tmp_path / "notebooks" / "deeper").mkdir(parents=True)
    assert data.course_file("train", tmp_path / "notebooks" / "deeper") == tmp_path / "data" / "fashion_data.csv"
    monkeypatch.chdir(tmp_path / "notebooks")
    assert data.course_file("test") == tmp_path / "data" / "fashion_holdout.csv"


def test_outside_the_course_the_files_come_from_the_package_source(tmp_path, course_data):
    assert data.course_file("train", tmp_path) == DATA_CSV  # this clone's data/, beside the package
    pixels, labels = data.load_data(None)
    assert np.array_equal(pixels, course_data[0]) and np.array_equal(labels, course_data[1])


def test_nowhere_to_be_found_says_which_parameter_to_give(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "_SOURCE_DATA", tmp_path / "elsewhere" / "data")
    with pytest.raises(
        CourseInputError,
        match=r"the course file data/fashion_holdout.csv is in neither .* give its "
        r"path \(data_path / holdout_path\)",
    ):
        data.course_file("test", tmp_path)
