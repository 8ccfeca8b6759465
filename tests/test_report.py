"""fashion_helpers.report: headline numbers written as the notebooks print them, by the kind each is declared, and
read back."""

import numpy as np
import pytest

from fashion_helpers.report import as_loss, as_percent, headline, parse_headline


def test_headline_writes_each_number_by_its_declared_kind(capsys):
    headline(
        final_train_accuracy=as_percent(83.0625),
        dev_gain=as_percent(np.float64(6.249999)),
        final_loss=as_loss(0.490012345),
        best_lambda_reg=0.003,
        n_train=np.int64(1600),
        passed=np.bool_(True),
        chosen="+ 128 hidden neurons",
        best_dev_accuracy=as_percent(72.5),
        missing=as_percent(None),
    )
    out = capsys.readouterr().out
    assert out.splitlines() == [
        "final_train_accuracy: 83.06",
        "dev_gain: 6.25",
        "final_loss: 0.4900",
        "best_lambda_reg: 0.003",
        "n_train: 1600",
        "passed: true",
        'chosen: "+ 128 hidden neurons"',
        "best_dev_accuracy: 72.50",
        "missing: null",
    ]
    assert parse_headline(out) == {
        "final_train_accuracy": 83.06,
        "dev_gain": 6.25,
        "final_loss": 0.49,
        "best_lambda_reg": 0.003,
        "n_train": 1600,
        "passed": True,
        "chosen": "+ 128 hidden neurons",
        "best_dev_accuracy": 72.5,
        "missing": None,
    }


def test_a_name_says_nothing_about_the_decimals_only_the_declared_kind_does(capsys):
    """An undeclared float gets 4 significant digits whatever its name; a declared one its kind's decimals."""
    headline(dev_accuracy=72.5, lambda_loss=1.23456, gap=as_percent(4.8125))
    assert capsys.readouterr().out.splitlines() == ["dev_accuracy: 72.5", "lambda_loss: 1.235", "gap: 4.81"]


def test_a_list_of_accuracies_is_written_entry_by_entry(capsys):
    headline(seed_accuracies=as_percent([77.0, 78.1234]))
    out = capsys.readouterr().out
    assert out == "seed_accuracies: [77.00, 78.12]\n"
    assert parse_headline(out) == {"seed_accuracies": [77.0, 78.12]}


@pytest.mark.parametrize("value", [True, "83 %", {"a": 1}])
def test_only_numbers_can_be_declared_a_kind(value):
    with pytest.raises(TypeError, match=r"as_percent\(\) takes a number or a list of numbers"):
        as_percent(value)
