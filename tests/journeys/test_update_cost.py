"""What an update costs the database: read-only updates write nothing, an update commits at most
once, the conversation state is read in the update's own transaction, and what rarely changes
(the calendar, the vote's lock, the committee) is not asked again on every update."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from bot.app import build_app
from bot.isolation import ResidentLocks
from storage.models import UserRow
from tests.conftest import deliver_to
from tests.emulator import Resident
from tests.journeys.committee_steps import anne  # noqa: F401
from tests.journeys.test_commit_then_speak import refuse_commit  # noqa: F401
from tests.journeys.test_campaign_rules import vote_for_the_first
from tests.journeys.voting_helpers import make_finalists, open_voting, verify_by_phone
from tests.journeys.wizard_steps import submit_project

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
CACHED = ("calendar_changes", "campaign_locks", "committee_roles")


@dataclass
class Cost:
    statements: list[str] = field(default_factory=list)
    begins: int = 0
    commits: int = 0

    @property
    def writes(self) -> list[str]:
        return [s for s in self.statements if WRITE.match(s)]


class Meter:
    """The database work of each update, as the engine sees it."""

    def __init__(self, app) -> None:
        self.app = app
        self.costs: list[Cost] = []
        engine = app.engine.sync_engine
        event.listen(
            engine, "before_cursor_execute", lambda c, cur, statement, *a: self._now().statements.append(statement)
        )
        event.listen(engine, "begin", lambda c: setattr(self._now(), "begins", self._now().begins + 1))
        event.listen(engine, "commit", lambda c: setattr(self._now(), "commits", self._now().commits + 1))
        self._current: Cost | None = None

    def _now(self) -> Cost:
        return self._current if self._current is not None else Cost()  # work outside an update is not counted

    def resident(self, emulator, user_id: int, first_name: str, language: str) -> Resident:
        deliver = deliver_to(self.app)

        async def metered(update) -> None:
            self._current = Cost()
            try:
                await deliver(update)
            finally:
                self.costs.append(self._current)
                self._current = None

        return Resident(emulator, metered, user_id, first_name, language)


async def last_seen(app, telegram_id: int):
    async with app.sessionmaker() as session:
        return await session.scalar(select(UserRow.last_seen_at).where(UserRow.telegram_id == telegram_id))


async def test_a_known_residents_read_only_updates_write_nothing(app, emulator, clock):
    meter = Meter(app)
    marie = meter.resident(emulator, 1001, "Marie", "fr")
    await marie.send("/start")
    assert meter.costs[-1].writes  # the first contact registers her
    seen = await last_seen(app, 1001)
    for text in ("/start", "/help", "/myproposals", "/calendar", "/results", "/start"):
        replies = await marie.send(text)
        assert replies, text
        cost = meter.costs[-1]
        assert cost.writes == [], (text, cost.writes)
        assert cost.commits <= 1
    assert await last_seen(app, 1001) == seen
    # A day later, the first update notes she was seen; the next one writes nothing again.
    clock.advance(timedelta(days=1, minutes=1))
    await marie.send("/help")
    assert [w.split()[0].upper() for w in meter.costs[-1].writes] == ["UPDATE"]
    assert await last_seen(app, 1001) != seen
    await marie.send("/help")
    assert meter.costs[-1].writes == []


async def test_every_update_of_a_proposal_commits_at_most_once_in_one_transaction(app, emulator):
    meter = Meter(app)
    john = meter.resident(emulator, 1002, "John", "en")
    await submit_project(john)
    assert len(meter.costs) >= 9  # /propose, seven answers, the confirmation
    for cost in meter.costs:
        # The state is read through the update's session: one transaction, one commit.
        assert cost.begins == 1 and cost.commits <= 1, cost


async def test_the_calendar_and_the_committee_are_not_asked_on_every_update(app, emulator, anne):  # noqa: F811
    meter = Meter(app)
    john = meter.resident(emulator, 1002, "John", "en")
    await john.send("/start")
    await john.send("/help")
    assert not any(table in s for s in meter.costs[-1].statements for table in CACHED)
    # A moved date is still seen at once: the commit that moved it tells the cache.
    await anne.send("/calendar set voting_open 2030-05-20 09:00")
    replies = await john.send("/start")
    assert "Voting: 20 May 2030, 09:00" in replies.plain_text
    assert any("calendar_changes" in s for s in meter.costs[-1].statements)  # read again, once
    await john.send("/help")
    assert not any(table in s for s in meter.costs[-1].statements for table in CACHED)


async def test_a_date_moved_by_another_worker_is_pushed_to_this_one(request, app, settings, clock, emulator, anne):  # noqa: F811
    """Two workers on one PostgreSQL database: the one that moves a date tells the other by NOTIFY."""
    if request.config.getoption("--db") != "postgresql":
        pytest.skip("several workers need PostgreSQL; SQLite is one process")
    other = await build_app(settings, clock=clock)
    try:
        assert other.watch is not None and other.watch.reliable
        john = Resident(emulator, deliver_to(other), 1002, "John", "en")
        assert "Voting: 16 May 2030" in (await john.send("/start")).plain_text
        before = other.watch.version
        await anne.send("/calendar set voting_open 2030-05-20 09:00")  # through the first worker
        # The timeout only turns a lost notification into a failure; nothing is measured.
        await asyncio.wait_for(other.watch.changed_since(before), timeout=10)
        assert "Voting: 20 May 2030, 09:00" in (await john.send("/start")).plain_text
    finally:
        await other.close()


async def test_no_lock_is_kept_for_a_resident_once_their_updates_are_handled(request, app, marie, john):
    """Memory does not grow with the residents who ever wrote (aiogram's in-process isolation
    keeps a lock for each of them forever)."""
    if request.config.getoption("--db") != "sqlite":
        pytest.skip("the in-process locks are the embedded setup's")
    isolation = app.dispatcher.fsm.events_isolation
    assert isinstance(isolation, ResidentLocks)
    results = await asyncio.gather(marie.send("/start"), john.send("/start"), marie.send("/help"))
    assert all(results)
    assert isolation.held() == 0


def reads_state(cost: Cost) -> bool:
    return any(s.lstrip().upper().startswith("SELECT") and "conversation_states" in s for s in cost.statements)


async def test_a_conversation_is_read_from_the_database_once_then_from_what_was_committed(app, emulator, refuse_commit):  # noqa: F811
    meter = Meter(app)
    john = meter.resident(emulator, 1002, "John", "en")
    await john.send("/start")
    assert reads_state(meter.costs[-1])  # the first time: asked
    await john.send("/help")
    assert not reads_state(meter.costs[-1])
    assert "Step 1 of 7" in (await john.send("/propose")).text
    assert not reads_state(meter.costs[-1])
    # A commit that fails: the step is not taken, and the next update asks the database again.
    refuse_commit("conversation_states")
    assert "Step 2 of 7" not in (await john.send("Benches in the park")).text
    replies = await john.send("Benches in the park")
    assert reads_state(meter.costs[-1])
    assert "Step 2 of 7" in replies.text
    await john.send("/help")
    assert not reads_state(meter.costs[-1])


async def test_only_the_first_ballot_and_the_seal_make_the_campaign_read_again(request, app, emulator, clock, anne):  # noqa: F811
    """Every ballot bumps the vote's counter in the lock row; only the first one (which sets the
    vote's lock) and the seal change what the workers cache."""
    meter = Meter(app)
    john = meter.resident(emulator, 1002, "John", "en")
    paul = meter.resident(emulator, 1005, "Paul", "en")
    await make_finalists(app, [("Bench", 1500), ("Trees along the river", 8000)])
    open_voting(app, clock)
    await verify_by_phone(john)
    await verify_by_phone(paul)

    before = app.watch.version
    await vote_for_the_first(john)  # the first ballot: the campaign is held in the vote from now on
    if request.config.getoption("--db") == "postgresql":
        # This worker hears its own NOTIFY too; wait for it, so that it is not taken for the next one's.
        # The timeout only turns a lost notification into a failure; nothing is measured.
        async def notified() -> None:
            while app.watch.version < before + 2:
                await app.watch.changed_since(app.watch.version)

        await asyncio.wait_for(notified(), timeout=10)
    else:
        assert app.watch.version == before + 1
    await john.send("/help")
    await john.send("/help")
    assert not any(table in s for s in meter.costs[-1].statements for table in CACHED)

    after_first = app.watch.version
    await vote_for_the_first(paul)  # a second ballot: the lock row held, not changed
    assert app.watch.version == after_first
    await john.send("/help")
    assert not any(table in s for s in meter.costs[-1].statements for table in CACHED)

    # The seal (the committee closes the vote and counts) is read again at once.
    await anne.send("/advance")
    await anne.press("✅ Oui")
    assert "<b>Résultats" in (await anne.send("/results")).text
    assert app.watch.version > after_first
    await john.send("/help")
    assert any("campaign_locks" in s for s in meter.costs[-1].statements)
