"""The broadcaster: sends queued broadcasts, one delivery row at a time, at a steady rate.

How a delivery goes (see storage.repositories.broadcasts for the rows):

    pending --claim (committed)--> sending --HTTP--> sent | unreachable | failed
                                      \\--crash--> unknown (on the next start; never resent)

- Deliveries are claimed a small batch at a time (about a quarter of a second of sending), in
  id order, and marked `sending` in a committed transaction BEFORE any HTTP call; results are
  written after. Memory stays flat whatever the audience: at most two batches in memory.
  The batches are pipelined so that the pace never stops between them: while one is being
  sent, the previous one's results are recorded and, during its last quarter, the next one is
  claimed (so after a crash up to a quarter of a batch more may be `unknown` unsent).
- The rate is paced evenly (one send every 1/rate seconds, no bursts), `Settings.broadcast_rate`,
  and never more than `rate` sends within one second, counted from the replies (see Pacer).
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
from collections import deque
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


class _Send:
    """One slot granted by the pacer: when, and (once answered) when the reply came back."""

    __slots__ = ("answered", "answered_at", "granted_at")

    def __init__(self, granted_at: float) -> None:
        self.granted_at = granted_at
        self.answered_at: float | None = None
        self.answered = asyncio.Event()


class Pacer:
    """One slot every 1/rate seconds, shared by every send; `pause` holds all of them.

    A sleep always overshoots a little (about a millisecond under load, as much as the
    interval at 1,000/s): slots missed by at most `catch_up` seconds are granted at once, so
    the rate holds.

    On top of that even pace, a sliding window: at most `rate` sends in any `window` (one
    second), counted the way the Bot API counts them, on arrival. Each slot is handed back with
    `done()` once its reply (or error) is in, and the send `rate` places back must have been
    answered at least `window` seconds ago before a new one goes out. A request arrives between
    its slot and its reply, so whatever the network jitter or the catch-up, no more than `rate`
    can arrive within one window: no 429 from our own pace. With a virtual timer (tests),
    replies take no time: the window then counts from the slot.
    """

    def __init__(self, rate: float, timer: Timer, catch_up: float = 0.01, window: float = 1.0) -> None:
        self.interval = 1.0 / rate
        self.timer = timer
        self.catch_up = catch_up
        self.window = window
        self.limit = max(1, int(rate * window))
        self._replies_take_time = isinstance(timer, RealTimer)
        self._sends: deque[_Send] = deque()  # the last `limit` slots, oldest first
        self._next = 0.0
        self._paused_until = 0.0

    async def slot(self) -> _Send:
        while True:
            now = self.timer.monotonic()
            wait = max(self._next, self._paused_until) - now
            if wait > 0:
                await self.timer.sleep(wait)
                continue
            if len(self._sends) >= self.limit:
                oldest = self._sends[0]
                if oldest.answered_at is None:
                    await oldest.answered.wait()
                    continue
                wait = oldest.answered_at + self.window - now
                if wait > 0:
                    await self.timer.sleep(wait)
                    continue
                self._sends.popleft()
                continue
            break
        # No credit for idle time beyond `catch_up`: after a pause or a quiet spell, no burst.
        self._next = max(self._next, now - self.catch_up) + self.interval
        send = _Send(now)
        self._sends.append(send)
        return send

    def done(self, send: _Send) -> None:
        """The reply to this slot's request is in (whatever it said)."""
        if send.answered_at is None:
            send.answered_at = self.timer.monotonic() if self._replies_take_time else send.granted_at
            send.answered.set()

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
        fence: Callable[[], Awaitable[bool]] | None = None,
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
        # Asked before each batch is claimed: False (this worker no longer leads, bot.leader) stops
        # the broadcaster; what it claimed before is sent and recorded, nothing more is claimed.
        self.fence = fence
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
            log.warning(
                "broadcaster: %d deliveries were in flight when the last run stopped; reported as unknown", count
            )
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

    def resume(self) -> None:
        """After stop(): run_forever may run again (this worker leads again)."""
        self._stopping = False

    # -- one broadcast -------------------------------------------------------------------

    async def _send(self, broadcast: Broadcast) -> None:
        async with self.sessionmaker() as session:
            await BroadcastRepository(session).mark_sending_broadcast(broadcast.id)
            await session.commit()
        # A pipeline, so that the pace never stops between batches: while a batch is being
        # sent, the previous one's results are recorded and, near its end, the next batch is
        # claimed (committed as `sending`, before any of its HTTP calls). The database work
        # runs one step at a time, in order: record N-1, then claim N+1.
        previous: tuple[list[PendingDelivery], list[asyncio.Task[_Outcome]]] | None = None
        database: asyncio.Task | None = None
        batch = [] if self._stopping else await self._claim(broadcast.id, 0)
        try:
            while batch:
                last_id = batch[-1].id
                if self.on_batch is not None:
                    await self.on_batch(batch)
                recording = asyncio.create_task(self._record_when_answered(previous, database))
                database = recording
                claim_at = max(0, len(batch) - max(1, len(batch) // 4))  # the last quarter of the batch
                claiming: asyncio.Task | None = None
                tasks: list[asyncio.Task[_Outcome]] = []
                for index, delivery in enumerate(batch):
                    if index == claim_at and not self._stopping:
                        claiming = asyncio.create_task(self._claim(broadcast.id, last_id, after=recording))
                        database = claiming
                    send = await self.pacer.slot()
                    tasks.append(asyncio.create_task(self._deliver(delivery, broadcast, send)))
                previous = (batch, tasks)
                # Stopping: the batch claimed already is sent all the same (it is `sending`).
                batch = await claiming if claiming is not None else []
            await self._record_when_answered(previous, database)
            previous = database = None
        finally:
            if previous is not None or database is not None:  # an error: leave nothing running
                leftovers = [*(previous[1] if previous else []), *([database] if database else [])]
                await asyncio.gather(*leftovers, return_exceptions=True)
        async with self.sessionmaker() as session:
            repo = BroadcastRepository(session)
            finished = await repo.finish_if_done(broadcast.id, utcnow())
            progress = await repo.progress(broadcast.id)
            await session.commit()
        if finished:
            self.stats.broadcasts_finished += 1
            log.info("broadcast %d (%s) finished: %s", broadcast.id, broadcast.key or broadcast.kind, progress)

    async def _claim(
        self, broadcast_id: int, after_id: int, after: asyncio.Task | None = None
    ) -> list[PendingDelivery]:
        if after is not None:
            await after  # one database step at a time, in order
        if self.fence is not None and not await self.fence():
            log.warning("broadcaster: this worker does not lead any more; it claims no more deliveries")
            self.stop()
            return []
        async with self.sessionmaker() as session:
            batch = await BroadcastRepository(session).claim(broadcast_id, after_id, self.batch_size)
            await session.commit()
        return batch

    async def _record_when_answered(
        self,
        sent: tuple[list[PendingDelivery], list[asyncio.Task[_Outcome]]] | None,
        after: asyncio.Task | None,
    ) -> None:
        if after is not None:
            await after
        if sent is not None:
            batch, tasks = sent
            await self._record(batch, list(await asyncio.gather(*tasks)))

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

    async def _deliver(self, delivery: PendingDelivery, broadcast: Broadcast, send: _Send) -> _Outcome:
        """One delivery; `send` is the pacer's slot for the first attempt, retries take new ones."""
        text = broadcast.text.get(delivery.language) or next(iter(broadcast.text.values()), "")
        network_failures = 0
        while True:
            try:
                try:
                    if broadcast.photo:
                        await self.bot.send_photo(delivery.chat_id, broadcast.photo, caption=text or None)
                    else:
                        await self.bot.send_message(delivery.chat_id, text)
                finally:
                    self.pacer.done(send)
                return _Outcome("sent")
            except TelegramRetryAfter as error:
                self.stats.too_many_requests += 1
                log.info("broadcaster: 429, pausing %s s", error.retry_after)
                self.pacer.pause(error.retry_after)
                send = await self.pacer.slot()
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
                send = await self.pacer.slot()
            except TelegramAPIError as error:
                return _Outcome("failed", f"{type(error).__name__}: {error.message}")
            except Exception as error:  # noqa: BLE001 - one bad message must not stall the batch
                log.exception("broadcaster: delivery %d failed unexpectedly", delivery.id)
                return _Outcome("failed", f"{type(error).__name__}: {error}")
