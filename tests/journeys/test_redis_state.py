"""With REDIS_URL set, conversation state lives in Redis and survives a restart too, and it is
written with the update's commit (bot/redis_updates.py): an update whose commit failed leaves
the conversation where it was, as the database storage does."""

from __future__ import annotations

import uuid
from contextlib import asynccontextmanager

import pytest
from redis.asyncio import Redis
from sqlalchemy import func, select

from bot.app import build_app
from storage.models import ConversationStateRow
from tests.conftest import deliver_to
from tests.emulator import Resident
from tests.journeys.test_commit_then_speak import SORRY_FR, Watch, proposals_in_database, refuse_commit  # noqa: F401
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
