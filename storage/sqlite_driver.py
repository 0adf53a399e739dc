"""aiosqlite with one trip to its thread per SQL statement instead of four.

aiosqlite runs the sqlite3 connection in a thread of its own, and each call crosses over and back
(a queue, a future, the event loop's wake-up pipe): SQLAlchemy's adapter makes four such trips
per statement (open a cursor, execute, fetch the rows, close the cursor), about 0.25 ms each on a
busy machine, while the statement itself takes microseconds. With one connection per process
(storage/db.py), the update holding it holds it during every trip: they, not SQLite, capped the
updates per second.

`connect` returns aiosqlite's own connection, whose cursors do all four in one trip: the
statement runs, its rows are read and the cursor is closed in the connection's thread, and
`fetchall`, `description`, `rowcount`, `lastrowid` then answer from what that trip brought back.
Everything else (transactions, commit, rollback, close, the thread itself) is aiosqlite's.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

import aiosqlite


class OneTripCursor:
    """What SQLAlchemy's aiosqlite adapter needs of a cursor, each statement in one trip."""

    arraysize = 1

    def __init__(self, connection: OneTripConnection) -> None:
        self._connection = connection
        self._rows: list[Any] = []
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None

    async def __aenter__(self) -> OneTripCursor:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    async def execute(self, sql: str, parameters: Sequence[Any] | dict[str, Any] = ()) -> OneTripCursor:
        return await self._run("execute", sql, parameters)

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> OneTripCursor:
        return await self._run("executemany", sql, parameters)

    async def _run(self, how: str, sql: str, parameters: Any) -> OneTripCursor:
        connection = self._connection._conn  # read here: it raises if the connection was closed

        def in_thread() -> tuple[list[Any], Any, int, int | None]:
            cursor = connection.cursor()
            try:
                getattr(cursor, how)(sql, parameters)
                rows = cursor.fetchall() if cursor.description else []
                return rows, cursor.description, cursor.rowcount, cursor.lastrowid
            finally:
                cursor.close()

        self._rows, self.description, self.rowcount, self.lastrowid = await self._connection._execute(in_thread)
        return self

    async def fetchone(self) -> Any:
        return self._rows.pop(0) if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        count = self.arraysize if size is None else size
        rows, self._rows = self._rows[:count], self._rows[count:]
        return rows

    async def fetchall(self) -> list[Any]:
        rows, self._rows = self._rows, []
        return rows

    async def close(self) -> None:
        self._rows = []

    async def setinputsizes(self, *_: Any) -> None:
        return None


class OneTripConnection(aiosqlite.Connection):
    shared = False  # whether other threads may read the sqlite3 connection's state

    def cursor(self) -> OneTripCursor:  # type: ignore[override]
        """No trip: the sqlite3 cursor is made in the thread, with each statement.
        (SQLAlchemy enters it with `async with`, as it does aiosqlite's.)"""
        return OneTripCursor(self)

    async def rollback(self) -> None:
        """No trip when there is nothing to roll back (the pool rolls back each connection it
        gets back, after every commit). sqlite3 lets this thread read that only when the
        connection is not bound to its own (check_same_thread=False, as for a file)."""
        if self.shared and self._connection is not None and not self._connection.in_transaction:
            return
        await super().rollback()


def connect(database: str, **kwargs: Any) -> OneTripConnection:
    """Like `aiosqlite.connect` (kwargs go to `sqlite3.connect`); await it to open."""

    def connector() -> sqlite3.Connection:
        return sqlite3.connect(database, **kwargs)

    connection = OneTripConnection(connector, 64)
    connection.shared = not kwargs.get("check_same_thread", True)
    connection._thread.daemon = True  # as SQLAlchemy does for aiosqlite's own
    return connection
