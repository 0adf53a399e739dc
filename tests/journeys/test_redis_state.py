"""With REDIS_URL set, conversation state lives in Redis and survives a restart too, and it is
written with the update's commit (bot/redis_updates.py): an update whose commit failed leaves
the conversation where it was, as the database storage does."""

from __future__ import annotations

import hashlib
import re
import uuid
from contextlib import asynccontextmanager

import pytest
from redis.asyncio import Redis
from sqlalchemy import func, select

from bot.app import build_app
from bot.redis_updates import DONE, LOCK_MS, RELEASE
from storage.models import ConversationStateRow, ProposalRow
from tests.conftest import COMMITTEE_CHAT_ID
from tests.conftest import deliver_to
from tests.emulator import Resident
from tests.emulator.redis_proxy import RedisProxy
from tests.journeys.test_commit_then_speak import SORRY_EN, SORRY_FR, Watch, proposals_in_database, refuse_commit  # noqa: F401
from tests.journeys.voting_helpers import (
    ballot_count,
    ballots,
    make_finalists,
    open_voting,
    phone_of,
    verifications,
    verify_by_phone,
)
from tests.journeys.wizard_steps import DESCRIPTION, SUMMARY, TITLE, fill_until_cost

REDIS_URL = "redis://127.0.0.1:6379/0"


@asynccontextmanager
async def in_redis(settings):
    """The settings with Redis under a prefix of their own, deleted afterwards."""
    redis = Redis.from_url(REDIS_URL)
    try:
        await redis.ping()
    except Exception:  # no Redis here: the CI script starts one
        pytest.skip("no Redis on 127.0.0.1:6379")
    prefix = f"pbbot-test-{uuid.uuid4().hex[:8]}"
    try:
        yield settings.model_copy(update={"redis_url": REDIS_URL, "redis_prefix": prefix})
    finally:
        keys = [key async for key in redis.scan_iter(f"{prefix}:*")]
        if keys:
            await redis.delete(*keys)
        await redis.aclose()


@pytest.fixture
async def redis_settings(settings):
    async with in_redis(settings) as with_redis:
        yield with_redis


async def test_a_draft_in_redis_survives_a_restart(redis_settings, clock, emulator, app):
    first = await build_app(redis_settings, clock=clock)
    john = Resident(emulator, deliver_to(first), 1002, "John", "en")
    await john.send("/propose")
    await john.send(TITLE)
    await john.send(SUMMARY)
    await first.close()

    second = await build_app(redis_settings, clock=clock)
    try:
        john = Resident(emulator, deliver_to(second), 1002, "John", "en")
        replies = await john.send(DESCRIPTION)
        assert "Step 4 of 7" in replies.text
        await john.send("/back")
        assert f"Current answer: {DESCRIPTION}" in john.last.text
    finally:
        await second.close()
    async with app.sessionmaker() as session:
        # Nothing of the conversation went to the database: Redis holds it.
        rows = await session.scalar(select(func.count()).select_from(ConversationStateRow))
    assert rows == 0


class TestInRedis:
    @pytest.fixture
    async def settings(self, settings):
        """The `app` (and `marie`) of these tests keep the conversation in Redis."""
        async with in_redis(settings) as with_redis:
            yield with_redis

    async def test_a_refused_commit_leaves_the_wizard_where_it_was(self, app, marie, emulator, refuse_commit):  # noqa: F811
        assert app.settings.redis_url
        await fill_until_cost(marie)
        await marie.send("1500")
        await marie.send("/skip")
        watch = Watch(emulator)
        refuse_commit("proposals")
        assert await marie.press("✅") == [] and watch.said() == []
        assert watch.alerts()[0].startswith(SORRY_FR)
        assert await proposals_in_database(app) == 0
        # The wizard did not move on without its project: the same button submits it.
        replies = await marie.press("✅")
        assert await proposals_in_database(app) == 1
        assert "n°" in replies.text


def sha(script: str) -> bytes:
    """The name redis-py calls a script by (EVALSHA)."""
    return hashlib.sha1(script.encode()).hexdigest().encode()


class TestRedisFailsAfterTheCommit:
    """Redis refuses to write (full: `maxmemory` reached) just after the database committed."""

    @pytest.fixture
    async def proxy(self):
        proxy = RedisProxy()
        await proxy.start()
        yield proxy
        await proxy.close()

    @pytest.fixture
    async def settings(self, settings, proxy):
        """The `app` (and `marie`) of these tests reach Redis through the proxy."""
        async with in_redis(settings) as with_redis:
            yield with_redis.model_copy(update={"redis_url": proxy.url})

    async def test_the_project_is_told_once_made_and_a_second_submit_makes_no_other(self, app, marie, emulator, proxy):
        watch = Watch(emulator)
        number = await self.submitted_while_redis_refused(app, marie, proxy)
        assert await proposals_in_database(app) == 1
        lost = app.metrics.registry.get_sample_value("pbbot_conversation_writes_lost_total")
        assert lost == 1  # what an operator's alert watches
        # Committed, so said: to Marie (in the helper) and to the committee, and no "sorry".
        told = [text for _, chat, text in watch.said() if chat == COMMITTEE_CHAT_ID]
        assert len(told) == 1 and f"n°{number}" in told[0]
        assert not any(SORRY_FR in text for _, _, text in watch.said())
        assert not any(SORRY_FR in alert for alert in watch.alerts())
        # Redis still holds the sheet (the wizard's end was not written): Submit again finds
        # the project, says so, makes no other, and tells the committee nothing new.
        watch = Watch(emulator)
        replies = await marie.press("✅")
        assert f"n°{number}</b>" in replies.text
        assert await proposals_in_database(app) == 1
        assert not [chat for _, chat, _ in watch.said() if chat == COMMITTEE_CHAT_ID]
        # This time the end was written: the wizard is over, and a new /propose starts afresh.
        replies = await marie.send("/propose")
        assert "Étape 1 sur 7" in replies.text and TITLE not in replies.text

    async def submitted_while_redis_refused(self, app, resident, proxy) -> int:
        """The resident submits a whole project; Redis refuses the wizard's end. Its number."""
        await fill_until_cost(resident)
        await resident.send("1500")
        await resident.send("/skip")
        proxy.refuse(sha(DONE))
        replies = await resident.press("✅")
        async with app.sessionmaker() as session:
            (number,) = await session.scalars(select(ProposalRow.id))
        assert proxy.refused == [b"EVALSHA"] and re.search(f"(#|n°){number}</b>", replies.text)
        return number

    async def test_a_sheet_changed_after_it_made_its_project_changes_that_project(self, app, john, emulator, proxy):
        number = await self.submitted_while_redis_refused(app, john, proxy)
        await john.press("✏️ Title")  # the sheet is still there: John changes the title
        await john.send("A bench and a tree on the church square")
        watch = Watch(emulator)
        replies = await john.press("✅")
        assert f"Your changes to project #{number} are saved" in replies.text
        async with app.sessionmaker() as session:
            (title,) = await session.scalars(select(ProposalRow.title))
        assert title == "A bench and a tree on the church square" and await proposals_in_database(app) == 1
        told = [text for _, chat, text in watch.said() if chat == COMMITTEE_CHAT_ID]
        assert len(told) == 1 and f"Le projet n°{number} a été modifié par son auteur" in told[0]

    async def test_a_draft_discarded_after_it_made_its_project_makes_a_new_one(self, app, john, emulator, proxy):
        number = await self.submitted_while_redis_refused(app, john, proxy)
        await john.send("/cancel")
        await john.send("/start")
        await john.press("Discard the draft")
        watch = Watch(emulator)
        await fill_until_cost(john)
        await john.send("2500")
        await john.send("/skip")
        replies = await john.press("✅")
        assert await proposals_in_database(app) == 2
        async with app.sessionmaker() as session:
            second = await session.scalar(select(ProposalRow.id).where(ProposalRow.id != number))
        assert f"#{second}</b>" in replies.text
        assert any(chat == COMMITTEE_CHAT_ID and f"n°{second}" in text for _, chat, text in watch.said())

    async def test_a_phone_shared_again_is_told_verified_already(self, app, john, clock, emulator, proxy):
        await make_finalists(app, [("Bench on the square", 1500)])
        open_voting(app, clock)
        await john.send("/verify")
        proxy.refuse(sha(DONE))
        replies = await john.share_contact(phone_of(john))
        assert proxy.refused == [b"EVALSHA"] and "verified" in replies.text
        replies = await john.share_contact(phone_of(john))
        assert "You are already verified as a resident" in replies.text
        assert len(await verifications(app)) == 1

    async def test_a_ballot_confirmed_again_replaces_itself_and_stays_one(self, app, john, clock, emulator, proxy):
        await make_finalists(app, [("Bench on the square", 1500), ("Bike racks", 3000)])
        open_voting(app, clock)
        await verify_by_phone(john)
        await john.send("/vote")
        await john.press("☑️ Select")
        await john.press("Submit my ballot (1)")
        watch = Watch(emulator)
        proxy.refuse(sha(DONE))
        replies = await john.press("✅ Confirm my vote")
        assert proxy.refused == [b"EVALSHA"]
        assert "Your vote is recorded" in replies.text and await ballot_count(app) == 1
        # The confirmation is still there: pressed again, it replaces the ballot (this
        # campaign lets a vote change), and the tracker given last is the one kept.
        replies = await john.press("✅ Confirm my vote")
        (stored,) = await ballots(app)
        assert "Your vote is changed" in replies.text and stored.tracker in replies.text
        assert not any(SORRY_EN in text for _, _, text in watch.said())

    async def test_a_lock_redis_would_not_release_is_left_to_expire_and_the_reply_stands(
        self, app, marie, emulator, proxy
    ):
        watch = Watch(emulator)
        proxy.refuse(sha(RELEASE))
        replies = await marie.send("/start")
        assert proxy.refused == [b"EVALSHA"]
        assert replies and not any(SORRY_FR in text for _, _, text in watch.said())
        redis = Redis.from_url(REDIS_URL)
        try:
            locks = [key async for key in redis.scan_iter(f"{app.settings.redis_prefix}:*:lock")]
            assert len(locks) == 1 and 0 < await redis.pttl(locks[0]) <= LOCK_MS
        finally:
            await redis.aclose()
