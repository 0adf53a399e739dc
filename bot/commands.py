"""The command menu Telegram shows next to the text field, per language."""
from __future__ import annotations

from aiogram import Bot
from aiogram.types import BotCommand

from bot.i18n import PoCatalogs

def N_(message: str) -> str:
    """Marks a string for the catalogs; it is translated when the menu is published."""
    return message


RESIDENT_COMMANDS = [
    ("start", N_("Menu and where the campaign stands")),
    ("propose", N_("Propose a project")),
    ("myproposals", N_("My projects")),
    ("vote", N_("Vote for the finalists")),
    ("myvote", N_("My vote")),
    ("verify", N_("Verify that I live here")),
    ("about", N_("How it works")),
    ("language", N_("Language")),
    ("help", N_("Help")),
    ("forgetme", N_("Erase my personal data")),
]


async def publish_commands(bot: Bot, i18n: PoCatalogs, languages: list[str], default_language: str) -> None:
    for language in languages:
        commands = [BotCommand(command=name, description=i18n.gettext(text, locale=language)) for name, text in RESIDENT_COMMANDS]
        await bot.set_my_commands(commands, language_code=language)
        if language == default_language:
            await bot.set_my_commands(commands)
