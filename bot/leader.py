"""Which worker runs the scheduler and the broadcaster.

APScheduler 3 cannot share its jobs between processes, and two broadcasters would race for
the same deliveries, so with several workers on PostgreSQL exactly one of them leads: the one
holding a session-level advisory lock, on a connection of its own (application_name
`pbbot-leader`). If the process dies, PostgreSQL drops the lock and another worker takes over.
SQLite means one process: it leads.

The server also drops the lock when it drops the connection (a restart, a network cut, an
administrator's pg_terminate_backend), and the worker is not told: it would go on leading beside
the one that took the lock next. So the leader asks the server whether it still holds the lock
(`still_held`): every few seconds, and before each batch the broadcaster claims (bot.background).
A connection seen closed, a question unanswered within `check_timeout`, or a "no" is the end of
its lead: it drops the connection, stops, and tries to take the lock again on a fresh one.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import connection_of_its_own

log = logging.getLogger(__name__)

LEADER_LOCK = 7262002  # distinct from the migration lock in storage.db
APPLICATION_NAME = "pbbot-leader"
# pg_locks shows a lock on one bigint key as its high and low 32 bits (classid, objid), objsubid 1.
_HOLDS = """
    SELECT EXISTS (
        SELECT 1 FROM pg_locks
        WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid()
          AND classid = $1::bigint::oid AND objid = $2::bigint::oid AND objsubid = 1
    )"""


class Leadership:
    def __init__(self, engine: AsyncEngine, *, check_timeout: float = 5.0) -> None:
        self.engine = engine
        self.check_timeout = check_timeout
        self.postgresql = engine.dialect.name == "postgresql"
        self.lost = asyncio.Event()  # set when the lead was lost; cleared when taken again
        self._connection: Any = None  # asyncpg.Connection
        self._using = asyncio.Lock()  # one question at a time on the connection

    @property
    def held(self) -> bool:
        """As far as this worker knows; `still_held()` asks the server."""
        return not self.postgresql or (self._connection is not None and not self._connection.is_closed())

    async def try_acquire(self) -> bool:
        if self.held:
            return True
        async with self._using:
            connection = await connection_of_its_own(
                self.engine, APPLICATION_NAME, timeout=max(10.0, self.check_timeout)
            )
            try:
                acquired = bool(
                    await connection.fetchval(
                        "SELECT pg_try_advisory_lock($1)", LEADER_LOCK, timeout=self.check_timeout
                    )
                )
            except BaseException:
                connection.terminate()
                raise
            if not acquired:
                await _close(connection, self.check_timeout)
                return False
            # Seen at once when the server closes the socket (a restart, pg_terminate_backend);
            # a silent network cut is seen by `still_held`.
            connection.add_termination_listener(self._terminated)
            self._connection = connection
            self.lost.clear()
            return True

    async def still_held(self) -> bool:
        """Ask the server; if the lock is not this connection's any more, let go of it at once."""
        if not self.postgresql:
            return True
        async with self._using:
            connection = self._connection
            if connection is None:
                return False
            try:
                holds = bool(
                    await connection.fetchval(
                        _HOLDS, LEADER_LOCK >> 32, LEADER_LOCK & 0xFFFFFFFF, timeout=self.check_timeout
                    )
                )
            except Exception as error:  # noqa: BLE001 - whatever the cause, the lock cannot be vouched for
                log.warning("leadership: could not check the lock (%s: %s)", type(error).__name__, error)
                holds = False
            if not holds:
                self._let_go("the lock is not held any more")
            return holds

    async def release(self) -> None:
        async with self._using:
            connection, self._connection = self._connection, None
            if connection is None:
                return
            connection.remove_termination_listener(self._terminated)
            try:
                await connection.execute("SELECT pg_advisory_unlock($1)", LEADER_LOCK, timeout=self.check_timeout)
            except Exception:  # noqa: BLE001 - closing the connection releases the lock all the same
                log.info("leadership: the unlock failed; closing the connection releases the lock", exc_info=True)
            finally:
                await _close(connection, self.check_timeout)

    def _terminated(self, connection: Any) -> None:
        if connection is self._connection:
            self._let_go("the server closed the lock's connection")

    def _let_go(self, why: str) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            log.warning("leadership: %s; this worker stops leading", why)
            connection.remove_termination_listener(self._terminated)
            connection.terminate()  # without a word: a closed socket cannot hang, and frees the lock
        self.lost.set()


async def _close(connection: Any, timeout: float) -> None:
    try:
        await connection.close(timeout=timeout)
    except Exception:  # noqa: BLE001 - a connection that cannot close gracefully is cut
        connection.terminate()
