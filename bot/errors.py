"""No exception reaches the log without a reply reaching the resident."""

from __future__ import annotations

import logging

from aiogram import Dispatcher
from aiogram.types import ErrorEvent, User as TelegramUser
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.i18n import PoCatalogs, pick_language
from campaign.schema import Campaign
from storage.repositories.users import UserRepository

log = logging.getLogger(__name__)


def register_error_handler(
    dispatcher: Dispatcher, i18n: PoCatalogs, campaign: Campaign, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    async def language_of(sender: TelegramUser | None) -> str:
        """The resident's chosen language; the update's transaction was rolled back, so ask anew."""
        fallback = pick_language(
            getattr(sender, "language_code", None), list(campaign.languages), campaign.default_language
        )
        if sender is None:
            return fallback
        try:
            async with sessionmaker() as session:
                resident = await UserRepository(session).by_telegram_id(sender.id)
        except Exception:  # the database may be what failed
            return fallback
        return resident.language if resident else fallback

    @dispatcher.errors()
    async def on_error(event: ErrorEvent) -> bool:
        update = event.update
        log.exception("update %s failed", update.update_id, exc_info=event.exception)
        sender = update.message or update.callback_query or update.edited_message
        locale = await language_of(getattr(sender, "from_user", None))
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
