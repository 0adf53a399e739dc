"""The calendar runs the campaign: an APScheduler job per coming announcement or reminder.

At start, `start()`:
  1. queues what is due now (`run_due`): the latest phase boundary that passed, if it was never
     announced (the bot was down then: announced once, late), and reminders whose moment passed
     less than `grace` ago; older reminders are recorded as dropped, never sent late;
  2. adds one `DateTrigger` job per announcement or reminder still ahead, id
     `calendar:<key>` (`calendar:voting_open`, `calendar:reminder:vote-soon`), each calling
     `run_due` when it fires.
Jobs live in memory (APScheduler 3 cannot share a job store between processes); the database is
the truth: every queued announcement is a `broadcasts` row with a unique (campaign, key), so no
restart, second worker or duplicate job can queue it twice.

`reschedule(campaign)` rebuilds the jobs after the committee moves a date, and checks at once
whether the change made something due. Nothing here sends: `run_due` queues broadcasts and wakes
the broadcaster.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from decimal import Decimal

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.announcements import Project, render
from bot.broadcaster import Broadcaster
from bot.i18n import PoCatalogs
from campaign.announcements import REMINDER_GRACE, announcement_plan, due, upcoming
from campaign.clock import Clock
from campaign.schema import Campaign
from campaign.standing import standing
from storage.repositories.broadcasts import Broadcast, BroadcastRepository
from storage.repositories.statistics import StatisticsRepository

log = logging.getLogger(__name__)

JOB_PREFIX = "calendar:"
CATCH_UP_JOB = "calendar-catch-up"


class CalendarScheduler:
    def __init__(
        self,
        *,
        campaign: Campaign,
        sessionmaker: async_sessionmaker[AsyncSession],
        clock: Clock,
        i18n: PoCatalogs,
        broadcaster: Broadcaster | None = None,
        scheduler: AsyncIOScheduler | None = None,
        grace: timedelta = REMINDER_GRACE,
    ) -> None:
        self.campaign = campaign
        self.sessionmaker = sessionmaker
        self.clock = clock
        self.i18n = i18n
        self.broadcaster = broadcaster
        self.scheduler = scheduler or AsyncIOScheduler(timezone=campaign.zone)
        self.grace = grace
        self._firing: set[asyncio.Task] = set()

    async def start(self) -> None:
        await self.run_due()
        self.reschedule(catch_up=False)
        if not self.scheduler.running:
            self.scheduler.start()

    def shutdown(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    async def aclose(self) -> None:
        """Stop the jobs and wait for one already firing (it holds a database session)."""
        self.shutdown()
        # AsyncIOScheduler shuts down on the loop's next turn (cancelling the job firing then):
        # once this returns it is stopped, and `start()` may start it again (a worker leads again).
        await asyncio.sleep(0)
        if self._firing:
            await asyncio.gather(*self._firing, return_exceptions=True)

    async def _fire(self) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._firing.add(task)
        try:
            await self.run_due()
        except Exception:  # noqa: BLE001 - logged; the next job or restart tries again
            log.exception("calendar: checking what is due failed")
        finally:
            self._firing.discard(task)  # type: ignore[arg-type]

    def reschedule(self, campaign: Campaign | None = None, *, catch_up: bool = True) -> list[str]:
        """Rebuild the jobs from the campaign (a new one if the committee changed it); their ids."""
        if campaign is not None:
            self.campaign = campaign
        for job in self.scheduler.get_jobs():
            if job.id.startswith(JOB_PREFIX) or job.id == CATCH_UP_JOB:
                job.remove()
        ids = []
        for item in upcoming(announcement_plan(self.campaign), self.clock.now()):
            job_id = JOB_PREFIX + item.key
            self.scheduler.add_job(
                self._fire,
                trigger=DateTrigger(run_date=item.at),
                id=job_id,
                name=f"{item.kind} {item.key}",
                replace_existing=True,
                misfire_grace_time=None,  # late is checked by `due`, not by APScheduler
                coalesce=True,
            )
            ids.append(job_id)
        if catch_up:
            # A date moved into the past is due now: check once, as soon as the loop runs.
            self.scheduler.add_job(self._fire, id=CATCH_UP_JOB, replace_existing=True, misfire_grace_time=None)
        log.info("calendar: %d job(s) scheduled: %s", len(ids), ", ".join(ids) or "none")
        return ids

    def job_ids(self) -> list[str]:
        return sorted(job.id for job in self.scheduler.get_jobs() if job.id.startswith(JOB_PREFIX))

    async def run_due(self) -> list[Broadcast]:
        """Queue what is due at the clock's now, record dropped reminders; the broadcasts queued."""
        campaign = self.campaign
        now = self.clock.now()
        plan = announcement_plan(campaign)
        queued: list[Broadcast] = []
        async with self.sessionmaker() as session:
            repo = BroadcastRepository(session)
            todo = due(plan, now, await repo.keys(campaign.id), self.grace)
            for item in todo.drop:
                if await repo.record_dropped(
                    campaign.id, kind=item.kind, key=item.key, audience=item.audience, now=now
                ):
                    log.warning(
                        "calendar: %s was due at %s, more than %s ago: dropped, not sent late",
                        item.key,
                        item.at.isoformat(),
                        self.grace,
                    )
            for item in todo.send:
                finalists = [Project(t, Decimal(c)) for t, c in await repo.projects(campaign.id, "finalist")]
                winners = [Project(t, Decimal(c)) for t, c in await repo.projects(campaign.id, "winner")]
                published = await StatisticsRepository(session).publication(campaign.id) is not None
                where = standing(campaign.calendar, now, published=published)
                texts = render(item, campaign, self.i18n, finalists=finalists, winners=winners, where=where)
                broadcast = await repo.queue(
                    campaign.id, kind=item.kind, audience=item.audience, text=texts, now=now, key=item.key
                )
                if broadcast is not None:
                    queued.append(broadcast)
                    late = now - item.at
                    log.info(
                        "calendar: queued %s for %d resident(s)%s",
                        item.key,
                        broadcast.recipients,
                        f" ({late} late)" if late > self.grace else "",
                    )
            await session.commit()
        if queued and self.broadcaster is not None:
            self.broadcaster.wake()
        return queued
