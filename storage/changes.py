"""Pushed, not polled: a version that moves when someone writes to a table a worker caches.

The campaign as the committee left it (moved dates, the vote's lock, committee members) changes
a few times per campaign but is needed by every update. Rather than asking the database on
each update whether it changed, every worker keeps it and is told when it did:

- in this process, a transaction that wrote to a watched table bumps `version` when it commits;
- with PostgreSQL, the same transaction also sends `NOTIFY pbbot_changes`, which PostgreSQL
  delivers to every worker's listener only if it commits; the listener bumps `version` there.

If the listener's connection is lost, `reliable` turns False and the readers go back to asking
the database on each update, as before. Several processes on one SQLite file have no listener:
they are not a supported setup (the workers are for PostgreSQL).
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

log = logging.getLogger(__name__)

CHANNEL = "pbbot_changes"
# Execution option of a write to a watched table that changes nothing a worker caches (a ballot
# bumping the vote's counter); `changed(connection)` says when it did after all.
UNWATCHED = "pbbot_unwatched"
_WRITE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.IGNORECASE)
_TOUCHED = "pbbot_watched_write"


class ChangeWatch:
    def __init__(self, engine: AsyncEngine, tables: Iterable[str]) -> None:
        self.engine = engine
        self.tables = frozenset(tables)
        self.version = 0
        self.reliable = engine.dialect.name != "postgresql"  # PostgreSQL: once the listener listens
        self._listener: Any = None
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
        if self.engine.dialect.name != "postgresql" or self._listener is not None:
            return
        import asyncpg

        url = self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._listener = await asyncpg.connect(url)
        self._listener.add_termination_listener(self._lost)
        await self._listener.add_listener(CHANNEL, self._notified)
        self.bump()  # whatever changed before we listened
        self.reliable = True

    def _notified(self, *_: Any) -> None:
        self.bump()

    def _lost(self, *_: Any) -> None:
        log.warning("lost the connection that listens for %s: the cache asks the database on each update", CHANNEL)
        self.reliable = False

    async def close(self) -> None:
        listener, self._listener = self._listener, None
        self.reliable = self.engine.dialect.name != "postgresql"
        if listener is not None:
            listener.remove_termination_listener(self._lost)
            await listener.close()
        sync = self.engine.sync_engine
        for name, listener in (
            ("after_cursor_execute", self._after_execute),
            ("commit", self._on_commit),
            ("rollback", self._on_rollback),
        ):
            if event.contains(sync, name, listener):  # close() may be called twice
                event.remove(sync, name, listener)


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
