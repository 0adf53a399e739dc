"""/proposals [status]: every project, ten a page; /proposal N: one, with its history.

| input                      | reply                                                          |
|----------------------------|----------------------------------------------------------------|
| /proposals                 | all projects (drafts aside), 10 a page, ⬅️ / ➡️ edit in place    |
| /proposals eligible        | only that status (submitted, changes_requested, eligible, …)   |
| /proposal 12               | the sheet, status, who helped, every revision, decision buttons |
"""

from __future__ import annotations

from html import escape

from aiogram import Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from campaign.proposal import ProposalStatus
from campaign.schema import Campaign
from conversations.committee.common import (
    committee_button,
    field_label,
    leave_dialog,
    list_line,
    members_only,
    parse_number,
    send_lines,
    short_when,
)
from conversations.committee.sheet import send_sheet
from conversations.context import Ctx
from conversations.render import status_label
from storage.repositories import Repositories


PAGE_SIZE = 10
LISTED = [s for s in ProposalStatus if s != ProposalStatus.DRAFT]


@committee_button
class ProposalsPage(CallbackData, prefix="cpage"):
    status: str  # "" for all
    page: int


def _statuses(status: str) -> list[ProposalStatus] | None:
    return None if not status else [ProposalStatus(status)]


async def _page(
    repos: Repositories, campaign: Campaign, status: str, page: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    proposals, total = await repos.proposals.page(
        campaign.id, _statuses(status), offset=page * PAGE_SIZE, limit=PAGE_SIZE
    )
    pages = max(1, -(-total // PAGE_SIZE))
    if page >= pages:  # the list got shorter since the button was made
        page = pages - 1
        proposals, total = await repos.proposals.page(
            campaign.id, _statuses(status), offset=page * PAGE_SIZE, limit=PAGE_SIZE
        )
    heading = (
        _("<b>Projects</b>")
        if not status
        else _("<b>Projects: {status}</b>").format(status=status_label(ProposalStatus(status)))
    )
    if total == 0:
        return heading + "\n\n" + _("None yet."), None
    lines = [heading + " " + _("({total}, page {page} of {pages})").format(total=total, page=page + 1, pages=pages), ""]
    lines += [list_line(p, campaign) for p in proposals]
    lines += ["", _("Send /proposal N to see one with its history.")]
    builder = InlineKeyboardBuilder()
    if page > 0:
        builder.button(text=_("⬅️ Previous"), callback_data=ProposalsPage(status=status, page=page - 1))
    if page + 1 < pages:
        builder.button(text=_("Next ➡️"), callback_data=ProposalsPage(status=status, page=page + 1))
    return "\n".join(lines), builder.as_markup() if (page > 0 or page + 1 < pages) else None


def _usage() -> str:
    return _("Send /proposals, or /proposals followed by one of: {statuses}.").format(
        statuses=", ".join(str(s) for s in LISTED)
    )


async def list_proposals(ctx: Ctx, chat_id: int, status: str = "") -> None:
    text, markup = await _page(ctx.repos, ctx.campaign, status, 0)
    await ctx.bot.send_message(chat_id, text, reply_markup=markup)


async def proposals_command(message: Message, command: CommandObject, ctx: Ctx, state: FSMContext) -> None:
    await leave_dialog(state)
    status = (command.args or "").strip().lower()
    if status in ("all", "tous", "toutes"):
        status = ""
    if status and status not in {s.value for s in LISTED}:
        await ctx.bot.send_message(message.chat.id, _usage())
        return
    await list_proposals(ctx, message.chat.id, status)


async def turn_page(query: CallbackQuery, callback_data: ProposalsPage, ctx: Ctx) -> None:
    if callback_data.status and callback_data.status not in {s.value for s in LISTED}:
        await query.answer(_("This button is no longer active."), show_alert=True)
        return
    await query.answer()
    text, markup = await _page(ctx.repos, ctx.campaign, callback_data.status, max(callback_data.page, 0))
    if isinstance(query.message, Message):
        try:
            await query.message.edit_text(text, reply_markup=markup)
        except TelegramAPIError:  # the same page again: "message is not modified"
            pass


async def proposal_command(message: Message, command: CommandObject, ctx: Ctx, state: FSMContext) -> None:
    bot, repos, campaign = ctx.bot, ctx.repos, ctx.campaign
    await leave_dialog(state)
    number = parse_number(command.args)
    if number is None:
        await bot.send_message(
            message.chat.id, _("Send /proposal followed by the project's number, for example /proposal 12.")
        )
        return
    proposal = await repos.proposals.get(number, campaign.id)
    if proposal is None:
        await bot.send_message(message.chat.id, _("There is no project #{number}.").format(number=number))
        return
    lines = ["", _("<b>History</b>")]
    for revision in await repos.proposals.revisions(proposal.id):
        editor = await repos.users.by_id(revision.editor_id) if revision.editor_id else None
        name = escape(editor.first_name or str(editor.telegram_id)) if editor else "—"
        lines.append(
            _("{number}. {date} — {name}: {what}").format(
                number=revision.number,
                date=short_when(revision.created_at, campaign),
                name=name,
                what=_revision_note(revision.note, revision.number),
            )
        )
    await send_sheet(ctx, message.chat.id, proposal, with_next=False)
    await send_lines(bot, message.chat.id, lines[1:])


def _revision_note(note: str | None, number: int) -> str:
    if note is None:
        return _("submitted") if number == 1 else _("changed")
    if note == "edited by the author":
        return _("changed by the author")
    prefix = "edited by the committee: "
    if note.startswith(prefix):
        name = note.removeprefix(prefix)
        try:
            return _("{field} rewritten by the committee").format(field=field_label(name))
        except KeyError:
            return escape(note)
    return escape(note)


def router() -> Router:
    r = members_only(Router(name="committee_proposals"))
    r.message.register(proposals_command, Command("proposals"))
    r.callback_query.register(turn_page, ProposalsPage.filter())
    r.message.register(proposal_command, Command("proposal"))
    return r
