"""Pushed, not polled: a version that moves when someone writes to a table a worker caches.

The campaign as the committee left it (moved dates, the vote's lock, committee members) changes
a few times per campaign but is needed by every update. Rather than asking the database on
each update whether it changed, every worker keeps it and is told when it did:

- in this process, a transaction that wrote to a watched table bumps `version` when it commits;
- with PostgreSQL, the same transaction also sends `NOTIFY pbbot_changes`, which PostgreSQL
  delivers to every worker's listener only if it commits; the listener bumps `version` there.

If the listener's connection is lost (a restart, pg_terminate_backend; a silent network cut is
found by a ping every `ping_every` seconds), `reliable` turns False and the readers go back to
asking the database on each update, until the listener is back: it reconnects after `backoff`
seconds, doubled after each failure up to `max_backoff`, and bumps `version` once it listens
again, so that what changed while it was deaf is read again. Several processes on one SQLite
file have no listener: they are not a supported setup (the workers are for PostgreSQL).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import connection_of_its_own

log = logging.getLogger(__name__)

CHANNEL = "pbbot_changes"
LISTENER_NAME = "pbbot-changes"  # its application_name in pg_stat_activity
# Execution option of a write to a watched table that may change nothing a worker caches (a
# ballot's insert of the vote's lock row, which does nothing once the row is there);
# `changed(connection)` says when it did after all.
UNWATCHED = "pbbot_unwatched"
_WRITE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.IGNORECASE)
_TOUCHED = "pbbot_watched_write"


class ChangeWatch:
    def __init__(self, engine: AsyncEngine, tables: Iterable[str]) -> None:
        self.engine = engine
        self.tables = frozenset(tables)
        self.version = 0
        self.reliable = engine.dialect.name != "postgresql"  # PostgreSQL: once the listener listens
        self.backoff, self.max_backoff = 0.5, 30.0  # seconds before reconnecting: doubled up to the max
        self.ping_every, self.ping_timeout = 15.0, 5.0
        self._listener: Any = None  # asyncpg.Connection
        self._deaf = asyncio.Event()  # set when the listener's connection is lost
        self._keeper: asyncio.Task | None = None
        self._changed = asyncio.Event()
        sync = engine.sync_engine
        event.listen(sync, "after_cursor_execute", self._after_execute)
        event.listen(sync, "commit", self._on_commit)
        event.listen(sync, "rollback", self._on_rollback)

    def bump(self) -> None:
        self.version += 1
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def changed_since(self, version: int) -> None:
        """Return once `version` is not the current one any more."""
        while self.version == version:
            await self._changed.wait()

    # -- this process's writes --------------------------------------------------------------

    def _after_execute(
        self, connection: Connection, cursor: Any, statement: str, parameters: Any, context: Any, *_: Any
    ) -> None:
        match = _WRITE.match(statement)
        if match is None or match.group(1) not in self.tables:
            return
        if context is not None and context.execution_options.get(UNWATCHED):
            return
        changed(connection)

    def _on_commit(self, connection: Connection) -> None:
        if connection.info.pop(_TOUCHED, False):
            self.bump()

    def _on_rollback(self, connection: Connection) -> None:
        # A lost connection's info went with it; asking would raise PendingRollbackError in
        # place of the error that says the connection was lost.
        if not connection.invalidated:
            connection.info.pop(_TOUCHED, None)

    # -- the other workers' writes (PostgreSQL) ---------------------------------------------

    async def listen(self) -> None:
        """Listen, and keep listening: if this first try fails, the listener is retried all the same."""
        if self.engine.dialect.name != "postgresql" or self._keeper is not None:
            return
        try:
            await self._connect()
        finally:
            self._keeper = asyncio.create_task(self._keep_listening(), name="change-listener")

    async def _connect(self) -> None:
        listener = await connection_of_its_own(self.engine, LISTENER_NAME)
        try:
            listener.add_termination_listener(self._lost)
            await listener.add_listener(CHANNEL, self._notified)
        except BaseException:
            listener.terminate()
            raise
        self._listener = listener
        self._deaf = asyncio.Event()
        self.bump()  # whatever changed before we listened (or while we were deaf)
        self.reliable = True

    async def _keep_listening(self) -> None:
        delay = self.backoff
        while True:
            listener = self._listener
            if listener is not None:
                try:
                    await asyncio.wait_for(self._deaf.wait(), timeout=self.ping_every)
                except TimeoutError:
                    try:
                        await listener.execute("SELECT 1", timeout=self.ping_timeout)
                        continue
                    except Exception as error:  # noqa: BLE001 - no answer: as good as lost
                        self._lost(listener, f"{type(error).__name__}: {error}")
                delay = self.backoff
            await asyncio.sleep(delay)
            try:
                await self._connect()
                log.info("listening for %s again", CHANNEL)
            except Exception as error:  # noqa: BLE001 - PostgreSQL restarting: try again later
                delay = min(delay * 2, self.max_backoff)
                log.warning("could not LISTEN again (%s); next try in %.1f s", error, delay)

    def _notified(self, *_: Any) -> None:
        self.bump()

    def _lost(self, listener: Any, why: str = "the connection was closed") -> None:
        if listener is not self._listener:
            return
        log.warning(
            "lost the connection that listens for %s (%s): the cache asks the database on each update", CHANNEL, why
        )
        self._listener = None
        self.reliable = False
        self._deaf.set()
        listener.remove_termination_listener(self._lost)
        listener.terminate()

    async def close(self) -> None:
        keeper, self._keeper = self._keeper, None
        if keeper is not None:
            keeper.cancel()
            await asyncio.gather(keeper, return_exceptions=True)
        listener, self._listener = self._listener, None
        self.reliable = self.engine.dialect.name != "postgresql"
        if listener is not None:
            listener.remove_termination_listener(self._lost)
            await listener.close()
        sync = self.engine.sync_engine
        for name, callback in (
            ("after_cursor_execute", self._after_execute),
            ("commit", self._on_commit),
            ("rollback", self._on_rollback),
        ):
            if event.contains(sync, name, callback):  # close() may be called twice
                event.remove(sync, name, callback)


def changed(connection: Connection) -> None:
    """This transaction changed what the workers cache: they read it again once it commits."""
    if connection.info.get(_TOUCHED):
        return
    connection.info[_TOUCHED] = True
    if connection.dialect.name == "postgresql":
        # A cursor of its own, so the statement's result is left alone; delivered at commit.
        notify = connection.connection.cursor()
        notify.execute(f"NOTIFY {CHANNEL}")
        notify.close()
