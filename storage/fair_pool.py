"""A connection pool that hands connections out in the order they were asked for.

SQLAlchemy's asyncio pool keeps its connections in an `asyncio.Queue`. A connection given back
wakes the first waiter, but that waiter runs only a few turns of the event loop later (behind
`wait_for`'s task), and meanwhile any newcomer finds the connection in the queue and takes it;
the waiter, finding the queue empty, waits again at the back of the line. With one SQLite
connection per process and 50 residents at a time, some updates waited 3 to 6 seconds while
the connection was never held longer than a few milliseconds (bench/updates.py, p99).

Here a connection given back goes straight to the first waiter still waiting, and a newcomer
takes one from the queue only when nobody waits. asyncio's queue does not do this, and
SQLAlchemy's pool asks for its queue by class (`_queue_class`), so this is that class.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any, Generic, TypeVar

from sqlalchemy.pool import AsyncAdaptedQueuePool, ConnectionPoolEntry
from sqlalchemy.util import await_
from sqlalchemy.util.queue import AsyncAdaptedQueue, Empty, QueueCommon

T = TypeVar("T")


def _expire(waiter: asyncio.Future[Any]) -> None:
    if not waiter.done():
        waiter.set_exception(Empty())


class FairQueue(AsyncAdaptedQueue[T], Generic[T]):
    def __init__(self, maxsize: int = 0, use_lifo: bool = False) -> None:
        super().__init__(maxsize, use_lifo)
        self._waiters: deque[asyncio.Future[T]] = deque()

    def put_nowait(self, item: T) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():  # a waiter that timed out or was cancelled has gone
                waiter.set_result(item)
                return
        super().put_nowait(item)

    def put(self, item: T, block: bool = True, timeout: float | None = None) -> None:
        self.put_nowait(item)  # the pool gives back without blocking; there is always room

    def get(self, block: bool = True, timeout: float | None = None) -> T:
        if not block or not self._waiters:
            try:
                return self.get_nowait()
            except Empty:
                if not block:
                    raise
        return await_(self._wait(timeout))

    async def _wait(self, timeout: float | None) -> T:
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[T] = loop.create_future()
        self._waiters.append(waiter)
        timer = loop.call_later(timeout, _expire, waiter) if timeout is not None else None
        try:
            return await waiter
        except asyncio.CancelledError:
            # Cancelled after the connection was handed over: hand it on, or it is lost.
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                self.put_nowait(waiter.result())
            raise
        finally:
            if timer is not None:
                timer.cancel()


class FairAsyncPool(AsyncAdaptedQueuePool):
    _queue_class: type[QueueCommon[ConnectionPoolEntry]] = FairQueue
