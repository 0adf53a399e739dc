"""/propose_for: an ambassador submits a project for a resident who has no smartphone.

`/propose_for Jeanne Dupont; 0470 12 34 56` (a name, then a phone number or an address) opens
the ordinary proposal wizard; the project records the resident's name and contact and the
ambassador who helped, and the committee sees "submitted with the help of …". Ambassadors are
named with /ambassadors; committee members may do it too.
"""

from __future__ import annotations

from html import escape

from aiogram import F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, TelegramObject
from aiogram.utils.i18n import gettext as _

from campaign import fields
from conversations import proposal_wizard
from conversations.context import Ctx
from conversations.menu import MenuAction
from conversations.proposal_screens import update_wizard, wizard_data


MAX_NAME = 100
MAX_CONTACT = 150


async def may_help(event: TelegramObject, ctx: Ctx) -> bool:
    if ctx.is_committee:
        return True
    return ctx.resident is not None and await ctx.repos.committee.is_ambassador(
        ctx.campaign.id, ctx.resident.telegram_id
    )


def parse_on_behalf(text: str | None) -> dict[str, str] | None:
    """ "Jeanne Dupont; 0470 12 34 56" -> {"name": ..., "contact": ...}; None if not that shape."""
    name, sep, contact = (text or "").partition(";")
    name, contact = fields.clean_text(name), fields.clean_text(contact)
    if not sep or not 2 <= len(name) <= MAX_NAME or not 3 <= len(contact) <= MAX_CONTACT:
        return None
    return {"name": name, "contact": contact}


async def propose_for(message: Message, command: CommandObject, ctx: Ctx, state: FSMContext) -> None:
    bot = ctx.bot
    on_behalf = parse_on_behalf(command.args)
    if on_behalf is None:
        await bot.send_message(
            message.chat.id,
            _(
                "Send /propose_for, the resident's name, a semicolon, and their phone number or address, for example:\n/propose_for Jeanne Dupont; 0470 12 34 56"
            ),
        )
        return
    if (await wizard_data(state)).in_progress:
        await bot.send_message(
            message.chat.id,
            _(
                "A project draft is already in progress: finish it with /propose, or discard it from /start, then send /propose_for again."
            ),
        )
        return
    await state.set_state(None)
    await update_wizard(state, draft=None, on_behalf=on_behalf)
    await bot.send_message(
        message.chat.id,
        _(
            "You are writing a project for {name} ({contact}). Answer with their words; the committee will see that you helped."
        ).format(name=escape(on_behalf["name"]), contact=escape(on_behalf["contact"])),
    )
    await proposal_wizard.resume(ctx, state)


# A project for someone else is only the draft started with /propose_for: once that draft is
# gone (discarded), a plain /propose is the ambassador's own again.
async def stale_on_behalf(event: TelegramObject, state: FSMContext) -> bool:
    data = await wizard_data(state)
    return bool(data.on_behalf) and not data.in_progress


async def own_proposal(message: Message, state: FSMContext) -> None:
    await update_wizard(state, on_behalf=None)
    raise SkipHandler  # the wizard takes it from here


async def own_proposal_button(query: CallbackQuery, state: FSMContext) -> None:
    await update_wizard(state, on_behalf=None)
    raise SkipHandler


def router() -> Router:
    r = Router(name="committee_ambassadors")
    r.message.register(propose_for, Command("propose_for"), may_help)
    r.message.register(own_proposal, Command("propose"), stale_on_behalf)
    r.callback_query.register(own_proposal_button, MenuAction.filter(F.action == "propose"), stale_on_behalf)
    return r
