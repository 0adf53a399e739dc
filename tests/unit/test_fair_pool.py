"""The pool's queue (storage/fair_pool.py): first come, first served, and nothing lost when a
waiter gives up (pool_timeout) or is cancelled just as a connection reaches it."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.util import greenlet_spawn
from sqlalchemy.util.queue import Empty

from storage.fair_pool import FairQueue


async def take(queue: FairQueue[str], timeout: float | None = 30) -> str:
    return await greenlet_spawn(queue.get, True, timeout)


async def waiting(queue: FairQueue[str], count: int) -> None:
    for _ in range(100):
        if len(queue._waiters) == count:
            return
        await asyncio.sleep(0)
    raise AssertionError(f"{len(queue._waiters)} waiting, not {count}")


async def test_a_connection_given_back_goes_to_the_first_waiter_not_to_a_newcomer() -> None:
    queue: FairQueue[str] = FairQueue(maxsize=1)
    first = asyncio.create_task(take(queue))
    await waiting(queue, 1)
    newcomer = asyncio.create_task(take(queue))  # ready to run before the first one wakes
    queue.put_nowait("connection")
    assert await first == "connection"
    await waiting(queue, 1)  # the newcomer waits its turn
    queue.put_nowait("connection")
    assert await newcomer == "connection"


async def test_a_waiter_that_gives_up_is_passed_over() -> None:
    queue: FairQueue[str] = FairQueue(maxsize=1)
    with pytest.raises(Empty):
        await take(queue, timeout=0)
    later = asyncio.create_task(take(queue))
    await waiting(queue, 2)  # the one that gave up is still in line, done
    queue.put_nowait("connection")
    assert await later == "connection"
    assert queue.qsize() == 0


async def test_a_waiter_cancelled_as_the_connection_reaches_it_hands_it_on() -> None:
    queue: FairQueue[str] = FairQueue(maxsize=1)
    cancelled = asyncio.create_task(take(queue))
    await waiting(queue, 1)
    queue.put_nowait("connection")  # handed over...
    cancelled.cancel()  # ...and cancelled before it could run
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    assert await take(queue) == "connection"  # not lost
