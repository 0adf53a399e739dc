"""The command menu Telegram shows next to the text field, per language."""
from __future__ import annotations

from aiogram import Bot
from aiogram.types import BotCommand

from bot.i18n import PoCatalogs

RESIDENT_COMMANDS = [
    ("start", "Menu and where the campaign stands"),
    ("propose", "Propose a project"),
    ("myproposals", "My projects"),
    ("about", "How it works"),
    ("language", "Language"),
    ("help", "Help"),
]


async def publish_commands(bot: Bot, i18n: PoCatalogs, languages: list[str], default_language: str) -> None:
    for language in languages:
        commands = [BotCommand(command=name, description=i18n.gettext(text, locale=language)) for name, text in RESIDENT_COMMANDS]
        await bot.set_my_commands(commands, language_code=language)
        if language == default_language:
            await bot.set_my_commands(commands)
