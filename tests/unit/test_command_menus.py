"""The "/" menus Telegram shows list only commands the bot answers, to the people who may use them."""
from __future__ import annotations

from bot.commands import COMMITTEE_MENU, RESIDENT_MENU
from conversations.committee.common import COMMITTEE_COMMANDS


def test_the_committee_menu_lists_committee_commands_or_shared_ones() -> None:
    residents = {name for name, _ in RESIDENT_MENU}
    for name, _ in COMMITTEE_MENU:
        assert name in COMMITTEE_COMMANDS or name in residents, name


def test_the_residents_menu_offers_no_committee_only_command() -> None:
    assert not {name for name, _ in RESIDENT_MENU} & set(COMMITTEE_COMMANDS)
