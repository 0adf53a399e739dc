"""What the bot says about a ballot, one module per ballot type (campaign.ballot_types).

The voting dialog (conversations.voting) asks the campaign's texts for its instructions, the
line under a card, the label of a project's button, the answer to a press, the ballot as
listed for confirmation and the reason a ballot is refused. Each module registers its texts
with `@register` under the ballot type's name; the base class is the approval ballot's.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Sequence
from html import escape
from typing import ClassVar

from aiogram.utils.i18n import gettext as _, ngettext

from campaign.ballot_types import BallotError, BallotType, ballot_type
from campaign.proposal import Proposal
from campaign.schema import Campaign
from conversations.render import money


class BallotTexts:
    name: ClassVar[str] = "approval"

    @property
    def kind(self) -> BallotType:
        return ballot_type(self.name)

    def instructions(self, campaign: Campaign) -> str:
        return _(
            "Browse the projects with ◀️ ▶️, select up to {maximum} with <b>Select</b>, then press <b>Submit my ballot</b>."
        ).format(maximum=campaign.ballot.max_choices)

    def card_status(self, choices: Sequence[int], finalists: list[Proposal], campaign: Campaign) -> list[str]:
        """Lines under a project's card while the ballot is being filled."""
        return [
            _("Selected: {count} of at most {maximum}").format(
                count=len(set(choices)), maximum=campaign.ballot.max_choices
            )
        ]

    def pick_label(self, project: int, choices: Sequence[int], campaign: Campaign) -> str:
        return _("✅ Selected (press to remove)") if project in choices else _("☑️ Select")

    def picked(self, project: int, choices: Sequence[int], campaign: Campaign) -> str:
        """The short answer to a press on a project's button."""
        return _("Selected.") if project in choices else _("Removed.")

    def project_line(self, title: str, cost: str, points: int) -> str:
        return f"• <b>{title}</b>{cost}"

    def ballot_lines(self, choices: Sequence[int], finalists: list[Proposal], campaign: Campaign) -> list[str]:
        """The ballot as shown for confirmation and after voting."""
        by_id = {p.id: p for p in finalists}
        lines = []
        for choice, points in self.kind.points_of(choices).items():
            project = by_id.get(choice)
            title = escape(project.title) if project else _("project #{number}").format(number=choice)
            cost = f" — {money(project.cost, campaign)}" if project else ""
            lines.append(self.project_line(title, cost, points))
        return lines

    def error(self, error: BallotError, campaign: Campaign) -> str:
        if error.code == "empty":
            return _("Your ballot is empty: select at least one project.")
        if error.code == "not_finalist":
            return _("This project is not on the ballot.")
        if error.code == "too_many":
            return ngettext(
                "You can choose at most {maximum} project. Unselect it first.",
                "You can choose at most {maximum} projects. Unselect one first.",
                error.params["maximum"],
            ).format(maximum=error.params["maximum"])
        return _("This ballot is not valid.")


TEXTS: dict[str, BallotTexts] = {}


def register(cls: type[BallotTexts]) -> type[BallotTexts]:
    TEXTS[cls.name] = cls()
    return cls


def texts_for(campaign: Campaign) -> BallotTexts:
    return TEXTS[campaign.ballot.type]


# Import every module of the package, so that each type's texts register themselves.
for _module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    importlib.import_module(f"{__name__}.{_module}")
