"""The command menu Telegram shows next to the text field, per language."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram import Bot
from aiogram.types import BotCommand, BotCommandScopeChat

from bot.i18n import PoCatalogs


def N_(message: str) -> str:
    """Marks a string for the catalogs; it is translated when the menu is published."""
    return message


# The commands Telegram lists in the "/" menu (names and descriptions). Who may *use* a command is
# decided by the routers; the committee-only ones are conversations.committee.common.COMMITTEE_COMMANDS.
RESIDENT_MENU = [
    ("start", N_("Menu and where the campaign stands")),
    ("propose", N_("Propose a project")),
    ("myproposals", N_("My projects")),
    ("vote", N_("Vote for the finalists")),
    ("myvote", N_("My vote")),
    ("checkmyvote", N_("Check that my vote was counted")),
    ("ballots", N_("The anonymous ballots, to recount")),
    ("verify", N_("Verify that I live here")),
    ("results", N_("The results")),
    ("stop", N_("No more announcements")),
    ("about", N_("How it works")),
    ("language", N_("Language")),
    ("help", N_("Help")),
    ("forgetme", N_("Erase my personal data")),
]


COMMITTEE_MENU = [
    ("admin", N_("Committee menu")),
    ("review", N_("Review the next project")),
    ("proposals", N_("All projects")),
    ("finalists", N_("Choose the finalists")),
    ("calendar", N_("Calendar")),
    ("stats", N_("Figures")),
    ("results", N_("The results")),
    ("count", N_("Open and count the ballots")),
    ("broadcast", N_("Send a message to residents")),
    ("audit", N_("Latest committee actions")),
    ("help", N_("Help")),
]


async def publish_commands(
    bot: Bot,
    i18n: PoCatalogs,
    languages: list[str],
    default_language: str,
    *,
    committee_ids: Sequence[int] = (),
    committee_chat_id: int | None = None,
) -> None:
    """Residents see their commands; the committee sees its own, in private and in its group."""
    committee_scopes = [BotCommandScopeChat(chat_id=member) for member in committee_ids]
    if committee_chat_id is not None:
        committee_scopes.append(BotCommandScopeChat(chat_id=committee_chat_id))
    for language in languages:
        commands = [
            BotCommand(command=name, description=i18n.gettext(text, locale=language)) for name, text in RESIDENT_MENU
        ]
        committee = [
            BotCommand(command=name, description=i18n.gettext(text, locale=language)) for name, text in COMMITTEE_MENU
        ]
        await bot.set_my_commands(commands, language_code=language)
        for scope in committee_scopes:
            await bot.set_my_commands(committee, scope=scope, language_code=language)
        if language == default_language:
            await bot.set_my_commands(commands)
            for scope in committee_scopes:
                await bot.set_my_commands(committee, scope=scope)
