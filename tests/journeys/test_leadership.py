"""With several workers on PostgreSQL, one runs the scheduler and the broadcaster."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack

import pytest

from bot.app import build_app
from bot.background import background_services


async def test_the_only_process_on_sqlite_leads(app):
    if app.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    async with background_services(app, stop_timeout=5) as (calendar, _broadcaster):
        assert calendar.scheduler.running


async def test_one_worker_leads_and_another_takes_over_when_it_stops(app, settings, clock):
    if app.engine.dialect.name != "postgresql":
        pytest.skip("the election is a PostgreSQL advisory lock")
    second = await build_app(settings, clock=clock)
    first_worker, second_worker = AsyncExitStack(), AsyncExitStack()
    try:
        first_calendar, _ = await first_worker.enter_async_context(
            background_services(app, stop_timeout=5, retry_every=0.05)
        )
        second_calendar, _ = await second_worker.enter_async_context(
            background_services(second, stop_timeout=5, retry_every=0.05)
        )
        await asyncio.sleep(0.2)
        assert first_calendar.scheduler.running
        assert not second_calendar.scheduler.running  # a follower only serves updates

        await first_worker.aclose()  # the leader stops
        for _ in range(100):
            if second_calendar.scheduler.running:
                break
            await asyncio.sleep(0.05)
        assert second_calendar.scheduler.running
    finally:
        await first_worker.aclose()
        await second_worker.aclose()
        await second.close()


async def test_a_date_moved_by_the_committee_moves_the_scheduled_announcement(app, resident_factory):
    from tests.conftest import COMMITTEE_ID

    anne = resident_factory(COMMITTEE_ID, "Anne", "en")
    async with background_services(app, stop_timeout=5) as (calendar, _broadcaster):
        before = calendar.scheduler.get_job("calendar:voting_open").next_run_time
        replies = await anne.send("/calendar set voting_open 2030-05-20 10:00")
        assert "2030" in replies.text
        moved = calendar.scheduler.get_job("calendar:voting_open").next_run_time
    assert moved != before
    assert (moved.year, moved.month, moved.day, moved.hour) == (2030, 5, 20, 10)
    assert calendar.campaign.calendar.voting_open == moved
