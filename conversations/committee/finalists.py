"""/finalists: the committee ticks the eligible projects that go to the vote.

One button per eligible or finalist project (✅ ticked, ▫️ not); a press toggles it and the
message is edited in place, with the number chosen and their total cost against the envelope.
Once voting opens the list is locked: /finalists shows it, and buttons are refused.
"""

from __future__ import annotations

from decimal import Decimal
from html import escape

from aiogram import Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from campaign.calendar import phase_at
from campaign.clock import Clock
from campaign.proposal import ProposalStatus
from campaign.review import ALLOWED_FROM, Refusal, finalist_toggle, finalists_locked, new_status, refusal
from campaign.schema import Campaign
from conversations.committee.common import committee_button, leave_dialog, members_only, refusal_text
from conversations.context import Ctx
from conversations.render import money, status_label, when
from storage.phase_gate import record_refusal
from storage.repositories import Repositories


PAGE_SIZE = 20
CANDIDATES = (ProposalStatus.ELIGIBLE, ProposalStatus.FINALIST)


@committee_button
class FinalistToggle(CallbackData, prefix="cfin"):
    proposal: int
    page: int = 0


@committee_button
class FinalistsPage(CallbackData, prefix="cfinp"):
    page: int


async def _screen(
    repos: Repositories, campaign: Campaign, clock: Clock, page: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    locked = finalists_locked(phase_at(campaign.calendar, clock.now()))
    statuses = [ProposalStatus.FINALIST] if locked else list(CANDIDATES)
    everyone, total = await repos.proposals.page(campaign.id, statuses, offset=0, limit=10_000)
    chosen = [p for p in everyone if p.status == ProposalStatus.FINALIST]
    cost = sum((p.cost for p in chosen), Decimal(0))
    summary = _("Finalists chosen: {count}, costing {cost} in all (budget: {envelope}).").format(
        count=len(chosen), cost=money(cost, campaign), envelope=money(campaign.envelope, campaign)
    )
    if locked:
        lines = [
            _("<b>Finalists</b> — the list is locked since voting opened on {date}.").format(
                date=when(campaign.calendar.voting_open, campaign)
            ),
            summary,
            "",
        ]
        lines += [f"✅ <b>#{p.id}</b> {escape(p.title)} — {money(p.cost, campaign)}" for p in chosen]
        return "\n".join(lines), None
    if total == 0:
        return _("No eligible project yet: decide on the projects with /review first."), None
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    shown = everyone[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    lines = [
        _(
            "<b>Finalists</b>: tick the eligible projects that go to the vote. The list is locked when voting opens on {date}."
        ).format(date=when(campaign.calendar.voting_open, campaign)),
        summary,
    ]
    builder = InlineKeyboardBuilder()
    for proposal in shown:
        mark = "✅" if proposal.status == ProposalStatus.FINALIST else "▫️"
        label = f"{mark} #{proposal.id} {proposal.title}"
        builder.button(text=label[:60], callback_data=FinalistToggle(proposal=proposal.id, page=page))
    sizes = [1] * len(shown)
    nav = 0
    if page > 0:
        builder.button(text=_("⬅️ Previous"), callback_data=FinalistsPage(page=page - 1))
        nav += 1
    if page + 1 < pages:
        builder.button(text=_("Next ➡️"), callback_data=FinalistsPage(page=page + 1))
        nav += 1
    builder.adjust(*sizes, *([nav] if nav else []))
    return "\n".join(lines), builder.as_markup()


async def finalists_command(message: Message, ctx: Ctx, state: FSMContext) -> None:
    await leave_dialog(state)
    await show_finalists(ctx, message.chat.id)


async def show_finalists(ctx: Ctx, chat_id: int) -> None:
    text, markup = await _screen(ctx.repos, ctx.campaign, ctx.clock, 0)
    await ctx.bot.send_message(chat_id, text, reply_markup=markup)


async def _redraw(query: CallbackQuery, repos: Repositories, campaign: Campaign, clock: Clock, page: int) -> None:
    text, markup = await _screen(repos, campaign, clock, page)
    if isinstance(query.message, Message):
        try:
            await query.message.edit_text(text, reply_markup=markup)
        except TelegramAPIError:  # unchanged
            pass


async def toggle(query: CallbackQuery, callback_data: FinalistToggle, ctx: Ctx) -> None:
    user, repos, campaign, clock = ctx.user, ctx.repos, ctx.campaign, ctx.clock
    phase = phase_at(campaign.calendar, clock.now())
    proposal = await repos.proposals.get(callback_data.proposal, campaign.id)
    if proposal is None:
        await query.answer(_("There is no project #{number}.").format(number=callback_data.proposal), show_alert=True)
        return
    action = finalist_toggle(proposal.status)
    refused = refusal(action, proposal.status, phase) if action else None
    if refused == Refusal.LOCKED:
        await record_refusal(
            repos,
            campaign,
            user.telegram_id,
            f"finalist_{action}",
            "finalists_frozen",
            clock.now(),
            target=f"proposal:{proposal.id}",
        )
        await query.answer(refusal_text(Refusal.LOCKED), show_alert=True)
        await _redraw(query, repos, campaign, clock, callback_data.page)
        return
    if action is None or refused is not None:
        await query.answer(
            refusal_text(refused, proposal.status) if refused else refusal_text_status(proposal.status), show_alert=True
        )
        await _redraw(query, repos, campaign, clock, callback_data.page)
        return
    now = clock.now()
    changed = await repos.proposals.set_status(
        proposal.id, campaign.id, new_status(action, proposal.status), now, expected=ALLOWED_FROM[action]
    )
    if changed is None:
        await query.answer(_("Someone changed this project meanwhile."), show_alert=True)
    else:
        await repos.audit.record(
            campaign.id,
            user.telegram_id,
            "finalist_added" if changed.status == ProposalStatus.FINALIST else "finalist_removed",
            now,
            target=f"proposal:{proposal.id}",
        )
        await query.answer(
            _("#{number} is a finalist.").format(number=proposal.id)
            if changed.status == ProposalStatus.FINALIST
            else _("#{number} is no longer a finalist.").format(number=proposal.id)
        )
    await _redraw(query, repos, campaign, clock, callback_data.page)


def refusal_text_status(status: ProposalStatus) -> str:
    return _("Only eligible projects can be finalists; this one is {status}.").format(status=status_label(status))


async def turn_page(query: CallbackQuery, callback_data: FinalistsPage, ctx: Ctx) -> None:
    await query.answer()
    await _redraw(query, ctx.repos, ctx.campaign, ctx.clock, callback_data.page)


def router() -> Router:
    r = members_only(Router(name="committee_finalists"))
    r.message.register(finalists_command, Command("finalists"))
    r.callback_query.register(toggle, FinalistToggle.filter())
    r.callback_query.register(turn_page, FinalistsPage.filter())
    return r
