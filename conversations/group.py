"""In a group, after every other dialog: resident commands get one reply with a link to the
private chat, and nothing personal; everything else in a group gets no reply.

Resident dialogs are private-only (conversations.scope); a committee member's commands are
taken by the committee routers before this one.
"""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from conversations.context import Ctx
from conversations.scope import in_group, private_link


# What a resident does in private; in a group each gets one reply with the link.
PRIVATE_COMMANDS = (
    "start",
    "help",
    "propose",
    "verify",
    "code",
    "vote",
    "myvote",
    "myproposals",
    "forgetme",
    "about",
    "language",
    "stop",
    "cancel",
    "import_register",
)


async def to_private_chat(message: Message, ctx: Ctx) -> None:
    link = await private_link(ctx.bot, "group")
    await ctx.bot.send_message(
        message.chat.id,
        _("This is done in a private chat with me, so that nothing personal shows in the group: {link}").format(
            link=link
        ),
        reply_to_message_id=message.message_id,
    )


async def group_chatter(message: Message) -> None:
    """Anything else said in a group is not for the bot: no reply."""


async def group_button(query: CallbackQuery) -> None:
    await query.answer(_("This button works in a private chat with me."), show_alert=True)


def router() -> Router:
    r = Router(name="group")
    r.message.filter(in_group)
    r.callback_query.filter(in_group)
    r.message.register(to_private_chat, Command(*PRIVATE_COMMANDS))
    r.message.register(group_chatter)
    r.callback_query.register(group_button)
    return r
