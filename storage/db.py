"""Engine, sessions and schema upgrades."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event, exc, make_url
from sqlalchemy.engine import Connection
from storage.fair_pool import FairAsyncPool
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.util.concurrency import greenlet_spawn

from storage import sqlite_driver
from storage.sqlite_adapter import HereDBAPI

MIGRATIONS = Path(__file__).parent / "migrations"
POOL_SIZE = 15  # connections per process to PostgreSQL
# A connection is replaced after this long, whatever its state: a firewall or a proxy that drops
# idle connections without a word (no socket closed) leaves nothing the checkout could see.
POOL_RECYCLE = 1800  # seconds


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def make_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    if not is_sqlite(url):
        # The pool keeps every connection it may open (SQLAlchemy's default is 5 kept + 10 opened
        # and closed again): under load the overflow connections were connected and closed over and
        # over, each connect a TLS probe, a login, a new server process and asyncpg's set-up.
        # Same ceiling of 15 per process, so the same load on PostgreSQL at the busiest. The pool
        # hands connections out first come, first served (storage/fair_pool.py). No pre-ping (a
        # round trip to PostgreSQL at every checkout, ~10% of a webhook worker's time): see
        # `_closed_at_checkout` and bot/middlewares/database.py for what replaces it.
        engine = create_async_engine(
            url,
            echo=echo,
            poolclass=FairAsyncPool,
            pool_size=POOL_SIZE,
            max_overflow=0,
            pool_recycle=POOL_RECYCLE,
        )
        event.listen(engine.sync_engine, "checkout", _closed_at_checkout)
        return engine
    # SQLite has one writer at a time. Within a process, one connection makes the sessions
    # queue for it in the pool (first come, first served: storage/fair_pool.py), instead of polling the file lock with
    # busy_timeout sleeps; transactions are short since nothing speaks to Telegram inside one
    # (bot/outbox.py). Between processes, BEGIN IMMEDIATE takes the write lock when a
    # transaction begins, so that a reader never fails half-way becoming a writer.
    # Statements run in the event loop's thread, and wait for another process's lock (up to
    # `timeout` seconds) in the connection's own thread (storage/sqlite_driver.py).
    database = make_url(url).database or ":memory:"
    engine = create_async_engine(
        url,
        echo=echo,
        async_creator=lambda: sqlite_driver.connect(database, timeout=30, check_same_thread=database == ":memory:"),
        module=HereDBAPI(),  # calls those statements without leaving SQLAlchemy's greenlet (storage/sqlite_adapter.py)
        poolclass=FairAsyncPool,
        pool_size=1,
        max_overflow=0,
        pool_timeout=60,
    )

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _closed_at_checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """A connection PostgreSQL closed while it waited in the pool is replaced, without a round trip.

    A restart, pg_terminate_backend or idle_session_timeout closes the socket, and asyncpg marks
    the connection closed as soon as the event loop reads that: asking it costs nothing. The
    pool then connects again (SQLAlchemy's documented use of DisconnectionError at checkout).
    What this cannot see (a connection lost after its checkout, or dropped without a word) fails
    its statement; SQLAlchemy then replaces every connection of the pool, and an update whose
    connection was lost before anything was committed is handled again (UpdateTransaction).
    """
    if dbapi_connection.driver_connection.is_closed():
        raise exc.DisconnectionError("the connection was closed while it waited in the pool")


def lost_before_commit(error: BaseException, session: AsyncSession) -> bool:
    """True when `session` failed because its connection was lost, and had not tried to commit.

    Its transaction was rolled back by the server with the connection: doing the work again on
    a fresh one cannot do anything twice. Once a commit was sent, whether it happened is unknown.
    """
    return (
        isinstance(error, exc.DBAPIError)
        and error.connection_invalidated
        and not (isinstance(session, Session) and session.commit_started)
    )


class Session(AsyncSession):
    """An AsyncSession that, when a block ends with nothing left open, closes in place.

    SQLAlchemy's `async with` closes the session in a task of its own and waits for it, so that a
    cancellation cannot abandon a rollback half-way. That is two turns of the event loop, each
    behind every other update ready to run: about 0.2 s per update with 50 residents at a time
    and a 50 ms Bot API, and the rate is the residents at a time over that latency. After a
    commit (the usual end) the connection is back in the pool and closing waits on nothing, so
    there is nothing a cancellation could abandon; a block that ends inside a transaction (an
    error) still closes SQLAlchemy's way.

    It also says whether a commit was tried (`commit_started`, see `lost_before_commit`).
    """

    commit_started = False
    _closed_in_place = False

    async def commit(self) -> None:
        self.commit_started = True
        await super().commit()

    async def commit_and_close(self) -> None:
        """`commit()` then `close()` in one pass through SQLAlchemy's greenlet instead of two (the
        end of every update). A commit that fails leaves the session open, as `commit()` does."""
        self.commit_started = True
        sync = self.sync_session

        def both() -> None:
            sync.commit()
            sync.close()

        await greenlet_spawn(both)
        self._closed_in_place = True

    async def __aexit__(self, type_: Any, value: Any, traceback: Any) -> None:
        if self.in_transaction():
            await super().__aexit__(type_, value, traceback)
        elif not self._closed_in_place:
            await self.close()


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, class_=Session, expire_on_commit=False)


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _upgrade(connection: Connection, config: Config, revision: str) -> None:
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def _downgrade(connection: Connection, config: Config, revision: str) -> None:
    config.attributes["connection"] = connection
    command.downgrade(config, revision)


async def upgrade_schema(engine: AsyncEngine, revision: str = "head") -> None:
    """Create or upgrade the schema with Alembic, on the engine's own connection."""
    config = alembic_config(str(engine.url.render_as_string(hide_password=False)))
    async with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Several workers may start at once: one migrates, the others wait for it.
            await connection.exec_driver_sql("SELECT pg_advisory_xact_lock(7262001)")
        await connection.run_sync(_upgrade, config, revision)


async def downgrade_schema(engine: AsyncEngine, revision: str) -> None:
    config = alembic_config(str(engine.url.render_as_string(hide_password=False)))
    async with engine.begin() as connection:
        await connection.run_sync(_downgrade, config, revision)


async def connection_of_its_own(engine: AsyncEngine, application_name: str, timeout: float = 60.0) -> Any:
    """A plain asyncpg connection to the engine's PostgreSQL database, outside its pool, for what
    must stay on one connection (the leader's lock, LISTEN); named in pg_stat_activity."""
    import asyncpg

    url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    return await asyncpg.connect(url, server_settings={"application_name": application_name}, timeout=timeout)
