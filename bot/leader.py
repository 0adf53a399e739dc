"""Which worker runs the scheduler and the broadcaster.

APScheduler 3 cannot share its jobs between processes, and two broadcasters would race for
the same deliveries, so with several workers on PostgreSQL exactly one of them leads: the one
holding a session-level advisory lock. Its connection stays open while it leads; if the process
dies, PostgreSQL drops the lock and another worker takes over. SQLite means one process: it leads.
"""

from __future__ import annotations

import logging

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

LEADER_LOCK = 7262002  # distinct from the migration lock in storage.db


class Leadership:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._connection: AsyncConnection | None = None

    @property
    def held(self) -> bool:
        return self._connection is not None or self.engine.dialect.name != "postgresql"

    async def try_acquire(self) -> bool:
        if self.held:
            return True
        connection = await self.engine.connect()
        try:
            acquired = bool(await connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": LEADER_LOCK}))
            await connection.commit()  # the lock is the session's, not the transaction's
        except Exception:
            await connection.close()
            raise
        if not acquired:
            await connection.close()
            return False
        self._connection = connection
        return True

    async def release(self) -> None:
        if self._connection is None:
            return
        try:
            await self._connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LEADER_LOCK})
            await self._connection.commit()
        finally:
            await self._connection.close()
            self._connection = None
