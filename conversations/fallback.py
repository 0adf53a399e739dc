"""Last in line: whatever no dialog took gets a short answer saying what to do."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from conversations.scope import private_only


async def nothing_to_cancel(message: Message) -> None:
    # /cancel in a dialog is taken first (conversations.dialog_state); here there is none.
    await message.answer(_("There is nothing to cancel. Send /start for the menu."))


async def not_understood(message: Message) -> None:
    if message.text and message.text.startswith("/"):
        await message.answer(_("I don't know this command. Send /help to see what I can do."))
    else:
        await message.answer(_("I did not understand. Send /start for the menu, or /help."))


async def stale_button(query: CallbackQuery) -> None:
    await query.answer(_("This button is no longer active. Send /start for the menu."), show_alert=True)


def router() -> Router:
    r = private_only(Router(name="fallback"))  # in a group: conversations.group
    r.message.register(nothing_to_cancel, Command("cancel"))
    r.message.register(not_understood)
    r.callback_query.register(stale_button)
    return r
