"""What the residents do, and how their updates are timed and spread over concurrent tasks."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.emulator import Resident

JSON = dict[str, Any]
FIRST_ID = 3_000_000  # the residents' Telegram ids: FIRST_ID, FIRST_ID + 1, ...
PROPOSE_AND_VERIFY = 12  # updates per resident in propose_and_verify
VOTE = 6  # and in vote


def phone(user_id: int) -> str:
    return f"3247{user_id % 10_000_000:07d}"


async def propose_and_verify(r: Resident) -> None:
    await r.send("/start")
    await r.send("/propose")
    await r.send(f"A bench for street {r.user_id}")
    await r.send("A wooden bench in front of the church, for the elders.")
    await r.send("Many elderly residents walk to the square and have nowhere to sit. A solid oak bench would help.")
    await r.press("Environment")
    await r.send("Place de l'Église")
    await r.send("1500")
    await r.send("/skip")
    await r.press("✅")
    await r.send("/verify")
    await r.share_contact(phone(r.user_id))


async def vote(r: Resident) -> None:
    await r.send("/vote")
    await r.press("☑️ Select")
    await r.press("▶️")
    await r.press("☑️ Select")
    await r.press("Submit my ballot")
    await r.press("✅ Confirm my vote")


class Timed:
    """Wraps a deliver function: the latency of each update, and the updates themselves."""

    def __init__(self, deliver: Callable[[JSON], Awaitable[Any]], record: list[JSON] | None = None) -> None:
        self.deliver = deliver
        self.latencies: list[float] = []
        self.record = record

    async def __call__(self, update: JSON) -> None:
        if self.record is not None:
            self.record.append(update)
        started = time.perf_counter()
        await self.deliver(update)
        self.latencies.append(time.perf_counter() - started)


async def in_batches(items: Iterable[Any], concurrency: int, job: Callable[[Any], Awaitable[None]]) -> None:
    """`job` on every item, `concurrency` at a time; items are taken as they are needed (a
    generator is never held whole in memory)."""
    iterator = iter(items)

    async def worker() -> None:
        for item in iterator:  # one iterator shared by the tasks: each item taken once
            await job(item)

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def journeys_done(session: AsyncSession) -> str:
    """What the journeys left in the database: they must all have reached their end."""
    counts = []
    for table, label in (("proposals", "projects"), ("verifications", "verified"), ("vote_receipts", "ballots")):
        counts.append(f"{await session.scalar(text(f'SELECT count(*) FROM {table}'))} {label}")
    return ", ".join(counts)
