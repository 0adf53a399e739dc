"""Ballot rules for single, approval and knapsack ballots."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, strategies as st

from campaign.ballot import BallotError, choice_limit, toggle, total_cost, validate_ballot
from campaign.schema import Ballot

FINALISTS = {1: Decimal(1500), 2: Decimal(8000), 3: Decimal(3000), 4: Decimal(12000)}
ENVELOPE = Decimal(20000)
SINGLE = Ballot(type="single")
APPROVAL = Ballot(type="approval", max_choices=2)
KNAPSACK = Ballot(type="knapsack")


def code(rules, choices):
    with pytest.raises(BallotError) as error:
        validate_ballot(rules, choices, FINALISTS, ENVELOPE)
    return error.value.code


def test_single():
    assert validate_ballot(SINGLE, [2], FINALISTS, ENVELOPE) == (2,)
    assert code(SINGLE, []) == "empty"
    assert code(SINGLE, [1, 2]) == "too_many"
    assert code(SINGLE, [9]) == "not_finalist"


def test_approval_normalises_and_limits():
    assert validate_ballot(APPROVAL, [3, 1, 3], FINALISTS, ENVELOPE) == (1, 3)
    assert code(APPROVAL, [1, 2, 3]) == "too_many"


def test_knapsack_envelope():
    assert validate_ballot(KNAPSACK, [1, 2, 3], FINALISTS, ENVELOPE) == (1, 2, 3)
    assert code(KNAPSACK, [1, 2, 3, 4]) == "over_budget"
    assert choice_limit(KNAPSACK) is None
    assert choice_limit(Ballot(type="knapsack", max_choices=2)) == 2


def test_toggle():
    assert toggle(APPROVAL, [], 1, FINALISTS) == (1,)
    assert toggle(APPROVAL, [1], 1, FINALISTS) == ()
    with pytest.raises(BallotError):
        toggle(APPROVAL, [1, 2], 3, FINALISTS)
    with pytest.raises(BallotError):
        toggle(APPROVAL, [], 99, FINALISTS)
    # A knapsack may be ticked over the envelope while trying; submitting is refused.
    assert toggle(KNAPSACK, [1, 2, 3], 4, FINALISTS) == (1, 2, 3, 4)
    assert total_cost((1, 2, 3, 4), FINALISTS) == Decimal(24500)


@given(st.sampled_from([SINGLE, APPROVAL, KNAPSACK]), st.lists(st.integers(min_value=-5, max_value=10), max_size=8))
def test_a_valid_ballot_only_holds_finalists_within_the_rules(rules, choices):
    try:
        ballot = validate_ballot(rules, choices, FINALISTS, ENVELOPE)
    except BallotError:
        return
    assert ballot and set(ballot) <= set(FINALISTS) and list(ballot) == sorted(set(ballot))
    limit = choice_limit(rules)
    assert limit is None or len(ballot) <= limit
    if rules.type == "knapsack":
        assert total_cost(ballot, FINALISTS) <= ENVELOPE
