"""Ballot rules: what a resident may put on their ballot, asked of the campaign's ballot type
(campaign.ballot_types: one strategy per type). Every check starts again from the finalists,
so a crafted callback naming another project, or a stale one, cannot get onto a ballot.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from campaign.ballot_types import BallotError, BallotType, ballot_type, total_cost
from campaign.calendar import Phase, phase_at
from campaign.schema import Ballot, Campaign

__all__ = ["BallotError", "choice_limit", "strategy", "toggle", "total_cost", "validate_ballot", "voting_is_open"]


def strategy(rules: Ballot) -> BallotType:
    """The campaign's ballot type, as an object."""
    return ballot_type(rules.type)


def choice_limit(rules: Ballot) -> int | None:
    """The most projects a ballot may hold (None: only the envelope limits a knapsack)."""
    return strategy(rules).limit(rules)


def validate_ballot(
    rules: Ballot, choices: Iterable[int], finalists: Mapping[int, Decimal], envelope: Decimal
) -> tuple[int, ...]:
    """The ballot as a sorted tuple of finalist ids, or BallotError."""
    return strategy(rules).validate(rules, choices, finalists, envelope)


def toggle(rules: Ballot, choices: Iterable[int], project: int, finalists: Mapping[int, Decimal]) -> tuple[int, ...]:
    """What pressing `project` does to the ballot being filled (tick/untick, add a point...)."""
    return strategy(rules).toggle(rules, choices, project, finalists)


def voting_is_open(campaign: Campaign, now) -> bool:  # noqa: ANN001 (datetime)
    return phase_at(campaign.calendar, now) == Phase.VOTING
