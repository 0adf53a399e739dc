"""No exception reaches the log without a reply reaching the resident."""
from __future__ import annotations

import logging

from aiogram import Dispatcher
from aiogram.types import ErrorEvent

from bot.i18n import PoCatalogs, pick_language
from campaign.schema import Campaign

log = logging.getLogger(__name__)


def register_error_handler(dispatcher: Dispatcher, i18n: PoCatalogs, campaign: Campaign) -> None:
    @dispatcher.errors()
    async def on_error(event: ErrorEvent) -> bool:
        update = event.update
        log.exception("update %s failed", update.update_id, exc_info=event.exception)
        sender = (update.message or update.callback_query or update.edited_message)
        user = getattr(sender, "from_user", None)
        locale = pick_language(getattr(user, "language_code", None), list(campaign.languages), campaign.default_language)
        text = i18n.gettext(
            "Sorry, something went wrong on our side. What you entered before is kept: please try again, or send /start.",
            locale=locale,
        )
        try:
            if update.callback_query is not None:
                await update.callback_query.answer(text, show_alert=True)
            elif update.message is not None:
                await update.message.answer(text)
        except Exception:  # the reply itself failed (network); the log already has the cause
            log.warning("could not tell the resident about the error", exc_info=True)
        return True
