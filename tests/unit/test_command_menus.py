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


def test_every_command_of_the_committee_routers_is_refused_to_others() -> None:
    """A command handled only in conversations/committee/ must be in COMMITTEE_COMMANDS, so that
    anyone else gets the committee-only refusal (how /count was found missing)."""
    import re
    from pathlib import Path

    committee = Path(__file__).resolve().parents[2] / "conversations" / "committee"
    handled = {
        name
        for path in committee.glob("*.py")
        for name in re.findall(r'Command\("(\w+)"', path.read_text(encoding="utf-8"))
    }
    # Shared with residents or dialogs of their own: /results (residents too), /cancel and /skip
    # (inside a dialog), /propose and /propose_for (the ambassadors' own refusal).
    shared = {"results", "cancel", "skip", "propose", "propose_for"}
    assert handled - shared <= set(COMMITTEE_COMMANDS), sorted(handled - shared - set(COMMITTEE_COMMANDS))
