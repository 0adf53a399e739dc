"""SQLAlchemy's aiosqlite adapter, without leaving its greenlet for what runs right here.

SQLAlchemy drives an asyncio driver from synchronous code in a greenlet: each call to the driver
(enter a cursor, execute, close it, commit, roll back) switches out to the event loop, which
awaits the driver's coroutine and switches back. With storage/sqlite_driver.py those coroutines
finish at once in the event loop's thread (the statement runs there), so the switches, the
coroutines and the adapter's asyncio lock are all the work there is (about 2% of an update's
CPU, measured by switching this off and on between rounds of the profile_updates journeys in one
process). Here the adapter calls the sqlite3 connection directly instead,
for a database file; when SQLite answers BUSY (another process holds the write lock), or for an
in-memory database (bound to aiosqlite's thread), it goes SQLAlchemy's own way, which waits in
aiosqlite's thread (sqlite_driver.OneTripConnection.run). Same statements, same transaction,
same errors (sqlite3's, as aiosqlite raises them), and SQLAlchemy's events still see each one.

One switch is kept per greenlet (one per AsyncSession or AsyncConnection call, however many
statements it runs): SQLAlchemy's AsyncConnection.execute checks that its call awaited something,
its guard against a synchronous driver, so the first statement of each greenlet awaits an empty
coroutine.
"""

from __future__ import annotations

import collections
import sqlite3
from typing import Any, cast

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from greenlet import getcurrent
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_

from storage.sqlite_driver import OneTripConnection, OneTripCursor, busy


class _HereCursor(AsyncAdapt_aiosqlite_cursor):
    __slots__ = ()

    def __init__(self, adapt_connection: AsyncAdapt_aiosqlite_connection) -> None:
        # As SQLAlchemy's, minus awaiting `__aenter__`: a OneTripCursor's is itself.
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = self._connection.cursor()
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        cast(_HereConnection, self._adapt_connection).switched_once()
        cursor = cast(OneTripCursor, self._cursor)
        try:
            cursor.here(operation, () if parameters is None else parameters)
        except sqlite3.OperationalError as error:
            if not busy(error):
                self._adapt_connection._handle_exception(error)
            return super().execute(operation, parameters)  # waits for the other process's lock
        except Exception as error:
            self._adapt_connection._handle_exception(error)
        if cursor.description:
            self._rows = collections.deque(cursor._rows)
            cursor._rows = []
        return cursor

    def close(self) -> None:
        self._rows.clear()
        cast(OneTripCursor, self._cursor)._rows = []  # all a OneTripCursor's close does


async def _nothing() -> None:
    return None


class _HereConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ("_greenlet",)

    def __init__(self, dbapi: Any, connection: Any) -> None:
        super().__init__(dbapi, connection)
        self._greenlet: Any = None

    def switched_once(self) -> None:
        """Awaits once in each of SQLAlchemy's greenlets (see the module's doc)."""
        current = getcurrent()
        if current is not self._greenlet and getattr(current, "__sqlalchemy_greenlet_provider__", False):
            self._greenlet = current
            await_(_nothing())

    def _here(self) -> sqlite3.Connection | None:
        """The sqlite3 connection when calls may run in this thread, else None."""
        connection = cast(OneTripConnection, self._connection)
        return connection._connection if connection.shared else None

    def cursor(self, server_side: bool = False) -> Any:
        if server_side or self._here() is None:
            return super().cursor(server_side)
        return _HereCursor(self)

    def commit(self) -> None:
        connection = self._here()
        if connection is not None:
            self.switched_once()
            try:
                connection.commit()
                return
            except sqlite3.OperationalError as error:
                if not busy(error):
                    self._handle_exception(error)
        super().commit()

    def rollback(self) -> None:
        connection = self._here()
        if connection is not None:
            if not connection.in_transaction:
                return  # the pool rolls back every connection it gets back, after every commit
            self.switched_once()
            try:
                connection.rollback()
                return
            except sqlite3.OperationalError as error:
                if not busy(error):
                    self._handle_exception(error)
        super().rollback()


class HereDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """Pass as `module=` to the engine, with `async_creator=` making sqlite_driver connections."""

    def __init__(self) -> None:
        super().__init__(aiosqlite, sqlite3)

    def connect(self, *arg: Any, **kw: Any) -> _HereConnection:
        creator_fn = kw.pop("async_creator_fn")
        return _HereConnection(self, await_(creator_fn(*arg, **kw)))
