"""/admin: the committee's menu, with where the campaign stands and what waits."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from campaign.calendar import phase_at
from campaign.clock import Clock
from campaign.proposal import ProposalStatus
from campaign.schema import Campaign
from conversations.committee import audit, calendar, finalists, proposals
from conversations.committee.common import committee_button, leave_dialog, members_only, phase_label
from conversations.committee.sheet import show_next
from conversations.context import Ctx
from conversations.render import campaign_name, phase_summary
from conversations.standing import is_published
from storage.repositories import Repositories


ACTIONS = ("review", "proposals", "finalists", "calendar", "audit")


@committee_button
class AdminMenu(CallbackData, prefix="cmenu"):
    action: str


async def menu_text(repos: Repositories, campaign: Campaign, clock: Clock) -> tuple[str, InlineKeyboardMarkup]:
    now = clock.now()
    counts = await repos.proposals.count_by_status(campaign.id)
    S = ProposalStatus
    waiting = counts.get(S.SUBMITTED, 0)
    lines = [
        _("<b>Committee — {campaign}</b>").format(campaign=campaign_name(campaign)),
        _("Phase: {phase}. {summary}").format(
            phase=phase_label(phase_at(campaign.calendar, now)),
            summary=phase_summary(campaign, now, published=await is_published(repos, campaign)),
        ),
        "",
        _("📥 Projects waiting for review: {count}").format(count=waiting),
        _("✏️ Waiting for their authors' changes: {count}").format(count=counts.get(S.CHANGES_REQUESTED, 0)),
        _("✅ Eligible: {eligible} · 🏅 Finalists: {finalists}").format(
            eligible=counts.get(S.ELIGIBLE, 0), finalists=counts.get(S.FINALIST, 0)
        ),
        _("✖ Not eligible: {ineligible} · 🔗 Merged: {merged}").format(
            ineligible=counts.get(S.INELIGIBLE, 0), merged=counts.get(S.MERGED, 0)
        ),
        "",
        _(
            "Commands: /review, /proposals [status], /proposal N, /finalists, /calendar, /advance, /audit, /admins, /ambassadors."
        ),
        _("Figures and results: /stats, /results, /publish, /export, /broadcast, /broadcasts."),
    ]
    builder = InlineKeyboardBuilder()
    builder.button(text=_("📥 Review ({count})").format(count=waiting), callback_data=AdminMenu(action="review"))
    builder.button(text=_("📋 All projects"), callback_data=AdminMenu(action="proposals"))
    builder.button(text=_("🏅 Finalists"), callback_data=AdminMenu(action="finalists"))
    builder.button(text=_("📅 Calendar"), callback_data=AdminMenu(action="calendar"))
    builder.button(text=_("🧾 Audit log"), callback_data=AdminMenu(action="audit"))
    builder.adjust(2)
    return "\n".join(lines), builder.as_markup()


async def admin_command(message: Message, ctx: Ctx, state: FSMContext) -> None:
    await leave_dialog(state)
    text, markup = await menu_text(ctx.repos, ctx.campaign, ctx.clock)
    await ctx.bot.send_message(message.chat.id, text, reply_markup=markup)


async def menu_button(query: CallbackQuery, callback_data: AdminMenu, ctx: Ctx, state: FSMContext) -> None:
    bot, repos, campaign, clock = ctx.bot, ctx.repos, ctx.campaign, ctx.clock
    await query.answer()
    await leave_dialog(state)
    chat_id = ctx.chat_id
    action = callback_data.action
    if action == "review":
        await show_next(ctx, chat_id)
    elif action == "proposals":
        await proposals.list_proposals(ctx, chat_id)
    elif action == "finalists":
        await finalists.show_finalists(ctx, chat_id)
    elif action == "calendar":
        published = await is_published(repos, campaign)
        await bot.send_message(
            chat_id, calendar.calendar_text(campaign, ctx.base_campaign, clock.now(), published=published)
        )
    elif action == "audit":
        await audit.show_audit(ctx, chat_id)


def router() -> Router:
    r = members_only(Router(name="committee_menu"))
    r.message.register(admin_command, Command("admin"))
    r.callback_query.register(menu_button, AdminMenu.filter(F.action.in_(ACTIONS)))
    return r
