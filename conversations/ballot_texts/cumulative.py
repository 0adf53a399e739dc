"""The cumulative ballot's texts: points to share, given one press at a time."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.utils.i18n import gettext as _, ngettext

from campaign.ballot_types import BallotError
from campaign.proposal import Proposal
from campaign.schema import Campaign
from conversations.ballot_texts import BallotTexts, register


@register
class CumulativeTexts(BallotTexts):
    name = "cumulative"

    def instructions(self, campaign: Campaign) -> str:
        return _(
            "Browse the projects with ◀️ ▶️ and share your {points} points among them: each press on "
            "<b>Give a point</b> gives the project one more. Once all are given, pressing a project takes "
            "its points back. Then press <b>Submit my ballot</b>."
        ).format(points=campaign.ballot.points)

    def card_status(self, choices: Sequence[int], finalists: list[Proposal], campaign: Campaign) -> list[str]:
        return [_("Points given: {given} of {points}").format(given=len(choices), points=campaign.ballot.points)]

    def pick_label(self, project: int, choices: Sequence[int], campaign: Campaign) -> str:
        mine = list(choices).count(project)
        if len(choices) >= campaign.ballot.points and mine:
            return ngettext("↩️ Take back its {count} point", "↩️ Take back its {count} points", mine).format(count=mine)
        return _("➕ Give a point ({count} so far)").format(count=mine)

    def picked(self, project: int, choices: Sequence[int], campaign: Campaign) -> str:
        mine = list(choices).count(project)
        return ngettext("{count} point for this project.", "{count} points for this project.", mine).format(count=mine)

    def project_line(self, title: str, cost: str, points: int) -> str:
        return f"• <b>{title}</b>{cost}: " + ngettext("{count} point", "{count} points", points).format(count=points)

    def error(self, error: BallotError, campaign: Campaign) -> str:
        if error.code == "too_many_points":
            return _(
                "You have given all your {maximum} points. Press a project that has some to take them back."
            ).format(maximum=error.params["maximum"])
        return super().error(error, campaign)
