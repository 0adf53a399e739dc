"""The results table, the rule options, publication snapshots, anonymous ballots, Pabulib data,
and the figures' helpers (shares, days in the campaign's time zone)."""

from __future__ import annotations

import random
import tomllib
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from campaign.pabulib import read_pb, write_pb
from campaign.results import (
    anonymous_ballots,
    compute_results,
    from_snapshot,
    pabulib_election,
    rule_options,
    snapshot,
    tally_ids,
)
from campaign.schema import Campaign, Outcome, parse_campaign
from campaign.statistics import Turnout, daily_counts, day_range, series, share
from campaign.tally import Project, select_winners
from tests.conftest import TEST_CAMPAIGN


@dataclass(frozen=True)
class P:
    id: int
    title: str
    cost: Decimal
    category: str = "environment"


def campaign(
    rule: str = "greedy", *, ballot: dict | None = None, envelope: int = 20000, threshold: int = 0
) -> Campaign:
    data = tomllib.loads(TEST_CAMPAIGN.read_text(encoding="utf-8"))
    data["outcome"] = {"rule": rule, "threshold": threshold}
    data["envelope"] = envelope
    if ballot is not None:
        data["ballot"] = ballot
    return parse_campaign(data)


# Two projects with the same votes and cost, #9 and #10, compete for the last 2,500 €.
PROJECTS = [
    P(2, "Trees", Decimal(5500)),
    P(4, "Playground", Decimal(12000)),
    P(9, "Library", Decimal(2500)),
    P(10, "Lamps", Decimal(2500)),
    P(3, "Racks", Decimal(3000)),
]
BALLOTS = [(4, 2, 9), (4, 2, 10), (4, 2, 3), (4, 9), (4, 10), (4,), (2,), (9, 10), (3,)]


def test_project_numbers_are_padded_so_that_string_order_is_number_order():
    assert tally_ids([10, 9, 2]) == {2: "02", 9: "09", 10: "10"}
    assert tally_ids([1, 5]) == {1: "1", 5: "5"}
    assert tally_ids([]) == {}
    assert sorted(tally_ids(range(1, 120)).values()) == [tally_ids(range(1, 120))[n] for n in range(1, 120)]


def test_a_tie_goes_to_the_smaller_number_not_the_smaller_string():
    results = compute_results(campaign(), PROJECTS, BALLOTS)
    assert results.winners == [4, 2, 9]
    # What the pitfall would give: bare str(id) puts "10" before "9".
    bare = select_winners(
        "greedy", [Project(str(p.id), int(p.cost)) for p in PROJECTS], [[str(c) for c in b] for b in BALLOTS], 20000
    )
    assert bare.winners == ["4", "2", "10"]


def test_the_table_has_votes_ranks_shares_and_what_is_spent():
    results = compute_results(campaign(), PROJECTS, BALLOTS)
    assert [(r.project_id, r.votes, r.rank, r.winner, r.chosen) for r in results.rows] == [
        (4, 6, 1, True, 1),
        (2, 4, 2, True, 2),
        (9, 3, 3, True, 3),
        (10, 3, 3, False, None),
        (3, 2, 5, False, None),
    ]
    assert results.rows[0].share == Fraction(6, 9)
    assert results.ballots == 9 and results.ignored_choices == 0
    assert (results.spent, results.budget, results.left) == (Decimal(20000), Decimal(20000), Decimal(0))
    assert [r.project_id for r in results.winner_rows] == [4, 2, 9]
    assert results.votes_of() == {4: 6, 2: 4, 9: 3, 10: 3, 3: 2}


def test_choices_of_projects_off_the_ballot_are_left_out():
    results = compute_results(campaign(), PROJECTS, [(4, 77), (77,), (2,)])
    assert results.ballots == 3 and results.ignored_choices == 2
    assert results.votes_of()[4] == 1 and results.votes_of()[2] == 1


def test_no_ballots_no_winners():
    results = compute_results(campaign(), PROJECTS, [])
    assert results.winners == [] and results.ballots == 0 and results.spent == 0
    assert all(row.share == 0 and row.rank == 1 for row in results.rows)


@pytest.mark.parametrize(
    "rule", ["most-voted", "greedy", "greedy-no-skip", "equalshares", "equalshares/add1", "equalshares/add1-comparison"]
)
def test_every_rule_is_the_tally_of_the_padded_ids(rule):
    rng = random.Random(rule)
    projects = [P(n, f"Project {n}", Decimal(rng.choice([800, 1500, 2500, 4000, 9000]))) for n in range(1, 15)]
    ballots = [tuple(rng.sample(range(1, 15), rng.randint(1, 3))) for _ in range(60)]
    results = compute_results(campaign(rule), projects, ballots)
    ids = tally_ids(range(1, 15))
    expected = select_winners(
        rule, [Project(ids[p.id], int(p.cost)) for p in projects], [[ids[c] for c in b] for b in ballots], 20000
    )
    assert [ids[w] for w in results.winners] == expected.winners
    assert results.spent <= results.budget
    if rule == "most-voted":
        assert len(results.winners) == 1


def test_greedy_threshold_takes_its_option_from_the_campaign():
    assert rule_options(Outcome(rule="greedy-threshold", threshold=4)) == {"threshold": 4}
    assert rule_options(Outcome(rule="greedy", threshold=4)) == {}
    results = compute_results(campaign("greedy-threshold", threshold=4), PROJECTS, BALLOTS)
    assert results.winners == [4, 2]  # #9 and #10 have 3 votes, under the threshold


def test_a_snapshot_gives_back_the_same_results():
    results = compute_results(campaign(), PROJECTS, BALLOTS + [(99,)])
    kept = snapshot(results)
    assert kept == {
        "rule": "greedy",
        "ballots": 10,
        "ignored": 1,
        "winners": [4, 2, 9],
        "votes": {"4": 6, "2": 4, "9": 3, "10": 3, "3": 2},
    }
    assert from_snapshot(campaign(), PROJECTS, kept) == results
    # A title changed since is shown as it is now.
    renamed = [P(4, "The big playground", Decimal(12000)), *PROJECTS[:1], *PROJECTS[2:]]
    assert from_snapshot(campaign(), renamed, kept).rows[0].title == "The big playground"


def test_anonymous_ballots_are_shuffled_and_numbered_from_one():
    ballots = [(n,) for n in range(1, 51)]
    shuffled = anonymous_ballots(ballots, random.Random(1))
    assert [voter for voter, _ in shuffled] == list(range(1, 51))
    assert sorted(choices for _, choices in shuffled) == sorted(ballots)
    assert [choices for _, choices in shuffled] != ballots
    assert anonymous_ballots([(3, 1, 3)], random.Random(1)) == [(1, (1, 3))]


@pytest.mark.parametrize("rule", ["greedy", "equalshares", "greedy-threshold"])
def test_the_pabulib_file_counts_the_same(rule):
    c = campaign(rule, threshold=3)
    results = compute_results(c, PROJECTS, BALLOTS)
    election = pabulib_election(c, PROJECTS, anonymous_ballots(BALLOTS, random.Random(2)), selected=results.winners)
    again = read_pb(write_pb(election))
    assert again.meta["num_votes"] == "9" and again.meta["num_projects"] == "5"
    assert again.meta["budget"] == "20000" and again.meta["rule"] == rule and again.meta["max_length"] == "3"
    assert again.meta["date_begin"] == "16.05.2030" and again.meta["date_end"] == "31.05.2030"
    assert again.projects["04"].votes == 6 and again.projects["04"].selected == 1 and again.projects["10"].selected == 0
    assert again.projects["09"].extra == {"category": "Environnement"}
    outcome = select_winners(again.rule, again.tally_projects(), again.ballots(), again.budget, **again.tally_options())
    assert [int(w) for w in outcome.winners] == results.winners
    if rule == "greedy-threshold":
        assert again.meta["min_project_score_threshold"] == "3"


def test_pabulib_ballot_types():
    single = pabulib_election(campaign(ballot={"type": "single"}), PROJECTS, [(1, (4,))])
    assert single.meta["vote_type"] == "choose-1" and single.meta["max_length"] == "1"
    knapsack = pabulib_election(campaign(ballot={"type": "knapsack"}), PROJECTS, [(1, (4, 2))])
    assert knapsack.meta["vote_type"] == "approval" and knapsack.meta["max_sum_cost"] == "20000"
    assert "max_length" not in knapsack.meta
    unpublished = pabulib_election(campaign(), [P(1, "A; title\twith  spaces", Decimal("1500.50"))], [(1, (1, 8))])
    assert unpublished.projects["1"].selected is None and unpublished.projects["1"].name == "A; title with spaces"
    assert unpublished.projects["1"].cost == Decimal("1500.50") and unpublished.votes[0].vote == ("1",)
    assert read_pb(write_pb(unpublished)).projects["1"].name == "A; title with spaces"


# --- figures ----------------------------------------------------------------------------------


def test_shares_and_turnout():
    assert share(1, 4) == Fraction(1, 4) and share(3, 0) is None
    turnout = Turnout(ballots=800, population=8000, verified=1000)
    assert (turnout.of_population, turnout.of_verified) == (Fraction(1, 10), Fraction(4, 5))
    assert Turnout(0, 8000, 0).of_verified is None


def test_hours_fold_into_local_days():
    brussels = ZoneInfo("Europe/Brussels")
    hours = [
        (datetime(2030, 6, 1, 21, 0, tzinfo=timezone.utc), 2),  # 23:00 in Brussels: 1 June
        (datetime(2030, 6, 1, 22, 0, tzinfo=timezone.utc), 3),  # midnight in Brussels: 2 June
        (datetime(2030, 6, 1, 23, 0), 4),  # naive: UTC, 01:00 on 2 June in Brussels
        (datetime(2030, 1, 1, 23, 0, tzinfo=timezone.utc), 1),  # winter time: midnight, 2 January
    ]
    assert daily_counts(hours, brussels) == {date(2030, 6, 1): 2, date(2030, 6, 2): 7, date(2030, 1, 2): 1}


def test_the_days_of_a_chart():
    days = day_range(date(2030, 4, 1), date(2030, 4, 3))
    assert days == [date(2030, 4, 1), date(2030, 4, 2), date(2030, 4, 3)]
    assert day_range(date(2030, 4, 1), date(2030, 3, 1)) == [date(2030, 4, 1)]
    widened = day_range(date(2030, 4, 2), date(2030, 4, 3), [{date(2030, 3, 31): 2, date(2030, 4, 5): 0}])
    assert widened[0] == date(2030, 3, 31) and widened[-1] == date(2030, 4, 3)
    assert len(day_range(date(2029, 1, 1), date(2030, 12, 31), limit=10)) == 10
    assert series({date(2030, 4, 2): 5}, days) == [0, 5, 0]
    assert Counter(series({}, days)) == {0: 3}
