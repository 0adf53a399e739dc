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
    app: App,
    *,
    stop_timeout: float = 10.0,
    retry_every: float = 30.0,
    refresh_every: float = 60.0,
    check_every: float = 5.0,
    check_timeout: float = 5.0,
) -> AsyncIterator[tuple[CalendarScheduler, Broadcaster]]:
    """Start the scheduler and the broadcaster if this worker leads (see bot.leader); a
    follower checks every `retry_every` seconds whether the leader has gone, and takes over.
    The leader asks every `check_every` seconds whether it still holds the lock, and the
    broadcaster before each batch; once it does not (or has no answer within `check_timeout`),
    it stops both and becomes a follower."""
    leadership = Leadership(app.engine, check_timeout=check_timeout)
    broadcaster = Broadcaster(app.sessionmaker, app.bot, rate=app.settings.broadcast_rate, fence=leadership.still_held)
    calendar = CalendarScheduler(
        campaign=app.campaign, sessionmaker=app.sessionmaker, clock=app.clock, i18n=app.i18n, broadcaster=broadcaster
    )
    app.dispatcher["calendar"] = calendar
    app.dispatcher["broadcaster"] = broadcaster
    stopping = asyncio.Event()
    work: list[asyncio.Task] = []  # while this worker leads: the broadcaster, the calendar's watch

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
        broadcaster.resume()
        work.append(asyncio.create_task(broadcaster.run_forever(), name="broadcaster"))
        work.append(asyncio.create_task(watch_calendar(), name="calendar-watch"))

    async def stand_down() -> None:
        # The batch in flight finishes and is recorded (it was claimed while this worker led;
        # after a lost lead the broadcaster's fence claims nothing more); past the timeout it
        # is cut short, and its deliveries are reported as unknown on the next start.
        await calendar.aclose()
        broadcaster.stop()
        running, work[:] = list(work), []
        for task in running:
            if task.get_name() != "broadcaster":
                task.cancel()
        try:
            await asyncio.wait_for(asyncio.gather(*running, return_exceptions=True), timeout=stop_timeout)
        except TimeoutError:
            log.warning("broadcaster: did not stop within %.0f s; cancelled", stop_timeout)

    async def held_until_lost() -> bool:
        """True once the lock is lost, False once stopping."""
        while not stopping.is_set():
            await _first_of(stopping, leadership.lost, timeout=check_every)
            if stopping.is_set():
                return False
            if not await leadership.still_held():
                return True
        return False

    async def acquire() -> bool:
        """Following: try now and then, on a fresh connection, until this worker leads (True)
        or stops (False)."""
        while not stopping.is_set():
            try:
                if await leadership.try_acquire():
                    return True
            except Exception:  # noqa: BLE001 - PostgreSQL restarting: try again later
                log.warning("could not ask for the lead", exc_info=True)
            await _first_of(stopping, timeout=retry_every)
        return False

    async def lead() -> None:
        while True:
            if work:
                if not await held_until_lost():
                    return
                log.warning("this worker lost the lead; it stops the scheduler and the broadcaster")
                await stand_down()
                # The others try first: this worker may be the one whose network is failing.
                await _first_of(stopping, timeout=retry_every)
            if not await acquire():
                return
            log.info("this worker now runs the scheduler and the broadcaster")
            try:
                await take_the_lead()
            except Exception:  # noqa: BLE001 - let another worker (or this one, later) lead
                log.exception("could not start the scheduler and the broadcaster; giving the lead up")
                await stand_down()
                await leadership.release()
                await _first_of(stopping, timeout=retry_every)

    app.dispatcher["on_calendar_change"] = on_calendar_change
    if await leadership.try_acquire():
        try:
            await take_the_lead()
        except BaseException:
            await stand_down()
            await leadership.release()
            raise
    else:
        log.info("another worker runs the scheduler and the broadcaster; this one serves updates")
    supervisor = asyncio.create_task(lead(), name="leadership")
    try:
        yield calendar, broadcaster
    finally:
        stopping.set()
        try:
            await supervisor
        except Exception:  # noqa: BLE001 - logged; the lead is given up below all the same
            log.exception("the leadership task failed")
        finally:
            try:
                if work:
                    await stand_down()
            finally:
                await leadership.release()


async def _first_of(*events: asyncio.Event, timeout: float) -> None:
    """Return once one of the events is set, or after `timeout` seconds."""
    waits = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for wait in waits:
            wait.cancel()
