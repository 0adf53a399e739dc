"""The results of a vote as the committee and residents read them: plain functions, no I/O.

`compute_results` turns the projects on the ballot and the ballots into a table — votes per
project, who won under the campaign's outcome rule — by calling `campaign.tally.select_winners`.
The tally breaks ties by "smaller id, in plain string order", so project numbers are given to it
zero-padded to one width ("09" before "10"), never as bare `str(id)` ("10" before "9").

`pabulib_election` gives the same election as Pabulib data (https://pabulib.org/format), for
`write_pb`: researchers can recount it with any rule. Voters are numbered in a random order
(`anonymous_ballots`): nothing in an export says who voted what, or when.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Protocol

from campaign.ballot_types import BallotType, ballot_type
from campaign.pabulib import PbElection, PbProject, PbVote
from campaign.schema import Campaign, Outcome, pick
from campaign.tally import Ballot, Outcome as Tally, Project, count, prepare, select_winners


class OnBallot(Protocol):
    """A project on the ballot: `campaign.proposal.Proposal` is one."""

    @property
    def id(self) -> int: ...

    @property
    def title(self) -> str: ...

    @property
    def cost(self) -> Decimal: ...

    @property
    def category(self) -> str: ...


@dataclass(frozen=True)
class ResultRow:
    rank: int  # by votes; equal votes share a rank ("1, 2, 2, 4")
    project_id: int
    title: str
    cost: Decimal
    votes: int
    share: Fraction  # of the ballots cast (0 when there are none)
    winner: bool
    chosen: int | None  # 1 for the first project the rule chose, 2 for the next...


@dataclass(frozen=True)
class Results:
    rule: str
    rows: list[ResultRow]  # most votes first; ties: cheaper first, then smaller number
    winners: list[int]  # in the order the rule chose them
    ballots: int
    ignored_choices: int  # choices of projects no longer on the ballot (left out of the count)
    spent: Decimal
    budget: Decimal
    # How the count came about, beside the results themselves (so not compared: a publication
    # read back equals the results it kept). None when read from a publication.
    tally: Tally | None = field(default=None, compare=False)
    numbers: dict[str, int] = field(default_factory=dict, compare=False)  # tally id -> project number
    # What other rules would fund: (rule, winners by number, money spent); the campaign's rule first.
    alternatives: list[tuple[str, list[int], Decimal]] = field(default_factory=list, compare=False)

    @property
    def left(self) -> Decimal:
        return self.budget - self.spent

    @property
    def winner_rows(self) -> list[ResultRow]:
        return [row for row in self.rows if row.winner]

    def votes_of(self) -> dict[int, int]:
        return {row.project_id: row.votes for row in self.rows}


# The rules the committee sees beside the campaign's own in /results (greedy-threshold needs a
# threshold of its own, and most-voted funds one project: neither says much beside these).
COMPARED_RULES = ("greedy", "greedy-per-cost", "equalshares/add1", "sequential-phragmen")


def rule_options(outcome: Outcome) -> dict[str, int]:
    """The options `select_winners` takes for the campaign's rule."""
    return {"threshold": outcome.threshold} if outcome.rule == "greedy-threshold" else {}


def tally_ids(project_ids: Iterable[int]) -> dict[int, str]:
    """Project number -> the id given to the tally: zero-padded to one width, so that the
    tally's string order is the numbers' order."""
    ids = sorted(set(project_ids))
    width = max((len(str(i)) for i in ids), default=1)
    return {i: f"{i:0{width}d}" for i in ids}


def _whole(amount: Decimal) -> int | Decimal:
    amount = Decimal(amount)
    return int(amount) if amount == amount.to_integral_value() else amount


def compute_results(
    campaign: Campaign,
    on_ballot: Sequence[OnBallot],
    ballots: Iterable[Sequence[int]] | Mapping[tuple[int, ...], int],
    *,
    compare: bool = False,
) -> Results:
    """The tally of `ballots` (each the project numbers a voter chose; or, already grouped, how
    many voters made each choice) over `on_ballot`.

    compare=True also counts the ballots under COMPARED_RULES (Results.alternatives)."""
    projects = {p.id: p for p in on_ballot}
    ids = tally_ids(projects)
    number_of = {tally_id: number for number, tally_id in ids.items()}
    kind = ballot_type(campaign.ballot.type)
    counted: list[Ballot] = []
    total = ignored = 0
    # Many voters cast the same ballot: each distinct one is read once (a million stored
    # ballots of 30 projects are a few thousand distinct ones).
    grouped = ballots if isinstance(ballots, Mapping) else Counter(tuple(b) for b in ballots)
    for ballot, times in grouped.items():
        total += times
        given = kind.tally_input(ballot)
        chosen: Ballot
        if isinstance(given, Mapping):
            chosen = {ids[c]: n for c, n in given.items() if c in ids}
        else:
            chosen = tuple(ids[c] for c in dict.fromkeys(given) if c in ids)
        ignored += (len(set(ballot)) - len(chosen)) * times
        if chosen:  # a ballot left empty by ignored choices would only dilute equal shares
            counted += [chosen] * times
    tally_projects = [Project(ids[p.id], _whole(p.cost)) for p in on_ballot]
    budget = _whole(campaign.envelope)
    options = {**rule_options(campaign.outcome), **kind.tally_options(campaign.outcome.rule)}
    outcome = select_winners(campaign.outcome.rule, tally_projects, counted, budget, **options)
    winners = [number_of[w] for w in outcome.winners]
    votes = {number: outcome.scores.get(tally_id, 0) for number, tally_id in ids.items()}
    results = _results(campaign, on_ballot, votes, winners, total, ignored)
    alternatives: list[tuple[str, list[int], Decimal]] = []
    if compare:
        prepared = prepare(tally_projects, counted)
        for rule in [campaign.outcome.rule, *(r for r in COMPARED_RULES if r != campaign.outcome.rule)]:
            other = (
                outcome
                if rule == campaign.outcome.rule
                else count(rule, prepared, budget, explain=False, **kind.tally_options(rule))
            )
            alternatives.append((rule, [number_of[w] for w in other.winners], Decimal(other.spent)))
    return replace(results, tally=outcome, numbers=number_of, alternatives=alternatives)


def _results(
    campaign: Campaign,
    on_ballot: Sequence[OnBallot],
    votes: Mapping[int, int],
    winners: list[int],
    total: int,
    ignored: int,
) -> Results:
    order = {number: position for position, number in enumerate(winners, start=1)}
    # The tally's order: more votes, then cheaper, then the smaller number.
    ranked = sorted(on_ballot, key=lambda p: (-votes.get(p.id, 0), Decimal(p.cost), p.id))
    rows: list[ResultRow] = []
    for index, project in enumerate(ranked):
        count = votes.get(project.id, 0)
        rank = rows[-1].rank if rows and rows[-1].votes == count else index + 1
        rows.append(
            ResultRow(
                rank=rank,
                project_id=project.id,
                title=project.title,
                cost=Decimal(project.cost),
                votes=count,
                share=Fraction(count, total) if total else Fraction(0),
                winner=project.id in order,
                chosen=order.get(project.id),
            )
        )
    cost_of = {p.id: Decimal(p.cost) for p in on_ballot}
    spent = sum((cost_of[w] for w in winners if w in cost_of), Decimal(0))
    return Results(campaign.outcome.rule, rows, winners, total, ignored, spent, Decimal(campaign.envelope))


# --- what a publication keeps ------------------------------------------------------------------


def snapshot(results: Results) -> dict:
    """The published results as JSON-safe data (kept with the publication, so that residents
    read what was published, without counting every ballot again)."""
    return {
        "rule": results.rule,
        "ballots": results.ballots,
        "ignored": results.ignored_choices,
        "winners": list(results.winners),
        "votes": {str(row.project_id): row.votes for row in results.rows},
    }


def from_snapshot(campaign: Campaign, on_ballot: Sequence[OnBallot], data: Mapping[str, object]) -> Results:
    """The results as published, with today's titles of the projects."""
    raw_votes = data.get("votes") or {}
    assert isinstance(raw_votes, Mapping)
    votes = {int(k): int(v) for k, v in raw_votes.items()}
    winners = [int(w) for w in data.get("winners") or []]  # type: ignore[union-attr]
    known = [p for p in on_ballot if p.id in votes or p.id in winners]
    return _results(campaign, known, votes, winners, int(data.get("ballots") or 0), int(data.get("ignored") or 0))  # type: ignore[arg-type]


# --- anonymous ballots and Pabulib ---------------------------------------------------------


def anonymous_ballots(
    ballots: Iterable[Sequence[int]],
    rng: random.Random | None = None,
    *,
    kind: BallotType | None = None,
) -> list[tuple[int, tuple[int, ...]]]:
    """(voter number, choices) in a random order, numbered from 1: the storage order (and so
    the order people voted in) is not kept. `rng` for tests; a SystemRandom otherwise. `kind`:
    the campaign's ballot type (approval-like when not given)."""
    normalise = (kind or ballot_type("approval")).normalise
    shuffled = [normalise(b) for b in ballots]
    (rng or random.SystemRandom()).shuffle(shuffled)
    return list(enumerate(shuffled, start=1))


def _pb_date(moment: datetime, campaign: Campaign) -> str:
    return moment.astimezone(campaign.zone).strftime("%d.%m.%Y")


def pabulib_election(
    campaign: Campaign,
    on_ballot: Sequence[OnBallot],
    ballots: Sequence[tuple[int, Sequence[int]]],
    *,
    selected: Collection[int] | None = None,
    language: str | None = None,
) -> PbElection:
    """The campaign as a Pabulib election. `ballots`: (voter number, choices), e.g. from
    `anonymous_ballots`; `selected`: the published winners (the `selected` column), if any."""
    language = language or campaign.default_language
    ids = tally_ids(p.id for p in on_ballot)
    kind = ballot_type(campaign.ballot.type)
    votes: dict[int, int] = dict.fromkeys(ids, 0)
    pb_votes = []
    for voter, choices in ballots:
        given = {c: n for c, n in kind.points_of(choices).items() if c in ids}
        for c, n in given.items():
            votes[c] += n
        chosen = [c for c in choices if c in given]
        points = kind.pabulib_points(chosen)
        pb_votes.append(PbVote(str(voter), tuple(ids[c] for c in given), points))
    meta = {
        "description": pick(campaign.name, language, campaign.default_language),
        "unit": campaign.town,
        "instance": str(campaign.calendar.voting_open.astimezone(campaign.zone).year),
        "num_projects": str(len(on_ballot)),
        "num_votes": str(len(pb_votes)),
        "budget": str(_whole(campaign.envelope)),
        "vote_type": kind.pabulib_vote_type,
        "rule": campaign.outcome.rule,
        "date_begin": _pb_date(campaign.calendar.voting_open, campaign),
        "date_end": _pb_date(campaign.calendar.voting_close, campaign),
        "language": language,
        "currency": campaign.currency,
        "min_length": "1",
    }
    meta.update(kind.pabulib_meta(campaign.ballot, _whole(campaign.envelope)))
    if campaign.outcome.rule == "greedy-threshold":
        meta["min_project_score_threshold"] = str(campaign.outcome.threshold)
    meta["comment"] = "project_id is the project's number, zero-padded; voter_id is a random number"
    projects = {}
    for project in sorted(on_ballot, key=lambda p: p.id):
        category = campaign.category(project.category)
        extra = {"category": pick(category.names, language, campaign.default_language)} if category else {}
        projects[ids[project.id]] = PbProject(
            id=ids[project.id],
            cost=_whole(project.cost),
            votes=votes[project.id],
            name=" ".join(project.title.split()),
            selected=(1 if project.id in selected else 0) if selected is not None else None,
            extra=extra,
        )
    return PbElection(meta, projects, pb_votes)
