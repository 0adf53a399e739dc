"""What the bot is doing, for Prometheus (prometheus_client) and for the logs.

`UpdateObserver` is the outermost of our update middlewares: it times each update from the
moment it arrives to the moment its replies are sent (commit included), counts it by kind, counts
the ones that failed, and writes one log line per update (bot/logs.py). `/metrics` (bot/webhook.py)
adds two figures read from the database when scraped: the broadcast messages waiting to be sent
and the ballots cast, so that they are right whichever worker is scraped.

With `pbbot webhook --workers N`, every worker writes its counters to PROMETHEUS_MULTIPROC_DIR
and `/metrics` on any of them adds them up (prometheus_client's multiprocess mode).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Dispatcher
from aiogram.types import TelegramObject, Update, User as TelegramUser
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, ProcessCollector, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.logs import hashed_user
from storage.repositories import Repositories

log = logging.getLogger("bot.updates")

# Seconds; from 5 ms (a reply from cache) to 10 s (a Bot API that is slow to answer).
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    def __init__(self, *, multiprocess: bool = False) -> None:
        self.multiprocess = multiprocess
        self.registry = CollectorRegistry()
        self.updates = Counter("pbbot_updates", "Telegram updates received, by type.", ["type"], registry=self.registry)
        self.errors = Counter(
            "pbbot_update_errors", "Updates whose handling raised an exception.", registry=self.registry
        )
        self.conversation_writes_lost = Counter(
            "pbbot_conversation_writes_lost",
            "Updates committed whose conversation's next step Redis did not record (bot/redis_updates.py).",
            registry=self.registry,
        )
        self.latency = Histogram(
            "pbbot_update_duration_seconds",
            "Time from receiving an update to its replies sent, by type.",
            ["type"],
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.queue_depth = Gauge(
            "pbbot_broadcast_queue_depth",
            "Broadcast messages waiting to be sent (read from the database when scraped).",
            registry=self.registry,
            multiprocess_mode="mostrecent",
        )
        self.started = time.monotonic()
        self.uptime = Gauge(
            "pbbot_uptime_seconds", "Seconds since the server started.", registry=self.registry, multiprocess_mode="max"
        )
        if not multiprocess:  # the process's CPU, memory, start time (per process, so not in multiprocess mode)
            ProcessCollector(registry=self.registry)
        self.ballots = Gauge(
            "pbbot_ballots_cast",
            "Ballots cast in the campaign (read from the database when scraped).",
            registry=self.registry,
            multiprocess_mode="mostrecent",
        )

    def install(self, dispatcher: Dispatcher) -> None:
        for update_type in dispatcher.resolve_used_update_types():
            self.updates.labels(update_type)  # present from the start, at 0
        self.errors.inc(0)
        self.conversation_writes_lost.inc(0)

    async def render(self, sessionmaker: async_sessionmaker[AsyncSession], campaign_id: str) -> bytes:
        async with sessionmaker() as session:
            repos = Repositories(session)
            self.queue_depth.set(await repos.statistics.deliveries_waiting())
            self.ballots.set(await repos.ballots.count(campaign_id))
        self.uptime.set(time.monotonic() - self.started)
        if not self.multiprocess:
            return generate_latest(self.registry)
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        return generate_latest(registry)


class UpdateObserver(BaseMiddleware):
    """Times, counts and logs every update (the outermost of our middlewares)."""

    def __init__(self, metrics: Metrics, secret_key: bytes) -> None:
        self.metrics = metrics
        self.secret_key = secret_key
        # Each kind's counter and histogram, looked up once (`labels()` takes a lock and builds a key).
        self._by_kind: dict[str, tuple[Any, Any]] = {}

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        kind = event.event_type if isinstance(event, Update) else "unknown"
        sender: TelegramUser | None = data.get("event_from_user")
        started = time.perf_counter()
        outcome = "handled"
        try:
            return await handler(event, data)
        except BaseException:
            outcome = "failed"
            self.metrics.errors.inc()
            raise
        finally:
            duration = time.perf_counter() - started
            children = self._by_kind.get(kind)
            if children is None:
                children = self._by_kind[kind] = (self.metrics.updates.labels(kind), self.metrics.latency.labels(kind))
            children[0].inc()
            children[1].observe(duration)
            if log.isEnabledFor(logging.INFO):
                user = hashed_user(self.secret_key, sender.id) if sender is not None else None
                update_id = getattr(event, "update_id", None)
                log.info(
                    "update %s (%s) %s in %.1f ms",
                    update_id,
                    kind,
                    outcome,
                    duration * 1000,
                    extra={
                        "update_id": update_id,
                        "kind": kind,
                        "user": user,
                        "outcome": outcome,
                        "duration_ms": round(duration * 1000, 2),
                    },
                )
