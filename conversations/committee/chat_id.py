"""/chatid: how a committee member finds the id to put in ADMIN_CHAT_ID.

| where                        | reply                                                       |
|------------------------------|-------------------------------------------------------------|
| a group, by a member         | the group's id and the line to put in the settings          |
| the committee's group        | that it already is the committee's group                    |
| a private chat, by a member  | add the bot to the group and send /chatid there              |
| anyone else, anywhere        | the committee-only refusal (conversations.committee.refusal) |
"""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from conversations.committee.common import members_only

router = members_only(Router(name="committee_chat_id"))


@router.message(Command("chatid"))
async def chat_id(message: Message, bot: Bot, committee_chat_id: int | None = None) -> None:
    chat = message.chat
    if chat.type == "private":
        text = _("Add me to the committee's group, then send /chatid there: I will tell you the group's id.")
    elif chat.id == committee_chat_id:
        text = _("This group is the committee's group already (ADMIN_CHAT_ID={id}).").format(id=chat.id)
    else:
        text = _(
            "This group's id is <code>{id}</code>. To make it the committee's group, put "
            "<code>ADMIN_CHAT_ID={id}</code> in the bot's settings (.env) and restart the bot."
        ).format(id=chat.id)
    await bot.send_message(chat.id, text)
