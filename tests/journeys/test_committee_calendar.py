"""The committee sees and moves the calendar; every dialog follows at once."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from storage.repositories import Repositories
from storage.phase_gate import effective_campaign
from tests.journeys.committee_steps import anne, propose, seed, status_of  # noqa: F401

BRUSSELS = ZoneInfo("Europe/Brussels")


async def test_the_calendar_shows_every_date_in_the_campaign_time_zone(anne, john):
    replies = await anne.send("/calendar")
    text = replies.text
    assert "<b>Calendrier</b> (heures de Europe/Brussels)" in text
    assert "En ce moment : appel à projets." in text
    for expected in (
        "✔️ Ouverture de l'appel à projets\xa0: <b>1 avril 2030</b> (<code>proposals_open</code>)",
        "▫️ Clôture de l'appel à projets\xa0: <b>30 avril 2030, 23:59</b>",
        "▫️ Annonce des résultats\xa0: <b>10 juin 2030, 18:00</b> (<code>results</code>)",
    ):
        assert expected in text
    assert (await john.send("/calendar")).text.startswith("This command is for the steering committee only.")


async def test_a_moved_date_takes_effect_at_once_for_everyone(app, anne, john):
    replies = await anne.send("/calendar set voting_open 2030-05-20 09:00")
    assert "C'est fait : « Ouverture du vote » est maintenant le 20 mai 2030, 09:00." in replies.text
    assert "Voting: 20 May 2030, 09:00 to 31 May 2030, 23:59" in (await john.send("/start")).plain_text
    assert "déplacée par le comité (était le 16 mai 2030)" in (await anne.send("/calendar")).text
    # The same calendar for the scheduler, which reads it itself.
    async with app.sessionmaker() as session:
        effective = await effective_campaign(Repositories(session), app.campaign)
    assert effective.calendar.voting_open == datetime(2030, 5, 20, 9, 0, tzinfo=BRUSSELS)
    assert app.campaign.calendar.voting_open == datetime(2030, 5, 16, 0, 0, tzinfo=BRUSSELS)


async def test_closing_proposals_early_refuses_new_ones_at_once(app, anne, john, clock):
    await anne.send("/calendar set proposals_close 2030-04-04 09:00")  # an hour ago
    replies = await john.send("/propose")
    assert "Proposals closed on 4 April 2030, 09:00" in replies.text


async def test_bad_changes_are_explained_and_change_nothing(app, anne, john):
    assert "Il n'y a pas de date appelée vote" in (await anne.send("/calendar set vote 2030-05-20 09:00")).text
    assert "AAAA-MM-JJ HH:MM" in (await anne.send("/calendar set voting_open 20/05/2030")).text
    assert "AAAA-MM-JJ HH:MM" in (await anne.send("/calendar set voting_open 2030-02-30 10:00")).text
    replies = await anne.send("/calendar set voting_open 2030-04-20 09:00")
    assert "« Ouverture du vote » ne peut pas précéder « Fin de l'analyse, choix des finalistes »" in replies.text
    assert "par exemple /calendar set voting_open" in (await anne.send("/calendar move voting_open")).text
    assert "déplacée" not in (await anne.send("/calendar")).text
    assert "Aucune action" in (await anne.send("/audit")).text
    assert "Step 1 of 7" in (await john.send("/propose")).text


async def test_advance_asks_first_then_starts_the_next_phase_now(app, anne, john, marie, emulator):
    number = await propose(marie)
    replies = await anne.send("/advance")
    assert (
        "Lancer la phase « analyse des projets » maintenant (4 avril 2030, 10:00) au lieu du 30 avril 2030, 23:59 ?"
        in replies.text
    )
    assert replies[-1].button_labels() == ["✅ Oui, la lancer maintenant", "✖ Non"]
    await anne.press("✖ Non")
    assert emulator.callback_answers[-1]["text"] == "Rien n'a changé."
    assert "Step 1 of 7" in (await john.send("/propose")).text
    await john.send("/cancel")
    await anne.send("/advance")
    replies = await anne.press("✅ Oui, la lancer maintenant")
    assert "C'est fait : la phase « analyse des projets » a commencé." in replies.text
    replies = await john.send("/propose")
    assert "Proposals closed on 4 April 2030, 10:00" in replies.text
    assert "Voting opens on 16 May 2030" in replies.text
    # The review goes on; the author may still change a project the committee sent back.
    await anne.send("/review")
    await anne.press("✏️ Demander des modifications")
    await anne.send("Say where exactly.")
    assert (await marie.send("/myproposals"))[-1].button_labels() == [f"✏️ Modifier le n°{number}"]
    assert await status_of(app, number) == "changes_requested"
    replies = await anne.send("/audit")
    assert "a lancé l'étape suivante “Clôture de l'appel à projets”" in replies.text


async def test_advancing_to_the_vote_ends_the_review_and_locks_the_finalists(app, anne, john, clock):
    clock.set(app.campaign.calendar.proposals_close + timedelta(days=2))
    await seed(app, 1004, "Paul", "fr", 1, status="eligible")
    replies = await anne.send("/advance")
    assert "Lancer la phase « vote »" in replies.text
    assert "Cela avance aussi à maintenant : Fin de l'analyse, choix des finalistes." in replies.text
    await anne.press("✅ Oui")
    assert "la liste est figée" in (await anne.send("/finalists")).text
    assert "Voting is open until 31 May 2030, 23:59" in (await john.send("/start")).plain_text


async def test_an_old_confirmation_does_not_advance_twice(app, anne, emulator):
    first = (await anne.send("/advance"))[-1]
    second = (await anne.send("/advance"))[-1]
    await anne.press("✅ Oui", in_message=first)
    await anne.press("✅ Oui", in_message=second)
    assert emulator.callback_answers[-1]["text"] == "Le calendrier a changé depuis cette question : renvoyez /advance."
    assert second.buttons == []
    assert "analyse des projets" in (await anne.send("/calendar")).text


async def test_after_the_results_there_is_nothing_to_advance(app, anne, clock):
    clock.set(app.campaign.calendar.results + timedelta(days=1))
    assert "La campagne est terminée" in (await anne.send("/advance")).text


async def test_the_scheduler_hook_gets_the_new_calendar(app, anne):
    seen = []

    async def on_calendar_change(campaign):
        seen.append(campaign.calendar.voting_close)

    app.dispatcher.workflow_data["on_calendar_change"] = on_calendar_change
    await anne.send("/calendar set voting_close 2030-06-01 20:00")
    assert seen == [datetime(2030, 6, 1, 20, 0, tzinfo=BRUSSELS)]
    await anne.send("/advance")
    await anne.press("✅ Oui")
    assert len(seen) == 2


async def test_a_failing_hook_does_not_undo_the_change(app, anne, john):
    async def broken(campaign):
        raise RuntimeError("scheduler down")

    app.dispatcher.workflow_data["on_calendar_change"] = broken
    replies = await anne.send("/calendar set proposals_close 2030-04-04 09:00")
    assert "C'est fait" in replies.text
    assert "Proposals closed" in (await john.send("/propose")).text
