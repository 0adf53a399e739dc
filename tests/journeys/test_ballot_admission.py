"""On PostgreSQL, ballots and the seal of the vote meet on the campaign's lock row
(storage/repositories/locks.py): ballots hold it shared, so they never wait for one another;
the seal waits for every ballot holding it and then counts them; a ballot that comes during a
seal waits for it and is refused. Two transactions, as two workers would run them."""

from __future__ import annotations

import asyncio

import pytest

from campaign.freeze import ballot_settings
from storage.db import connection_of_its_own
from storage.repositories import Repositories
from storage.secrecy import seal as seal_ballot
from storage.secrecy import tracker


@pytest.fixture(autouse=True)
def postgresql(request: pytest.FixtureRequest) -> None:
    if request.config.getoption("--db") != "postgresql":
        pytest.skip("row locks between connections: SQLite has one writer at a time")


async def admit(repos: Repositories, app, clock) -> bool:
    return await repos.locks.admit_ballot(app.campaign.id, clock.now(), ballot_settings(app.campaign), {})


async def seal(repos: Repositories, app, clock) -> bool:
    return await repos.locks.seal(app.campaign.id, clock.now(), ballot_settings(app.campaign), {})


async def waiting_on_a_lock(app) -> bool:
    """Whether a connection to the test's database waits on a lock now (seen by PostgreSQL)."""
    observer = await connection_of_its_own(app.engine, "pbbot-tests-observer")
    try:
        for _ in range(200):  # the bound only turns a hang into a failure
            waiting = (
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if await observer.fetchval(waiting):
                return True
            await asyncio.sleep(0.05)
        return False
    finally:
        await observer.close()


async def cast(repos: Repositories, app, clock, telegram_id: int) -> None:
    """A ballot written in this transaction, as the confirmation writes it."""
    user = await repos.users.seen(telegram_id, "Voter", "en", clock.now())
    sealed = seal_ballot((await repos.counting.get(app.campaign.id)).public_key, app.campaign.id, (1,))
    await repos.ballots.cast(
        app.campaign.id, user_id=user.id, sealed=sealed, tracker=tracker(sealed), today=clock.now().date(), link=None
    )


async def first_ballot_made(app, clock) -> None:
    """The row exists from the first ballot on."""
    async with app.sessionmaker() as first_ballot:
        assert await admit(Repositories(first_ballot), app, clock)
        await first_ballot.commit()


async def test_two_ballots_hold_the_row_at_once(app, clock):
    await first_ballot_made(app, clock)
    async with app.sessionmaker() as one, app.sessionmaker() as other:
        assert await admit(Repositories(one), app, clock)
        # The first holds the row, uncommitted; the second is admitted without waiting for it.
        assert await asyncio.wait_for(admit(Repositories(other), app, clock), timeout=10)
        await one.commit()
        await other.commit()


async def test_the_seal_waits_for_a_ballot_holding_the_row(app, clock):
    await first_ballot_made(app, clock)
    async with app.sessionmaker() as ballot, app.sessionmaker() as tally:
        assert await admit(Repositories(ballot), app, clock)
        await cast(Repositories(ballot), app, clock, 5001)
        sealing = asyncio.create_task(seal(Repositories(tally), app, clock))
        assert await waiting_on_a_lock(app) and not sealing.done()  # waits for the ballot's commit
        await ballot.commit()
        assert await asyncio.wait_for(sealing, timeout=10)
        # What the count reads, after the seal, has the ballot.
        assert len(await Repositories(tally).ballots.sealed(app.campaign.id)) == 1
        await tally.commit()
    async with app.sessionmaker() as late:
        assert not await admit(Repositories(late), app, clock)


async def test_a_ballot_during_the_seal_waits_and_is_refused(app, clock):
    await first_ballot_made(app, clock)
    async with app.sessionmaker() as tally, app.sessionmaker() as ballot:
        assert await seal(Repositories(tally), app, clock)
        admitting = asyncio.create_task(admit(Repositories(ballot), app, clock))
        assert await waiting_on_a_lock(app) and not admitting.done()  # waits for the seal's commit
        await tally.commit()
        assert await asyncio.wait_for(admitting, timeout=10) is False
        await ballot.rollback()


async def test_before_any_ballot_a_ballot_meeting_the_seal_that_makes_the_row_is_refused(app, clock):
    async with app.sessionmaker() as tally, app.sessionmaker() as ballot:
        assert await seal(Repositories(tally), app, clock)  # makes the row, sealed, not committed
        admitting = asyncio.create_task(admit(Repositories(ballot), app, clock))
        assert await waiting_on_a_lock(app) and not admitting.done()  # finds no row, then waits to make it
        await tally.commit()
        assert await asyncio.wait_for(admitting, timeout=10) is False
        await ballot.rollback()


async def test_before_any_ballot_the_seal_waits_for_the_first_ballot_and_counts_it(app, clock):
    async with app.sessionmaker() as ballot, app.sessionmaker() as tally:
        assert await admit(Repositories(ballot), app, clock)  # makes the row, not committed
        await cast(Repositories(ballot), app, clock, 5002)
        sealing = asyncio.create_task(seal(Repositories(tally), app, clock))
        assert await waiting_on_a_lock(app) and not sealing.done()
        await ballot.commit()
        assert await asyncio.wait_for(sealing, timeout=10)
        assert len(await Repositories(tally).ballots.sealed(app.campaign.id)) == 1
        await tally.commit()
