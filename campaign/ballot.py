"""Ballot rules: what a resident may put on their ballot, for each ballot type.

`single`: exactly one finalist. `approval`: one to `max_choices` finalists. `knapsack`: any
finalists whose costs add up to at most the envelope (and at most `max_choices` projects if
the campaign file sets it). Every check starts again from the finalists, so a crafted
callback naming another project, or a stale one, cannot get onto a ballot.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from campaign.calendar import Phase, phase_at
from campaign.schema import Ballot, Campaign


class BallotError(ValueError):
    """`code`: empty | not_finalist | too_many | over_budget; `params` for the message."""

    def __init__(self, code: str, **params: object) -> None:
        self.code = code
        self.params = params
        super().__init__(code)


def choice_limit(rules: Ballot) -> int | None:
    """The most projects a ballot may hold (None: only the envelope limits a knapsack)."""
    if rules.type == "single":
        return 1
    if rules.type == "approval":
        return rules.max_choices
    return rules.max_choices if "max_choices" in rules.model_fields_set else None


def total_cost(choices: Iterable[int], finalists: Mapping[int, Decimal]) -> Decimal:
    return sum((finalists[c] for c in choices if c in finalists), Decimal(0))


def validate_ballot(
    rules: Ballot, choices: Iterable[int], finalists: Mapping[int, Decimal], envelope: Decimal
) -> tuple[int, ...]:
    """The ballot as a sorted tuple of distinct finalist ids, or BallotError."""
    normalised = tuple(sorted(set(int(c) for c in choices)))
    if not normalised:
        raise BallotError("empty")
    strangers = [c for c in normalised if c not in finalists]
    if strangers:
        raise BallotError("not_finalist", project=strangers[0])
    limit = choice_limit(rules)
    if limit is not None and len(normalised) > limit:
        raise BallotError("too_many", maximum=limit, count=len(normalised))
    if rules.type == "knapsack":
        total = total_cost(normalised, finalists)
        if total > envelope:
            raise BallotError("over_budget", total=total, envelope=envelope)
    return normalised


def toggle(rules: Ballot, choices: Iterable[int], project: int, finalists: Mapping[int, Decimal]) -> tuple[int, ...]:
    """Tick or untick a project while filling an approval or knapsack ballot.

    Ticking beyond the number allowed is refused at once; a knapsack may go over the envelope
    while the resident tries combinations (the running total says so), submitting may not.
    """
    current = set(int(c) for c in choices if int(c) in finalists)
    if project not in finalists:
        raise BallotError("not_finalist", project=project)
    if project in current:
        current.discard(project)
    else:
        limit = choice_limit(rules)
        if limit is not None and len(current) >= limit:
            raise BallotError("too_many", maximum=limit, count=len(current) + 1)
        current.add(project)
    return tuple(sorted(current))


def voting_is_open(campaign: Campaign, now) -> bool:  # noqa: ANN001 (datetime)
    return phase_at(campaign.calendar, now) == Phase.VOTING
