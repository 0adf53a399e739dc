"""/broadcast: the committee writes to residents (text, translations, photo, audience, preview,
confirmation), the broadcaster sends it; /broadcasts follows the sending."""

from __future__ import annotations

import pytest

from storage.repositories import Repositories
from tests.conftest import COMMITTEE_CHAT_ID, COMMITTEE_ID
from tests.journeys.committee_steps import anne, anne_in_group, eve_in_group, seed  # noqa: F401  (fixtures)
from tests.journeys.results_steps import audit_actions, broadcasts, run_broadcaster

REFUSED = "This command is for the steering committee only."
STOP_FR = "<i>Envoyez /stop pour ne plus recevoir ces annonces.</i>"
STOP_EN = "<i>Send /stop to stop receiving these announcements.</i>"


@pytest.fixture
def anne_en(resident_factory):
    return resident_factory(COMMITTEE_ID, "Anne", "en")


@pytest.fixture
async def town(app, marie, john):
    """Marie and John have started the bot; Paul (French) has proposed a project."""
    await marie.send("/start")
    await john.send("/start")
    await seed(app, 1004, "Paul", "fr", 1)


async def test_a_message_in_two_languages_to_everyone(app, town, anne, marie, john, emulator):
    replies = await anne.send("/broadcast")
    assert "Écrivez le message aux habitants, en français (3" in replies.text
    replies = await anne.send("Réunion publique mardi <19h> à la salle & apéro !")
    assert "Le même message en anglais, pour les habitants qui utilisent le bot en anglais ?" in replies.text
    replies = await anne.send("Public meeting on Tuesday <7 pm> in the hall & drinks!")
    assert "Ajouter une photo ?" in replies.text
    replies = await anne.send("/skip")
    # Marie, John, Paul and Anne accept announcements; Paul is the only author.
    # (Who counts as verified, or as not having voted, is the broadcasts repository's to say.)
    labels = replies[-1].button_labels()
    assert len(labels) == 4 and labels[0] == "Tout le monde (4)" and labels[2] == "Les auteurs de projets (1)"
    assert labels[1].startswith("Les habitants vérifiés (") and labels[3].startswith(
        "Les habitants qui n'ont pas encore voté ("
    )
    replies = await anne.press("Tout le monde (4)")
    assert replies.texts[0] == "Aperçu — français :"
    assert replies.texts[1] == f"Réunion publique mardi &lt;19h&gt; à la salle &amp; apéro !\n\n{STOP_FR}"
    assert replies.texts[2] == "Aperçu — anglais :"
    assert replies.texts[3] == f"Public meeting on Tuesday &lt;7 pm&gt; in the hall &amp; drinks!\n\n{STOP_EN}"
    assert "Ce message part vers 4 habitants : tout le monde. Chacun le reçoit dans sa langue." in replies.texts[4]
    assert replies[-1].button_labels() == ["✅ Envoyer à 4 habitants", "✖ Annuler"]
    assert await broadcasts(app) == [], "nothing is queued before the confirmation"
    replies = await anne.press("✅ Envoyer à 4 habitants")
    assert "Mis en file : envoi n°1 vers 4 habitants" in replies.text
    assert replies.edited and replies.edited[0].buttons == []
    [row] = await broadcasts(app)
    assert (row.kind, row.audience, row.recipients, row.created_by, row.photo) == (
        "message",
        "all",
        4,
        COMMITTEE_ID,
        None,
    )
    assert "broadcast_queued" in await audit_actions(app)
    # A second press on the same button sends nothing more.
    await anne.press_data("cbok:send", replies.edited[0].message_id)
    assert emulator.callback_answers[-1]["text"].startswith("Ce message n'est plus en préparation.")
    assert len(await broadcasts(app)) == 1

    await run_broadcaster(app)
    assert marie.last.text == f"Réunion publique mardi &lt;19h&gt; à la salle &amp; apéro !\n\n{STOP_FR}"
    assert marie.last.plain_text.startswith("Réunion publique mardi <19h> à la salle & apéro !")
    assert john.last.text == f"Public meeting on Tuesday &lt;7 pm&gt; in the hall &amp; drinks!\n\n{STOP_EN}"
    replies = await anne.send("/broadcasts")
    assert "<b>n°1</b>" in replies.text and "message de Anne (9000) · tout le monde · 4 destinataires" in replies.text
    assert "✅ envoyés 4 · ⏳ en attente 0 · 🚫 injoignables 0 · ⚠️ en échec 0 · ❓ incertains 0" in replies.text
    assert "<i>Réunion publique mardi &lt;19h&gt; à la salle &amp; apéro !" in replies.text


async def test_a_photo_for_the_authors_and_the_progress_of_the_sending(app, town, anne_en, marie, john, emulator):
    await anne_en.send("/broadcast")
    await anne_en.send("Authors: the committee meets you on Monday.")
    replies = await anne_en.send("/skip")  # no French version: the French get the English text
    assert "Add a photo?" in replies.text
    assert "Please send a photo" in (await anne_en.send("Here it is")).text
    await anne_en.send_photo(caption="ignored")
    replies = await anne_en.press("Authors of projects (1)")
    preview = [m for m in replies if m.media_kind == "photo"]
    assert len(preview) == 2 and preview[0].caption.startswith("Authors: the committee meets you on Monday.")
    assert "This message goes to 1 resident: authors of projects." in replies.text
    # Changing one's mind about the audience before sending.
    await anne_en.press("Everyone (4)")
    await anne_en.press("✅ Send to 4 residents")
    [row] = await broadcasts(app)
    assert row.photo is not None and row.audience == "all"
    assert row.text["fr"] == f"Authors: the committee meets you on Monday.\n\n{STOP_FR}"

    # John blocked the bot; Paul's message fails once for good: the progress says so.
    emulator.blocked_chats.add(john.user_id)
    await run_broadcaster(app)
    assert marie.last.media_kind == "photo" and marie.last.caption.endswith(STOP_FR)
    text = (await anne_en.send("/broadcasts")).text
    assert "message by Anne (9000) · everyone · 4 recipients" in text
    assert "✅ sent 3 · ⏳ pending 0 · 🚫 unreachable 1 · ⚠️ failed 0 · ❓ unknown 0" in text
    # A calendar announcement shows too, queued by no one.
    async with app.sessionmaker() as session:
        await Repositories(session).broadcasts.queue(
            app.campaign.id,
            kind="announcement",
            audience="all",
            text={"fr": "Annonce", "en": "Notice"},
            now=app.clock.now(),
            key="proposals_open",
        )
        await session.commit()
    replies = await anne_en.send("/broadcasts")
    assert replies.text.index("<b>#2</b>") < replies.text.index("<b>#1</b>")
    assert "announcement by the calendar · everyone · 3 recipients" in replies.text
    assert "✅ sent 0 · ⏳ pending 3" in replies.text and "<i>Notice</i>" in replies.text
    await run_broadcaster(app)
    replies = await anne_en.press("🔄 Refresh")
    assert replies.edited and "✅ sent 3 · ⏳ pending 0" in replies.edited[0].text
    assert emulator.callback_answers[-1]["text"] == "Up to date."


async def test_bad_answers_are_explained_and_nothing_is_sent(app, town, anne, anne_en, emulator):
    assert "Aucun envoi pour l'instant" in (await anne.send("/broadcasts")).text
    await anne.send("/broadcast")
    assert "Écrivez le message en texte" in (await anne.send_sticker()).text
    replies = await anne.send("x" * 3600)
    assert "Cela fait 3" in replies.text and "600 caractères" in replies.text
    await anne.send("Un message de 1 100 caractères. " + "y" * 1070)
    await anne.send("/skip")
    replies = await anne.send_photo()
    assert "Sous une photo, Telegram affiche au plus 1" in replies.text
    replies = await anne.send("/skip")
    assert "Qui doit le recevoir ?" in replies.text
    assert "Répondez avec les boutons" in (await anne.send("tout le monde")).text
    # Another committee command drops the message being written.
    await anne.send("/stats")
    await anne.press("Tout le monde (4)")
    assert emulator.callback_answers[-1]["text"].startswith("Ce message n'est plus en préparation.")
    await anne.send("/broadcast")
    await anne.send("Bonjour à tous.")
    replies = await anne.send("/cancel")
    assert replies.text == "Arrêté : rien n'a été envoyé."
    # A forged confirmation, with nothing being written, sends nothing.
    await anne.press_data("cbok:send")
    assert emulator.callback_answers[-1]["text"].startswith("Ce message n'est plus en préparation.")
    await anne.send("/broadcast")
    await anne.send("Bonjour.")
    await anne.send("/skip")
    await anne.send("/skip")
    await anne.press("Tout le monde (4)")
    await anne.press("✖ Annuler")
    assert emulator.callback_answers[-1]["text"] == "Rien n'a été envoyé."
    assert await broadcasts(app) == []
    assert "broadcast_queued" not in await audit_actions(app)


async def test_only_the_committee_broadcasts(app, town, john, anne_in_group, eve_in_group, emulator):
    for command in ("/broadcast", "/broadcasts"):
        replies = await john.send(command)
        assert len(replies) == 1 and replies.text.startswith(REFUSED), command
    # John's next message is not taken as a broadcast.
    assert "Envoyez" not in (await john.send("Hello everyone")).text
    for data in ("cbaud:all", "cbaud:verified", "cbok:send", "cbok:cancel", "cbls:8", "cbaud:nobody", "cbok"):
        assert await john.press_data(data) == []
        answer = emulator.callback_answers[-1]
        assert answer["show_alert"] and answer["text"] == "Only committee members can use this button.", data
    # In the committee group: the questions are replies the bot sees; Eve cannot press the buttons.
    replies = await anne_in_group.send("/broadcast@pbbot_test_bot")
    assert replies[-1].reply_markup == {"force_reply": True, "selective": True}
    await eve_in_group.send("Not the committee's words.")
    replies = await anne_in_group.send("Réunion du comité jeudi.")
    assert "Le même message en anglais" in replies.text
    await anne_in_group.send("/skip")
    replies = await anne_in_group.send("/skip")
    assert replies[-1].chat_id == COMMITTEE_CHAT_ID
    assert await eve_in_group.press("Tout le monde (5)", in_message=replies[-1]) == []
    assert emulator.callback_answers[-1]["text"] == "Only committee members can use this button."
    await anne_in_group.press("Tout le monde (5)")
    question = anne_in_group.last
    assert await eve_in_group.press("✅ Envoyer à 5 habitants", in_message=question) == []
    assert await broadcasts(app) == []
    await anne_in_group.press("✅ Envoyer à 5 habitants", in_message=question)
    [row] = await broadcasts(app)
    assert row.text["fr"].startswith("Réunion du comité jeudi.")
