"""Notebook 10's search as the isolated grader judges it: the grader's own counted trainer, the student's
function asked in the sandbox, the choice retrained by the grader (fashion_helpers.tools.verify.grade_search).
Each attempt at the point without the work is tried as a student would."""

import shutil

import nbformat
import pytest

from fashion_helpers import search, yours
from fashion_helpers.tools import editions, runner, sandbox, series, values, verify

from ..conftest import NOTEBOOK_DIR, ROOT

REFERENCE = yours.read_sections(NOTEBOOK_DIR / yours.RECORD_NAME)
#: Cheap settings, so that each grading trains in a fraction of a second: a small budget and a target that a
#: small network reaches in a few epochs, and that a network of one hidden neuron trained for one epoch does not.
CHEAP = {"budget": 3, "n_seeds": 2, "target": 60.0}
SMALL = '{"hidden_neurons": 16, "alpha": 0.1, "epochs": 3, "lambda_reg": 0.0}'
TINY = '{"hidden_neurons": 1, "alpha": 0.0001, "epochs": 1, "lambda_reg": 0.0}'
LARGEST = '{"hidden_neurons": 64, "alpha": 0.1, "epochs": 40, "lambda_reg": 0.0}'


def search_cell(body: str, above: str = "") -> str:
    indented = "".join(f"    {line}\n" for line in body.splitlines())
    return (
        f'{above}def next_trial(trials, budget_left):\n    """Search."""\n    ### BEGIN SOLUTION\n'
        f"{indented}    ### END SOLUTION\n"
    )


@pytest.fixture(scope="module")
def grade():
    with sandbox.Sandbox() as server:

        def run(source, parameters=CHEAP):
            return verify.grade_search(server, source, REFERENCE, parameters)

        yield run


def test_an_honest_search_within_the_budget_gets_the_point(grade):
    found = grade(
        search_cell(
            f'config = {SMALL}\nif len(trials) < 2:\n    return "train", {{**config, "seed": len(trials)}}\n'
            'return "choose", config'
        )
    )
    assert found.points == 1, found.message
    assert "found with 2 trainings, 0.0375 of the budget of 3" in found.message  # 2 x (16 x 3) / (64 x 40)


ATTEMPTS = {
    "a choice that claims its accuracy without training": (
        search_cell(f'print("dev accuracy 95.00%")\nreturn "choose", {{**{TINY}, "dev_accuracy": 95.0}}'),
        "not trained by your search with seed 0, 1",
    ),
    "a configuration known to reach the target, chosen without training it": (
        search_cell(f'return "choose", {SMALL}'),
        "not trained by your search with seed 0, 1",
    ),
    "a poor choice, trained on every seed": (
        search_cell(f'return ("train", {{**{TINY}, "seed": len(trials)}}) if len(trials) < 2 else ("choose", {TINY})'),
        "short of the target 60%",
    ),
    "a search that makes more trainings than the budget allows, however cheap": (
        search_cell(f'return "train", {{**{SMALL}, "seed": len(trials)}}'),
        "the search went past its budget: 15 trainings made, the most a budget of 3 allows",
    ),
    "a search that spends past the budget": (
        search_cell(f'return "train", {{**{LARGEST}, "seed": len(trials)}}'),
        "the search went past its budget: the budget of 3 largest trainings is spent: 0 is left",
    ),
    "a search that asks for the same training forever": (
        search_cell(f'return "train", {{**{SMALL}, "seed": 0}}'),
        "never chose",
    ),
    "a search that rebinds the trainer in its own process": (
        search_cell(
            f"search.Trainer.train = lambda self, config: 100.0\nsearch.Trainer.left = 99\n"
            f'return "train", {{**{SMALL}, "seed": len(trials)}}',
            above="from fashion_helpers import search\n\n\n",
        ),
        "past its budget",
    ),
    "a search that trains on the course's data itself": (
        search_cell(
            f'pixels, labels = data.load_data({str(ROOT / "data" / "fashion_data.csv")!r})\nreturn "choose", {{}}',
            above="from fashion_helpers import data\n\n\n",
        ),
        "data file not found",  # the sandbox's file system holds none of the course's files
    ),
    "an answer that is neither a training nor a choice": (search_cell('return {"accuracy": 99.0}'), "must return"),
    "a configuration out of the trainer's range": (
        search_cell('return "train", {"hidden_neurons": 4096, "alpha": 0.1, "epochs": 3, "lambda_reg": 0, "seed": 0}'),
        "hidden_neurons must be a number from 1 to 64",
    ),
    "trainings of no epochs, to train for free": (
        search_cell('return "train", {"hidden_neurons": 64, "alpha": 0.1, "epochs": 0, "lambda_reg": 0, "seed": 0}'),
        "epochs must be a number from 1 to 40",
    ),
    "the untouched stub": (
        search_cell('raise NotImplementedError("Exercise: write your solution here")'),
        "not implemented yet",
    ),
}


@pytest.mark.parametrize("attempt", ATTEMPTS, ids=list(ATTEMPTS))
def test_an_attempt_at_the_point_without_the_work_gets_none_and_says_why(grade, attempt):
    source, words = ATTEMPTS[attempt]
    found = grade(source)
    assert found.points == 0
    assert words in found.message, found.message


def test_the_notebooks_own_search_reaches_the_target_when_the_grader_retrains_it(tmp_path):
    shutil.copy(NOTEBOOK_DIR / f"{search.NOTEBOOK}.ipynb", tmp_path)
    (verdict,) = verify.grade_submission(tmp_path, REFERENCE, {})
    assert (verdict.exercise, verdict.notebook, verdict.points) == (search.NAME, search.NOTEBOOK, 1.0)
    assert "mean dev accuracy over 3 fresh trainings, seeds 3 to 5 (target 80%;" in verdict.message


def test_the_self_study_edition_of_notebook_10_runs_with_the_search_open(tmp_path):
    written = [NOTEBOOK_DIR / f"{search.NOTEBOOK}.ipynb"]
    editions.write_student_edition(written, tmp_path)
    released = [tmp_path / "notebooks" / path.name for path in written]
    run = values.Run(released, series.declarations(released), {})
    (result,) = runner.execute_many(run.jobs(tmp_path / "executed"), workers=1, progress=False)
    assert result["status"] == "ok", result["error"]
    text = "".join(
        o.get("text", "")
        for c in nbformat.read(str(tmp_path / "executed" / written[0].name), as_version=4).cells
        for o in c.get("outputs", [])
    )
    assert "NOT YET  next_trial" in text and "the held-out set stays unused" in text
    assert "holdout_mean: null" in text and "Traceback" not in text


def test_the_round_trips_search_written_differently_gets_the_point(grade):
    from answer_key import submissions

    found = grade(search_cell(submissions.announcing(search.NAME)), parameters=None)
    assert found.points == 1, found.message
    assert "found with 4 trainings, 4 of the budget of 20" in found.message
    assert "over 3 fresh trainings, seeds 3 to 5 (target 80%;" in found.message
