"""With REDIS_URL set, conversation state lives in Redis and survives a restart too."""

from __future__ import annotations

import uuid

import pytest
from redis.asyncio import Redis
from sqlalchemy import func, select

from bot.app import build_app
from storage.models import ConversationStateRow
from tests.conftest import deliver_to
from tests.emulator import Resident
from tests.journeys.wizard_steps import DESCRIPTION, SUMMARY, TITLE

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
async def redis_settings(settings):
    redis = Redis.from_url(REDIS_URL)
    try:
        await redis.ping()
    except Exception:  # no Redis here: the CI script starts one
        pytest.skip("no Redis on 127.0.0.1:6379")
    prefix = f"pbbot-test-{uuid.uuid4().hex[:8]}"
    yield settings.model_copy(update={"redis_url": REDIS_URL, "redis_prefix": prefix})
    keys = [key async for key in redis.scan_iter(f"{prefix}:*")]
    if keys:
        await redis.delete(*keys)
    await redis.aclose()


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
