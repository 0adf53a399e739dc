"""The tally reproduces the official outcomes of eight real elections from Pabulib, through
`pbbot tally` itself.

Each file's PROJECTS `selected` column is what the city announced; META names the rule and its
options. Four small files ship in tests/data/pabulib (see its README: source and citation); the
four large ones are read from $PBBOT_PABULIB_DIR (default: ../shared/pabulib beside the
repository) and their tests skip, saying how to get them, when they are absent.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path

import pytest

from bot.cli import main
from campaign.pabulib import PbElection, parse_number, read_pb, write_pb
from campaign.tally import count_votes

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "tests" / "data" / "pabulib"
# Tests may read the environment (bot.settings is the bot's own configuration, not the tests').
EXTERNAL = Path(os.environ.get("PBBOT_PABULIB_DIR", ROOT.parent / "shared" / "pabulib"))
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


def path_of(name: str) -> Path:
    for folder in (SHIPPED, EXTERNAL):
        if (folder / name).is_file():
            return folder / name
    pytest.skip(
        f"{name} is not shipped (too large): download it from the public repository pabulib/pabulib_files "
        f"(pb_files/{name}) into a folder and set PBBOT_PABULIB_DIR to it (looked in {EXTERNAL})"
    )


@cache
def _read(path: Path) -> PbElection:
    return read_pb(path)


def election(name: str) -> PbElection:
    return _read(path_of(name))


def test_pbbot_tally_reproduces_the_official_outcome(name, capsys):
    path = path_of(name)
    assert main(["tally", str(path), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    pb = election(name)
    official = {p.id for p in pb.projects.values() if p.selected == 1}
    assert result["rule"] == pb.rule
    assert result["cost"] <= parse_number(pb.meta["budget"])
    if all(p.selected is None for p in pb.projects.values()):
        # Amsterdam 252 ships without a `selected` column (and caps spending per
        # neighbourhood, which plain greedy does not know about): nothing to agree with.
        assert result["agrees_with_selected"] is None
    else:
        assert set(result["funded"]) == official
        assert result["agrees_with_selected"] is True


def test_the_votes_column_matches_the_ballots(name):
    pb = election(name)
    supporters = count_votes(pb.approvals())
    assert {p.id: p.votes for p in pb.projects.values()} == {pid: supporters.get(pid, 0) for pid in pb.projects}
    if any(p.score is not None for p in pb.projects.values()):
        points = count_votes(pb.ballots())
        assert {p.id: p.score for p in pb.projects.values()} == {pid: points.get(pid, 0) for pid in pb.projects}


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
