"""Puts the handler context (conversations.context.Ctx) under `data["ctx"]`, once per update.

Registered in bot/app.py right after the resident middleware, whose `user` and `is_committee`
it reads. It builds one small frozen object and nothing else: no I/O.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject

from conversations.context import KEY, Ctx


class HandlerContext(BaseMiddleware):
    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        data[KEY] = Ctx.from_data(data)
        return await handler(event, data)
