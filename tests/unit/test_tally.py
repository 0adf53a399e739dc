"""The tally rules on hand-made elections whose answers are worked out in the comments,
plus property tests of what must hold for any election."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from campaign.pabulib import PbElection, PbProject, PbVote, read_pb, write_pb
from campaign.tally import (
    RULES,
    Project,
    count_votes,
    equal_shares,
    greedy,
    most_voted,
    select_winners,
)


def projects(**costs: int | Decimal) -> list[Project]:
    return [Project(project_id, cost) for project_id, cost in costs.items()]


# --- count_votes ---------------------------------------------------------------------


def test_count_votes_counts_each_approval_once():
    ballots = [["a", "b"], ["a"], ["b", "b", "c"]]  # the repeated "b" approves b once
    assert count_votes(ballots) == {"a": 2, "b": 2, "c": 1}


def test_count_votes_sums_cumulative_points():
    ballots = [{"a": 2, "b": 1}, {"a": 3}, {"c": 1, "b": 2}]
    assert count_votes(ballots) == {"a": 5, "b": 3, "c": 1}


def test_count_votes_of_no_ballots_is_empty():
    assert count_votes([]) == {}


# --- greedy --------------------------------------------------------------------------

# Budget 100. By score: A (10 votes, 60), B (8 votes, 50), C (5 votes, 30).
# greedy: A fits (40 left); B does not fit and is skipped; C fits (10 left) -> [A, C].
# greedy-no-skip: A fits; B does not fit, so counting stops -> [A].
SKIP_PROJECTS = projects(A=60, B=50, C=30)
SKIP_SCORES = {"A": 10, "B": 8, "C": 5}


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


# --- Method of Equal Shares ----------------------------------------------------------

# 5 voters, budget 500: each voter holds 100.
# Voters 1-3 approve A and B (200 each); voters 4-5 approve C (200).
# Greedy: A and B (3 votes each; same cost, so A first by id) -> [A, B], 100 left.
# MES: A and B need 200/3 from each of 3 supporters: effective votes 200/(200/3) = 3;
# C needs 100 from each of 2: effective votes 2. A wins the tie (same votes, same cost,
# smaller id). Voters 1-3 keep 33.33 each, 100 together: B (200) is out of reach.
# C is bought with voters 4-5 paying 100 each -> [A, C]: the minority, 2/5 of the
# voters, decides on 2/5 of the money.
MAJORITY_AND_MINORITY = (
    projects(A=200, B=200, C=200),
    [["A", "B"]] * 3 + [["C"]] * 2,
    500,
)


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


# --- select_winners ------------------------------------------------------------------


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
    # The majority/minority election above, with points: MES only sees who supports what.
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


# --- properties ----------------------------------------------------------------------

PROJECT_IDS = ["p1", "p2", "p3", "p4", "p5", "p6"]


@st.composite
def elections(draw, max_cost: int = 60):
    """Small approval elections: few voters and small costs keep add1's reruns cheap."""
    ids = draw(st.lists(st.sampled_from(PROJECT_IDS), min_size=1, max_size=6, unique=True))
    costs = draw(st.lists(st.integers(0, max_cost), min_size=len(ids), max_size=len(ids)))
    ballot = st.lists(st.sampled_from(ids), max_size=len(ids), unique=True)
    ballots = draw(st.lists(ballot, max_size=8))
    budget = draw(st.integers(0, 150))
    return [Project(i, c) for i, c in zip(ids, costs)], ballots, budget


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


# --- pabulib format ------------------------------------------------------------------

SAMPLE_PB = (
    "\ufeffMETA\r\n"
    "key;value\r\n"
    " description ; A test ; \r\n"
    "num_projects;2\r\n"
    "budget; 150.50\r\n"
    "vote_type;cumulative\r\n"
    "rule;greedy\r\n"
    "\r\n"
    "PROJECTS\r\n"
    "project_id;cost;votes;name;selected;category\r\n"
    '1; 100 ;2;"Park; with ""trees""";1;green\r\n'
    "2;50.25;1;Bench;0;\r\n"
    "VOTES\r\n"
    "voter_id;vote;points;age\r\n"
    "v1;1,2;2,1;33\r\n"
    "v2; 1 ;3;\r\n"
)


def test_read_pb_accepts_crlf_spaces_quotes_and_a_bom():
    election = read_pb(SAMPLE_PB)
    assert election.meta["description"] == "A test"
    assert election.budget == Decimal("150.50")
    park, bench = election.projects.values()
    assert park == PbProject("1", 100, votes=2, name='Park; with "trees"', selected=1, extra={"category": "green"})
    assert bench.cost == Decimal("50.25") and bench.extra == {}
    assert election.votes == [
        PbVote("v1", ("1", "2"), (2, 1), {"age": "33"}),
        PbVote("v2", ("1",), (3,), {}),
    ]
    assert election.ballots() == [{"1": 2, "2": 1}, {"1": 3}]


def test_write_pb_emits_lf_no_bom_no_empty_lines_and_reads_back():
    election = read_pb(SAMPLE_PB)
    text = write_pb(election)
    assert "\r" not in text and not text.startswith("\ufeff") and "\n\n" not in text
    assert text.splitlines()[:2] == ["META", "key;value"]
    assert '"Park; with ""trees"""' in text
    assert read_pb(text) == election


def test_read_pb_from_a_path(tmp_path):
    path = tmp_path / "sample.pb"
    write_pb(read_pb(SAMPLE_PB), path)
    assert path.read_bytes().startswith(b"META\nkey;value\n")
    assert read_pb(path) == read_pb(str(path)) == read_pb(SAMPLE_PB)


def test_read_pb_tolerates_rows_missing_their_trailing_empty_fields():
    text = "META\nkey;value\nbudget;10\nPROJECTS\nproject_id;cost;name\n1;5\nVOTES\nvoter_id;vote;age\nv1;1\n"
    election = read_pb(text)
    assert election.projects["1"].name == ""
    assert election.votes == [PbVote("v1", ("1",), None, {})]


def test_write_pb_refuses_what_the_format_cannot_hold():
    with pytest.raises(ValueError, match="line break"):
        write_pb(PbElection({"comment": "two\nlines"}, {}, []))
    with pytest.raises(ValueError, match="project id"):
        write_pb(PbElection({}, {"a,b": PbProject("a,b", 1)}, []))
    with pytest.raises(ValueError, match="section title"):
        write_pb(PbElection({"votes": ""}, {}, []))


TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="\x85"),
    max_size=12,
).map(str.strip)
IDS = st.text("abcxyz0123456789-_/", min_size=1, max_size=6)
NUMBERS = st.one_of(st.integers(0, 10**9), st.decimals(0, 10**6, places=2))


@st.composite
def pb_elections(draw):
    meta = draw(st.dictionaries(IDS, TEXT, max_size=4))
    project_ids = draw(st.lists(IDS, min_size=1, max_size=5, unique=True))
    extra_keys = st.sampled_from(["category", "target", "note"])
    project_list = {
        pid: PbProject(
            pid,
            draw(NUMBERS),
            votes=draw(st.none() | st.integers(0, 99)),
            score=draw(st.none() | NUMBERS),
            name=draw(TEXT),
            selected=draw(st.none() | st.integers(0, 1)),
            extra=draw(st.dictionaries(extra_keys, TEXT.filter(bool), max_size=2)),
        )
        for pid in project_ids
    }
    votes = []
    for voter_id in draw(st.lists(IDS, max_size=5, unique=True)):
        vote = tuple(draw(st.lists(st.sampled_from(project_ids), max_size=3, unique=True)))
        points = draw(
            st.none() | st.just(vote).flatmap(lambda v: st.tuples(*[st.integers(1, 5) for _ in v]) if v else st.none())
        )
        extra_keys = st.sampled_from(["age", "sex"])
        extra = draw(st.dictionaries(extra_keys, TEXT.filter(bool), max_size=2))
        votes.append(PbVote(voter_id, vote, points, extra))
    return PbElection(meta, project_list, votes)


@given(pb_elections())
@settings(max_examples=200)
def test_read_pb_of_write_pb_gives_the_same_election(election):
    assert read_pb(write_pb(election)) == election
