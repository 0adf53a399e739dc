"""/chatid: how a committee member finds the id to put in ADMIN_CHAT_ID.

| where                        | reply                                                       |
|------------------------------|-------------------------------------------------------------|
| a group, by a member         | the group's id and the line to put in the settings          |
| the committee's group        | that it already is the committee's group                    |
| a private chat, by a member  | add the bot to the group and send /chatid there              |
| anyone else, anywhere        | the committee-only refusal (conversations.committee.refusal) |
"""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from conversations.committee.common import members_only
from conversations.context import Ctx


async def chat_id(message: Message, ctx: Ctx) -> None:
    chat = message.chat
    if chat.type == "private":
        text = _("Add me to the committee's group, then send /chatid there: I will tell you the group's id.")
    elif chat.id == ctx.committee_chat_id:
        text = _("This group is the committee's group already (ADMIN_CHAT_ID={id}).").format(id=chat.id)
    else:
        text = _(
            "This group's id is <code>{id}</code>. To make it the committee's group, put "
            "<code>ADMIN_CHAT_ID={id}</code> in the bot's settings (.env) and restart the bot."
        ).format(id=chat.id)
    await ctx.bot.send_message(chat.id, text)


def router() -> Router:
    r = members_only(Router(name="committee_chat_id"))
    r.message.register(chat_id, Command("chatid"))
    return r
