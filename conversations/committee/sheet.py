"""Showing a project to the committee: the sheet and its decision buttons, bound to the revision
shown (what happens when a button no longer matches the project: revisions.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from aiogram.exceptions import TelegramAPIError
from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from campaign.calendar import phase_at
from campaign.clock import Clock
from campaign.proposal import Proposal
from campaign.review import ReviewAction, decisions
from campaign.schema import Campaign
from conversations.after_commit import after_commit, localized
from conversations.committee.common import MESSAGE_LIMIT, committee_button, committee_sheet
from conversations.context import Ctx
from storage.repositories import Repositories

log = logging.getLogger(__name__)


@committee_button
class ReviewButton(CallbackData, prefix="crev"):
    action: str  # eligible | ineligible | changes | edit | merge | next
    proposal: int
    revision: int = 0  # the revision of the sheet shown: a decision on another one is refused (revisions.py)

    @classmethod
    def unpack(cls, value: str) -> "ReviewButton":
        # Buttons sent before revisions were bound have no revision: they still get their
        # answer (decided already, no such project...), and a decision on them is refused as stale.
        if value.count(":") == 2:
            value += ":0"
        return super().unpack(value)


async def current_revision(repos: Repositories, proposal_id: int) -> int:
    """The revision a sheet shows now (its buttons carry it)."""
    revisions = await repos.proposals.revisions(proposal_id)
    return revisions[-1].number if revisions else 0


# --- showing a project ----------------------------------------------------------------------


def decision_keyboard(
    proposal: Proposal, campaign: Campaign, clock: Clock, *, with_next: bool, revision: int
) -> InlineKeyboardMarkup:
    labels = {
        ReviewAction.ELIGIBLE: _("✅ Eligible"),
        ReviewAction.INELIGIBLE: _("✖ Not eligible"),
        ReviewAction.REQUEST_CHANGES: _("✏️ Ask for changes"),
        ReviewAction.EDIT: _("🖊 Edit"),
        ReviewAction.MERGE: _("🔗 Merge into…"),
    }
    builder = InlineKeyboardBuilder()
    for action in decisions(proposal.status, phase_at(campaign.calendar, clock.now())):
        builder.button(
            text=labels[action],
            callback_data=ReviewButton(action=action.value, proposal=proposal.id, revision=revision),
        )
    if with_next:
        builder.button(text=_("⏭ Next"), callback_data=ReviewButton(action="next", proposal=proposal.id))
    builder.adjust(2)
    return builder.as_markup()


async def send_sheet(
    ctx: Ctx, chat_id: int, proposal: Proposal, *, with_next: bool, intro: str | Callable[[], str] | None = None
) -> None:
    """The sheet with the decision buttons. An `intro` given as a function is written after
    the commit (it may say whether the author was told: `decisions.decided`)."""
    bot, campaign, repos = ctx.bot, ctx.campaign, ctx.repos
    if proposal.photo_file_id:
        try:
            await bot.send_photo(chat_id, proposal.photo_file_id)
        except TelegramAPIError:  # a photo Telegram no longer has does not stop the review
            log.warning("could not show the photo of project #%s", proposal.id, exc_info=True)
    sheet, details = await committee_sheet(proposal, campaign, repos)
    markup = decision_keyboard(
        proposal, campaign, ctx.clock, with_next=with_next, revision=await current_revision(repos, proposal.id)
    )

    async def send(head: str | None) -> None:
        text = f"{sheet}\n\n{details}"
        if head:
            text = f"{head}\n\n{text}"
        if len(text) <= MESSAGE_LIMIT:
            await bot.send_message(chat_id, text, reply_markup=markup)
            return
        await bot.send_message(chat_id, f"{head}\n\n{sheet}" if head else sheet)
        await bot.send_message(chat_id, details, reply_markup=markup)

    if callable(intro):
        written = localized(intro)

        async def send_later(_: object) -> None:
            await send(written())

        after_commit(send_later)
        return
    await send(intro)


async def show_next(ctx: Ctx, chat_id: int, *, after: int = 0) -> None:
    """The oldest project waiting for review (after project `after`), or that none is."""
    bot, repos, campaign = ctx.bot, ctx.repos, ctx.campaign
    proposal = await repos.proposals.next_waiting(campaign.id, after)
    if proposal is None:
        await bot.send_message(chat_id, _("No project is waiting for review. Send /proposals to see them all."))
        return
    counts = await repos.proposals.count_by_status(campaign.id)
    waiting = counts.get(proposal.status, 0)
    intro = _("Projects waiting for review: {count}. The oldest first:").format(count=waiting)
    await send_sheet(ctx, chat_id, proposal, with_next=waiting > 1, intro=intro)
