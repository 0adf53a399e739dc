"""Only the committee runs the campaign: every command and button is refused to anyone else,
in private and in the committee group, including hand-made callbacks; /admins, /ambassadors,
/propose_for and the audit log."""

from __future__ import annotations

import pytest

from tests.conftest import COMMITTEE_CHAT_ID
from tests.journeys.committee_steps import anne, anne_in_group, eve_in_group, propose, seed, status_of  # noqa: F401
from tests.journeys.wizard_steps import DESCRIPTION, SUMMARY, TITLE

REFUSED = "This command is for the steering committee only."

COMMANDS = [
    "/admin",
    "/review",
    "/proposals",
    "/proposals eligible",
    "/proposal 1",
    "/finalists",
    "/calendar",
    "/calendar set proposals_close 2030-04-05 10:00",
    "/advance",
    "/audit",
    "/admins",
    "/admins add 1002",
    "/admins remove 9000",
    "/ambassadors",
    "/ambassadors add 1002",
]

# Every committee button, as a client could forge it (valid and garbled payloads alike).
FORGED = [
    "cmenu:review",
    "crev:eligible:1",
    "crev:ineligible:1",
    "crev:changes:1",
    "crev:merge:1",
    "crev:edit:1",
    "crev:next:1",
    "cedit:1:title",
    "ccat:1:mobility",
    "cpage::1",
    "cfin:1:0",
    "cfinp:1",
    "cadv:proposals_close",
    "cadv:",
    "crev:garbage",
    "cfin",
]


@pytest.mark.parametrize("command", COMMANDS)
async def test_a_resident_is_refused_every_committee_command(app, john, command):
    await seed(app, 1004, "Paul", "fr", 1)
    replies = await john.send(command)
    assert len(replies) == 1 and replies.text.startswith(REFUSED)
    assert await status_of(app, 1) == "submitted"


async def test_a_resident_changes_nothing_with_forged_callbacks(app, john, emulator, clock):
    await seed(app, 1004, "Paul", "fr", 1, status="eligible")
    before = app.campaign.calendar
    for data in FORGED:
        replies = await john.press_data(data)
        assert replies == []
        answer = emulator.callback_answers[-1]
        assert answer["show_alert"] and answer["text"] == "Only committee members can use this button.", data
    assert await status_of(app, 1) == "eligible"
    # The calendar did not move: proposals are still open.
    assert "Step 1 of 7" in (await john.send("/propose")).text
    replies = await john.send("/audit")
    assert replies.text.startswith(REFUSED)
    assert app.campaign.calendar == before


async def test_a_non_member_in_the_committee_group_cannot_press_committee_buttons(
    app, anne_in_group, eve_in_group, marie, emulator
):
    number = await propose(marie)
    replies = await anne_in_group.send("/review@pbbot_test_bot")
    assert f"Projet n°{number}" in replies.text
    sheet = replies[-1]
    assert sheet.chat_id == COMMITTEE_CHAT_ID
    replies = await eve_in_group.press("✅ Recevable", in_message=sheet)
    assert replies == []
    assert emulator.callback_answers[-1]["text"] == "Only committee members can use this button."
    await eve_in_group.press("✖ Non recevable", in_message=sheet)
    assert emulator.callback_answers[-1]["show_alert"]
    assert await status_of(app, number) == "submitted"
    assert (await eve_in_group.send("/review")).text.startswith(REFUSED)
    assert (await eve_in_group.send("/finalists")).text.startswith(REFUSED)
    # The member in the same group decides, and the author hears of it in private.
    replies = await anne_in_group.press("✅ Recevable", in_message=sheet)
    assert f"Le projet n°{number} est recevable." in replies.text
    assert marie.last.text.startswith("Bonne nouvelle")
    assert await status_of(app, number) == "eligible"


async def test_a_question_in_the_group_goes_to_the_member_who_pressed(app, anne_in_group, eve_in_group, john):
    number = await propose(john)
    await anne_in_group.send("/review")
    replies = await anne_in_group.press("✖ Non recevable")
    assert replies[-1].reply_markup == {"force_reply": True, "selective": True}
    # Eve's message in the group is not taken as Anne's answer.
    await eve_in_group.send("Not eligible because I say so.")
    assert await status_of(app, number) == "submitted"
    await anne_in_group.send("Outside the town's land.")
    assert await status_of(app, number) == "ineligible"
    assert john.last.plain_text.endswith("The committee's reason:\n\nOutside the town's land.")


async def test_members_are_added_and_removed_with_admins(app, anne, resident_factory, marie):
    eve = resident_factory(1003, "Eve", "en")
    await eve.send("/start")
    assert (await eve.send("/admin")).text.startswith(REFUSED)
    replies = await anne.send("/admins")
    assert "Aucun membre ajouté pour l'instant" in replies.text
    assert "Envoyez /admins add ID" in (await anne.send("/admins add Eve")).text
    assert "Eve (1003) est maintenant membre du comité." in (await anne.send("/admins add 1003")).text
    assert "déjà membre" in (await anne.send("/admins add 1003")).text
    assert "Eve (1003), ajouté le" in (await anne.send("/admins")).text
    # Eve is on the committee from her next message, in English.
    number = await propose(marie)
    assert "Projects waiting for review: 1" in (await eve.send("/admin")).text
    await eve.send("/review")
    replies = await eve.press("✖ Not eligible")
    assert "Why is project" in replies.text
    # Removed while she was answering: her answer changes nothing.
    assert "Eve (1003) n'est plus membre du comité." in (await anne.send("/admins remove 1003")).text
    replies = await eve.send("Too expensive.")
    assert replies.text.startswith(REFUSED)
    assert await status_of(app, number) == "submitted"
    assert (await eve.send("/review")).text.startswith(REFUSED)
    # Members named in the settings are not removed from the chat.
    assert "configuration du bot" in (await anne.send("/admins remove 9000")).text
    assert "Projets en attente" in (await anne.send("/admin")).text


async def test_an_ambassador_proposes_for_a_resident_and_the_committee_sees_who_helped(
    app, anne, john, marie, emulator
):
    assert (
        "Only ambassadors named by the committee" in (await john.send("/propose_for Jeanne Dupont; 0470 12 34 56")).text
    )
    assert "John (1002) est maintenant ambassadeur" in (await anne.send("/ambassadors add 1002")).text
    assert "John (1002), ajouté le" in (await anne.send("/ambassadors")).text
    assert "the resident's name, a semicolon" in (await john.send("/propose_for Jeanne Dupont")).text
    replies = await john.send("/propose_for Jeanne Dupont; 0470 12 34 56")
    assert "You are writing a project for Jeanne Dupont (0470 12 34 56)" in replies.text
    assert "Step 1 of 7" in replies.text
    await john.send(TITLE)
    await john.send(SUMMARY)
    await john.send(DESCRIPTION)
    await john.press("Environment")
    await john.send("Rue de l'Église")
    await john.send("800")
    await john.send("/skip")
    replies = await john.press("✅")
    assert "#1" in replies.text
    posted = [m.text for m in emulator.messages(COMMITTEE_CHAT_ID) if m.text and "n°1" in m.text]
    assert posted and "Déposé avec l'aide de John, pour Jeanne Dupont (0470 12 34 56)." in posted[-1]
    sheet = (await anne.send("/proposal 1")).text
    assert "Déposé avec l'aide de John (1002), pour Jeanne Dupont (0470 12 34 56)." in sheet
    # His own project afterwards is his own.
    await john.send("/propose_for Albert; Rue Haute 3")
    await john.send("A library in the old station")
    await john.send("/cancel")
    await john.send("/start")
    await john.press("Discard the draft")
    await john.send("/propose")
    await john.send(TITLE)
    await john.send(SUMMARY)
    await john.send(DESCRIPTION)
    await john.press("Environment")
    await john.send("Rue de l'Église")
    await john.send("900")
    await john.send("/skip")
    assert "#2" in (await john.press("✅")).text
    assert "avec l'aide" not in (await anne.send("/proposal 2")).text
    # A committee member may help too; a resident may not.
    assert "Vous rédigez un projet pour Albert" in (await anne.send("/propose_for Albert; Rue Haute 3")).text
    assert "Only ambassadors" in (await marie.send("/propose_for Albert; Rue Haute 3")).text.replace(
        "Seuls les ambassadeurs", "Only ambassadors"
    )
    assert "John (1002) n'est plus ambassadeur." in (await anne.send("/ambassadors remove 1002")).text
    assert "Only ambassadors" in (await john.send("/propose_for Jeanne; 0470 12 34 56")).text


async def test_the_audit_log_says_who_did_what_and_when(app, anne, marie, john):
    first = await propose(marie)
    second = await propose(john)
    await anne.send("/review")
    await anne.press("✅ Recevable")
    await anne.press("✖ Non recevable")
    await anne.send("Not in the town.")
    await anne.send("/finalists")
    await anne.press(f"#{first}")
    await anne.send("/calendar set voting_open 2030-05-20 09:00")
    await anne.send("/ambassadors add 1002")
    replies = await anne.send("/audit")
    lines = replies.text.splitlines()
    assert lines[0] == "<b>Dernières actions du comité</b> (les plus récentes d'abord) :"
    expected = [
        "Anne (9000) a ajouté un ambassadeur John (1002)",
        "Anne (9000) a déplacé une date “Ouverture du vote” (au : 20 mai 2030, 09:00)",
        f"Anne (9000) a coché comme finaliste #{first}",
        f"Anne (9000) a déclaré non recevable #{second} (motif : Not in the town.)",
        f"Anne (9000) a déclaré recevable #{first}",
    ]
    for line, wanted in zip(lines[2:], expected):
        assert line.endswith(wanted), (line, wanted)
    assert "2 avril" not in replies.text and "2030" in lines[2]
