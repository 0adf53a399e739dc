"""On SQLite, statements run in the event loop's thread and must never wait there: when another
process holds the file's write lock (a second worker, the CLI, a backup), the update waits for it
elsewhere (storage/sqlite_driver.py), and the bot goes on answering everything that does not need
the database meanwhile. Then the update is handled to the end, losing nothing.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator

import pytest
from sqlalchemy import make_url, text

SORRY_FR = "Désolé, un problème est survenu de notre côté."


@pytest.fixture
def other_process_lock(app, request) -> Iterator[sqlite3.Connection]:
    """A second connection to the same file, as another process would hold one."""
    if request.config.getoption("--db") != "sqlite":
        pytest.skip("SQLite's file lock")
    other = sqlite3.connect(make_url(app.settings.database_url).database, isolation_level=None)
    try:
        yield other
    finally:
        if other.in_transaction:
            other.rollback()
        other.close()


async def loop_thread_waits(app) -> int:
    """How long (ms) SQLite would sleep in the event loop's thread on a lock: it must be 0."""
    async with app.engine.connect() as connection:
        return (await connection.execute(text("PRAGMA busy_timeout"))).scalar_one()


async def test_another_process_holding_the_lock_does_not_stop_the_event_loop(app, marie, other_process_lock):
    await marie.send("/start")
    assert await loop_thread_waits(app) == 0

    other_process_lock.execute("BEGIN IMMEDIATE")
    turned_50_times = asyncio.Event()

    async def ticker() -> None:
        for _ in range(50):
            await asyncio.sleep(0.01)
        turned_50_times.set()

    ticking = asyncio.create_task(ticker())
    proposing = asyncio.create_task(marie.send("/propose"))
    try:
        # The event loop keeps turning while /propose waits for the lock...
        await asyncio.wait_for(turned_50_times.wait(), 30)
        assert not proposing.done()
        # ...and /propose is handled to the end once the other process lets go.
        other_process_lock.commit()
        replies = await asyncio.wait_for(proposing, 30)
    finally:
        ticking.cancel()
    assert SORRY_FR not in replies.text
    assert "Étape 1 sur 7" in replies.text
    assert await loop_thread_waits(app) == 0
