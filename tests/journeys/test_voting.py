"""Voting journeys: each ballot type, confirmation, /myvote, changes, refusals, and a race."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path

import pytest

from campaign.proposal import ProposalStatus
from storage.secrecy import tracker
from campaign.verification import keyed_hash
from tests.journeys.voting_helpers import (
    ballot_count,
    ballots,
    make_finalists,
    opened_choices,
    open_voting,
    phone_of,
    verify_by_phone,
)

CAMPAIGNS = Path(__file__).resolve().parents[1] / "campaigns"
PROJECTS = [("Bench on the square", 1500), ("Trees along the river", 8000), ("Bike racks", 3000), ("Playground", 12000)]


def alert(emulator) -> str:
    return emulator.callback_answers[-1]["text"] or ""


# --- approval ballot, changeable (tests/campaigns/town.toml) --------------------------------


async def test_outside_the_voting_phase_vote_says_when(app, john, clock):
    await make_finalists(app, PROJECTS)
    replies = await john.send("/vote")
    assert "Voting is not open yet" in replies.text and "16 May 2030" in replies.text
    clock.set(app.campaign.calendar.voting_close + timedelta(hours=1))
    replies = await john.send("/vote")
    assert "Voting closed on" in replies.text and "results will be published on 10 June 2030" in replies.text
    assert await ballot_count(app) == 0


async def test_one_finalist_is_counted_in_the_singular_in_both_languages(app, john, marie, clock):
    await make_finalists(app, PROJECTS[:1])
    open_voting(app, clock)
    await verify_by_phone(john)
    await verify_by_phone(marie)
    replies = await john.send("/vote")
    assert "🗳 1 project is on the ballot." in replies.text
    replies = await marie.send("/vote")
    assert "🗳 1 projet est soumis au vote." in replies.text


async def test_an_unverified_resident_verifies_then_votes_approval(app, john, clock, emulator):
    ids = await make_finalists(app, PROJECTS)
    open_voting(app, clock)
    replies = await john.send("/start")
    assert "🗳 Vote" in replies[-1].button_labels()
    replies = await john.press("🗳 Vote")
    assert "Share my phone number" in replies.text
    replies = await john.press("📱 Share my phone number", phone=phone_of(john))
    assert "verified resident" in replies.text
    assert "4 projects are on the ballot" in replies.text
    assert "1 / 4" in replies.text and "Bench on the square" in replies.text

    await john.press("☑️ Select")
    replies = await john.press("▶️")
    assert "2 / 4" in replies.text and "Selected: 1 of at most 3" in replies.text
    await john.press("☑️ Select")
    replies = await john.press("📄 Details")
    assert "A longer description" in replies.text
    replies = await john.press("Submit my ballot (2)")
    assert "exactly what will be recorded" in replies.text
    assert "Bench on the square" in replies.text and "Trees along the river" in replies.text
    assert await ballot_count(app) == 0, "nothing is recorded before the confirmation"

    replies = await john.press("✅ Confirm my vote")
    assert "Your vote is recorded" in replies.text
    assert "Bench on the square" in replies.text and "Trees along the river" in replies.text
    stored = await ballots(app)
    assert len(stored) == 1 and await opened_choices(app) == [tuple(ids[:2])]
    # Sealed: the choices are not in the row; the changeable campaign's link is a keyed hash.
    # (Whole phrases of the plain text: a two-byte one such as b"1," turns up in random
    # ciphertext about once in 400 ballots.)
    plain_choices = json.dumps({"choices": sorted(ids[:2])}, separators=(",", ":"))[1:-1].encode()
    assert b'"choices"' not in stored[0].sealed and plain_choices not in stored[0].sealed
    assert app.campaign.id.encode() not in stored[0].sealed
    assert stored[0].link == keyed_hash(
        b"test-secret-key-not-for-production", "ballot-link", f"{app.campaign.id}:{john.user_id}"
    )
    assert str(john.user_id) not in stored[0].link
    # The tracker given is the ciphertext's.
    assert "Your tracker" in replies.text and tracker(stored[0].sealed) in replies.text
    assert stored[0].tracker == tracker(stored[0].sealed)

    replies = await john.send("/myvote")
    assert "You have voted" in replies.text and "confirmation message" in replies.text
    assert "✏️ Change my vote" in replies[-1].button_labels()


async def test_approval_refuses_more_than_k_and_an_empty_ballot(app, john, clock, emulator):
    await make_finalists(app, PROJECTS)
    open_voting(app, clock)
    await verify_by_phone(john)
    await john.send("/vote")
    replies = await john.press("Submit my ballot (0)")
    assert "empty" in alert(emulator) and replies.text == ""
    for _ in range(3):
        await john.press("☑️ Select")
        await john.press("▶️")
    await john.press("☑️ Select")
    assert "at most 3" in alert(emulator)
    replies = await john.press("Submit my ballot (3)")
    assert "exactly what will be recorded" in replies.text


async def test_a_vote_is_changed_while_voting_is_open(app, john, clock, emulator):
    ids = await make_finalists(app, PROJECTS)
    open_voting(app, clock)
    await verify_by_phone(john)
    await john.send("/vote")
    await john.press("☑️ Select")
    await john.press("Submit my ballot (1)")
    await john.press("✅ Confirm my vote")

    replies = await john.send("/myvote")
    replies = await john.press("✏️ Change my vote")
    assert "You have already voted; you can change your vote" in replies.text
    # The sealed ballot cannot be read back: the new ballot starts empty.
    assert "Selected: 0 of at most 3" in replies.text
    await john.press("▶️")
    await john.press("▶️")
    await john.press("☑️ Select")
    replies = await john.press("Submit my ballot (1)")
    assert "It replaces your previous vote" in replies.text and "Bike racks" in replies.text
    replies = await john.press("✅ Confirm my vote")
    assert "Your vote is changed" in replies.text and "Bike racks" in replies.text
    stored = await ballots(app)
    assert len(stored) == 1 and await opened_choices(app) == [(ids[2],)]
    assert stored[0].tracker in replies.text

    clock.set(app.campaign.calendar.voting_close + timedelta(minutes=1))
    replies = await john.press_data("vnav:0")
    assert "Voting closed" in alert(emulator)
    replies = await john.send("/myvote")
    assert "You have voted" in replies.text and "Change my vote" not in " ".join(replies[-1].button_labels())


async def test_crafted_callbacks_never_reach_the_ballot(app, john, resident_factory, clock, emulator):
    ids = await make_finalists(app, PROJECTS)
    (submitted,) = await make_finalists(app, [("Not a finalist", 500)], status=ProposalStatus.SUBMITTED)
    open_voting(app, clock)
    await verify_by_phone(john)
    await john.send("/vote")
    await john.press_data(f"vpick:{submitted}")
    assert alert(emulator) == "This project is not on the ballot."
    await john.press_data("vpick:99999")
    assert alert(emulator) == "This project is not on the ballot."
    await john.press_data("vok:0123456789abcdef")
    assert "out of date" in alert(emulator)
    await john.press_data("vpick:not-a-number")  # malformed: the fallback answers
    assert await ballot_count(app) == 0

    # An unverified resident's crafted confirmation is refused too.
    eve = resident_factory(1666, "Eve", "en")
    await eve.press_data(f"vpick:{ids[0]}")
    assert "verify first" in alert(emulator)
    assert await ballot_count(app) == 0

    # Before voting opens, a stale card's button does nothing.
    clock.set(app.campaign.calendar.voting_open - timedelta(days=1))
    await john.press_data(f"vpick:{ids[0]}")
    assert "not open yet" in alert(emulator)
    assert await ballot_count(app) == 0


async def test_french_resident_sees_french(app, marie, clock):
    await make_finalists(app, PROJECTS)
    open_voting(app, clock)
    await verify_by_phone(marie)
    replies = await marie.send("/vote")
    assert "projets sont soumis au vote" in replies.text
    await marie.press("☑️ Sélectionner")
    await marie.press("Envoyer mon bulletin (1)")
    replies = await marie.press("✅ Confirmer mon vote")
    assert "Votre vote est enregistré" in replies.text


async def test_fifty_residents_confirm_twice_at_once_fifty_ballots(app, resident_factory, clock, emulator):
    await make_finalists(app, PROJECTS)
    open_voting(app, clock)
    residents = [resident_factory(5000 + n, f"Voter{n}", "en") for n in range(50)]

    async def prepare(resident):
        await verify_by_phone(resident)
        await resident.send("/vote")
        await resident.press("☑️ Select")
        replies = await resident.press("Submit my ballot (1)")
        return replies[-1]

    confirmations = await asyncio.gather(*(prepare(r) for r in residents))
    data = [m.button("✅ Confirm my vote")["callback_data"] for m in confirmations]
    await asyncio.gather(
        *(r.press_data(d, message_id=m.message_id) for r, d, m in zip(residents, data, confirmations) for _ in range(2))
    )
    assert await ballot_count(app) == 50
    assert len({b.link for b in await ballots(app)}) == 50 and len({b.tracker for b in await ballots(app)}) == 50


# --- single ballot, not changeable ----------------------------------------------------------


class TestSingleBallot:
    @pytest.fixture
    def campaign_file(self) -> Path:
        return CAMPAIGNS / "single.toml"

    async def test_one_favourite_then_already_voted(self, app, john, clock, emulator):
        ids = await make_finalists(app, PROJECTS)
        open_voting(app, clock)
        await verify_by_phone(john)
        replies = await john.send("/vote")
        assert "Vote for this project" in replies.text + " ".join(replies[-1].button_labels())
        await john.press("▶️")
        replies = await john.press("🗳 Vote for this project")
        assert "Trees along the river" in replies.text and "exactly what will be recorded" in replies.text
        confirmation = replies[-1]
        replies = await john.press("✅ Confirm my vote")
        assert "Your vote is recorded" in replies.text
        # A double tap (the same button again) is answered without a second ballot.
        await john.press("✅ Confirm my vote", in_message=confirmation)
        assert "already recorded" in alert(emulator)

        replies = await john.send("/vote")
        assert "already voted" in replies.text and "cannot be changed" in replies.text
        await john.press_data(f"vpick:{ids[0]}")
        assert "cannot be changed" in alert(emulator)
        stored = await ballots(app)
        assert len(stored) == 1 and await opened_choices(app) == [(ids[1],)]
        assert stored[0].link is None, "votes cannot change: nothing links the ballot to its voter"

    async def test_a_race_without_changes_still_one_ballot(self, app, resident_factory, clock):
        await make_finalists(app, PROJECTS)
        open_voting(app, clock)
        residents = [resident_factory(6000 + n, f"Voter{n}", "en") for n in range(10)]

        async def prepare(resident):
            await verify_by_phone(resident)
            await resident.send("/vote")
            return (await resident.press("🗳 Vote for this project"))[-1]

        confirmations = await asyncio.gather(*(prepare(r) for r in residents))
        await asyncio.gather(
            *(
                r.press_data(m.button("✅ Confirm my vote")["callback_data"], message_id=m.message_id)
                for r, m in zip(residents, confirmations)
                for _ in range(2)
            )
        )
        assert await ballot_count(app) == 10


# --- knapsack ballot ----------------------------------------------------------------------------


class TestKnapsackBallot:
    @pytest.fixture
    def campaign_file(self) -> Path:
        return CAMPAIGNS / "knapsack.toml"

    async def test_running_total_and_envelope(self, app, john, clock, emulator):
        await make_finalists(app, PROJECTS)  # 1500 + 8000 + 3000 + 12000 > 20000
        open_voting(app, clock)
        await verify_by_phone(john)
        await john.send("/vote")
        for _ in range(4):
            replies = await john.press("☑️ Select")
            await john.press("▶️")
        assert "over the budget" in replies.text
        await john.press("Submit my ballot (4)")
        assert "more than the budget" in alert(emulator)
        assert await ballot_count(app) == 0
        await john.press("◀️")  # back from the first card to the last: the playground
        replies = await john.press("✅ Selected")
        assert "4 / 4" in replies.text and "Selected: €12,500 of €20,000" in replies.text
        replies = await john.press("Submit my ballot (3)")
        assert "Total:" in replies.text
        replies = await john.press("✅ Confirm my vote")
        assert "Your vote is recorded" in replies.text
        stored = await ballots(app)
        assert len(stored) == 1 and len((await opened_choices(app))[0]) == 3


async def test_two_transactions_casting_at_once_make_one_ballot(app, clock):
    """The vote receipt's primary key, not a prior check, decides between two concurrent casts."""
    from storage.secrecy import seal
    from storage.repositories import Repositories

    async with app.sessionmaker() as session:
        user = await Repositories(session).users.seen(4242, "Racer", "en", clock.now())
        await session.commit()

    async def cast(choices):
        async with app.sessionmaker() as session:
            repos = Repositories(session)
            sealed = seal((await repos.counting.get(app.campaign.id)).public_key, app.campaign.id, choices)
            outcome = await repos.ballots.cast(
                app.campaign.id,
                user_id=user.id,
                sealed=sealed,
                tracker=tracker(sealed),
                today=clock.now().date(),
                link=None,
            )
            await session.commit()
            return outcome

    outcomes = await asyncio.gather(cast((1,)), cast((2,)))
    assert sorted(outcomes) == ["already_voted", "recorded"]
    assert await ballot_count(app) == 1


async def test_the_ballots_of_a_day_are_counted_across_its_rows(app, clock):
    """First ballots bump one of their day's rows at random (no two wait on one row); the
    day's figure is the sum."""
    from sqlalchemy import func, select

    from storage.models.secrecy import BallotDayRow
    from storage.repositories import Repositories
    from storage.secrecy import seal

    day = clock.now().date()
    async with app.sessionmaker() as session:
        repos = Repositories(session)
        public_key = (await repos.counting.get(app.campaign.id)).public_key
        for number in range(43):
            user = await repos.users.seen(8000 + number, "Voter", "en", clock.now())
            sealed = seal(public_key, app.campaign.id, (1,))
            today = day if number < 40 else day + timedelta(days=1)
            await repos.ballots.cast(
                app.campaign.id, user_id=user.id, sealed=sealed, tracker=tracker(sealed), today=today, link=None
            )
        await session.commit()
        assert await repos.ballots.per_day(app.campaign.id) == [(day, 40), (day + timedelta(days=1), 3)]
        rows = await session.scalar(select(func.count()).select_from(BallotDayRow).where(BallotDayRow.day == day))
    assert rows > 1  # 40 ballots in one of 16 rows each: all in one row once in 16**39
