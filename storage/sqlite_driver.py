"""aiosqlite, with each statement run in the event loop's own thread when it cannot wait.

aiosqlite runs the sqlite3 connection in a thread of its own, and each call crosses over and back
(a queue, a future, the event loop's wake-up pipe): SQLAlchemy's adapter makes four such trips
per statement (open a cursor, execute, fetch the rows, close the cursor), about 0.25 ms each on a
busy machine, while the statement itself takes microseconds. With one connection per process
(storage/db.py), the update holding it holds it during every trip: they, not SQLite, capped the
updates per second.

So, for a database file, a statement, its rows, commit and rollback run right here, in the event
loop's thread, with SQLite told not to wait for a lock at all (`timeout=0`): our own process never
waits for itself (its sessions queue for the one connection in the pool), and the only thing a
statement could wait for is another process holding the file's write lock (a second worker, the
`pbbot` CLI, a backup). That answers SQLITE_BUSY at once, and only then is the statement run
again in aiosqlite's thread, which waits up to the `timeout` given to `connect` (busy_timeout)
without stopping the event loop. A statement that fails with BUSY did nothing, so running it
again is safe; transactions begin with BEGIN IMMEDIATE (storage/db.py), which is where another
process's lock is met. The price: a statement that is slow by itself (a full-table count on a
very large file) now holds the event loop while it runs; none of the update path's are.

An in-memory database (the tests' `:memory:`) is bound to aiosqlite's thread, and every call
makes the one trip there, rows and all, as before.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

import aiosqlite

T = TypeVar("T")
_Done = tuple[list[Any], Any, int, "int | None"]  # rows, description, rowcount, lastrowid


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
        self._rows, self.description, self.rowcount, self.lastrowid = await self._connection.run(
            _statement(self._connection._conn, how, sql, parameters)  # _conn raises if the connection was closed
        )
        return self

    def here(self, sql: str, parameters: Any) -> None:
        """The statement in this thread, at once; sqlite3's BUSY error rather than any wait."""
        self._rows, self.description, self.rowcount, self.lastrowid = _statement(
            self._connection._conn, "execute", sql, parameters
        )()

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


def _statement(connection: sqlite3.Connection, how: str, sql: str, parameters: Any) -> Callable[[], _Done]:
    def run() -> _Done:
        cursor = connection.cursor()
        try:
            getattr(cursor, how)(sql, parameters)
            rows = cursor.fetchall() if cursor.description else []
            return rows, cursor.description, cursor.rowcount, cursor.lastrowid
        finally:
            cursor.close()

    return run


def busy(error: sqlite3.OperationalError) -> bool:
    return getattr(error, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_BUSY


class OneTripConnection(aiosqlite.Connection):
    shared = False  # a file: the sqlite3 connection may be used from the event loop's thread
    wait_ms = 5000  # how long a statement waits for another process's lock (in aiosqlite's thread)

    def cursor(self) -> OneTripCursor:  # type: ignore[override]
        """No trip: the sqlite3 cursor is made with each statement.
        (SQLAlchemy enters it with `async with`, as it does aiosqlite's.)"""
        return OneTripCursor(self)

    async def run(self, fn: Callable[[], T]) -> T:
        """`fn()` here, at once; or in aiosqlite's thread when it must wait (see the module's doc)."""
        if not self.shared:
            return await self._execute(fn)
        self._conn  # noqa: B018 - raises, as aiosqlite does, once the connection is closed
        try:
            return fn()
        except sqlite3.OperationalError as error:
            if not busy(error):
                raise
        return await self._execute(self._waiting, fn)

    def _waiting(self, fn: Callable[[], T]) -> T:
        connection = self._conn
        connection.execute(f"PRAGMA busy_timeout={int(self.wait_ms)}")
        try:
            return fn()
        finally:
            connection.execute("PRAGMA busy_timeout=0")

    async def commit(self) -> None:
        await self.run(self._conn.commit)

    async def rollback(self) -> None:
        """Nothing to do when nothing is open (the pool rolls back each connection it gets back,
        after every commit)."""
        if self.shared and self._connection is not None and not self._connection.in_transaction:
            return
        await self.run(self._conn.rollback)


def connect(database: str, timeout: float = 5.0, **kwargs: Any) -> OneTripConnection:
    """Like `aiosqlite.connect` (kwargs go to `sqlite3.connect`); await it to open. `timeout` is
    how long to wait for another process's write lock, as sqlite3's own."""
    shared = not kwargs.get("check_same_thread", True)

    def connector() -> sqlite3.Connection:
        # Shared: never wait in the event loop's thread; `OneTripConnection.run` waits elsewhere.
        return sqlite3.connect(database, timeout=0 if shared else timeout, **kwargs)

    connection = OneTripConnection(connector, 64)
    connection.shared = shared
    connection.wait_ms = int(timeout * 1000)
    connection._thread.daemon = True  # as SQLAlchemy does for aiosqlite's own
    return connection
