"""`pbbot webhook`: an aiohttp server that receives updates from Telegram.

Routes: the path of WEBHOOK_URL (default `/webhook`) for Telegram, `/healthz` (the process
answers), `/readyz` (the database answers) and `/metrics` (Prometheus text format).
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
import signal
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from aiogram import Dispatcher
from aiogram.types import TelegramObject, Update
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web
from sqlalchemy import text

from bot.app import App, build_app
from bot.background import background_services
from bot.commands import publish_commands
from bot.settings import Settings

log = logging.getLogger(__name__)

DEFAULT_PATH = "/webhook"
READY_TIMEOUT = 2.0  # seconds; a probe that waits longer than this is a failed probe anyway
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what Telegram accepts as secret_token


def webhook_endpoint(settings: Settings) -> tuple[str, str]:
    """(URL registered with Telegram, path served). A URL without a path gets `/webhook`."""
    if not settings.webhook_url:
        raise SystemExit("WEBHOOK_URL is not set: the public https URL Telegram will post updates to, e.g. https://bot.example.org/webhook")
    parts = urlsplit(settings.webhook_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SystemExit(f"WEBHOOK_URL {settings.webhook_url!r} is not an absolute URL like https://bot.example.org/webhook")
    path = parts.path.rstrip("/") or DEFAULT_PATH
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, "")), path


def webhook_secret(settings: Settings, token: str) -> str:
    """WEBHOOK_SECRET, or one derived from the token: never an open webhook, since anyone who could
    post to it could speak as any user, committee members included. The derived one is the same
    in every worker and across restarts, and useless without the token."""
    if settings.webhook_secret is not None and settings.webhook_secret.get_secret_value():
        secret = settings.webhook_secret.get_secret_value()
        if not _SECRET.fullmatch(secret):
            raise SystemExit("WEBHOOK_SECRET may only hold A-Z, a-z, 0-9, _ and - (1 to 256 characters), as Telegram requires")
        return secret
    return hmac.new(token.encode(), b"pbbot webhook secret", hashlib.sha256).hexdigest()


class Metrics:
    """Counters for /metrics; updates are counted by an outer middleware, errors as they reach
    the error handlers (so a failure in any middleware counts too)."""

    def __init__(self) -> None:
        self.started_monotonic = time.monotonic()
        self.started_wall = time.time()
        self.updates: Counter[str] = Counter()
        self.errors = 0

    def install(self, dispatcher: Dispatcher) -> None:
        for update_type in dispatcher.resolve_used_update_types():
            self.updates[update_type] += 0  # present from the start, at 0
        dispatcher.update.outer_middleware(self._count_update)
        dispatcher.errors.outer_middleware(self._count_error)

    async def _count_update(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                            event: TelegramObject, data: dict[str, Any]) -> Any:
        self.updates[event.event_type if isinstance(event, Update) else "unknown"] += 1
        return await handler(event, data)

    async def _count_error(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                           event: TelegramObject, data: dict[str, Any]) -> Any:
        self.errors += 1
        return await handler(event, data)

    def render(self) -> str:
        lines = [
            "# HELP pbbot_updates_total Telegram updates received, by type.",
            "# TYPE pbbot_updates_total counter",
            *(f'pbbot_updates_total{{type="{kind}"}} {count}' for kind, count in sorted(self.updates.items())),
            "# HELP pbbot_update_errors_total Updates whose handling raised an exception.",
            "# TYPE pbbot_update_errors_total counter",
            f"pbbot_update_errors_total {self.errors}",
            "# HELP pbbot_uptime_seconds Seconds since the server started.",
            "# TYPE pbbot_uptime_seconds gauge",
            f"pbbot_uptime_seconds {time.monotonic() - self.started_monotonic:.3f}",
            "# HELP process_start_time_seconds Start time of the process since the Unix epoch in seconds.",
            "# TYPE process_start_time_seconds gauge",
            f"process_start_time_seconds {self.started_wall:.3f}",
        ]
        return "\n".join(lines) + "\n"


def build_web_app(app: App, settings: Settings) -> web.Application:
    """The aiohttp application; it registers the webhook with Telegram when it starts."""
    url, path = webhook_endpoint(settings)
    secret = webhook_secret(settings, app.bot.token)
    metrics = Metrics()
    metrics.install(app.dispatcher)
    web_app = web.Application()
    # Answered once the update is handled, not before: Telegram re-sends what a crashed or
    # stopped worker did not acknowledge, and a graceful stop finishes the requests in flight.
    SimpleRequestHandler(app.dispatcher, app.bot, handle_in_background=False, secret_token=secret).register(web_app, path=path)
    setup_application(web_app, app.dispatcher, bot=app.bot)

    async def healthz(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def readyz(request: web.Request) -> web.Response:
        try:
            async with asyncio.timeout(READY_TIMEOUT):
                async with app.engine.connect() as connection:
                    await connection.execute(text("SELECT 1"))
        except Exception as error:  # any failure means "do not send me traffic"
            log.warning("readiness: database unreachable: %s", error)
            return web.Response(status=503, text="database unreachable")
        return web.Response(text="ready")

    async def metrics_page(request: web.Request) -> web.Response:
        return web.Response(body=metrics.render().encode(), headers={"Content-Type": "text/plain; version=0.0.4; charset=utf-8"})

    async def register_webhook(_: web.Application) -> None:
        await publish_commands(
            app.bot, app.i18n, list(app.campaign.languages), app.campaign.default_language,
            committee_ids=settings.admin_ids, committee_chat_id=settings.admin_chat_id,
        )
        # Every worker registers the same URL; none deletes it on stop, or one worker going
        # down would cut the others off.
        await app.bot.set_webhook(url, secret_token=secret, allowed_updates=app.dispatcher.resolve_used_update_types(),
                                  drop_pending_updates=False)
        log.info("webhook registered at %s, serving %s", url, path)

    web_app.router.add_get("/healthz", healthz)
    web_app.router.add_get("/readyz", readyz)
    web_app.router.add_get("/metrics", metrics_page)
    web_app.on_startup.append(register_webhook)
    return web_app


async def _until_stopped() -> None:
    """Wait for SIGTERM (what orchestrators send) or SIGINT; Ctrl-C elsewhere cancels us."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with suppress(NotImplementedError, RuntimeError):  # Windows, or not the main thread
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            with suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)


async def run_webhook(settings: Settings) -> None:
    settings.require_token()
    webhook_endpoint(settings)  # fail before touching the database if WEBHOOK_URL is unusable
    app = await build_app(settings)
    runner: web.AppRunner | None = None
    try:
        runner = web.AppRunner(build_web_app(app, settings), access_log=None)
        await runner.setup()
        async with background_services(app):
            await web.TCPSite(runner, settings.webhook_host, settings.webhook_port).start()
            log.info("pbbot webhook server on %s:%s (%s)", settings.webhook_host, settings.webhook_port, app.campaign.id)
            await _until_stopped()
    finally:
        if runner is not None:
            await runner.cleanup()
        await app.close()
