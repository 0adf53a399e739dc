"""Several workers, one bot: an update Telegram sends twice is handled once; one resident's
updates are handled in order whichever worker gets them; `pbbot webhook --workers 2` serves one
port with two processes. And what the workers report: /metrics and JSON logs."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import aiohttp
import pytest
from redis.asyncio import Redis

from bot.app import build_app
from bot.logs import configure_logging, hashed_user
from bot.webhook import max_connections
from bot.workers import worker_problems
from tests.conftest import COMMITTEE_ID, TEST_CAMPAIGN, TEST_COUNTING_KEY, deliver_to
from tests.emulator import Resident
from tests.journeys.test_webhook import HOOK_PATH, SECRET, hook_settings, http, start_message  # noqa: F401
from tests.journeys.wizard_steps import DESCRIPTION, SUMMARY, TITLE

REDIS_URL = "redis://127.0.0.1:6379/0"
ROOT = Path(__file__).resolve().parents[2]


async def post(http, update) -> int:  # noqa: F811
    async with http.post(HOOK_PATH, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as response:
        return response.status


async def test_an_update_telegram_sends_twice_is_handled_once(http, emulator, app):  # noqa: F811
    assert await post(http, start_message(41)) == 200
    first = len(emulator.messages(1001))
    assert first >= 1
    assert await post(http, start_message(41)) == 200  # our answer was late: Telegram sends it again
    assert len(emulator.messages(1001)) == first
    assert await post(http, start_message(42)) == 200  # the next update is handled as usual
    assert len(emulator.messages(1001)) == 2 * first


async def test_the_webhook_asks_telegram_for_connections_to_match_the_workers(http, emulator):  # noqa: F811
    assert emulator.webhook_max_connections == max_connections(1) == 40
    assert max_connections(2) == 80 and max_connections(4) == 100  # Telegram allows 100 at most


def test_several_workers_need_postgresql_and_redis(settings):
    assert worker_problems(settings, 1) == []
    problems = worker_problems(settings.model_copy(update={"database_url": "sqlite+aiosqlite:///x.db"}), 2)
    assert any("PostgreSQL" in p for p in problems) and any("Redis" in p for p in problems)


@pytest.fixture
async def shared(request, settings):
    """Settings for two workers: PostgreSQL (the test database) and Redis, a prefix of their own."""
    if request.config.getoption("--db") != "postgresql":
        pytest.skip("several workers need PostgreSQL")
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


@pytest.fixture
async def two_workers(shared, clock, app):
    first, second = await build_app(shared, clock=clock), await build_app(shared, clock=clock)
    try:
        yield first, second
    finally:
        await first.close()
        await second.close()


async def test_two_workers_carry_one_residents_wizard_in_turn(two_workers, emulator):
    first, second = two_workers
    on_first = Resident(emulator, deliver_to(first), 1002, "John", "en")
    on_second = Resident(emulator, deliver_to(second), 1002, "John", "en")
    assert "Step 1 of 7" in (await on_first.send("/propose")).text
    assert "Step 2 of 7" in (await on_second.send(TITLE)).text
    assert "Step 3 of 7" in (await on_first.send(SUMMARY)).text
    assert "Step 4 of 7" in (await on_second.send(DESCRIPTION)).text
    replies = await on_first.send("/back")
    assert f"Current answer: {DESCRIPTION}" in replies.text


async def test_one_residents_updates_wait_for_each_other_across_workers(two_workers, emulator):
    """The second worker does not start John's next update while the first one's reply to him
    is still in flight: his updates stay in order, whichever worker gets them."""
    first, second = two_workers
    on_first = Resident(emulator, deliver_to(first), 1002, "John", "en")
    on_second = Resident(emulator, deliver_to(second), 1002, "John", "en")
    held = emulator.hold("sendMessage", chat_id=1002)
    propose = asyncio.create_task(on_first.send("/propose"))
    await held.reached.wait()
    title = asyncio.create_task(on_second.send(TITLE))
    await asyncio.sleep(0.2)  # the title's worker has had every chance to go ahead (it must not)
    assert not title.done()
    held.release()
    assert "Step 1 of 7" in (await propose).text
    assert "Step 2 of 7" in (await asyncio.wait_for(title, timeout=30)).text


async def test_a_copy_sent_to_the_other_worker_is_handled_once(two_workers, emulator):
    first, second = two_workers
    update = start_message(77, user_id=1003)
    emulator.observe_update(update)
    await deliver_to(first)(update)
    told = len(emulator.messages(1003))
    assert told >= 1
    await deliver_to(second)(update)
    assert len(emulator.messages(1003)) == told


async def serving(http) -> None:  # noqa: ANN001
    """Until the webhook answers /healthz (it registers with Telegram before it listens)."""
    while True:
        try:
            async with http.get("/healthz") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientConnectionError:
            pass
        await asyncio.sleep(0.1)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_pbbot_webhook_with_two_workers_serves_one_port(shared, emulator, app):
    port = _free_port()
    env = {
        **os.environ,
        "BOT_TOKEN": "123456:TEST-TOKEN",
        "BOT_API_URL": emulator.base_url,
        "DATABASE_URL": shared.database_url,
        "REDIS_URL": REDIS_URL,
        "REDIS_PREFIX": shared.redis_prefix,
        "CAMPAIGN_FILE": str(TEST_CAMPAIGN),
        "SECRET_KEY": "test-secret-key-not-for-production",
        "ADMIN_IDS": str(COMMITTEE_ID),
        "COUNTING_KEY": TEST_COUNTING_KEY,
        "WEBHOOK_URL": f"http://127.0.0.1:{port}{HOOK_PATH}",
        "WEBHOOK_SECRET": SECRET,
        "WEBHOOK_HOST": "127.0.0.1",
        "WEBHOOK_PORT": str(port),
        "LOG_LEVEL": "WARNING",
    }
    server = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "webhook",
        "--workers",
        "2",
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        async with aiohttp.ClientSession(base_url=f"http://127.0.0.1:{port}") as http:  # noqa: F811
            async with asyncio.timeout(60):  # turns a server that never starts into a failure
                while emulator.method_counts["setWebhook"] < 2:  # noqa: ASYNC110 - other processes: nothing to await
                    await asyncio.sleep(0.1)
                await serving(http)
            residents = range(2001, 2021)
            statuses = await asyncio.gather(
                *(post(http, start_message(500 + i, user_id=uid)) for i, uid in enumerate(residents))
            )
            assert set(statuses) == {200}
            for uid in residents:
                assert any("Bonjour Marie" in (m.plain_text or "") for m in emulator.messages(uid)), uid
            assert emulator.webhook_max_connections == 80
            async with http.get("/metrics") as response:
                metrics = await response.text()
            # Any worker answers for both: the counters are added up across processes.
            line = next(x for x in metrics.splitlines() if x.startswith('pbbot_updates_total{type="message"}'))
            assert float(line.split()[-1]) == len(residents)
    finally:
        server.send_signal(signal.SIGTERM)
        output = (await asyncio.wait_for(server.communicate(), timeout=60))[0].decode(errors="replace")
    assert server.returncode == 0, output


async def test_json_logs_give_the_update_a_hashed_user_and_the_duration(app, marie, capsys):
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure_logging("INFO", "json")
        await marie.send("/start")
        lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    finally:
        root.handlers[:], root.level = saved
    (entry,) = [line for line in lines if line.get("logger") == "bot.updates"]
    assert entry["kind"] == "message" and entry["outcome"] == "handled" and isinstance(entry["update_id"], int)
    assert entry["user"] == hashed_user(app.settings.require_secret_key(), marie.user_id)
    assert str(marie.user_id) not in json.dumps(entry)
    assert entry["duration_ms"] > 0 and entry["level"] == "INFO"
