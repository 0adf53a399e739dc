"""In a group, after every other dialog: resident commands get one reply with a link to the
private chat, and nothing personal; everything else in a group gets no reply.

Resident dialogs are private-only (conversations.scope); a committee member's commands are
taken by the committee routers before this one.
"""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from conversations.scope import in_group, private_link

router = Router(name="group")
router.message.filter(in_group)
router.callback_query.filter(in_group)

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


@router.message(Command(*PRIVATE_COMMANDS))
async def to_private_chat(message: Message, bot: Bot) -> None:
    link = await private_link(bot, "group")
    await bot.send_message(
        message.chat.id,
        _("This is done in a private chat with me, so that nothing personal shows in the group: {link}").format(
            link=link
        ),
        reply_to_message_id=message.message_id,
    )


@router.message()
async def group_chatter(message: Message) -> None:
    """Anything else said in a group is not for the bot: no reply."""


@router.callback_query()
async def group_button(query: CallbackQuery) -> None:
    await query.answer(_("This button works in a private chat with me."), show_alert=True)
