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
from bot.scheduler import CalendarScheduler

log = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def background_services(app: App, *, stop_timeout: float = 10.0) -> AsyncIterator[tuple[CalendarScheduler, Broadcaster]]:
    broadcaster = Broadcaster(app.sessionmaker, app.bot, rate=app.settings.broadcast_rate)
    calendar = CalendarScheduler(
        campaign=app.campaign, sessionmaker=app.sessionmaker, clock=app.clock, i18n=app.i18n, broadcaster=broadcaster
    )
    app.dispatcher["calendar"] = calendar
    app.dispatcher["broadcaster"] = broadcaster
    await broadcaster.recover()
    await calendar.start()
    task = asyncio.create_task(broadcaster.run_forever(), name="broadcaster")
    try:
        yield calendar, broadcaster
    finally:
        await calendar.aclose()
        broadcaster.stop()
        try:
            # The batch in flight finishes and is recorded; past the timeout it is cut short,
            # and its deliveries are reported as unknown on the next start.
            await asyncio.wait_for(task, timeout=stop_timeout)
        except TimeoutError:
            log.warning("broadcaster: did not stop within %.0f s; cancelled", stop_timeout)
