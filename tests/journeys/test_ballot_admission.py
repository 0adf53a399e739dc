"""On PostgreSQL, ballots and the seal of the vote meet on the campaign's lock row
(storage/repositories/locks.py): ballots hold it shared, so they never wait for one another;
the seal waits for every ballot holding it and then counts them; a ballot that comes during a
seal waits for it and is refused. Two transactions, as two workers would run them."""

from __future__ import annotations

import asyncio

import pytest

from campaign.freeze import ballot_settings
from storage.repositories import Repositories

SETTLE = 0.3  # long enough for a statement that does not wait to have returned


@pytest.fixture(autouse=True)
def postgresql(request: pytest.FixtureRequest) -> None:
    if request.config.getoption("--db") != "postgresql":
        pytest.skip("row locks between connections: SQLite has one writer at a time")


async def admit(repos: Repositories, app, clock) -> bool:
    return await repos.locks.admit_ballot(app.campaign.id, clock.now(), ballot_settings(app.campaign), {})


async def seal(repos: Repositories, app, clock) -> bool:
    return await repos.locks.seal(app.campaign.id, clock.now(), ballot_settings(app.campaign), {})


async def test_two_ballots_hold_the_row_at_once(app, clock):
    async with app.sessionmaker() as first_ballot:  # the row exists from the first ballot on
        assert await admit(Repositories(first_ballot), app, clock)
        await first_ballot.commit()
    async with app.sessionmaker() as one, app.sessionmaker() as other:
        assert await admit(Repositories(one), app, clock)
        # The first holds the row, uncommitted; the second is admitted without waiting for it.
        assert await asyncio.wait_for(admit(Repositories(other), app, clock), timeout=10)
        await one.commit()
        await other.commit()


async def test_the_seal_waits_for_a_ballot_holding_the_row(app, clock):
    async with app.sessionmaker() as first_ballot:
        assert await admit(Repositories(first_ballot), app, clock)
        await first_ballot.commit()
    async with app.sessionmaker() as ballot, app.sessionmaker() as tally:
        assert await admit(Repositories(ballot), app, clock)
        sealing = asyncio.create_task(seal(Repositories(tally), app, clock))
        await asyncio.sleep(SETTLE)
        assert not sealing.done()  # waits for the ballot's commit
        await ballot.commit()
        assert await asyncio.wait_for(sealing, timeout=10)
        await tally.commit()
    async with app.sessionmaker() as late:
        assert not await admit(Repositories(late), app, clock)


async def test_a_ballot_during_the_seal_waits_and_is_refused(app, clock):
    async with app.sessionmaker() as first_ballot:
        assert await admit(Repositories(first_ballot), app, clock)
        await first_ballot.commit()
    async with app.sessionmaker() as tally, app.sessionmaker() as ballot:
        assert await seal(Repositories(tally), app, clock)
        admitting = asyncio.create_task(admit(Repositories(ballot), app, clock))
        await asyncio.sleep(SETTLE)
        assert not admitting.done()  # waits for the seal's commit
        await tally.commit()
        assert await asyncio.wait_for(admitting, timeout=10) is False
        await ballot.rollback()
