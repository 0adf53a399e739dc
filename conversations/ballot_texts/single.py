"""The single ballot's texts: one press on "Vote for this project" is the choice."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.utils.i18n import gettext as _

from campaign.proposal import Proposal
from campaign.schema import Campaign
from conversations.ballot_texts import BallotTexts, register


@register
class SingleTexts(BallotTexts):
    name = "single"

    def instructions(self, campaign: Campaign) -> str:
        return _("Browse the projects with ◀️ ▶️ and press <b>Vote for this project</b> under your favourite.")

    def card_status(self, choices: Sequence[int], finalists: list[Proposal], campaign: Campaign) -> list[str]:
        return []

    def pick_label(self, project: int, choices: Sequence[int], campaign: Campaign) -> str:
        return _("🗳 Vote for this project")
