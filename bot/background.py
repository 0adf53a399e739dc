"""The calendar scheduler and the broadcaster, started beside a runner (polling or webhook).

    async with background_services(app):
        await app.dispatcher.start_polling(...)

Both are made available to handlers through the dispatcher (`calendar: CalendarScheduler`,
`broadcaster: Broadcaster`): the committee calls `calendar.reschedule(campaign)` after moving a
date, and `broadcaster.wake()` after queueing a broadcast.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from bot.app import App
from bot.broadcaster import Broadcaster
from bot.leader import Leadership
from campaign.schema import Campaign
from storage.repositories import Repositories
from storage.phase_gate import effective_campaign
from bot.scheduler import CalendarScheduler

log = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def background_services(
    app: App, *, stop_timeout: float = 10.0, retry_every: float = 30.0, refresh_every: float = 60.0
) -> AsyncIterator[tuple[CalendarScheduler, Broadcaster]]:
    """Start the scheduler and the broadcaster if this worker leads (see bot.leader); a
    follower checks every `retry_every` seconds whether the leader has gone, and takes over."""
    broadcaster = Broadcaster(app.sessionmaker, app.bot, rate=app.settings.broadcast_rate)
    calendar = CalendarScheduler(
        campaign=app.campaign, sessionmaker=app.sessionmaker, clock=app.clock, i18n=app.i18n, broadcaster=broadcaster
    )
    app.dispatcher["calendar"] = calendar
    app.dispatcher["broadcaster"] = broadcaster
    leadership = Leadership(app.engine)
    stopping = asyncio.Event()

    async def effective() -> Campaign:
        async with app.sessionmaker() as session:
            return await effective_campaign(Repositories(session), app.campaign)

    async def on_calendar_change(campaign: Campaign) -> None:
        if calendar.scheduler.running:
            calendar.reschedule(campaign)

    async def watch_calendar() -> None:
        # A date moved through another worker reaches the leader within `refresh_every`.
        while not stopping.is_set():
            try:
                await asyncio.wait_for(stopping.wait(), timeout=refresh_every)
                return
            except TimeoutError:
                pass
            try:
                campaign = await effective()
            except Exception:  # noqa: BLE001 - a database hiccup must not stop the watch
                log.warning("could not read the calendar changes", exc_info=True)
                continue
            if campaign.calendar != calendar.campaign.calendar:
                calendar.reschedule(campaign)

    async def take_the_lead() -> None:
        # Only the leader may turn "sending" into "unknown": a follower would do it to the
        # leader's messages in flight.
        await broadcaster.recover()
        calendar.campaign = await effective()
        await calendar.start()
        watchers.append(asyncio.create_task(watch_calendar(), name="calendar-watch"))

    async def follow() -> None:
        while not await leadership.try_acquire():
            try:
                await asyncio.wait_for(stopping.wait(), timeout=retry_every)
                return
            except TimeoutError:
                continue
        log.info("this worker now runs the scheduler and the broadcaster")
        await take_the_lead()
        await broadcaster.run_forever()

    app.dispatcher["on_calendar_change"] = on_calendar_change
    watchers: list[asyncio.Task] = []
    if await leadership.try_acquire():
        await take_the_lead()
        task = asyncio.create_task(broadcaster.run_forever(), name="broadcaster")
    else:
        log.info("another worker runs the scheduler and the broadcaster; this one serves updates")
        task = asyncio.create_task(follow(), name="leadership")
    try:
        yield calendar, broadcaster
    finally:
        stopping.set()
        await asyncio.gather(*watchers, return_exceptions=True)
        await calendar.aclose()
        broadcaster.stop()
        try:
            # The batch in flight finishes and is recorded; past the timeout it is cut short,
            # and its deliveries are reported as unknown on the next start.
            await asyncio.wait_for(task, timeout=stop_timeout)
        except TimeoutError:
            log.warning("broadcaster: did not stop within %.0f s; cancelled", stop_timeout)
        finally:
            await leadership.release()
