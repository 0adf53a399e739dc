"""The rules added beside greedy and plain MES, on hand-made elections worked out in the
comments; their explanations as data; ties; and properties every rule keeps."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from campaign.add1 import add_one
from campaign.equal_shares import run_mes
from campaign.electorate import compile_electorate
from campaign.tally import RULES, Project, select_winners


def projects(**costs: int) -> list[Project]:
    return [Project(project_id, cost) for project_id, cost in costs.items()]


# --- MES utilities ---------------------------------------------------------------------

# Budget 100, 4 voters: 25 each. A (60) is approved by voters 1-3, B (30) by voters 1-2,
# C (40) by voter 4 alone, who cannot pay it.
# Cost utilities: A costs each of its 3 supporters 20 = 1/3 of its cost, B costs 15 = 1/2:
#   A first; voters 1-3 keep 5 each, B (30) is out of reach of voters 1-2 (10): [A].
# Approval utilities: B costs each supporter 15, A 20: B first; then A's supporters hold
#   10 + 10 + 25 = 45 < 60: [B].
UTILITY_ELECTION = (projects(A=60, B=30, C=40), [["A", "B"], ["A", "B"], ["A"], ["C"]], 100)


def test_cost_utilities_buy_what_is_cheapest_per_unit_of_cost():
    assert select_winners("equalshares", *UTILITY_ELECTION).winners == ["A"]


def test_approval_utilities_buy_what_costs_each_supporter_least():
    assert select_winners("equalshares", *UTILITY_ELECTION, utility="approval").winners == ["B"]


# Budget 90, 3 voters: 30 each. Points: voter 1 gives A 5, voter 2 gives A 1 and B 5,
# voter 3 gives B 5. Both projects cost 30.
# Points utilities: A at ρ per point: 6ρ = 30, ρ = 5 (voter 1 pays 25, voter 2 pays 5);
#   B: 10ρ = 30, ρ = 3 (voters 2 and 3 pay 15 each): B first. Then A: voter 1 still has 30,
#   voter 2 has 15: ρ = 5 again (25 + 5): A second -> [B, A].
# Cost utilities see two projects each with 2 supporters paying half: a tie, broken by the
#   smaller id: [A, B].
POINTS_ELECTION = (projects(A=30, B=30), [{"A": 5}, {"A": 1, "B": 5}, {"B": 5}], 90)


def test_points_utilities_charge_supporters_per_point():
    outcome = select_winners("equalshares", *POINTS_ELECTION, utility="points")
    assert outcome.winners == ["B", "A"]
    rounds = outcome.explanation.mes.rounds
    assert (rounds[0].project, rounds[0].rho, rounds[0].payments) == ("B", 3, [(15, 2)])
    assert (rounds[1].project, rounds[1].rho, rounds[1].payments) == ("A", 5, [(25, 1), (5, 1)])


def test_cost_utilities_ignore_points_and_report_the_tie_they_broke():
    outcome = select_winners("equalshares", *POINTS_ELECTION)
    assert outcome.winners == ["A", "B"]
    assert outcome.explanation.mes.rounds[0].tied == ["B"]


# --- the MES explanation -----------------------------------------------------------------

# Budget 100, 3 voters: 100/3 each. C (50) is approved by all: 50/3 each, ρ = 1/3 (a third of
# its cost each). A (40) by voters 1-2: 20 each, ρ = 1/2. B (30) by voter 3: ρ = 1.
# MES buys C; then voters hold 50/3 each: A's supporters have 100/3 < 40, B's 50/3 < 30.
PHRAGMEN_ELECTION = (projects(A=40, B=30, C=50), [["A", "C"], ["A", "C"], ["B", "C"]], 100)


def test_mes_explains_each_round_and_what_unfunded_projects_lacked():
    outcome = select_winners("equalshares", *PHRAGMEN_ELECTION)
    assert outcome.winners == ["C"]
    explanation = outcome.explanation
    assert explanation.start_share == Fraction(100, 3)
    (only,) = explanation.mes.rounds
    assert (only.project, only.rho, only.payments) == ("C", Fraction(1, 3), [(Fraction(50, 3), 3)])
    shortfalls = {s.project: s for s in explanation.mes.shortfalls}
    # A: 2 supporters with 50/3 each: 100/3, 20/3 short; a fresh share (100/3) covers that: 1 more.
    assert (shortfalls["A"].had, shortfalls["A"].missing, shortfalls["A"].more_supporters) == (
        Fraction(100, 3),
        Fraction(20, 3),
        1,
    )
    # B: 50/3 of 30, 40/3 short: one more supporter with a full share is enough.
    assert (shortfalls["B"].had, shortfalls["B"].missing, shortfalls["B"].more_supporters) == (
        Fraction(50, 3),
        Fraction(40, 3),
        1,
    )


def test_mes_then_greedy_spends_what_mes_left_by_votes():
    # MES buys C (50 left); by votes, A (2 votes, 40) fits, 10 left; B (30) does not.
    outcome = select_winners("equalshares/greedy", *PHRAGMEN_ELECTION)
    assert outcome.winners == ["C", "A"]
    (step,) = outcome.explanation.steps
    assert (step.project, step.left) == ("A", 50)


# --- sequential Phragmén -----------------------------------------------------------------


# Same election. Loads start at 0. C would put 50/3 on each of its 3 supporters, A 40/2 = 20,
# B 30: C first (50 spent). Then A: (40 + 2 × 50/3) / 2 = 110/3; B: 30 + 50/3 = 140/3: A
# (90 spent). B (30) no longer fits in the 10 left: [C, A] — where MES stops after C.
def test_sequential_phragmen_keeps_the_heaviest_load_lowest():
    outcome = select_winners("sequential-phragmen", *PHRAGMEN_ELECTION)
    assert outcome.winners == ["C", "A"]
    assert [(r.project, r.load) for r in outcome.explanation.phragmen] == [
        ("C", Fraction(50, 3)),
        ("A", Fraction(110, 3)),
    ]


# --- greedy by votes per cost ------------------------------------------------------------

# Budget 100. A: 8 votes, 80 (0.1 a unit); B: 6 votes, 30 (0.2); C: 4 votes, 30 (0.133).
# By votes: A (20 left), then neither B nor C fits: [A].
# By votes per cost: B (70 left), C (40 left), A (80) does not fit: [B, C].
PER_COST = (projects(A=80, B=30, C=30), [["A"]] * 8 + [["B"]] * 6 + [["C"]] * 4, 100)


def test_greedy_per_cost_ranks_by_votes_per_unit_of_cost():
    assert select_winners("greedy", *PER_COST).winners == ["A"]
    outcome = select_winners("greedy-per-cost", *PER_COST)
    assert outcome.winners == ["B", "C"]
    assert [(s.project, s.left, s.reason) for s in outcome.explanation.steps] == [
        ("B", 100, "funded"),
        ("C", 70, "funded"),
        ("A", 40, "too-expensive"),
    ]


# --- add1: the step and the stop --------------------------------------------------------

# 2 voters, budget 1,000,000: A (1) approved by both, B (1,000,000) by voter 2. Each starts
# with 500,000; A costs each 0.5; voter 2 then holds 499,999.5, short of B. Raising the
# shares by 100,000 at a time: at 1,000,000 voter 2 still holds 999,999.5 (outcome [A]); at
# 1,100,000 B is bought, and A + B = 1,000,001 overspends: add1 stops at [A] after 5 raises.
BIG_STEP = (projects(A=1, B=1_000_000), [["A", "B"], ["A"]], 1_000_000)


def test_add1_raises_the_shares_by_the_step_given():
    outcome = select_winners("equalshares/add1", *BIG_STEP, step=100_000)
    assert outcome.winners == ["A"]
    assert outcome.explanation.raises == 5
    assert outcome.explanation.mes.share == 1_000_000


def test_add1_stop_exhausted_stops_when_nothing_else_fits():
    # Budget 100, 3 voters: A (60) by voters 1-2, B (45) by voter 3, C (30) by voter 3.
    # Plain MES (100/3 each): A (30 each), then voter 3 can pay C (30): [A, C], 10 left and
    # nothing else fits, so "exhausted" stops at once; "overspend" goes on raising until
    # B would be bought too (A + C + B = 135 > 100), which gives the same [A, C].
    election = (projects(A=60, B=45, C=30), [["A"], ["A"], ["B", "C"]], 100)
    exhausted = select_winners("equalshares/add1", *election, stop="exhausted")
    overspend = select_winners("equalshares/add1", *election)
    assert exhausted.winners == ["A", "C"] and exhausted.explanation.raises == 0
    assert set(overspend.winners) == {"A", "C"} and overspend.explanation.raises > 0


def test_bad_options_are_refused():
    with pytest.raises(ValueError, match="utility"):
        select_winners("equalshares", *UTILITY_ELECTION, utility="joy")
    with pytest.raises(ValueError, match="stop"):
        select_winners("equalshares/add1", *UTILITY_ELECTION, stop="never")
    with pytest.raises(ValueError, match="no option"):
        select_winners("equalshares", *UTILITY_ELECTION, step=2)


# --- ties -------------------------------------------------------------------------------


def test_a_tie_that_decides_is_reported_with_every_other_outcome():
    # Budget 50: A and B have 2 votes and cost 30 each; only one fits. The smaller id, A, wins
    # the tie; the other order would fund B.
    outcome = select_winners("greedy", projects(A=30, B=30), [["A", "B"], ["A", "B"]], 50)
    assert outcome.winners == ["A"]
    assert outcome.ties == [["A", "B"]]
    assert outcome.tied_outcomes == [["B"]]


def test_a_tie_that_decides_nothing_is_not_reported():
    # Both fit: the order of A and B changes nothing.
    outcome = select_winners("greedy", projects(A=30, B=30), [["A", "B"]], 100)
    assert outcome.ties == [] and outcome.tied_outcomes == []


def test_a_mes_tie_lists_the_other_outcome():
    # 2 voters, budget 60: A and B (30 each) both approved by both. MES: A and B tie (15 each,
    # ρ 1/2); A wins, then B: [A, B]. The other order gives [B, A]: the same projects, so no
    # other outcome.
    outcome = select_winners("equalshares", projects(A=30, B=30), [["A", "B"], ["A", "B"]], 60)
    assert outcome.winners == ["A", "B"] and outcome.tied_outcomes == []
    # Budget 40 (20 each): A or B, 15 each; then the other needs 30 from 10: one only.
    outcome = select_winners("equalshares", projects(A=30, B=30), [["A", "B"], ["A", "B"]], 40)
    assert outcome.winners == ["A"]
    assert outcome.ties == [["A", "B"]] and outcome.tied_outcomes == [["B"]]


# --- properties -------------------------------------------------------------------------

IDS = ["p1", "p2", "p3", "p4", "p5"]


@st.composite
def elections(draw, points: bool = False):
    ids = draw(st.lists(st.sampled_from(IDS), min_size=1, max_size=5, unique=True))
    costs = draw(st.lists(st.integers(0, 60), min_size=len(ids), max_size=len(ids)))
    if points:
        ballot = st.dictionaries(st.sampled_from(ids), st.integers(1, 4), max_size=len(ids))
    else:
        ballot = st.lists(st.sampled_from(ids), max_size=len(ids), unique=True)
    ballots = draw(st.lists(ballot, max_size=7))
    return [Project(i, c) for i, c in zip(ids, costs)], ballots, draw(st.integers(0, 150))


def options(rule: str, utility: str) -> dict:
    if rule == "greedy-threshold":
        return {"threshold": 2}
    return {"utility": utility} if rule.startswith("equalshares") else {}


@given(elections(points=True), st.sampled_from(RULES), st.sampled_from(["cost", "approval", "points"]))
@settings(max_examples=300, deadline=None)
def test_no_rule_ever_spends_more_than_the_budget(election, rule, utility):
    project_list, ballots, budget = election
    outcome = select_winners(rule, project_list, ballots, budget, **options(rule, utility))
    cost = {p.id: p.cost for p in project_list}
    assert sum(cost[w] for w in outcome.winners) == outcome.spent <= budget
    assert len(set(outcome.winners)) == len(outcome.winners)
    for other in outcome.tied_outcomes:
        assert sum(cost[w] for w in other) <= budget


@given(elections(points=True), st.sampled_from(["cost", "approval", "points"]))
@settings(max_examples=300, deadline=None)
def test_when_plain_mes_stops_no_unfunded_project_is_affordable_by_its_supporters(election, utility):
    project_list, ballots, budget = election
    outcome = select_winners("equalshares", project_list, ballots, budget, utility=utility)
    run = outcome.explanation.mes
    if run is None:
        return
    for shortfall in run.shortfalls:
        assert shortfall.had < shortfall.cost, shortfall


@given(
    elections(points=True),
    st.randoms(use_true_random=False),
    st.sampled_from(RULES),
    st.sampled_from(["cost", "approval", "points"]),
)
@settings(max_examples=300, deadline=None)
def test_the_outcome_does_not_depend_on_the_order_of_ballots_or_projects(election, rng, rule, utility):
    project_list, ballots, budget = election
    first = select_winners(rule, project_list, ballots, budget, **options(rule, utility))
    shuffled_projects, shuffled_ballots = list(project_list), list(ballots)
    rng.shuffle(shuffled_projects)
    rng.shuffle(shuffled_ballots)
    second = select_winners(rule, shuffled_projects, shuffled_ballots, budget, **options(rule, utility))
    assert second.winners == first.winners
    assert sorted(map(sorted, second.tied_outcomes)) == sorted(map(sorted, first.tied_outcomes))


@given(elections())
@settings(max_examples=150, deadline=None)
def test_each_mes_round_charges_exactly_the_cost(election):
    project_list, ballots, budget = election
    el = compile_electorate(project_list, ballots)
    result = run_mes(el, Fraction(budget), explain=True)
    if result.run is None:
        return
    for round_ in result.run.rounds:
        assert sum(amount * voters for amount, voters in round_.payments) == round_.cost


# --- add1's jumps are exact --------------------------------------------------------------


def test_add1_jumps_over_half_a_million_raises_that_change_nothing():
    # The election above with steps of 1: the outcome stays [A] until voter 2's share minus
    # A's 0.5 reaches 1,000,000, at share 1,000,001 (500,001 raises); that outcome overspends.
    el = compile_electorate(*BIG_STEP[:2])
    share, raises = add_one(el, Fraction(BIG_STEP[2]), "cost", Fraction(1), "overspend")
    assert (share, raises) == (1_000_000, 500_000)


@given(
    elections(points=True),
    st.sampled_from(["cost", "approval", "points"]),
    st.sampled_from([1, 2, 7]),
    st.sampled_from(["overspend", "exhausted"]),
)
@settings(max_examples=300, deadline=None)
def test_add1_with_jumps_ends_where_one_raise_at_a_time_ends(election, utility, step, stop):
    project_list, ballots, budget = election
    el = compile_electorate(project_list, ballots)
    if el.voters == 0:
        return
    # first_wait=0: replay as often as the backoff allows, so that the jumps are put to the test.
    jumped = add_one(el, Fraction(budget), utility, Fraction(step), stop, jump=True, first_wait=0)
    stepped = add_one(el, Fraction(budget), utility, Fraction(step), stop, jump=False)
    assert jumped == stepped


def reference_phragmen(project_list, ballots, budget, skip=True):
    """Sequential Phragmén voter by voter, in Fractions: the textbook definition."""
    load = [Fraction(0)] * len(ballots)
    left, chosen = Fraction(budget), []
    candidates = {p.id for p in project_list if any(p.id in b for b in ballots)}
    cost = {p.id: Fraction(p.cost) for p in project_list}
    votes = {pid: sum(pid in b for b in ballots) for pid in candidates}
    while candidates:
        if skip:
            candidates = {pid for pid in candidates if cost[pid] <= left}
            if not candidates:
                break
        time = {
            pid: (cost[pid] + sum(load[i] for i, b in enumerate(ballots) if pid in b)) / votes[pid]
            for pid in candidates
        }
        winner = min(candidates, key=lambda pid: (time[pid], -votes[pid], cost[pid], pid))
        if any(cost[pid] > left for pid in candidates if time[pid] == time[winner]):
            break  # only reached when not skipping
        for i, b in enumerate(ballots):
            if winner in b:
                load[i] = time[winner]
        chosen.append(winner)
        candidates.discard(winner)
        left -= cost[winner]
    return chosen


@given(elections(), st.booleans())
@settings(max_examples=300, deadline=None)
def test_sequential_phragmen_matches_a_voter_by_voter_reference(election, skip):
    project_list, ballots, budget = election
    outcome = select_winners("sequential-phragmen", project_list, ballots, budget, skip=int(skip))
    assert outcome.winners == reference_phragmen(project_list, ballots, budget, skip)


def test_sequential_phragmen_can_stop_at_the_first_project_that_does_not_fit():
    # The README's example (budget 100): bike racks #2 (load 15), library #3 (20), then the
    # playground #1 comes next ((60 + 15 + 15 + 0) / 3 = 30 < bird houses' 40) but costs 60 with
    # 30 left. Dropping it (the default), bird houses #4 still fit; stopping (pabutools' way), not.
    project_list = projects(**{"1": 60, "2": 30, "3": 40, "4": 20})
    ballots = [["1", "2"], ["1", "2"], ["1"], ["3", "4"], ["3"]]
    assert select_winners("sequential-phragmen", project_list, ballots, 100).winners == ["2", "3", "4"]
    stopped = select_winners("sequential-phragmen", project_list, ballots, 100, skip=0)
    assert stopped.winners == ["2", "3"]
    assert stopped.explanation.dropped == [("1", 30)]
