"""Resident dialogs only in private; committee secrets only in the member's private chat (issue 8)."""

from __future__ import annotations

import pytest

from tests.conftest import COMMITTEE_CHAT_ID, COMMITTEE_ID
from tests.journeys.committee_steps import anne, anne_in_group, eve_in_group  # noqa: F401  (fixtures)
from tests.journeys.test_campaign_rules import voted
from tests.journeys.voting_helpers import ballot_count

LINK = "https://t.me/pbbot_test_bot?start=group"
TO_PRIVATE_EN = "This is done in a private chat with me, so that nothing personal shows in the group: " + LINK
TO_PRIVATE_FR = (
    "Cela se fait dans une conversation privée avec moi, pour que rien de personnel n'apparaisse dans le groupe : "
    + LINK
)


def group_messages(emulator) -> list:
    return emulator.messages(COMMITTEE_CHAT_ID)


@pytest.mark.parametrize(
    "command", ["/vote", "/myvote", "/propose", "/verify", "/myproposals", "/forgetme", "/code ABCDE-FGHJK", "/start"]
)
async def test_a_resident_dialog_in_a_group_answers_once_with_a_link_to_the_private_chat(
    app, eve_in_group, emulator, command
):
    replies = await eve_in_group.send(command)
    assert [m.text for m in replies] == [TO_PRIVATE_EN]
    assert [m.text for m in group_messages(emulator)] == [TO_PRIVATE_EN]
    assert emulator.messages(1003) == [], "nothing started in the private chat either"


async def test_myvote_in_the_group_reveals_nothing(app, john, anne_in_group, resident_factory, clock, emulator):
    await voted(app, clock, john)
    john_in_group = resident_factory(john.user_id, "John", "en", chat_id=COMMITTEE_CHAT_ID)
    replies = await john_in_group.send("/myvote")
    assert [m.text for m in replies] == [TO_PRIVATE_EN]
    assert not any("Bench" in (m.text or "") for m in group_messages(emulator))
    # A committee member voting from the committee group is sent to the private chat too.
    assert (await anne_in_group.send("/vote")).text == TO_PRIVATE_FR
    assert await ballot_count(app) == 1


async def test_resident_buttons_pressed_in_a_group_do_nothing(app, eve_in_group, emulator):
    await eve_in_group.press_data("vpick:1")
    assert emulator.callback_answers[-1]["text"] == "This button works in a private chat with me."
    await eve_in_group.press_data("menu:vote")
    assert emulator.callback_answers[-1]["text"] == "This button works in a private chat with me."
    assert group_messages(emulator) == []


async def test_group_chatter_gets_no_reply(app, eve_in_group, emulator):
    await eve_in_group.send("Hello everyone, when is the next meeting?")
    await eve_in_group.send_sticker()
    assert group_messages(emulator) == []


async def test_codes_asked_in_the_group_go_to_the_member_private_chat(app, anne, anne_in_group, emulator):
    await anne.send("/start")  # the member has a private chat with the bot
    replies = await anne_in_group.send("/codes 3")
    assert [m.text for m in replies] == ["Envoyé dans votre conversation privée : ce n'est pas pour le groupe."]
    assert [m for m in group_messages(emulator) if m.media_kind] == []
    documents = [m.filename.rsplit(".", 1)[-1] for m in emulator.messages(COMMITTEE_ID) if m.media_kind == "document"]
    assert documents == ["csv", "pdf"]


async def test_exports_asked_in_the_group_go_to_the_member_private_chat(app, anne, anne_in_group, emulator):
    await anne.send("/start")
    await anne_in_group.send("/export proposals")
    assert [m for m in group_messages(emulator) if m.media_kind] == []
    assert [m.filename for m in emulator.messages(COMMITTEE_ID) if m.media_kind == "document"] == [
        "testville-2030-proposals.csv"
    ]
    # The menu may be shown in the group; the file it gives goes to the member who pressed.
    replies = await anne_in_group.send("/export")
    await anne_in_group.press("📊 Chiffres (CSV)", in_message=replies[-1])
    assert [m for m in group_messages(emulator) if m.media_kind] == []
    assert len([m for m in emulator.messages(COMMITTEE_ID) if m.media_kind == "document"]) == 2


async def test_a_member_without_a_private_chat_is_told_how_to_open_one(app, anne_in_group, emulator):
    emulator.strict_chats = True
    replies = await anne_in_group.send("/codes 2")
    assert replies.text.startswith(
        "Je ne peux pas encore vous écrire en privé, et ceci n'est pas pour le groupe : ouvrez https://t.me/pbbot_test_bot"
    )
    assert [m for m in group_messages(emulator) if m.media_kind] == []
