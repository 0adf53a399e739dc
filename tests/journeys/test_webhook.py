"""The two ways Telegram reaches the bot, against the Bot API emulator: `pbbot webhook` (an aiohttp
server on 127.0.0.1) and `pbbot run` (long polling)."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator
from contextlib import suppress
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from pydantic import SecretStr

from bot.app import App
from bot.polling import run_polling
from bot.settings import Settings
from bot.webhook import build_web_app, register_webhook, run_webhook, webhook_endpoint
from storage.db import make_engine
from tests.emulator import BotAPIEmulator

HOOK_URL = "https://pbbot.example.org/telegram/hook"
HOOK_PATH = "/telegram/hook"
SECRET = "webhook-secret_for-tests"
USER_ID = 1001


def start_message(update_id: int, user_id: int = USER_ID) -> dict[str, Any]:
    """An update as Telegram posts it: a private /start from a French-speaking user."""
    user = {"id": user_id, "is_bot": False, "first_name": "Marie", "language_code": "fr"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "from": user,
            "chat": {"id": user_id, "type": "private", "first_name": "Marie"},
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


@pytest.fixture
def hook_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"webhook_url": HOOK_URL, "webhook_secret": SecretStr(SECRET)})


@pytest.fixture
async def http(app: App, hook_settings: Settings) -> AsyncIterator[aiohttp.ClientSession]:
    """The webhook server on 127.0.0.1, a free port; a client session pointed at it."""
    runner = web.AppRunner(build_web_app(app, hook_settings))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        await register_webhook(app, hook_settings)  # commands and setWebhook go to the emulator
        async with aiohttp.ClientSession(base_url=f"http://{host}:{port}") as session:
            yield session
    finally:
        await runner.cleanup()


async def test_webhook_update_gets_a_reply(http: aiohttp.ClientSession, emulator: BotAPIEmulator) -> None:
    async with http.post(
        HOOK_PATH, json=start_message(1), headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
    ) as response:
        assert response.status == 200
    [greeting] = await emulator.wait_for_messages(USER_ID, 1)
    assert "Bonjour Marie" in greeting.text and "Testville" in greeting.text

    # Registered on start: the URL, the secret, only the update types the dialogs use.
    assert emulator.webhook_url == HOOK_URL
    [(_, registered)] = [call for call in emulator.calls if call[0] == "setWebhook"]
    assert registered["secret_token"] == SECRET
    assert {"message", "callback_query"} <= set(registered["allowed_updates"])
    assert emulator.method_counts["setMyCommands"] >= 1
    # The committee sees its own commands, in private and in its group; residents do not.
    menus = {key: [c["command"] for c in commands] for key, commands in emulator.my_commands.items()}
    committee_menus = [names for key, names in menus.items() if "chat" in str(key[0])]
    assert committee_menus and all("admin" in names for names in committee_menus)
    assert all("admin" not in names for key, names in menus.items() if "chat" not in str(key[0]))


async def test_webhook_refuses_a_wrong_secret(http: aiohttp.ClientSession, emulator: BotAPIEmulator) -> None:
    for headers in ({"X-Telegram-Bot-Api-Secret-Token": "guessed"}, {}):
        async with http.post(HOOK_PATH, json=start_message(2), headers=headers) as response:
            assert response.status == 401
    await asyncio.sleep(0.1)
    assert emulator.messages(USER_ID) == []  # nothing was handled


async def test_health_readiness_and_metrics(http: aiohttp.ClientSession, app: App, emulator: BotAPIEmulator) -> None:
    async with http.get("/healthz") as response:
        assert (response.status, await response.text()) == (200, "ok")
    async with http.get("/readyz") as response:
        assert response.status == 200

    async with http.post(
        HOOK_PATH, json=start_message(3), headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
    ) as response:
        assert response.status == 200
    async with http.get("/metrics") as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        metrics = await response.text()
    assert "# TYPE pbbot_updates_total counter" in metrics
    assert 'pbbot_updates_total{type="message"} 1' in metrics
    assert 'pbbot_updates_total{type="callback_query"} 0' in metrics
    assert "pbbot_update_errors_total 0" in metrics
    assert "pbbot_conversation_writes_lost_total 0" in metrics
    assert "pbbot_uptime_seconds " in metrics

    # A database that does not answer: not ready, though still alive.
    reachable, app.engine = app.engine, make_engine("postgresql+asyncpg://nobody@127.0.0.1:9/nowhere")
    try:
        async with http.get("/readyz") as response:
            assert response.status == 503
        async with http.get("/healthz") as response:
            assert response.status == 200
    finally:
        await app.engine.dispose()
        app.engine = reachable


async def test_webhook_settings_are_checked(settings: Settings) -> None:
    with pytest.raises(SystemExit, match="WEBHOOK_URL is not set"):
        await run_webhook(settings.model_copy(update={"webhook_url": None}))
    with pytest.raises(SystemExit, match="BOT_TOKEN is not set"):
        await run_webhook(settings.model_copy(update={"bot_token": None, "webhook_url": HOOK_URL}))
    with pytest.raises(SystemExit, match="WEBHOOK_SECRET may only hold"):
        await run_webhook(
            settings.model_copy(update={"webhook_url": HOOK_URL, "webhook_secret": SecretStr("no spaces")})
        )
    bare = settings.model_copy(update={"webhook_url": "https://pbbot.example.org"})
    assert webhook_endpoint(bare) == ("https://pbbot.example.org/webhook", "/webhook")


async def test_telegram_is_told_of_the_webhook_only_once_the_port_listens(
    hook_settings: Settings, emulator: BotAPIEmulator
) -> None:
    """Telegram opens its connections as soon as it is told, and keeps them (with several
    workers, one not listening yet would get none of them)."""
    with socket.socket() as probe:  # a free port: bound, then let go
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    held = emulator.hold("setWebhook")
    serving = asyncio.create_task(
        run_webhook(hook_settings.model_copy(update={"webhook_host": "127.0.0.1", "webhook_port": port}))
    )
    try:
        async with asyncio.timeout(60):
            await held.reached.wait()
        # Telegram is being told to post here: the port takes connections already.
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.close()
        held.release()
        async with asyncio.timeout(30):
            while emulator.webhook_url != HOOK_URL:
                assert not serving.done(), serving
                await asyncio.sleep(0.05)
    finally:
        held.release()
        serving.cancel()
        with suppress(asyncio.CancelledError):
            await serving


async def test_long_polling_serves_until_stopped(app: App, settings: Settings, emulator: BotAPIEmulator) -> None:
    emulator.push_update(start_message(10))
    polling = asyncio.create_task(run_polling(settings, app=app))
    try:
        async with asyncio.timeout(15):
            while not any("Bonjour Marie" in (m.text or "") for m in emulator.messages(USER_ID)):
                if polling.done():
                    polling.result()  # raises what stopped it
                    pytest.fail("polling stopped before replying")
                await asyncio.sleep(0.05)
    finally:
        with suppress(RuntimeError):  # "Polling is not started" if it failed early
            await asyncio.wait_for(app.dispatcher.stop_polling(), timeout=15)
        await asyncio.wait_for(polling, timeout=15)  # ends, and re-raises what went wrong

    assert emulator.method_counts["setMyCommands"] >= 1
    assert emulator.method_counts["deleteWebhook"] == 1
