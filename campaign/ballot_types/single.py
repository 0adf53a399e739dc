"""`single`: exactly one finalist, chosen with one press."""

from __future__ import annotations

from campaign.ballot_types import BallotRules, BallotType, register


@register
class Single(BallotType):
    name = "single"
    pabulib_vote_type = "choose-1"
    one_tap = True

    def check(self, rules: BallotRules) -> str | None:
        return "a single ballot has max_choices = 1" if rules.max_choices != 1 else None

    def limit(self, rules: BallotRules) -> int:
        return 1

    def pabulib_meta(self, rules: BallotRules, envelope: object) -> dict[str, str]:
        return {"max_length": "1"}
