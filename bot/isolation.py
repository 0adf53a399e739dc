"""One update at a time per resident, in one process, with memory that does not grow.

aiogram's SimpleEventIsolation keeps a lock for every resident it ever saw ("TODO: unused locks
cleaner is needed" in its source): over 100,000 residents that is memory that never comes back.
This one drops a resident's lock when none of their updates is being handled or waiting.
(With Redis, bot/redis_updates.py takes the lock: a Redis key that expires.)
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager

from aiogram.fsm.storage.base import BaseEventIsolation, StorageKey


class ResidentLocks(BaseEventIsolation):
    def __init__(self) -> None:
        self._locks: dict[StorageKey, tuple[asyncio.Lock, list[int]]] = {}

    def held(self) -> int:
        """Residents with an update being handled or waiting. (Not __len__: aiogram tests the
        isolation for truth, and an empty one would read as none at all.)"""
        return len(self._locks)

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncGenerator[None, None]:
        lock, users = self._locks.setdefault(key, (asyncio.Lock(), [0]))
        users[0] += 1
        try:
            async with lock:
                yield
        finally:
            users[0] -= 1
            if users[0] == 0:
                del self._locks[key]

    async def close(self) -> None:
        self._locks.clear()
