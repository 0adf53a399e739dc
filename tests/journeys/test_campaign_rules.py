"""The campaign's rules hold against everyone, the committee included (issue 8).

Each test replays an attack from the issue through the real dispatcher and shows it refused,
with the words the committee or the resident reads, and the refusal in the audit log.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.app import build_app
from bot.console import jump_to_phase
from campaign.calendar import Phase
from campaign.schema import CampaignError
from storage.repositories import Repositories
from tests.journeys.committee_steps import anne, status_of  # noqa: F401  (fixture)
from tests.journeys.results_steps import audit_actions
from tests.journeys.wizard_steps import submit_project
from tests.journeys.voting_helpers import ballot_count, make_finalists, open_voting, verify_by_phone

PROJECTS = [("Bench", 1500), ("Trees along the river", 8000), ("Bike racks", 3000)]
FORWARD_ONLY = "Refusé : des bulletins ont été déposés, et dès le premier bulletin la campagne ne fait qu'avancer."


async def vote_for_the_first(resident) -> None:
    await resident.send("/vote")
    await resident.press("☑️ Select")
    await resident.press("Submit my ballot (1)")
    replies = await resident.press("✅ Confirm my vote")
    assert "Your vote is recorded" in replies.text, replies.text


async def voted(app, clock, *residents) -> None:
    await make_finalists(app, PROJECTS)
    open_voting(app, clock)
    for resident in residents:
        await verify_by_phone(resident)
        await vote_for_the_first(resident)


async def refusals(app) -> list[dict]:
    async with app.sessionmaker() as session:
        entries = await Repositories(session).audit.latest(app.campaign.id, limit=50)
    return [entry.details | {"target": entry.target} for entry in entries if entry.action == "refused"]


async def test_moving_the_opening_of_the_vote_later_is_refused_once_ballots_exist(
    app, anne, john, resident_factory, clock
):
    paul = resident_factory(1005, "Paul", "en")
    await voted(app, clock, john, paul)
    replies = await anne.send("/calendar set voting_open 2030-05-25 09:00")
    assert FORWARD_ONLY in replies.text
    assert (
        "« Ouverture du vote » ne peut pas être repoussée après maintenant : des habitants ont déjà voté"
        in replies.text
    )
    assert "En ce moment : vote." in (await anne.send("/calendar")).text
    assert "You have voted" in (await john.send("/myvote")).text and await ballot_count(app) == 2  # sealed ballots stay
    assert [(r["attempt"], r["why"], r["target"]) for r in await refusals(app)] == [
        ("calendar_set", "voting_open_after_now", "calendar:voting_open")
    ]
    replies = await anne.send("/audit")
    assert (
        "Anne (9000) s'est vu refuser “Ouverture du vote” (tentative : a déplacé une date; "
        "règle : ouverture du vote repoussée après maintenant, alors que des bulletins existent"
    ) in replies.text


async def test_before_the_first_ballot_the_same_move_is_allowed(app, anne, clock):
    await make_finalists(app, PROJECTS)
    open_voting(app, clock)
    replies = await anne.send("/calendar set voting_open 2030-05-25 09:00")
    assert "C'est fait : « Ouverture du vote » est maintenant le 25 mai 2030, 09:00." in replies.text
    assert await refusals(app) == []


async def test_the_vote_cannot_be_closed_in_the_past_nor_reopened_after_the_count(
    app, anne, john, resident_factory, clock
):
    marie = resident_factory(1006, "Marie", "fr")
    await voted(app, clock, john)
    # Closing the vote an hour ago would put John's ballot after the close.
    replies = await anne.send("/calendar set voting_close 2030-05-16 12:00")
    assert "« Clôture du vote » peut être déplacée à maintenant ou plus tard, pas dans le passé." in replies.text
    # Extending the vote while it is open is allowed.
    assert "C'est fait" in (await anne.send("/calendar set voting_close 2030-06-02 20:00")).text
    clock.set(app.campaign.calendar.results + timedelta(days=1))
    assert "<b>Résultats" in (await anne.send("/results")).text
    replies = await anne.send("/calendar set voting_close 2030-07-01 20:00")
    assert (
        "« Clôture du vote » ne peut être déplacée que pendant le vote ; il est terminé (en ce moment : résultats)"
        in replies.text
    )
    replies = await anne.send("/calendar set results 2030-07-01 20:00")
    assert "« Annonce des résultats » est passée : ce qui a eu lieu reste tel quel." in replies.text
    await verify_by_phone(marie)
    assert "Le vote a fermé le 2 juin 2030, 20:00." in (await marie.send("/vote")).text
    assert await ballot_count(app) == 1
    assert [r["why"] for r in await refusals(app)] == ["passed", "close_outside_voting", "before_now"]


async def test_no_partial_results_during_the_vote_but_the_turnout_shows(app, anne, john, clock):
    await voted(app, clock, john)
    replies = await anne.send("/results")
    assert "le décompte est montré une fois le vote clos" in replies.text
    assert "Bulletins jusqu'ici : 1." in replies.text
    assert "Bench" not in replies.text


async def test_after_the_first_tally_no_ballot_is_accepted_whatever_the_clock_says(
    app, anne, john, resident_factory, clock
):
    paul = resident_factory(1005, "Paul", "en")
    await voted(app, clock, john)
    await verify_by_phone(paul)
    await paul.send("/vote")
    await paul.press("☑️ Select")
    await paul.press("Submit my ballot (1)")
    # The committee closes the vote now and counts; Paul's confirmation comes too late.
    await anne.send("/advance")
    await anne.press("✅ Oui")
    assert "<b>Résultats" in (await anne.send("/results")).text
    replies = await paul.press("✅ Confirm my vote")
    assert "Your vote is recorded" not in replies.text
    assert await ballot_count(app) == 1
    # A file with relative dates reloaded, or a clock put back: the vote stays closed.
    open_voting(app, clock)
    assert "Voting closed on" in (await paul.send("/vote")).text
    async with app.sessionmaker() as session:
        assert not await Repositories(session).locks.admit_ballot(app.campaign.id, clock.now(), {}, {})


async def test_the_console_clock_cannot_go_back_once_ballots_exist(app, john, clock):
    await voted(app, clock, john)
    notes: list[str] = []
    assert not await jump_to_phase(app, Phase.PROPOSALS, notes.append)
    assert notes == ["refused: ballots exist, the campaign cannot go back to proposals (now voting)"]
    assert await jump_to_phase(app, Phase.COUNTING, notes.append)
    assert "phase_jump" in [r["attempt"] for r in await refusals(app)]
    assert "refused" in await audit_actions(app)


async def test_a_campaign_file_that_changes_the_ballot_refuses_to_start(app, john, clock, settings, tmp_path):
    await voted(app, clock, john)
    changed = tmp_path / "changed.toml"
    text = settings.campaign_path().read_text()
    changed.write_text(
        text.replace("max_choices = 3", "max_choices = 2").replace('rule = "greedy"', 'rule = "most-voted"')
    )
    with pytest.raises(CampaignError) as error:
        await build_app(settings.model_copy(update={"campaign_file": changed}), clock=clock, token="1:x")
    problems = "\n".join(error.value.problems)
    assert "ballot.max_choices: the campaign file says 2, but ballots were cast with 3" in problems
    assert "outcome.rule" in problems
    # The same file as before starts.
    again = await build_app(settings, clock=clock, token="1:x")
    await again.close()


# --- a decision is bound to what was shown ---------------------------------------------------


async def test_a_decision_on_a_card_the_author_changed_since_is_refused_and_the_change_shown(app, anne, john, emulator):
    number = await submit_project(john)
    await anne.send("/review")
    card = anne.last
    assert "A bench on the church square" in card.text
    # The author rewrites the project while the card sits in the committee's chat.
    await john.send("/myproposals")
    await john.press(f"Change #{number}")
    await john.press("✏️ Title")
    await john.send("Private parking for my shop")
    await john.press("✏️ Cost")
    await john.send("19900")
    assert "changes to project" in (await john.press("✅ Submit")).text
    replies = await anne.press("✅ Recevable", in_message=card)
    assert (
        emulator.callback_answers[-1]["text"]
        == "L'auteur a modifié ce projet depuis l'affichage de cette fiche : rien n'a été décidé."
    )
    text = replies.text
    assert "⚠️ L'auteur a modifié ce projet depuis l'affichage de la fiche" in text
    assert "✏️ titre — avant : A bench on the church square" in text
    assert "✏️ coût estimé — avant : 1500" in text
    assert "Private parking for my shop" in text and "19\u202f900\xa0€" in text
    assert await status_of(app, number) == "submitted"
    assert [(r["attempt"], r["why"]) for r in await refusals(app)] == [("proposal_eligible", "stale_revision")]
    # The new card decides on the new version.
    await anne.press("✅ Recevable")
    assert await status_of(app, number) == "eligible"


async def test_a_question_answered_after_the_author_changed_the_project_decides_nothing(app, anne, john):
    number = await submit_project(john)
    await anne.send("/review")
    await anne.press("✖ Non recevable")
    await john.send("/myproposals")
    await john.press(f"Change #{number}")
    await john.press("✏️ Cost")
    await john.send("900")
    await john.press("✅ Submit")
    replies = await anne.send("Too expensive.")
    assert "rien n'a été décidé" in replies.text and "✏️ coût estimé — avant : 1500" in replies.text
    assert await status_of(app, number) == "submitted"


# --- finalists frozen -----------------------------------------------------------------------


async def test_finalists_cannot_be_renamed_unticked_or_merged_once_voting_opens(app, anne, john, clock, emulator):
    bench, trees, _racks = await make_finalists(app, PROJECTS)
    open_voting(app, clock)
    await anne.send(f"/proposal {bench}")
    assert anne.last.buttons == []
    for data in (f"crev:edit:{bench}", f"cedit:{bench}:title", f"crev:merge:{bench}", f"crev:ineligible:{bench}"):
        await anne.press_data(data)
        assert (
            emulator.callback_answers[-1]["text"]
            == "Le vote est ouvert : les projets et les finalistes ne peuvent plus changer."
        )
    await anne.press_data(f"cfin:{trees}:0")
    assert (
        emulator.callback_answers[-1]["text"]
        == "Le vote est ouvert : les projets et les finalistes ne peuvent plus changer."
    )
    assert [await status_of(app, n) for n in (bench, trees)] == ["finalist", "finalist"]
    async with app.sessionmaker() as session:
        assert (await Repositories(session).proposals.get(bench, app.campaign.id)).title == "Bench"
    assert {r["why"] for r in await refusals(app)} == {"finalists_frozen"}
    assert len(await refusals(app)) == 5
