"""The knapsack ballot's texts: the running total against the envelope."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from aiogram.utils.i18n import gettext as _

from campaign.ballot_types import BallotError, total_cost
from campaign.proposal import Proposal
from campaign.schema import Campaign
from conversations.ballot_texts import BallotTexts, register
from conversations.render import money


@register
class KnapsackTexts(BallotTexts):
    name = "knapsack"

    def instructions(self, campaign: Campaign) -> str:
        return _(
            "Browse the projects with ◀️ ▶️ and select the ones you want, within the budget of {envelope}; "
            "then press <b>Submit my ballot</b>."
        ).format(envelope=money(campaign.envelope, campaign))

    def card_status(self, choices: Sequence[int], finalists: list[Proposal], campaign: Campaign) -> list[str]:
        total = total_cost(choices, {p.id: p.cost for p in finalists})
        line = _("Selected: {total} of {envelope}").format(
            total=money(total, campaign), envelope=money(campaign.envelope, campaign)
        )
        if total > campaign.envelope:
            line += " ⚠️ " + _("over the budget")
        return [line]

    def ballot_lines(self, choices: Sequence[int], finalists: list[Proposal], campaign: Campaign) -> list[str]:
        total = total_cost(choices, {p.id: p.cost for p in finalists})
        return super().ballot_lines(choices, finalists, campaign) + [
            _("Total: {total} of {envelope}").format(
                total=money(total, campaign), envelope=money(campaign.envelope, campaign)
            )
        ]

    def error(self, error: BallotError, campaign: Campaign) -> str:
        if error.code == "over_budget":
            assert isinstance(error.params["total"], Decimal)
            return _("Your selection costs {total}, more than the budget of {envelope}. Unselect a project.").format(
                total=money(error.params["total"], campaign), envelope=money(campaign.envelope, campaign)
            )
        return super().error(error, campaign)
