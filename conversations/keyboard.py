"""aiogram's InlineKeyboardBuilder without its deep copies.

aiogram's builder deep-copies the whole keyboard (pydantic models) each time a button is added,
laid out or exported: a keyboard of n buttons costs n² copies, and keyboards are built on most
updates (a voting card, a wizard question). This one copies the rows, not the buttons: a button
is never changed once made, so the markup it returns may share them with the builder. The rest
(the button's validation, rows, `adjust`) is aiogram's own.
"""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton
from aiogram.utils.keyboard import InlineKeyboardBuilder as AiogramBuilder


class InlineKeyboardBuilder(AiogramBuilder):
    def export(self) -> list[list[InlineKeyboardButton]]:
        return [list(row) for row in self._markup]
