"""`pbbot tally FILE.pb`: any Pabulib file, its own rule by default; a malformed file gets exit
status 2 and one line naming the line number, the section and what is wrong."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main

GOOD = """META
key;value
description;test
num_projects;3
num_votes;3
budget;100
vote_type;approval
rule;greedy
currency;EUR
PROJECTS
project_id;cost;votes;name;selected
A;60;2;Park;1
B;50;1;Bench;0
C;30;1;Lamp;1
VOTES
voter_id;vote
1;A,B
2;A
3;C
"""

CUMULATIVE = GOOD.replace("vote_type;approval", "vote_type;cumulative").replace(
    "voter_id;vote\n1;A,B\n2;A\n3;C", "voter_id;vote;points\n1;A,B;2,1\n2;A;3\n3;C;1"
)


def tally(tmp_path, capsys, text: str, *args: str) -> tuple[int, str, str]:
    path = tmp_path / "election.pb"
    path.write_text(text, encoding="utf-8")
    status = main(["tally", str(path), *args])
    out, err = capsys.readouterr()
    return status, out, err


def test_the_files_own_rule_funds_projects_and_agrees_with_selected(tmp_path, capsys):
    # greedy, budget 100: A (2 votes, 60) fits, 40 left; C (1 vote, 30: cheaper than B) fits,
    # 10 left; B (50) does not. The selected column says A and C.
    status, out, _ = tally(tmp_path, capsys, GOOD)
    assert status == 0
    assert "rule greedy" in out
    assert "funded (2): A, C" in out
    assert "total cost: €90 of €100" in out
    assert "official outcome: the same 2 projects" in out


def test_json_prints_one_object_with_the_outcome_and_its_explanation(tmp_path, capsys):
    status, out, _ = tally(tmp_path, capsys, GOOD, "--json")
    data = json.loads(out)
    assert status == 0
    assert (data["rule"], data["funded"], data["cost"], data["agrees_with_selected"]) == (
        "greedy",
        ["A", "C"],
        90,
        True,
    )
    steps = data["explanation"]["steps"]
    assert [(s["project"], s["left"], s["reason"]) for s in steps] == [
        ("A", 100, "funded"),
        ("C", 40, "funded"),
        ("B", 10, "too-expensive"),
    ]


def test_another_rule_can_disagree_with_selected(tmp_path, capsys):
    # most-voted funds the single most-voted project, A, not the selected A and C.
    status, out, _ = tally(tmp_path, capsys, GOOD, "--json", "--rule", "most-voted")
    data = json.loads(out)
    assert (data["funded"], data["agrees_with_selected"]) == (["A"], False)


def test_without_a_selected_column_agreement_is_null(tmp_path, capsys):
    text = GOOD.replace("project_id;cost;votes;name;selected", "project_id;cost;votes;name")
    text = text.replace(";1\n", "\n").replace(";0\n", "\n")
    status, out, _ = tally(tmp_path, capsys, text, "--json")
    assert status == 0 and json.loads(out)["agrees_with_selected"] is None


def test_explain_says_why_each_project_was_funded_or_not_in_english_and_french(tmp_path, capsys):
    _, out, _ = tally(tmp_path, capsys, GOOD, "--explain")
    assert "❌ #B Bench (€50, votes: 1): not funded, only €10 was left." in out
    _, out, _ = tally(tmp_path, capsys, GOOD, "--explain", "--language", "fr")
    assert "❌ #B Bench (50 €, votes : 1) : non financé, il ne restait que 10 €." in out


MALFORMED = [
    ("no budget", GOOD.replace("budget;100\n", ""), "line 1, META: no 'budget' row"),
    ("negative budget", GOOD.replace("budget;100", "budget;-5"), "line 6, META: the budget cannot be negative"),
    (
        "no cost column",
        GOOD.replace("project_id;cost;votes", "project_id;price;votes"),
        "line 11, PROJECTS: no 'cost' column",
    ),
    ("no vote column", GOOD.replace("voter_id;vote", "voter_id;ballot"), "line 16, VOTES: no 'vote' column"),
    ("ordinal ballots", GOOD.replace("vote_type;approval", "vote_type;ordinal"), "line 7, META: vote_type 'ordinal'"),
    (
        "unknown ballots",
        GOOD.replace("vote_type;approval", "vote_type;borda"),
        "line 7, META: unknown vote_type 'borda'",
    ),
    ("no vote_type", GOOD.replace("vote_type;approval\n", ""), "line 1, META: no 'vote_type' row"),
    (
        "duplicate project",
        GOOD.replace("C;30;1;Lamp;1", "A;30;1;Lamp;1"),
        "line 14, PROJECTS: project 'A' appears twice (first on line 12)",
    ),
    ("negative cost", GOOD.replace("C;30", "C;-10"), "line 14, PROJECTS: the cost of project 'C' cannot be negative"),
    (
        "points list too short",
        CUMULATIVE.replace("1;A,B;2,1", "1;A,B;2"),
        "line 17, VOTES: voter '1' gives 1 points for 2 projects",
    ),
    (
        "repeated project",
        CUMULATIVE.replace("1;A,B;2,1", "1;A,A;2,1"),
        "line 17, VOTES: voter '1' gives points to project 'A' twice",
    ),
    (
        "negative points",
        CUMULATIVE.replace("1;A,B;2,1", "1;A,B;2,-1"),
        "line 17, VOTES: the points of voter '1' cannot be negative: -1",
    ),
    (
        "unknown project",
        GOOD.replace("3;C", "3;Z"),
        "line 19, VOTES: voter '3' votes for 'Z', which is not in PROJECTS",
    ),
    ("no projects", GOOD[: GOOD.index("PROJECTS")], "PROJECTS: the file has no PROJECTS section"),
    ("unknown rule", GOOD.replace("rule;greedy", "rule;borda"), "line 8, META: rule 'borda' is not one pbbot counts"),
    (
        "not a number",
        GOOD.replace("B;50", "B;fifty"),
        "line 13, PROJECTS: the cost of project 'B' is not a number: 'fifty'",
    ),
]


@pytest.mark.parametrize(("case", "text", "message"), MALFORMED, ids=[case for case, _, _ in MALFORMED])
def test_a_malformed_file_exits_2_with_one_line_saying_where_and_what(tmp_path, capsys, case, text, message):
    status, out, err = tally(tmp_path, capsys, text)
    assert status == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert message in err


def test_a_missing_file_exits_2(tmp_path, capsys):
    assert main(["tally", str(tmp_path / "nowhere.pb")]) == 2
    assert "cannot read the file" in capsys.readouterr().err


# The worked example of the README ("How the vote is counted"): 5 voters, budget 100.
# Voters 1-2 approve the playground (60) and bike racks (30), voter 3 the playground, voter 4
# the library corner (40) and bird houses (20), voter 5 the library corner.
EXAMPLE = str(Path(__file__).resolve().parents[1] / "data" / "example_town.pb")
EXAMPLE_OUTCOMES = [
    # By votes: playground (3 votes, 40 left), bike racks (2 votes, cheaper than the library
    # corner: 10 left); nothing else fits. Voters 4 and 5 get nothing.
    ("greedy", ["1", "2"], 90),
    # By votes per euro: bike racks (1 per 15 €); then playground, library and bird houses tie
    # at 1 per 20 €: the cheapest first: bird houses (50 left), library (10 left).
    ("greedy-per-cost", ["2", "4", "3"], 90),
    # Equal shares, 20 € each: the playground costs its 3 supporters 20 each (a third of its
    # cost), the cheapest share: bought. The library costs voters 4 and 5 20 each: bought.
    # Voters 1-2 have nothing left for the bike racks, voter 4 nothing for the bird houses.
    ("equalshares", ["1", "3"], 100),
    ("equalshares/add1", ["1", "3"], 100),
    # Phragmén: bike racks (load 15 each), library (20, more votes than bird houses at 20),
    # bird houses (voter 4 now carries 40); the playground (60) no longer fits in the 30 left.
    ("sequential-phragmen", ["2", "3", "4"], 90),
]


@pytest.mark.parametrize(("rule", "funded", "cost"), EXAMPLE_OUTCOMES)
def test_the_readme_example_funds_what_the_readme_says(capsys, rule, funded, cost):
    assert main(["tally", EXAMPLE, "--json", "--rule", rule]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["funded"], data["cost"]) == (funded, cost)


def test_the_readme_example_explains_equal_shares_round_by_round(capsys):
    assert main(["tally", EXAMPLE, "--explain"]) == 0
    out = capsys.readouterr().out
    assert "every share was raised step by step to €34 (raises: 14)" in out
    assert "✅ Round 1: #1 Playground (€60): 3 paid €20." in out
    assert "❌ #2 Bike racks (€30): its supporters (2) had €28 left, €2 short" in out
