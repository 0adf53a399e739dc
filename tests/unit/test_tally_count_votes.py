"""Tests for campaign.tally.count_votes: the score each project gets from approval or cumulative ballots."""

from __future__ import annotations

from campaign.tally import count_votes


def test_count_votes_counts_each_approval_once():
    ballots = [["a", "b"], ["a"], ["b", "b", "c"]]  # the repeated "b" approves b once
    assert count_votes(ballots) == {"a": 2, "b": 2, "c": 1}


def test_count_votes_sums_cumulative_points():
    ballots = [{"a": 2, "b": 1}, {"a": 3}, {"c": 1, "b": 2}]
    assert count_votes(ballots) == {"a": 5, "b": 3, "c": 1}


def test_count_votes_of_no_ballots_is_empty():
    assert count_votes([]) == {}
