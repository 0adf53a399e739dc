"""Announcements on and off: /stop and /subscribe, always available, in any state.

| input       | reply                                                                 |
|-------------|-----------------------------------------------------------------------|
| /stop       | no more announcements or reminders; the bot still answers; how to undo |
| /subscribe  | announcements and reminders again                                      |

Residents are subscribed when they first /start. A conversation in progress (a draft) is not
touched: these commands change no state.
"""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from conversations.context import Ctx
from conversations.scope import private_only


async def stop(message: Message, ctx: Ctx) -> None:
    if not ctx.user.subscribed:
        await message.answer(_("You already receive no announcements. Send /subscribe to receive them again."))
        return
    await ctx.repos.users.set_subscribed(ctx.user.id, False)
    await message.answer(
        _(
            "Done: you will no longer receive announcements and reminders. You can still use the bot. "
            "Send /subscribe to receive them again."
        ),
    )


async def subscribe(message: Message, ctx: Ctx) -> None:
    if ctx.user.subscribed:
        await message.answer(_("You already receive the announcements. Send /stop to stop them."))
        return
    await ctx.repos.users.set_subscribed(ctx.user.id, True)
    await message.answer(
        _("Done: you will receive the campaign's announcements and reminders again. Send /stop to stop them."),
    )


def router() -> Router:
    r = private_only(Router(name="subscription"))  # in a group: conversations.group
    r.message.register(stop, Command("stop"))
    r.message.register(subscribe, Command("subscribe"))
    return r
