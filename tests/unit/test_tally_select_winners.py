"""Tests for campaign.tally.select_winners: running a campaign's rule by name, with its options, on its ballots."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from campaign.tally import RULES, select_winners
from tests.unit.tally_elections import MAJORITY_AND_MINORITY, SKIP_PROJECTS, elections, projects


def test_select_winners_reports_scores_spending_and_budget():
    outcome = select_winners("greedy", SKIP_PROJECTS, [["A", "B"], ["A"], ["C"]], 100)
    # Scores A 2, B 1, C 1; B and C tie, C (30) is cheaper so it comes first.
    # A (60) fits, C (30) fits, 10 left: B (50) does not.
    assert outcome.winners == ["A", "C"]
    assert outcome.scores == {"A": 2, "B": 1, "C": 1}
    assert outcome.spent == 90
    assert outcome.budget == 100


def test_select_winners_threshold_and_points():
    ballots = [{"A": 3}, {"B": 2, "C": 1}, {"C": 1}]  # A 3, B 2, C 2 points
    outcome = select_winners("greedy-threshold", projects(A=10, B=10, C=10), ballots, 100, threshold=3)
    assert outcome.winners == ["A"]


def test_select_winners_most_voted_only_considers_affordable_projects():
    outcome = select_winners("most-voted", projects(a=500, b=50), [["a"], ["a"], ["b"]], 100)
    assert outcome.winners == ["b"]


def test_select_winners_runs_equal_shares_on_point_ballots_as_approvals():
    # The majority/minority election of tally_elections, with points: MES only sees who supports what.
    ballots = [{"A": 2, "B": 1}] * 3 + [{"C": 1}] * 2
    outcome = select_winners("equalshares", MAJORITY_AND_MINORITY[0], ballots, 500)
    assert outcome.winners == ["A", "C"]


def test_select_winners_rejects_an_unknown_rule_clearly():
    with pytest.raises(ValueError, match=r"unknown rule 'borda'.*greedy"):
        select_winners("borda", SKIP_PROJECTS, [], 100)


def test_select_winners_rejects_bad_options_and_unknown_projects():
    with pytest.raises(ValueError, match="threshold"):
        select_winners("greedy-threshold", SKIP_PROJECTS, [], 100)
    with pytest.raises(ValueError, match="no option"):
        select_winners("greedy", SKIP_PROJECTS, [], 100, threshold=3)
    with pytest.raises(ValueError, match="unknown project"):
        select_winners("greedy", SKIP_PROJECTS, [["Z"]], 100)


@given(elections(), st.randoms(use_true_random=False), st.sampled_from(RULES))
@settings(deadline=None)  # tests assert no timings: on a loaded machine one example took 256 ms
def test_outcome_does_not_depend_on_input_order(election, rng, rule):
    project_list, ballots, budget = election
    options = {"threshold": 2} if rule == "greedy-threshold" else {}
    expected = select_winners(rule, project_list, ballots, budget, **options)
    shuffled_projects, shuffled_ballots = project_list[:], [b[::-1] for b in ballots]
    rng.shuffle(shuffled_projects)
    rng.shuffle(shuffled_ballots)
    assert select_winners(rule, shuffled_projects, shuffled_ballots, budget, **options) == expected
