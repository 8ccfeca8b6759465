"""The checks against plausible mistakes they were not built from: one small change each to the instructor's
solution regions (tests/checks/mutants.py), judged on the visible and the hidden cases as the grader judges."""

from .mutation import measure


def test_the_checks_catch_the_plausible_mistakes_and_name_their_causes(hidden_cases):
    total = measure()["total"]
    assert total["mutants"] >= 500, f"only {total['mutants']} mutants: the generator lost its operators"
    killed = total["killed"] / total["mutants"]
    generic = total["generic"] / total["killed"]
    assert killed >= 0.99, f"{total['survived']} of {total['mutants']} mistakes pass every case ({killed:.1%} caught)"
    assert generic <= 0.15, f"{generic:.1%} of the caught mistakes get a generic message (at most 15%)"
