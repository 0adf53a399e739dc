"""aiogram's InlineKeyboardBuilder without its deep copies, and keyboards made once.

aiogram's builder deep-copies the whole keyboard (pydantic models) each time a button is added,
laid out or exported: a keyboard of n buttons costs n² copies, and keyboards are built on most
updates (a voting card, a wizard question). This one copies the rows, not the buttons: a button
is never changed once made, so the markup it returns may share them with the builder. The rest
(the button's validation, rows, `adjust`) is aiogram's own.

Even without the copies, each button is a pydantic model validated when made, about a tenth of a
millisecond, for keyboards that are the same for every resident at the same step. `inline_markup`
makes a keyboard from its exact content (each button's text as shown, so already translated, and
its packed callback data, with any id or revision in it) and keeps the last ones made: the key is
everything Telegram receives, so a kept keyboard cannot differ from a new one. Kept markups are
shared between updates and residents; aiogram's markups are frozen models and sending one only
reads it (model_dump), and nothing of ours changes a markup once made.
"""

from __future__ import annotations

from functools import lru_cache

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder as AiogramBuilder

Button = tuple[str, str]  # text and packed callback data, as Telegram receives them


class InlineKeyboardBuilder(AiogramBuilder):
    def export(self) -> list[list[InlineKeyboardButton]]:
        return [list(row) for row in self._markup]


@lru_cache(maxsize=1024)
def inline_markup(rows: tuple[tuple[Button, ...], ...]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=text, callback_data=data) for text, data in row] for row in rows]
    )
