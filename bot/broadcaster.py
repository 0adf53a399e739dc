"""The broadcaster: sends queued broadcasts, one delivery row at a time, at a steady rate.

How a delivery goes (see storage.repositories.broadcasts for the rows):

    pending --claim (committed)--> sending --HTTP--> sent | unreachable | failed
                                      \\--crash--> unknown (on the next start; never resent)

- Deliveries are claimed a small batch at a time (about a quarter of a second of sending), in
  id order, and marked `sending` in a committed transaction BEFORE any HTTP call; results are
  written after. Memory stays flat whatever the audience: one batch in memory at a time.
- The rate is paced evenly (one send every 1/rate seconds, no bursts), `Settings.broadcast_rate`.
- 429 Too Many Requests: the whole worker pauses for `retry_after`, then the message is retried.
- 403 Forbidden (blocked, account deleted): the delivery is `unreachable`, and so is the
  resident (`users.unreachable`), who gets no further broadcast until they write to the bot again.
- Network and 5xx errors: retried with exponential backoff, `max_attempts` tries in all, then `failed`.
  Other API errors (400 chat not found...) fail at once.
- After a crash (kill -9), deliveries left in `sending` may or may not have reached the
  resident: they become `unknown`, are reported by `progress()`, and are never resent.

One broadcaster per database: in production it runs on the elected worker, like the scheduler.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models.base import utcnow
from storage.repositories.broadcasts import Broadcast, BroadcastRepository, PendingDelivery

log = logging.getLogger(__name__)


class Timer(Protocol):
    """Where the broadcaster reads time and sleeps: real in production, instant in tests."""

    def monotonic(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class RealTimer:
    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class Pacer:
    """One slot every 1/rate seconds, shared by every send; `pause` holds all of them.

    A sleep always overshoots a little (about a millisecond under load, as much as the
    interval at 1,000/s): slots missed by at most `catch_up` seconds are granted at once, so
    the rate holds, while over any window of T seconds at most rate * (T + catch_up) + 1 go out.
    """

    def __init__(self, rate: float, timer: Timer, catch_up: float = 0.01) -> None:
        self.interval = 1.0 / rate
        self.timer = timer
        self.catch_up = catch_up
        self._next = 0.0
        self._paused_until = 0.0

    async def slot(self) -> None:
        while True:
            now = self.timer.monotonic()
            wait = max(self._next, self._paused_until) - now
            if wait <= 0:
                break
            await self.timer.sleep(wait)
        # No credit for idle time beyond `catch_up`: after a pause or a quiet spell, no burst.
        self._next = max(self._next, now - self.catch_up) + self.interval

    def pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, self.timer.monotonic() + seconds)


@dataclass
class Stats:
    sent: int = 0
    unreachable: int = 0
    failed: int = 0
    unknown: int = 0  # found in flight after a crash
    too_many_requests: int = 0  # 429 answers honoured
    network_retries: int = 0
    broadcasts_finished: int = 0


@dataclass(frozen=True)
class _Outcome:
    status: str  # sent | unreachable | failed
    error: str | None = None


def default_batch_size(rate: float) -> int:
    """About a quarter of a second of sending: few messages in flight, few commits per second."""
    return max(1, min(200, int(rate / 4)))


class Broadcaster:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        bot: Bot,
        *,
        rate: float = 25.0,
        timer: Timer | None = None,
        batch_size: int | None = None,
        max_attempts: int = 4,
        backoff: float = 1.0,
        poll_interval: float = 5.0,
        on_batch: Callable[[list[PendingDelivery]], Awaitable[None]] | None = None,
    ) -> None:
        if rate <= 0:
            raise ValueError("the broadcast rate must be positive")
        self.sessionmaker = sessionmaker
        self.bot = bot
        self.rate = rate
        self.timer = timer or RealTimer()
        self.batch_size = batch_size or default_batch_size(rate)
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.poll_interval = poll_interval
        self.on_batch = on_batch  # a hook for tests: called once a batch is committed as `sending`
        self.pacer = Pacer(rate, self.timer)
        self.stats = Stats()
        self._recovered = False
        self._stopping = False
        self._wake = asyncio.Event()

    # -- lifecycle -----------------------------------------------------------------------

    async def recover(self) -> int:
        """Turn what a previous process left in `sending` into `unknown`; once per process."""
        async with self.sessionmaker() as session:
            count = await BroadcastRepository(session).recover_in_flight()
            await session.commit()
        self._recovered = True
        if count:
            log.warning("broadcaster: %d deliveries were in flight when the last run stopped; reported as unknown", count)
        self.stats.unknown += count
        return count

    async def run_once(self) -> Stats:
        """Send everything queued now; return the running totals."""
        if not self._recovered:
            await self.recover()
        async with self.sessionmaker() as session:
            broadcasts = await BroadcastRepository(session).active()
        for broadcast in broadcasts:
            if self._stopping:
                break
            await self._send(broadcast)
        return self.stats

    async def run_forever(self) -> None:
        """Send whatever gets queued until `stop()`; woken by `wake()` or every poll_interval."""
        while not self._stopping:
            self._wake.clear()
            try:
                await self.run_once()
            except TelegramUnauthorizedError:
                log.error("broadcaster: the bot token was refused; broadcasting stops")
                return
            except Exception:  # noqa: BLE001 - a database hiccup must not kill the worker
                log.exception("broadcaster: a round failed; trying again in %.0f s", self.poll_interval)
            if self._stopping:
                break
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_interval)
            except TimeoutError:
                pass

    def wake(self) -> None:
        """Something was queued: start sending without waiting for the next poll."""
        self._wake.set()

    def stop(self) -> None:
        """Finish the batch in flight, then return from run_forever."""
        self._stopping = True
        self._wake.set()

    # -- one broadcast -------------------------------------------------------------------

    async def _send(self, broadcast: Broadcast) -> None:
        async with self.sessionmaker() as session:
            await BroadcastRepository(session).mark_sending_broadcast(broadcast.id)
            await session.commit()
        last_id = 0
        while not self._stopping:
            async with self.sessionmaker() as session:
                batch = await BroadcastRepository(session).claim(broadcast.id, last_id, self.batch_size)
                await session.commit()
            if not batch:
                break
            last_id = batch[-1].id
            if self.on_batch is not None:
                await self.on_batch(batch)
            tasks = []
            for delivery in batch:
                await self.pacer.slot()
                tasks.append(asyncio.create_task(self._deliver(delivery, broadcast)))
            outcomes = await asyncio.gather(*tasks)
            await self._record(batch, outcomes)
        async with self.sessionmaker() as session:
            repo = BroadcastRepository(session)
            finished = await repo.finish_if_done(broadcast.id, utcnow())
            progress = await repo.progress(broadcast.id)
            await session.commit()
        if finished:
            self.stats.broadcasts_finished += 1
            log.info("broadcast %d (%s) finished: %s", broadcast.id, broadcast.key or broadcast.kind, progress)

    async def _record(self, batch: list[PendingDelivery], outcomes: list[_Outcome]) -> None:
        sent = [d.id for d, o in zip(batch, outcomes) if o.status == "sent"]
        unreachable = [(d.id, d.user_id, o.error or "") for d, o in zip(batch, outcomes) if o.status == "unreachable"]
        failed = [(d.id, o.error or "") for d, o in zip(batch, outcomes) if o.status == "failed"]
        async with self.sessionmaker() as session:
            repo = BroadcastRepository(session)
            await repo.mark_sent(sent, utcnow())
            await repo.mark_unreachable(unreachable)
            for delivery_id, error in failed:
                await repo.mark_failed(delivery_id, error)
            await session.commit()
        self.stats.sent += len(sent)
        self.stats.unreachable += len(unreachable)
        self.stats.failed += len(failed)

    async def _deliver(self, delivery: PendingDelivery, broadcast: Broadcast) -> _Outcome:
        text = broadcast.text.get(delivery.language) or next(iter(broadcast.text.values()), "")
        network_failures = 0
        while True:
            try:
                if broadcast.photo:
                    await self.bot.send_photo(delivery.chat_id, broadcast.photo, caption=text or None)
                else:
                    await self.bot.send_message(delivery.chat_id, text)
                return _Outcome("sent")
            except TelegramRetryAfter as error:
                self.stats.too_many_requests += 1
                log.info("broadcaster: 429, pausing %s s", error.retry_after)
                self.pacer.pause(error.retry_after)
                await self.pacer.slot()
            except TelegramForbiddenError as error:
                return _Outcome("unreachable", error.message)
            except TelegramUnauthorizedError:
                raise
            except (TelegramNetworkError, TelegramServerError) as error:
                network_failures += 1
                if network_failures >= self.max_attempts:
                    return _Outcome("failed", f"{type(error).__name__}: {error.message}")
                self.stats.network_retries += 1
                await self.timer.sleep(self.backoff * 2 ** (network_failures - 1))
                await self.pacer.slot()
            except TelegramAPIError as error:
                return _Outcome("failed", f"{type(error).__name__}: {error.message}")
            except Exception as error:  # noqa: BLE001 - one bad message must not stall the batch
                log.exception("broadcaster: delivery %d failed unexpectedly", delivery.id)
                return _Outcome("failed", f"{type(error).__name__}: {error}")
