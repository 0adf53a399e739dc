"""What every decision of /review and 🖊 Edit shares once it is allowed (revisions.py): the
question it may need, applying it, and the line that says it was decided."""

from __future__ import annotations

from aiogram.types import CallbackQuery, ForceReply, Message
from aiogram.utils.i18n import gettext as _

from campaign.proposal import Proposal
from campaign.review import ALLOWED_FROM, ReviewAction, new_status
from conversations.context import Ctx


async def ask(query: CallbackQuery, ctx: Ctx, question: str) -> None:
    """The question a button leads to (the caller has entered the dialog's state)."""
    await query.answer()
    # ForceReply: in the committee group, the bot (in privacy mode) only sees replies to it.
    await ctx.bot.send_message(ctx.chat_id, question + "\n" + _("Or /cancel."), reply_markup=ForceReply(selective=True))


async def not_text(message: Message, ctx: Ctx) -> None:
    """A question's answer that is not text (a sticker, a photo...)."""
    await ctx.bot.send_message(ctx.chat_id, _("Please answer with text, or /cancel."))


async def apply_decision(
    action: ReviewAction, proposal: Proposal, ctx: Ctx, *, reason: str | None = None, merged_into: int | None = None
) -> Proposal | None:
    """The new status, if the project is still in the status checked (None: someone decided
    meanwhile), and the audit entry."""
    now = ctx.clock.now()
    changed = await ctx.repos.proposals.set_status(
        proposal.id,
        ctx.campaign.id,
        new_status(action, proposal.status),
        now,
        expected=ALLOWED_FROM[action],
        reason=reason,
        merged_into_id=merged_into,
    )
    if changed is None:
        return None
    details: dict[str, object] = {"from": str(proposal.status)}
    if reason:
        details["reason" if action == ReviewAction.INELIGIBLE else "message"] = reason
    if merged_into:
        details["into"] = merged_into
    await ctx.repos.audit.record(
        ctx.campaign.id,
        ctx.user.telegram_id,
        f"proposal_{action.value}",
        now,
        target=f"proposal:{proposal.id}",
        **details,
    )
    return changed


def decided(text: str, told: bool) -> str:
    """Call it after the commit (`say_later`): whether the author was told is known then."""
    return text + " " + (_("The author was told.") if told else _("The author could not be reached."))
