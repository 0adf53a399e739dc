"""Tests for campaign.pabulib's reading and writing of the .pb format: its quirks, and that what it writes
reads back the same."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from campaign.pabulib import PbElection, PbProject, PbVote, read_pb, write_pb

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
