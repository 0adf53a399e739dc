"""The tally reproduces the official outcomes of eight real elections from Pabulib.

Each file's PROJECTS `selected` column is what the city announced; META names the rule
and its options. See /work/shared/pabulib/README.md.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from campaign.pabulib import PbElection, parse_number, read_pb, write_pb
from campaign.tally import count_votes, select_winners

PABULIB = Path(__file__).resolve().parents[2].parent / "shared" / "pabulib"
FILES = [
    "Netherlands_Assen_2024.pb",
    "Poland_Swiecie_2023.pb",
    "Poland_Wieliczka_2023_Green_Budget.pb",
    "Netherlands_Amsterdam_252.pb",
    "Poland_Warszawa_2020_Praga-Poludnie.pb",
    "Poland_Katowice_2023.pb",
    "Poland_Lodz_2022.pb",
    "Poland_Wroclaw_2015_150_-_500.pb",
]

pytestmark = pytest.mark.parametrize("name", FILES)


@cache
def election(name: str) -> PbElection:
    if not PABULIB.is_dir():
        pytest.skip(f"no Pabulib files at {PABULIB}")
    return read_pb(PABULIB / name)


def official_winners(pb: PbElection) -> set[str]:
    return {p.id for p in pb.projects.values() if p.selected == 1}


def test_the_official_rule_selects_the_official_winners(name):
    pb = election(name)
    if all(p.selected is None for p in pb.projects.values()):
        # Amsterdam 252 ships without a `selected` column. Its META also caps spending per
        # neighbourhood (budget_per_neighborhood), which plain greedy does not know about.
        pytest.skip(f"{name} has no official outcome (no `selected` column)")
    outcome = select_winners(
        pb.rule, pb.tally_projects(), pb.ballots(), pb.budget, **pb.tally_options()
    )
    assert set(outcome.winners) == official_winners(pb)
    assert outcome.spent <= pb.budget


def test_the_votes_column_matches_the_ballots(name):
    pb = election(name)
    supporters = count_votes(pb.approvals())
    assert {p.id: p.votes for p in pb.projects.values()} == {
        pid: supporters.get(pid, 0) for pid in pb.projects
    }
    if any(p.score is not None for p in pb.projects.values()):
        points = count_votes(pb.ballots())
        assert {p.id: p.score for p in pb.projects.values()} == {
            pid: points.get(pid, 0) for pid in pb.projects
        }


def test_meta_counts_match_the_sections(name):
    pb = election(name)
    assert int(pb.meta["num_projects"]) == len(pb.projects)
    assert int(pb.meta["num_votes"]) == len(pb.votes)


def test_ballots_respect_the_meta_limits(name):
    # max_sum_cost (Amsterdam's knapsack ballots), min/max_length and min/max_sum_points
    # limit what a voter may submit; they play no part in the count.
    pb = election(name)
    meta, cost = pb.meta, {p.id: p.cost for p in pb.projects.values()}
    limits = {key: parse_number(meta[key]) for key in meta if key.startswith(("min_", "max_"))}
    for vote in pb.votes:
        length = len(vote.vote)
        assert limits.get("min_length", length) <= length <= limits.get("max_length", length)
        if "max_sum_cost" in limits:
            assert sum(cost[pid] for pid in vote.vote) <= limits["max_sum_cost"]
        if vote.points is not None:
            points = sum(vote.points)
            least, most = limits.get("min_sum_points", points), limits.get("max_sum_points", points)
            assert least <= points <= most


def test_write_pb_reads_back_as_the_same_election(name):
    pb = election(name)
    assert read_pb(write_pb(pb)) == pb
