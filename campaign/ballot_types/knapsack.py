"""`knapsack`: any finalists whose costs add up to at most the envelope (and at most
`max_choices` projects if the campaign file sets it)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from campaign.ballot_types import BallotError, BallotRules, BallotType, register, total_cost


@register
class Knapsack(BallotType):
    name = "knapsack"
    shows_total = True

    def limit(self, rules: BallotRules) -> int | None:
        return rules.max_choices if "max_choices" in rules.model_fields_set else None

    def validate(
        self, rules: BallotRules, choices: Iterable[int], finalists: Mapping[int, Decimal], envelope: Decimal
    ) -> tuple[int, ...]:
        normalised = super().validate(rules, choices, finalists, envelope)
        total = total_cost(normalised, finalists)
        if total > envelope:
            raise BallotError("over_budget", total=total, envelope=envelope)
        return normalised

    # toggle: a knapsack may go over the envelope while the resident tries combinations (the
    # running total says so); submitting may not.

    def pabulib_meta(self, rules: BallotRules, envelope: int | Decimal) -> dict[str, str]:
        meta = {"max_sum_cost": str(envelope)}
        if "max_choices" in rules.model_fields_set:
            meta["max_length"] = str(rules.max_choices)
        return meta
