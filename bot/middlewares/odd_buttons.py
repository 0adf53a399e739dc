"""A button whose numbers no database column can hold is stale or forged: a clear answer, no query.

callback_data comes from the client and can be crafted: "vpick:12345678901234567890" parses as an
int, and the query it leads to fails on PostgreSQL (int32 columns) or SQLite (int64). No button
the bot sends carries a number outside the int32 range (project, request and page numbers), so
such a press is answered as a stale button before any handler runs.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, TelegramObject
from aiogram.utils.i18n import gettext as _

INT32 = 2**31 - 1
_NUMBER = re.compile(r"^-?\d+$")


def out_of_range(data: str | None) -> bool:
    return any(_NUMBER.match(part) and abs(int(part)) > INT32 for part in (data or "").split(":"))


class OddButtons(BaseMiddleware):
    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if isinstance(event, CallbackQuery) and out_of_range(event.data):
            await event.answer(_("This button is no longer active. Send /start for the menu."), show_alert=True)
            return None
        return await handler(event, data)
