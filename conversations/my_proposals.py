"""/myproposals: a resident's projects, their status, and editing while allowed."""

from __future__ import annotations

from html import escape

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from conversations.keyboard import InlineKeyboardBuilder

from campaign.calendar import phase_at
from campaign.proposal import author_may_edit
from conversations.context import Ctx
from conversations.menu import MenuAction
from conversations.proposal_review import begin_edit
from conversations.render import money, status_label
from conversations.scope import private_only


class ProposalEdit(CallbackData, prefix="myprop"):
    proposal: int


async def _list(ctx: Ctx, chat_id: int) -> None:
    campaign = ctx.campaign
    proposals = await ctx.repos.proposals.by_author(campaign.id, ctx.user.id)
    if not proposals:
        await ctx.bot.send_message(chat_id, _("You have not submitted any project yet. Send /propose to start one."))
        return
    phase = phase_at(campaign.calendar, ctx.clock.now())
    lines = [_("Your projects:")]
    builder = InlineKeyboardBuilder()
    for proposal in proposals:
        line = f"<b>#{proposal.id}</b> {escape(proposal.title)} — {money(proposal.cost, campaign)}\n    {status_label(proposal.status)}"
        if proposal.status_reason:
            line += f": {escape(proposal.status_reason)}"
        lines.append(line)
        if author_may_edit(proposal.status, phase):
            builder.button(
                text=_("✏️ Change #{number}").format(number=proposal.id),
                callback_data=ProposalEdit(proposal=proposal.id),
            )
    builder.adjust(1)
    await ctx.bot.send_message(chat_id, "\n\n".join(lines), reply_markup=builder.as_markup())


async def my_proposals(message: Message, ctx: Ctx) -> None:
    await _list(ctx, message.chat.id)


async def my_proposals_button(query: CallbackQuery, ctx: Ctx) -> None:
    await query.answer()
    await _list(ctx, query.from_user.id)


async def edit(query: CallbackQuery, callback_data: ProposalEdit, ctx: Ctx, state: FSMContext) -> None:
    campaign = ctx.campaign
    # The button's number is only a request: ownership, status and phase are checked here.
    proposal = await ctx.repos.proposals.get(callback_data.proposal, campaign.id)
    if proposal is None or proposal.author_id != ctx.user.id:
        await query.answer(_("This is not one of your projects."), show_alert=True)
        return
    if not author_may_edit(proposal.status, phase_at(campaign.calendar, ctx.clock.now())):
        await query.answer(_("This project can no longer be changed."), show_alert=True)
        return
    await query.answer()
    await begin_edit(ctx, state, proposal.id, proposal.as_draft())


def router() -> Router:
    r = private_only(Router(name="my_proposals"))  # in a group: conversations.group
    r.message.register(my_proposals, Command("myproposals"))
    r.callback_query.register(my_proposals_button, MenuAction.filter(F.action == "mine"))
    r.callback_query.register(edit, ProposalEdit.filter())
    return r
