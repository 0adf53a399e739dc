"""Tests for campaign.tally.equal_shares, the Method of Equal Shares and its completions: examples worked out
in the comments, and what must hold for any election, down to a voter-by-voter reference."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from campaign.tally import Project, count_votes, equal_shares, greedy
from tests.unit.tally_elections import MAJORITY_AND_MINORITY, PROJECT_IDS, elections, projects


def test_equal_shares_gives_the_minority_its_share():
    assert equal_shares(*MAJORITY_AND_MINORITY) == ["A", "C"]
    project_list, ballots, budget = MAJORITY_AND_MINORITY
    assert greedy(project_list, count_votes(ballots), budget) == ["A", "B"]


def test_add1_keeps_an_outcome_when_raising_the_shares_overspends():
    # B becomes affordable once 3 * (share - 200/3) >= 200, i.e. share >= 133.34; at
    # 134 the outcome is A, B, C = 600 > 500, so add1 keeps the outcome at 133: [A, C].
    assert equal_shares(*MAJORITY_AND_MINORITY, completion="add1") == ["A", "C"]


def test_add1_comparison_switches_to_greedy_when_a_majority_prefers_it():
    # MES+add1 gives [A, C], greedy [A, B]. Voters 1-3 approve 2 of greedy's winners
    # and 1 of MES's: they prefer greedy; voters 4-5 prefer MES. 3 > 2: greedy wins.
    assert equal_shares(*MAJORITY_AND_MINORITY, completion="add1-comparison") == ["A", "B"]


# 3 voters, budget 300 (100 each).
# A (150): voters 1, 2.  D (200): voters 1, 2.  B (120): voter 3.  C (30): voter 3.
# MES at 100: A and D both have 2 effective votes (A: 75 each, D: 100 each); A is
# cheaper. Voters 1-2 keep 25: D is out. B (120 > 100) is out. C: voter 3 pays 30.
# -> [A, C], 180 spent, 120 left.
# add1: B fits after C once share - 30 >= 120 (share 150): [A, C, B] = 300, within the
# budget, and so on up to 174. At 175, voters 1-2 keep 100 after A and buy D:
# A, D, C, B = 500 > 300. add1 stops and keeps the outcome at 174: [A, C, B].
SPARE_MONEY = (projects(A=150, D=200, B=120, C=30), [["A", "D"]] * 2 + [["B", "C"]], 300)


def test_plain_equal_shares_can_leave_money_unspent():
    assert equal_shares(*SPARE_MONEY) == ["A", "C"]


def test_add1_raises_the_shares_while_the_outcome_fits():
    assert equal_shares(*SPARE_MONEY, completion="add1") == ["A", "C", "B"]


# 4 voters, budget 400 (100 each).
# P (120): voters 1-3.  Q (150): voters 1, 4.  R (130): voters 2, 3.  S (11): voter 4.
# Start: P has 3 effective votes (40 each), Q and R 2, S 1. P is bought: voters 1-3
# keep 60. R: 60 + 60 < 130, out. Q: an equal share is 75 but voter 1 has 60, so
# voter 1 pays 60 and voter 4 pays 90: effective votes 150/90 = 5/3 > 1 (S): bought.
# Voter 4 keeps 10 < 11: S is out -> [P, Q]. (Had voter 4 paid only 75, S would fit.)
CAPPED_PAYMENT = (
    projects(P=120, Q=150, R=130, S=11),
    [["P", "Q"], ["P", "R"], ["P", "R"], ["Q", "S"]],
    400,
)


def test_a_supporter_who_cannot_pay_an_equal_share_pays_all_they_have():
    assert equal_shares(*CAPPED_PAYMENT) == ["P", "Q"]


def test_supporters_holding_exactly_the_cost_can_buy_it():
    # Same as above with S costing exactly the 10 voter 4 has left.
    project_list, ballots, budget = CAPPED_PAYMENT
    cheaper_s = [p if p.id != "S" else Project("S", 10) for p in project_list]
    assert equal_shares(cheaper_s, ballots, budget) == ["P", "Q", "S"]


# 4 voters, budget 400 (100 each).
# A (30): voters 1, 3, 4.  B (280): voters 2, 3, 4.  C (20): voters 3, 4.
# Start: A 3 effective votes (10 each), B 3 (93.33 each), C 2. A ties B on votes and is
# cheaper: bought, voters 1, 3, 4 keep 90. B: 93.33 is more than voters 3-4 have, so they
# pay 90 each and voter 2 pays 100: 280/100 = 2.8 effective votes, still more than C's 2.
# B is bought; voters 3-4 are left with nothing for C -> [A, B].
# (Counting only voter 2, who pays the full share, would rank B at 1 and buy C instead.)
PARTLY_SHORT = (projects(A=30, B=280, C=20), [["A"], ["B"], ["A", "B", "C"], ["A", "B", "C"]], 400)


def test_supporters_short_of_an_equal_share_still_count_towards_the_project():
    assert equal_shares(*PARTLY_SHORT) == ["A", "B"]


def test_equal_shares_is_exact_with_cents():
    # 3 voters hold 100/3 each: together exactly 100.00, not a cent more.
    ballots = [["x"]] * 3
    assert equal_shares(projects(x=Decimal("100.00")), ballots, Decimal("100.00")) == ["x"]
    assert equal_shares(projects(x=Decimal("100.01")), ballots, Decimal("100.00")) == []


def test_equal_shares_rejects_unknown_projects_and_completions():
    with pytest.raises(ValueError, match="unknown project"):
        equal_shares(projects(a=1), [["b"]], 10)
    with pytest.raises(ValueError, match="unknown completion"):
        equal_shares(projects(a=1), [["a"]], 10, completion="add2")  # type: ignore[arg-type]


def test_add1_funds_every_supported_project_when_all_of_them_fit():
    # 60 + 40 <= 100: raising the shares never overspends; it ends with both bought.
    winners = equal_shares(projects(a=60, b=40, c=5), [["a"], ["b"]], 100, completion="add1")
    assert set(winners) == {"a", "b"}


# --- properties ----------------------------------------------------------------------


@given(elections(), st.sampled_from([None, "add1", "add1-comparison"]))
@settings(max_examples=150)
def test_equal_shares_never_exceeds_the_budget(election, completion):
    project_list, ballots, budget = election
    winners = equal_shares(project_list, ballots, budget, completion=completion)
    cost = {p.id: p.cost for p in project_list}
    assert sum(cost[w] for w in winners) <= budget
    assert len(set(winners)) == len(winners)
    supported = set(count_votes(ballots))
    assert set(winners) <= supported


def reference_equal_shares(project_list, ballots, budget):
    """equalshares.net's exact MES, voter by voter, as a slow oracle (same tie rule)."""
    voters = range(len(ballots))
    cost = {p.id: Fraction(p.cost) for p in project_list}
    approvers = {c: [i for i in voters if c in ballots[i]] for c in cost}
    budgets = {i: Fraction(budget) / len(ballots) for i in voters}
    tie = lambda c: (-len(approvers[c]), cost[c], c)  # noqa: E731
    winners = sorted((c for c in cost if cost[c] == 0 and approvers[c]), key=tie)
    remaining = {c for c in cost if cost[c] > 0 and approvers[c]}
    while True:
        candidates = {}
        for c in remaining:
            if sum(budgets[i] for i in approvers[c]) < cost[c]:
                continue
            paid, payers = Fraction(0), len(approvers[c])
            for i in sorted(approvers[c], key=budgets.__getitem__):
                share = (cost[c] - paid) / payers
                if share <= budgets[i]:
                    candidates[c] = share
                    break
                paid, payers = paid + budgets[i], payers - 1
        if not candidates:
            return winners
        best = max(cost[c] / s for c, s in candidates.items())
        winner = min((c for c, s in candidates.items() if cost[c] / s == best), key=tie)
        share = candidates[winner]
        for i in approvers[winner]:
            budgets[i] = budgets[i] - share if budgets[i] > share else Fraction(0)
        winners.append(winner)
        remaining.discard(winner)
        remaining = {c for c in remaining if sum(budgets[i] for i in approvers[c]) >= cost[c]}


@st.composite
def busy_elections(draw):
    """Elections where MES buys several projects, so voters run short at different times."""
    ids = draw(st.lists(st.sampled_from(PROJECT_IDS), min_size=2, max_size=6, unique=True))
    costs = draw(st.lists(st.integers(1, 100), min_size=len(ids), max_size=len(ids)))
    ballot = st.lists(st.sampled_from(ids), min_size=1, max_size=len(ids), unique=True)
    ballots = draw(st.lists(ballot, min_size=2, max_size=12))
    return [Project(i, c) for i, c in zip(ids, costs)], ballots, draw(st.integers(50, 300))


@given(busy_elections())
@settings(max_examples=300)
def test_equal_shares_matches_a_voter_by_voter_reference(election):
    project_list, ballots, budget = election
    expected = reference_equal_shares(project_list, ballots, budget)
    assert equal_shares(project_list, ballots, budget) == expected
