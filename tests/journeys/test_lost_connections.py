"""PostgreSQL drops the bot's connections (a restart, an idle timeout, pg_terminate_backend).

The pool does not ask the server at every checkout (a round trip per update): a connection the
server closed is seen closed at its checkout and replaced (storage/db.py), and an update whose
connection was lost once taken is handled again, once, since nothing was committed or said yet
(bot/middlewares/database.py). Either way the resident gets the right reply, once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import event

from bot.app import build_app
from bot.broadcaster import Broadcaster
from storage.db import connection_of_its_own
from tests.conftest import deliver_to
from tests.emulator import Resident
from tests.journeys.test_commit_then_speak import CAMPAIGNS, SORRY_EN, Watch
from tests.journeys.test_redis_state import in_redis
from tests.journeys.wizard_steps import SUMMARY, TITLE

OTHERS = "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"


@pytest.fixture(autouse=True)
def postgresql(request: pytest.FixtureRequest) -> None:
    if request.config.getoption("--db") != "postgresql":
        pytest.skip("PostgreSQL's connections; SQLite has none to lose")


async def terminate_the_bots_connections(app) -> None:
    """From a connection of our own, as an administrator (or a restart) would."""
    admin = await connection_of_its_own(app.engine, "pbbot-tests-administrator")
    try:
        assert await admin.fetchval(f"SELECT count(*) {OTHERS}")  # the bot holds some
        await admin.execute(f"SELECT pg_terminate_backend(pid) {OTHERS}")
        for _ in range(200):  # until the server processes are gone; the bound only turns a hang into a failure
            if not await admin.fetchval(f"SELECT count(*) {OTHERS}"):
                break
            await asyncio.sleep(0.05)
    finally:
        await admin.close()


@contextmanager
def the_next_connection_lost(app, at: str | None = None) -> Iterator[list[bool]]:
    """The next connection the bot takes from its pool is cut right after (a cable pulled), or,
    with `at`, just before its first statement that contains `at`: it was open when taken, it
    is found closed. Yields [True] until it happened."""
    armed = [True]

    def cut(dbapi_connection) -> None:
        if armed:
            armed.clear()
            dbapi_connection.driver_connection.terminate()

    def on_checkout(dbapi_connection, _record, _proxy) -> None:
        cut(dbapi_connection)

    def on_execute(connection, _cursor, statement: str, *_args) -> None:
        if at is not None and at in statement:
            cut(connection.connection.dbapi_connection)

    name, listener = ("checkout", on_checkout) if at is None else ("before_cursor_execute", on_execute)
    event.listen(app.engine.sync_engine, name, listener)  # after the bot's own check at checkout
    try:
        yield armed
    finally:
        event.remove(app.engine.sync_engine, name, listener)


def said_once(watch: Watch, words: str) -> bool:
    texts = [text for _, _, text in watch.said()]
    return sum(words in text for text in texts) == 1 and not any(SORRY_EN in text for text in texts)


async def test_after_postgresql_dropped_every_connection_the_next_update_is_answered_once(app, john, emulator):
    await john.send("/propose")
    await terminate_the_bots_connections(app)
    watch = Watch(emulator)
    replies = await john.send(TITLE)
    assert "Step 2 of 7" in replies.text
    assert said_once(watch, "Step 2 of 7")
    assert "Step 3 of 7" in (await john.send(SUMMARY)).text  # the title was kept, once


async def test_an_update_whose_connection_is_lost_after_it_was_taken_is_handled_again(app, john, emulator):
    await john.send("/propose")
    watch = Watch(emulator)
    with the_next_connection_lost(app) as armed:
        replies = await john.send(TITLE)
    assert not armed
    assert "Step 2 of 7" in replies.text
    assert said_once(watch, "Step 2 of 7")
    assert "Step 3 of 7" in (await john.send(SUMMARY)).text


async def test_with_redis_the_conversation_and_the_update_id_are_kept_right_too(settings, clock, emulator, app):
    async with in_redis(settings) as redis_settings:
        worker = await build_app(redis_settings, clock=clock)
        try:
            john = Resident(emulator, deliver_to(worker), 1002, "John", "en")
            await john.send("/propose")
            await terminate_the_bots_connections(worker)
            watch = Watch(emulator)
            assert "Step 2 of 7" in (await john.send(TITLE)).text
            assert said_once(watch, "Step 2 of 7")
            watch = Watch(emulator)
            with the_next_connection_lost(worker) as armed:
                assert "Step 3 of 7" in (await john.send(SUMMARY)).text
            assert not armed and said_once(watch, "Step 3 of 7")
        finally:
            await worker.close()


class TestMidUpdate:
    @pytest.fixture
    def campaign_file(self) -> Path:
        return CAMPAIGNS / "verify-all.toml"  # the committee's approval: name, then street

    @staticmethod
    async def ask_the_committee_and_lose_the_connection(worker, john: Resident, emulator) -> None:
        await john.send("/verify")
        await john.press("✅ I confirm")
        await john.press("🏛 Ask the committee")
        await john.send("John Smith")
        watch = Watch(emulator)
        # The street's handler leaves the conversation, then asks the database.
        with the_next_connection_lost(worker, at="FROM verifications") as armed:
            replies = await john.send("Rue de l'Église")
        assert not armed
        assert "The committee will check your request" in replies.text
        assert said_once(watch, "The committee will check your request")

    async def test_a_connection_lost_after_the_conversation_moved_on_is_handled_again_from_where_it_was(
        self, app, john, emulator
    ):
        await self.ask_the_committee_and_lose_the_connection(app, john, emulator)

    async def test_the_same_with_the_conversation_in_redis(self, settings, clock, emulator, app):
        async with in_redis(settings) as redis_settings:
            worker = await build_app(redis_settings, clock=clock)
            try:
                john = Resident(emulator, deliver_to(worker), 1002, "John", "en")
                await self.ask_the_committee_and_lose_the_connection(worker, john, emulator)
            finally:
                await worker.close()


async def test_the_broadcasters_next_round_finds_fresh_connections(app):
    """No update came first to find the connections gone: the background work takes them."""
    await terminate_the_bots_connections(app)
    await Broadcaster(
        app.sessionmaker, app.bot
    ).run_once()  # the lost connection's error, without the check at checkout
