"""Tests for campaign.tally's greedy rules (greedy, greedy-no-skip, greedy-threshold, most-voted): examples
worked out in the comments, and what must hold for any election."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from campaign.tally import count_votes, greedy, most_voted
from tests.unit.tally_elections import SKIP_PROJECTS, SKIP_SCORES, elections, projects


def test_greedy_skips_a_project_that_does_not_fit():
    assert greedy(SKIP_PROJECTS, SKIP_SCORES, 100) == ["A", "C"]


def test_greedy_no_skip_stops_at_the_first_project_that_does_not_fit():
    assert greedy(SKIP_PROJECTS, SKIP_SCORES, 100, skip=False) == ["A"]


def test_greedy_threshold_ignores_projects_under_the_threshold():
    # Threshold 5: B (3) is under it; C (exactly 5) is not. Budget fits all three.
    scores = {"A": 10, "B": 3, "C": 5}
    assert greedy(projects(A=1, B=1, C=1), scores, 100, threshold=5) == ["A", "C"]


def test_greedy_never_funds_a_project_nobody_voted_for():
    assert greedy(projects(A=10, B=10), {"A": 1}, 100) == ["A"]


def test_greedy_tie_goes_to_the_cheaper_project():
    # A and B both have 5 votes; B is cheaper, so it comes first and takes 30 of 50;
    # A (40) then no longer fits.
    assert greedy(projects(A=40, B=30), {"A": 5, "B": 5}, 50) == ["B"]


def test_greedy_tie_on_score_and_cost_goes_to_the_smaller_id():
    assert greedy(projects(b=30, a=30), {"a": 5, "b": 5}, 50) == ["a"]


def test_most_voted_picks_one_project_with_ties_to_the_cheaper():
    assert most_voted({"a": 3, "b": 7, "c": 7}, {"a": 1, "b": 9, "c": 5}) == ["c"]
    assert most_voted({"a": 3, "b": 7, "c": 7}) == ["b"]
    assert most_voted({"a": 0}) == []


# --- properties ----------------------------------------------------------------------


def ranking(project_list, scores):
    return sorted(project_list, key=lambda p: (-scores.get(p.id, 0), p.cost, p.id))


@given(elections(), st.booleans(), st.integers(0, 4))
def test_greedy_never_exceeds_the_budget(election, skip, threshold):
    project_list, ballots, budget = election
    winners = greedy(project_list, count_votes(ballots), budget, skip=skip, threshold=threshold)
    cost = {p.id: p.cost for p in project_list}
    assert sum(cost[w] for w in winners) <= budget
    assert len(set(winners)) == len(winners)


@given(elections())
def test_greedy_skips_a_project_only_when_better_ranked_winners_left_too_little(election):
    project_list, ballots, budget = election
    scores = count_votes(ballots)
    winners = set(greedy(project_list, scores, budget))
    spent_before = 0
    for project in ranking(project_list, scores):
        if project.id in winners:
            spent_before += project.cost
        elif scores.get(project.id, 0) > 0:
            # Every winner scoring less was funded after this one was found too dear.
            assert project.cost > budget - spent_before


@given(elections())
def test_greedy_no_skip_funds_a_prefix_of_the_ranking(election):
    project_list, ballots, budget = election
    scores = count_votes(ballots)
    winners = greedy(project_list, scores, budget, skip=False)
    assert winners == [p.id for p in ranking(project_list, scores)[: len(winners)]]
