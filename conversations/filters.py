"""Content filters as coroutines: aiogram runs plain-function filters in a worker thread."""
from __future__ import annotations

from aiogram.types import Message


async def plain_text(message: Message) -> bool:
    """Typed text that is not a command."""
    return message.text is not None and bool(message.text) and not message.text.startswith("/")


async def map_pin(message: Message) -> bool:
    return message.location is not None or message.venue is not None


async def photo(message: Message) -> bool:
    return bool(message.photo)
