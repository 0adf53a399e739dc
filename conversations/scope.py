"""Where a dialog may speak: resident dialogs in private only, secrets to the member's private chat.

- `private_only(router)`: the router's messages and buttons only match in a private chat
  (a filter on the router, so no handler can forget it). In a group, the same command falls
  through to `conversations.group`, which answers once with a link to the private chat and
  reveals nothing.
- `secrets_in_private(router)`: for committee output that must not sit in a group (invitation
  codes, exports): handlers send to `secret_chat_id` — the member's own private chat, even when
  the command was typed in the committee group. A handler returns True when it sent there;
  the group is then told where it went, or, if the member never opened a private chat with
  the bot, how to do so.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot, Router
from aiogram.enums import ChatType
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.types import CallbackQuery, Message, TelegramObject
from aiogram.utils.i18n import gettext as _

log = logging.getLogger(__name__)


def chat_type(event: TelegramObject) -> str | None:
    if isinstance(event, Message):
        return event.chat.type
    if isinstance(event, CallbackQuery) and event.message is not None:  # a Message, or an InaccessibleMessage
        return event.message.chat.type
    return None  # an inline message's button: no chat to speak in


def event_chat_id(event: TelegramObject) -> int | None:
    if isinstance(event, Message):
        return event.chat.id
    if isinstance(event, CallbackQuery) and event.message is not None:
        return event.message.chat.id
    return None


async def in_private(event: TelegramObject) -> bool:
    return chat_type(event) == ChatType.PRIVATE


async def in_group(event: TelegramObject) -> bool:
    return chat_type(event) in (ChatType.GROUP, ChatType.SUPERGROUP)


def private_only(router: Router) -> Router:
    router.message.filter(in_private)
    router.callback_query.filter(in_private)
    return router


async def private_link(bot: Bot, payload: str = "") -> str:
    username = (await bot.me()).username
    return f"https://t.me/{username}" + (f"?start={payload}" if payload else "")


class SecretsInPrivate(BaseMiddleware):
    """Sets `secret_chat_id` for the handler; afterwards tells a group where the secret went."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        sender = data.get("event_from_user")
        chat_id = event_chat_id(event)
        if sender is None or chat_id is None or chat_type(event) == ChatType.PRIVATE:
            data["secret_chat_id"] = chat_id if chat_id is not None else getattr(sender, "id", None)
            return await handler(event, data)
        data["secret_chat_id"] = sender.id
        bot: Bot = data["bot"]
        try:
            # A read, so sent at once (bot/outbox.py holds only what speaks): Telegram knows
            # the private chat only if the member has opened it.
            await bot.get_chat(sender.id)
        except (TelegramBadRequest, TelegramForbiddenError):
            log.info("secret output for %s: no private chat with them yet", sender.id)
            await bot.send_message(
                chat_id,
                _(
                    "I cannot write to you in private yet, and this is not for the group: open {link}, press Start, "
                    "then send the command again there."
                ).format(link=await private_link(bot)),
            )
            return None
        result = await handler(event, data)
        if result is True:
            await bot.send_message(chat_id, _("Sent to you in a private chat: it is not for the group."))
        return result


def secrets_in_private(router: Router) -> Router:
    router.message.middleware(SecretsInPrivate())
    router.callback_query.middleware(SecretsInPrivate())
    return router
