"""PostgreSQL drops the connection that holds the lead, or the one that listens for changes.

The leader's lock is its connection's (bot/leader.py): when the server drops that connection,
another worker takes the lead, and the old leader must stop at once, not run a second scheduler
and broadcaster beside the new ones. The change listener (storage/changes.py) reconnects, and
reads again what it may have missed while deaf.

The waits below are bounded only to turn a hang into a failure; nothing is timed.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import timedelta

import asyncpg
import pytest
from sqlalchemy import func, insert, make_url, select

from bot.app import App, build_app
from bot.background import background_services
from bot.leader import LEADER_LOCK
from storage.changes import LISTENER_NAME, UNWATCHED
from storage.db import connection_of_its_own
from storage.models.broadcasts import BroadcastRow
from storage.models.committee import CalendarChangeRow
from tests.conftest import COMMITTEE_ID, deliver_to
from tests.emulator import BotAPIEmulator, Resident
from tests.journeys.test_broadcaster import queue, residents

FAST = {"stop_timeout": 5, "retry_every": 0.05, "refresh_every": 0.05, "check_every": 0.05}


@pytest.fixture(autouse=True)
def postgresql(request: pytest.FixtureRequest) -> None:
    if request.config.getoption("--db") != "postgresql":
        pytest.skip("the lead and the listener are PostgreSQL's; SQLite is one process")


async def eventually(condition: Callable[[], bool | Awaitable[bool]], what: str, timeout: float = 15) -> None:
    async def met() -> bool:
        result = condition()
        return bool(await result) if isinstance(result, Awaitable) else result

    try:
        async with asyncio.timeout(timeout):
            while True:
                if await met():
                    return
                await asyncio.sleep(0.02)
    except TimeoutError:
        raise AssertionError(f"not so within {timeout} s: {what}") from None


@asynccontextmanager
async def administrator(app: App) -> AsyncIterator[asyncpg.Connection]:
    """A connection of our own, as an administrator's (or a restart's) would be."""
    admin = await connection_of_its_own(app.engine, "pbbot-tests-administrator")
    try:
        yield admin
    finally:
        await admin.close()


async def leaders_backend(app: App) -> tuple[int, int]:
    """The server process holding the leader's lock, and its client's port."""
    async with administrator(app) as admin:
        row = await admin.fetchrow(
            "SELECT l.pid, a.client_port FROM pg_locks l JOIN pg_stat_activity a USING (pid)"
            " WHERE l.locktype = 'advisory' AND l.granted AND l.objid = $1 AND l.database = a.datid"
            " AND a.datname = current_database()",
            LEADER_LOCK,
        )
    assert row is not None, "nobody holds the lead"
    return row["pid"], row["client_port"]


async def terminate(app: App, where: str, *args: object) -> int:
    """pg_terminate_backend on this database's server processes `where` says; how many."""
    async with administrator(app) as admin:
        pids = [
            row["pid"]
            for row in await admin.fetch(
                f"SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND {where}", *args
            )
        ]
        for pid in pids:
            await admin.execute("SELECT pg_terminate_backend($1)", pid)
        for _ in range(200):  # until they are gone
            if not await admin.fetchval("SELECT count(*) FROM pg_stat_activity WHERE pid = any($1::int[])", pids):
                break
            await asyncio.sleep(0.05)
    return len(pids)


async def nothing_left_to_send(app: App) -> bool:
    async with app.sessionmaker() as session:
        left = await session.scalar(
            select(func.count()).select_from(BroadcastRow).where(BroadcastRow.status.in_(("queued", "sending")))
        )
    return left == 0


def received(emulator: BotAPIEmulator, chat_ids: list[int], words: tuple[str, ...]) -> list[int]:
    """How many messages with one of the words each chat got."""
    return [
        sum(any(w in (m.plain_text or m.text or "") for w in words) for m in emulator.messages(chat))
        for chat in chat_ids
    ]


async def test_a_leader_whose_lock_connection_is_dropped_stops_and_another_leads(app, settings, clock, emulator):
    chats = await residents(app, 6)
    second = await build_app(settings, clock=clock)
    first_worker, second_worker = AsyncExitStack(), AsyncExitStack()
    try:
        # Once it lost the lead, the first worker waits `retry_every` before it asks again: long
        # here, so that the other one takes it.
        first_calendar, _ = await first_worker.enter_async_context(
            background_services(app, **{**FAST, "retry_every": 3600})
        )
        second_calendar, _ = await second_worker.enter_async_context(background_services(second, **FAST))
        await eventually(lambda: nothing_left_to_send(app), "the opening of the proposals is sent")
        assert first_calendar.scheduler.running and not second_calendar.scheduler.running

        pid, _ = await leaders_backend(app)
        assert await terminate(app, "pid = $1", pid) == 1
        await eventually(
            lambda: not first_calendar.scheduler.running and second_calendar.scheduler.running,
            "the old leader stops and the other worker leads",
        )
        assert (await leaders_backend(app))[0] != pid

        # The committee, talking to the old leader, moves the end of the proposals to now: the
        # new leader's calendar queues the announcement, and it reaches each resident once.
        anne = Resident(emulator, deliver_to(app), COMMITTEE_ID, "Anne", "fr")
        await anne.send("/advance")
        await anne.press("✅ Oui, la lancer maintenant")
        closed = ("proposals are closed", "propositions sont closes", "appel à projets est clos")
        await eventually(lambda: all(received(emulator, chats, closed)), "the end of the proposals is announced")
        await eventually(lambda: nothing_left_to_send(app), "the announcement is sent")
        assert received(emulator, chats, closed) == [1] * len(chats)
        assert not first_calendar.scheduler.running
    finally:
        await first_worker.aclose()
        await second_worker.aclose()
        await second.close()


class Cable:
    """A TCP relay to PostgreSQL whose connections can be cut one by one without a word: nothing
    passes any more, no socket is closed (a pulled cable, a NAT that forgot the connection). The
    server may then close its end (pg_terminate_backend): the client is not told."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.port = 0
        self._server: asyncio.Server | None = None
        self._cut: set[int] = set()  # our local ports to the server that pass nothing any more
        self._writers: list[asyncio.StreamWriter] = []

    async def __aenter__(self) -> Cable:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._server is not None
        self._server.close()
        for writer in self._writers:
            writer.close()

    def cut(self, server_side_client_port: int) -> None:
        self._cut.add(server_side_client_port)

    async def _relay(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        server_reader, server_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        self._writers += [client_writer, server_writer]
        port = server_writer.get_extra_info("sockname")[1]  # what pg_stat_activity calls client_port

        async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            while data := await reader.read(65536):
                if port not in self._cut:
                    writer.write(data)
                    await writer.drain()
            if port not in self._cut:
                writer.close()

        await asyncio.gather(pipe(client_reader, server_writer), pipe(server_reader, client_writer))


async def test_a_leader_cut_off_without_a_word_claims_nothing_more_and_gives_the_lead_up(
    app, settings, clock, emulator
):
    """The server dropped the lock's connection, the old leader was not told, and a new leader
    took over: before its next batch, the old leader's broadcaster asks, gets no answer, and
    sends nothing more; then it stops leading, and leads again once the new leader has gone."""
    chats = await residents(app, 6)
    url = make_url(settings.database_url)
    async with Cable(url.port or 5432) as cable:
        cut_off = await build_app(
            settings.model_copy(update={"database_url": url.set(port=cable.port).render_as_string(False)}), clock=clock
        )
        old_worker, new_worker = AsyncExitStack(), AsyncExitStack()
        try:
            # Asked only before a batch here (the regular check would find out by itself).
            old_calendar, old_broadcaster = await old_worker.enter_async_context(
                background_services(cut_off, **{**FAST, "check_every": 3600, "check_timeout": 0.5})
            )
            await eventually(lambda: nothing_left_to_send(app), "the opening of the proposals is sent")
            sent_while_leading = old_broadcaster.stats.sent
            assert sent_while_leading == len(chats)

            pid, port = await leaders_backend(app)
            cable.cut(port)
            assert await terminate(app, "pid = $1", pid) == 1
            new_calendar, new_broadcaster = await new_worker.enter_async_context(background_services(app, **FAST))
            assert new_calendar.scheduler.running  # the lock was free: it leads
            assert old_calendar.scheduler.running  # and the old leader does not know yet

            await queue(app)
            old_broadcaster.wake()  # it goes first
            await eventually(
                lambda: not old_calendar.scheduler.running or old_broadcaster.stats.sent > sent_while_leading,
                "the old leader stops, or sends",
            )
            assert old_broadcaster.stats.sent == sent_while_leading  # it claimed nothing more
            new_broadcaster.wake()
            await eventually(lambda: nothing_left_to_send(app), "the broadcast is sent")
            assert received(emulator, chats, ("Hello", "Bonjour")) == [1] * len(chats)
            assert not old_calendar.scheduler.running

            await new_worker.aclose()  # the new leader stops: the old one takes the lead again
            await eventually(lambda: old_calendar.scheduler.running, "the old leader leads again")
        finally:
            await new_worker.aclose()
            await old_worker.aclose()
            await cut_off.close()


async def test_the_change_listener_reconnects_and_reads_what_it_missed(app, settings, clock, emulator):
    other = await build_app(settings, clock=clock)
    try:
        assert other.watch is not None and other.watch.reliable
        john = Resident(emulator, deliver_to(other), 1002, "John", "en")
        assert "Voting: 16 May 2030" in (await john.send("/start")).plain_text
        # A change whose notification never came (written without one): the other worker,
        # trusting its listener, goes on with what it read.
        async with app.sessionmaker() as session:
            await session.execute(
                insert(CalendarChangeRow).values(
                    campaign_id=app.campaign.id,
                    field="voting_open",
                    at=app.campaign.calendar.voting_open + timedelta(days=4),
                    changed_by=COMMITTEE_ID,
                    changed_at=clock.now(),
                ),
                execution_options={UNWATCHED: True},
            )
            await session.commit()
        assert "Voting: 16 May 2030" in (await john.send("/start")).plain_text

        version = other.watch.version
        assert await terminate(app, "application_name = $1", LISTENER_NAME) == 2  # both workers'
        await eventually(lambda: other.watch.reliable and other.watch.version > version, "listening again")
        assert "Voting: 20 May 2030" in (await john.send("/start")).plain_text  # read again once back

        # And the notifications come through again.
        version = other.watch.version
        anne = Resident(emulator, deliver_to(app), COMMITTEE_ID, "Anne", "en")
        await anne.send("/calendar set voting_open 2030-05-21 09:00")
        await asyncio.wait_for(other.watch.changed_since(version), timeout=15)
        assert "Voting: 21 May 2030, 09:00" in (await john.send("/start")).plain_text
    finally:
        await other.close()
