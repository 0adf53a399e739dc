"""`approval`: one to `max_choices` finalists."""

from __future__ import annotations

from campaign.ballot_types import BallotType, register


@register
class Approval(BallotType):
    name = "approval"
