"""The cumulative ballot: share N points among the finalists; counted with points; Pabulib `cumulative`."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from hypothesis import given, strategies as st

from campaign.ballot import BallotError, strategy, toggle, validate_ballot
from campaign.pabulib import read_pb, write_pb
from campaign.results import anonymous_ballots, compute_results, pabulib_election
from campaign.schema import Ballot, CampaignError
from campaign.tally import select_winners
from tests.unit.test_results import PROJECTS, campaign

FINALISTS = {1: Decimal(1500), 2: Decimal(8000), 3: Decimal(3000)}
ENVELOPE = Decimal(20000)
FIVE = Ballot(type="cumulative", points=5)


def code(rules: Ballot, choices: list[int]) -> str:
    with pytest.raises(BallotError) as error:
        validate_ballot(rules, choices, FINALISTS, ENVELOPE)
    return error.value.code


def test_points_are_kept_as_repeats_and_bounded():
    assert validate_ballot(FIVE, [3, 1, 3], FINALISTS, ENVELOPE) == (1, 3, 3)
    assert validate_ballot(FIVE, [2] * 5, FINALISTS, ENVELOPE) == (2, 2, 2, 2, 2)
    assert code(FIVE, [2] * 6) == "too_many_points"
    assert code(FIVE, []) == "empty"
    assert code(FIVE, [1, 9]) == "not_finalist"


def test_pressing_gives_a_point_then_takes_a_projects_points_back_once_all_are_given():
    ballot: tuple[int, ...] = ()
    for project in (1, 1, 3, 1, 2):
        ballot = toggle(FIVE, ballot, project, FINALISTS)
    assert ballot == (1, 1, 1, 2, 3)
    assert toggle(FIVE, ballot, 1, FINALISTS) == (2, 3)  # all given: pressing 1 takes its 3 back
    with pytest.raises(BallotError) as error:
        toggle(Ballot(type="cumulative", points=2), (1, 1), 3, FINALISTS)
    assert error.value.code == "too_many_points"
    with pytest.raises(BallotError):
        toggle(FIVE, (), 99, FINALISTS)


def test_the_campaign_file_takes_the_type_and_refuses_unknown_ones():
    c = campaign(ballot={"type": "cumulative", "points": 7})
    assert c.ballot.type == "cumulative" and c.ballot.points == 7
    with pytest.raises(CampaignError) as error:
        campaign(ballot={"type": "borda"})
    assert "cumulative" in str(error.value)


def test_the_tally_counts_points_not_voters():
    c = campaign("greedy", ballot={"type": "cumulative", "points": 5})
    # One resident puts all 5 points on the Library (#9); two others give 1 point each to the Playground (#4).
    ballots = [(9, 9, 9, 9, 9), (4, 2, 2, 2, 2), (4, 3, 3, 3, 3)]
    results = compute_results(c, PROJECTS, ballots)
    votes = results.votes_of()
    assert votes[9] == 5 and votes[4] == 2 and votes[2] == 4 and votes[3] == 4
    # Approval would rank the Playground (2 voters) first; points rank the Library first.
    assert results.rows[0].project_id == 9


def test_exported_as_pabulib_cumulative_and_counted_the_same_from_the_file():
    c = campaign("greedy", ballot={"type": "cumulative", "points": 5})
    ballots = [(9, 9, 9, 9, 9), (4, 2, 2, 2, 2), (4, 3, 3, 3, 3), (10, 10, 4)]
    results = compute_results(c, PROJECTS, ballots)
    election = pabulib_election(
        c, PROJECTS, anonymous_ballots(ballots, random.Random(3), kind=strategy(c.ballot)), selected=results.winners
    )
    again = read_pb(write_pb(election))
    assert again.meta["vote_type"] == "cumulative" and again.meta["max_sum_points"] == "5"
    assert sorted((v.vote, v.points) for v in again.votes) == sorted(
        [
            (("09",), (5,)),
            (("02", "04"), (4, 1)),
            (("03", "04"), (4, 1)),
            (("04", "10"), (1, 2)),
        ]
    )
    assert again.projects["09"].votes == 5 and again.projects["04"].votes == 3
    outcome = select_winners(again.rule, again.tally_projects(), again.ballots(), again.budget, **again.tally_options())
    assert [int(w) for w in outcome.winners] == results.winners


@given(st.integers(min_value=1, max_value=6), st.lists(st.sampled_from([1, 2, 3, 9]), max_size=10))
def test_a_valid_cumulative_ballot_gives_at_most_its_points_to_finalists(points, presses):
    rules = Ballot(type="cumulative", points=points)
    ballot: tuple[int, ...] = ()
    for project in presses:
        try:
            ballot = toggle(rules, ballot, project, FINALISTS)
        except BallotError:
            pass
    assert len(ballot) <= points and set(ballot) <= set(FINALISTS)
    if ballot:
        assert validate_ballot(rules, ballot, FINALISTS, ENVELOPE) == ballot
