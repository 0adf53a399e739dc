"""Once per update: Telegram sends an update again when it did not get our answer in time (a
worker that crashed or was slow), and the same update must not be handled twice.

`UpdateTransaction` asks `seen(update_id)` under the resident's lock, before anything is read,
and `remember(update_id)` once the update has committed. Both run under the same per-resident
lock as the handling itself, so a copy that arrives while the first is being handled waits for
it, then is skipped. A crash between the commit and `remember` leaves the update to be handled
again: at least once, never lost.

With Redis (several workers), the ids are kept in Redis for a day (Telegram keeps an
undelivered update for 24 hours); otherwise in this process, the last `capacity` ones.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

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


class RedisRecentUpdates(RecentUpdates):
    """The same, shared by every worker through Redis, each id kept `ttl` seconds."""

    def __init__(self, redis: Any, prefix: str, ttl: int = DAY) -> None:
        super().__init__()
        self.redis = redis
        self.prefix = prefix
        self.ttl = ttl

    def _key(self, update_id: int) -> str:
        return f"{self.prefix}:update:{update_id}"

    async def seen(self, update_id: int) -> bool:
        return bool(await self.redis.exists(self._key(update_id)))

    async def remember(self, update_id: int) -> None:
        await self.redis.set(self._key(update_id), b"1", ex=self.ttl)
