"""After the committee's routers: whoever is not on the committee gets a short refusal.

Committee routers only take updates from members (a router-level filter), so anything that
reaches this router with a committee command or a committee button comes from someone else
— a resident in private, a non-member pressing a button in the committee group, a hand-made
callback — and is refused here, instead of falling through to other dialogs. A member's
committee button that no longer parses is answered as stale.
"""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from conversations.committee.common import (
    COMMITTEE_COMMANDS,
    EditDialog,
    committee_callback,
    leave_dialog,
    not_committee_member,
)
from conversations.committee.questions import CommitteeDialog
from conversations.context import Ctx


async def refuse_command(message: Message, ctx: Ctx) -> None:
    await ctx.bot.send_message(
        message.chat.id, _("This command is for the steering committee only. Send /help to see what you can do.")
    )


async def refuse_propose_for(message: Message, ctx: Ctx) -> None:
    await ctx.bot.send_message(
        message.chat.id,
        _(
            "Only ambassadors named by the committee can propose a project for someone else. Send /propose to propose your own."
        ),
    )


async def refuse_button(query: CallbackQuery) -> None:
    await query.answer(_("Only committee members can use this button."), show_alert=True)


async def stale_button(query: CallbackQuery) -> None:
    await query.answer(_("This button is no longer active."), show_alert=True)


async def no_longer_member(message: Message, ctx: Ctx, state: FSMContext) -> None:
    # Removed from the committee in the middle of a question: the question is dropped.
    await leave_dialog(state)
    await ctx.bot.send_message(
        message.chat.id, _("This command is for the steering committee only. Send /help to see what you can do.")
    )


def router() -> Router:
    r = Router(name="committee_refusal")
    r.message.register(refuse_command, Command(*COMMITTEE_COMMANDS), not_committee_member)
    r.message.register(refuse_propose_for, Command("propose_for"))
    r.callback_query.register(refuse_button, committee_callback, not_committee_member)
    r.callback_query.register(stale_button, committee_callback)
    r.message.register(no_longer_member, StateFilter(CommitteeDialog, EditDialog), not_committee_member)
    return r
