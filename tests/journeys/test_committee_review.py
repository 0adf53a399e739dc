"""The committee reviews projects: eligible, not eligible, changes, edits, merges, lists, finalists.

Anne is on the committee and speaks French; Marie (French) and John (English) propose projects
and are told of every decision in their own language.
"""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import COMMITTEE_CHAT_ID
from tests.journeys.committee_steps import anne, propose, seed, status_of  # noqa: F401  (fixtures)


async def test_the_menu_counts_what_waits_and_leads_to_the_review(app, anne, marie, john):
    await propose(marie)
    await propose(john)
    await seed(app, 1004, "Paul", "fr", 1, status="eligible")
    replies = await anne.send("/admin")
    assert "Projets en attente d'examen : 2" in replies.text
    assert "Recevables : 1" in replies.text
    assert replies[-1].button_labels() == [
        "📥 Examiner (2)",
        "📋 Tous les projets",
        "🏅 Finalistes",
        "📅 Calendrier",
        "🧾 Journal des actions",
    ]
    replies = await anne.press("📥 Examiner (2)")
    assert "<b>Projet n°1</b>" in replies.text and "Marie (1001)" in replies.text
    assert replies[-1].button_labels() == [
        "✅ Recevable",
        "✖ Non recevable",
        "✏️ Demander des modifications",
        "🖊 Réécrire",
        "🔗 Fusionner avec…",
        "⏭ Suivant",
    ]
    replies = await anne.press("⏭ Suivant")
    assert "<b>Projet n°2</b>" in replies.text and "John (1002)" in replies.text
    for label, expected in (
        ("📋 Tous les projets", "(3, page 1 sur 1)"),
        ("🏅 Finalistes", "Finalistes choisis : 0"),
        ("📅 Calendrier", "proposals_close"),
        ("🧾 Journal des actions", "Aucune action"),
    ):
        await anne.send("/admin")
        assert expected in (await anne.press(label)).text


async def test_eligible_is_told_to_each_author_in_their_language(app, anne, marie, john):
    first = await propose(marie)
    second = await propose(john)
    await anne.send("/review")
    replies = await anne.press("✅ Recevable")
    assert f"Le projet n°{first} est recevable. Son auteur a été prévenu." in replies.text
    assert f"<b>Projet n°{second}</b>" in replies.text  # the next one comes at once
    assert marie.last.text.startswith(
        f"Bonne nouvelle : votre projet n°{first} « A bench on the church square » est recevable"
    )
    await anne.press("✅ Recevable")
    assert john.last.text.startswith(f"Good news: your project #{second} “A bench on the church square” is eligible")
    assert "Aucun projet n'attend d'examen" in anne.last.text
    assert await status_of(app, first) == await status_of(app, second) == "eligible"
    assert "eligible" in (await john.send("/myproposals")).text


async def test_a_decided_project_cannot_be_decided_twice(app, anne, marie, emulator):
    number = await propose(marie)
    await anne.send("/review")
    sheet = anne.last
    await anne.press("✅ Recevable")
    assert sheet.buttons == []  # the buttons went with the decision
    replies = await anne.press_data(f"crev:eligible:{number}", message_id=sheet.message_id)
    assert replies == []
    assert emulator.callback_answers[-1]["show_alert"]
    assert "le projet est maintenant « recevable »" in emulator.callback_answers[-1]["text"]
    replies = await anne.press_data("crev:eligible:99")
    assert "Il n'y a pas de projet n°99" in emulator.callback_answers[-1]["text"]


async def test_not_eligible_asks_the_reason_and_sends_it_to_the_author(app, anne, john):
    number = await propose(john)
    await anne.send("/review")
    replies = await anne.press("✖ Non recevable")
    assert f"Pourquoi le projet n°{number} n'est-il pas recevable ?" in replies.text
    assert replies[-1].reply_markup == {"force_reply": True, "selective": True}
    assert "Répondez par un texte" in (await anne.send_sticker()).text
    assert "3 à 1000 caractères" in (await anne.send("no")).text
    assert "Arrêté : rien n'a changé." in (await anne.send("/cancel")).text
    assert await status_of(app, number) == "submitted"
    await anne.send("/review")
    await anne.press("✖ Non recevable")
    replies = await anne.send("The town does not own this square <b>yet</b>.")
    assert f"Le projet n°{number} n'est pas recevable. Son auteur a été prévenu." in replies.text
    assert john.last.text == (
        f"Your project #{number} “A bench on the church square” is not eligible. The committee's reason:\n\n"
        "The town does not own this square &lt;b&gt;yet&lt;/b&gt;."
    )
    assert "not eligible: The town does not own this square" in (await john.send("/myproposals")).plain_text
    assert await status_of(app, number) == "ineligible"


async def test_changes_requested_the_author_edits_and_the_project_comes_back(app, anne, marie, clock, emulator):
    number = await propose(marie)
    await anne.send("/review")
    replies = await anne.press("✏️ Demander des modifications")
    assert f"Que doit modifier l'auteur du projet n°{number} ?" in replies.text
    replies = await anne.send("Please say which side of the square.")
    assert f"Modifications demandées pour le projet n°{number}. Son auteur a été prévenu." in replies.text
    assert "Aucun projet n'attend d'examen" in replies.text
    told = marie.last.text
    assert told.startswith(f"Le comité vous demande de modifier votre projet n°{number}")
    assert "Please say which side of the square." in told and "Modifier le n°" in told
    assert await status_of(app, number) == "changes_requested"
    # Proposals have closed meanwhile: the author may still answer the committee.
    clock.set(app.campaign.calendar.proposals_close + timedelta(days=1))
    await marie.send("/myproposals")
    await marie.press(f"✏️ Modifier le n°{number}")
    await marie.press("✏️ Titre")
    await marie.send("A bench on the north side of the church square")
    replies = await marie.press("✅")
    assert "sont enregistrées" in replies.text
    assert await status_of(app, number) == "submitted"
    assert any(
        f"Le projet n°{number} a été modifié par son auteur, Marie." in (m.text or "")
        for m in emulator.messages(COMMITTEE_CHAT_ID)
    )
    replies = await anne.send("/review")
    assert "A bench on the north side of the church square" in replies.text


async def test_the_committee_rewrites_a_field_the_author_is_told_and_the_revision_kept(app, anne, john):
    number = await propose(john)
    await anne.send("/review")
    replies = await anne.press("🖊 Réécrire")
    assert replies[-1].button_labels() == ["Titre", "Résumé", "Description", "Catégorie", "Lieu", "Coût estimé"]
    replies = await anne.press("Titre")
    assert "Actuellement : A bench on the church square" in replies.text
    assert "trop court" in (await anne.send("abc")).text  # the wizard's own validation
    replies = await anne.send("An oak bench on the church square")
    assert "Enregistré : le champ « titre » du projet" in replies.text and "Son auteur a été prévenu" in replies.text
    assert "<b>Titre\xa0:</b> An oak bench on the church square" in replies.text
    assert john.last.text == (
        f"The committee rewrote the title of your project #{number}.\n"
        "Before: A bench on the church square\nNow: An oak bench on the church square"
    )
    await anne.press("🖊 Réécrire")
    await anne.press("Coût estimé")
    assert "au-dessus du maximum" in (await anne.send("25 000 €")).text
    await anne.send("2.500")
    assert "Before: €1,500\nNow: €2,500" in john.last.text
    await anne.press("🖊 Réécrire")
    await anne.press("Catégorie")
    replies = await anne.press("Mobilité")
    assert "<b>Catégorie\xa0:</b> Mobilité" in replies.text
    assert "Before: Environment\nNow: Mobility" in john.last.text
    replies = await anne.send(f"/proposal {number}")
    history = replies[-1].text
    assert history.count("réécrit par le comité") == 3 and "1. " in history and "— John : déposé" in history
    assert "— Anne : titre réécrit par le comité" in history
    assert "An oak bench" in (await john.send("/myproposals")).text


async def test_the_edit_question_ends_with_cancel_or_another_committee_command(app, anne, john):
    number = await propose(john)
    await anne.send("/review")
    await anne.press("🖊 Réécrire")
    await anne.press("Titre")
    assert "Répondez par un texte" in (await anne.send_sticker()).text
    assert "Arrêté : rien n'a changé." in (await anne.send("/cancel")).text
    assert "Arrêté" not in (await anne.send("/cancel")).text  # nothing left to cancel
    await anne.press("🖊 Réécrire")
    await anne.press("Titre")
    await anne.send("/review")  # another committee command drops the question
    await anne.send("An oak bench on the church square")
    assert "A bench on the church square" in (await anne.send(f"/proposal {number}")).text
    assert "rewrote" not in john.last.text


async def test_a_duplicate_is_merged_and_both_authors_are_told(app, anne, marie, john):
    first = await propose(marie)
    second = await propose(john)
    await anne.send(f"/proposal {second}")
    replies = await anne.press("🔗 Fusionner avec…")
    assert f"Le projet n°{second} fait doublon avec quel projet ?" in replies.text
    assert "Écrivez le numéro du projet" in (await anne.send("the first one")).text
    assert "ne peut pas être fusionné avec lui-même" in (await anne.send(str(second))).text
    assert "Le projet n°99 n'existe pas" in (await anne.send("#99")).text
    replies = await anne.send(f"n°{first}")
    assert f"Le projet n°{second} est fusionné avec le n°{first}. Les deux auteurs ont été prévenus." in replies.text
    assert john.last.text.startswith(
        f"Your project #{second} “A bench on the church square” is very close to project #{first}"
    )
    assert marie.last.text.startswith(
        f"Le projet n°{second} « A bench on the church square » était très proche de votre projet n°{first}"
    )
    assert await status_of(app, second) == "merged"
    replies = await anne.send("/proposals merged")
    assert f"<b>#{second}</b>" in replies.text and f"<b>#{first}</b>" not in replies.text
    assert "(dans le n°1)" in (await anne.send(f"/proposal {second}")).text


async def test_proposals_are_listed_ten_a_page(app, anne):
    await seed(app, 1004, "Paul", "fr", 12)
    replies = await anne.send("/proposals")
    assert "(12, page 1 sur 2)" in replies.text
    assert "#10</b>" in replies.text and "#11</b>" not in replies.text
    assert replies[-1].button_labels() == ["Suivants ➡️"]
    listing = replies[-1]
    replies = await anne.press("Suivants ➡️")
    assert replies.edited == [listing]
    assert "(12, page 2 sur 2)" in listing.text and "#12</b>" in listing.text and "#1</b>" not in listing.text
    assert listing.button_labels() == ["⬅️ Précédents"]
    await anne.press("⬅️ Précédents")
    assert "(12, page 1 sur 2)" in listing.text
    assert "Aucun pour l'instant" in (await anne.send("/proposals eligible")).text
    assert "l'un de ces statuts : submitted, changes_requested" in (await anne.send("/proposals nonsense")).text
    assert "par exemple /proposal 12" in (await anne.send("/proposal")).text
    assert "Il n'y a pas de projet n°40" in (await anne.send("/proposal 40")).text


async def test_finalists_are_ticked_in_place_and_locked_when_voting_opens(app, anne, emulator, clock):
    eligible = await seed(app, 1004, "Paul", "fr", 2, status="eligible")
    waiting = await seed(app, 1005, "Zoé", "fr", 1)
    replies = await anne.send("/finalists")
    screen = replies[-1]
    assert screen.button_labels() == [f"▫️ #{eligible[0]} Project number 01", f"▫️ #{eligible[1]} Project number 02"]
    assert f"#{waiting[0]}" not in " ".join(screen.button_labels())
    replies = await anne.press(f"#{eligible[1]}")
    assert replies.edited == [screen]
    assert screen.button_labels() == [f"▫️ #{eligible[0]} Project number 01", f"✅ #{eligible[1]} Project number 02"]
    assert "Finalistes choisis : 1, pour un coût total de 1\u202f001\xa0€" in screen.text
    assert emulator.callback_answers[-1]["text"] == f"Le n°{eligible[1]} est finaliste."
    await anne.press(f"#{eligible[0]}")
    await anne.press(f"#{eligible[1]}")
    assert screen.button_labels() == [f"✅ #{eligible[0]} Project number 01", f"▫️ #{eligible[1]} Project number 02"]
    assert await status_of(app, eligible[0]) == "finalist"
    assert await status_of(app, eligible[1]) == "eligible"
    # A submitted project cannot be ticked, even with a hand-made button.
    await anne.press_data(f"cfin:{waiting[0]}:0")
    assert "Seuls les projets recevables" in emulator.callback_answers[-1]["text"]
    clock.set(app.campaign.calendar.voting_open + timedelta(hours=1))
    await anne.press(f"#{eligible[1]}", in_message=screen)
    assert emulator.callback_answers[-1] == {**emulator.callback_answers[-1], "show_alert": True}
    assert "Le vote est ouvert" in emulator.callback_answers[-1]["text"]
    assert await status_of(app, eligible[1]) == "eligible"
    replies = await anne.send("/finalists")
    assert "la liste est figée" in replies.text and f"#{eligible[0]}</b> Project number 01" in replies.text
    assert replies[-1].buttons == []
    # Nor can the review change anything now.
    await anne.send(f"/proposal {waiting[0]}")
    assert anne.last.buttons == []
    await anne.press_data(f"crev:eligible:{waiting[0]}")
    assert "Le vote est ouvert" in emulator.callback_answers[-1]["text"]


async def test_a_blocked_author_does_not_undo_the_decision(app, anne, marie, emulator):
    number = await propose(marie)
    emulator.blocked_chats.add(marie.chat_id)
    await anne.send("/review")
    replies = await anne.press("✅ Recevable")
    assert "Son auteur n'a pas pu être prévenu." in replies.text
    assert await status_of(app, number) == "eligible"


async def test_the_longest_sheet_still_reaches_the_committee_and_the_author(app, anne, john):
    from decimal import Decimal

    from campaign.proposal import ProposalDraft
    from storage.repositories import Repositories

    async with app.sessionmaker() as session:
        repos = Repositories(session)
        author = await repos.users.seen(john.user_id, "John", "en", app.clock.now())
        draft = ProposalDraft(
            title="T" * 80,
            summary="S & " * 75,
            description="<D> " * 750,
            category="mobility",
            location_text="L" * 300,
            cost=Decimal(500),
            photo_skipped=True,
        )
        number = (
            await repos.proposals.submit(
                app.campaign.id, author.id, draft, app.clock.now(), on_behalf={"name": "N" * 100, "contact": "C" * 150}
            )
        ).id
        await session.commit()
    replies = await anne.send("/review")
    assert len(replies) == 2 and replies[-1].button_labels()[0] == "✅ Recevable"
    assert "Déposé avec l'aide de John (1002)" in replies[-1].text
    await anne.press("🖊 Réécrire")
    await anne.press("Description")
    replies = await anne.send("A much shorter description that is still long enough to be accepted.")
    assert "Enregistré" in replies.text
    assert john.last.plain_text.startswith(
        f"The committee rewrote the description of your project #{number}.\nBefore: <D> <D>"
    )
    assert "…\nNow: A much shorter description" in john.last.plain_text
