"""The calendar scheduler and the broadcaster of `pbbot run`, inside `pbbot console`
(whose sandbox settings are bot.console_options).

`InProcessServices` is driven after each line typed rather than by timers, so that what a line
causes (an `/advance`, a `:phase`, a `/broadcast`) is announced before the next prompt, in order.
"""

from __future__ import annotations

from bot.app import App
from bot.broadcaster import Broadcaster
from bot.scheduler import CalendarScheduler
from campaign.schema import Campaign
from storage.phase_gate import effective_campaign
from storage.repositories import Repositories


class InProcessServices:
    """The scheduler and the broadcaster of `pbbot run`, stepped by the console after each line."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.broadcaster = Broadcaster(app.sessionmaker, app.bot, rate=app.settings.broadcast_rate)
        self.calendar = CalendarScheduler(
            campaign=app.campaign,
            sessionmaker=app.sessionmaker,
            clock=app.clock,
            i18n=app.i18n,
            broadcaster=self.broadcaster,
        )
        app.dispatcher["calendar"] = self.calendar
        app.dispatcher["broadcaster"] = self.broadcaster
        app.dispatcher["on_calendar_change"] = self._calendar_changed

    async def _calendar_changed(self, campaign: Campaign) -> None:
        self.calendar.campaign = campaign  # announced at the next settle()

    async def start(self) -> None:
        await self.broadcaster.recover()
        await self.settle()

    async def settle(self) -> None:
        """Queue what the calendar says is due at the console's clock, then send everything queued."""
        # The calendar as the committee and the votes left it (what `pbbot run` re-reads every minute).
        async with self.app.sessionmaker() as session:
            self.calendar.campaign = await effective_campaign(Repositories(session), self.app.campaign)
        await self.calendar.run_due()
        await self.broadcaster.run_once()

    def close(self) -> None:
        self.calendar.shutdown()
