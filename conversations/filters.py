"""Content filters as coroutines (aiogram runs plain-function filters in a worker thread), and where an update came from."""

from __future__ import annotations

from aiogram.types import CallbackQuery, Message


async def plain_text(message: Message) -> bool:
    """Typed text that is not a command."""
    return message.text is not None and bool(message.text) and not message.text.startswith("/")


async def map_pin(message: Message) -> bool:
    return message.location is not None or message.venue is not None


async def photo(message: Message) -> bool:
    return bool(message.photo)


async def not_a_command(message: Message) -> bool:
    """Catch-alls let commands through, so /start or /help work in the middle of a step."""
    return not (message.text or "").startswith("/")


def chat_of(query: CallbackQuery) -> int:
    """The chat a button was pressed in (a button too old to carry its message: the presser's private chat)."""
    return query.from_user.id if query.message is None else query.message.chat.id
