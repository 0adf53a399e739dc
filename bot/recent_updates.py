"""Once per update: Telegram sends an update again when it did not get our answer in time (a
worker that crashed or was slow), and the same update must not be handled twice.

`UpdateTransaction` enters `gate.admit(key, update_id)`: the resident's lock is taken, and an
update handled already is skipped, before anything is read; `gate.done(update_id)` marks it
handled once the update has committed, still under the lock, so a copy that arrives while the
first is being handled waits for it, then is skipped. A crash between the commit and `done`
leaves the update to be handled again: at least once, never lost.

Without Redis, `LocalGate`: aiogram's event isolation and the last `capacity` ids in this
process. With Redis (several workers), bot/redis_updates.py: the ids are kept in Redis for a
day (Telegram keeps an undelivered update for 24 hours), in as few round trips as it can.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

from aiogram.fsm.storage.base import BaseEventIsolation, StorageKey

DAY = 24 * 3600


class RecentUpdates:
    """The ids of the updates this process handled last (memory stays bounded)."""

    def __init__(self, capacity: int = 100_000) -> None:
        self.capacity = capacity
        self._ids: OrderedDict[int, None] = OrderedDict()

    async def seen(self, update_id: int) -> bool:
        return update_id in self._ids

    async def remember(self, update_id: int) -> None:
        self._ids[update_id] = None
        if len(self._ids) > self.capacity:
            self._ids.popitem(last=False)

    async def close(self) -> None:
        self._ids.clear()


class UpdateGate(Protocol):
    def admit(self, key: StorageKey | None, update_id: int | None) -> AbstractAsyncContextManager[bool]: ...

    def rewind(self) -> None:
        """The update is handled again (its first attempt's connection was lost): forget what it changed."""

    async def done(self, update_id: int | None) -> None: ...


class LocalGate:
    """The resident's lock from `isolation`, the update ids from `recent`."""

    def __init__(self, isolation: BaseEventIsolation, recent: RecentUpdates | None = None) -> None:
        self.isolation = isolation
        self.recent = recent if recent is not None else RecentUpdates()

    @asynccontextmanager
    async def admit(self, key: StorageKey | None, update_id: int | None) -> AsyncIterator[bool]:
        # The one optional lock without an AsyncExitStack (an object and two more awaits per update).
        seen = self.recent.seen
        if key is None:
            yield update_id is None or not await seen(update_id)
            return
        async with self.isolation.lock(key=key):
            yield update_id is None or not await seen(update_id)

    def rewind(self) -> None:
        """Nothing to forget: the conversation is written through the update's transaction."""

    async def done(self, update_id: int | None) -> None:
        if update_id is not None:
            await self.recent.remember(update_id)
