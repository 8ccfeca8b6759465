"""fashion_helpers.report: headline numbers written as the notebooks print them, and read back."""

import numpy as np

from fashion_helpers.report import headline, parse_headline


def test_headline_writes_numbers_as_the_notebooks_print_them(capsys):
    headline(
        final_train_accuracy=83.0625,
        dev_gain=np.float64(6.249999),
        gap=4.8125,
        final_loss=0.490012345,
        best_lambda_reg=0.003,
        n_train=np.int64(1600),
        passed=np.bool_(True),
        chosen="+ 128 hidden neurons",
        best_dev_accuracy=72.5,
    )
    out = capsys.readouterr().out
    assert out.splitlines() == [
        "final_train_accuracy: 83.06",
        "dev_gain: 6.25",
        "gap: 4.81",
        "final_loss: 0.4900",
        "best_lambda_reg: 0.003",
        "n_train: 1600",
        "passed: true",
        'chosen: "+ 128 hidden neurons"',
        "best_dev_accuracy: 72.50",
    ]
    assert parse_headline(out) == {
        "final_train_accuracy": 83.06,
        "dev_gain": 6.25,
        "gap": 4.81,
        "final_loss": 0.49,
        "best_lambda_reg": 0.003,
        "n_train": 1600,
        "passed": True,
        "chosen": "+ 128 hidden neurons",
        "best_dev_accuracy": 72.5,
    }


def test_a_list_of_accuracies_is_written_entry_by_entry(capsys):
    headline(seed_accuracies=[77.0, 78.1234])
    out = capsys.readouterr().out
    assert out == "seed_accuracies: [77.00, 78.12]\n"
    assert parse_headline(out) == {"seed_accuracies": [77.0, 78.12]}
