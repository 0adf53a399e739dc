"""`pbbot webhook`: an aiohttp server that receives updates from Telegram.

Routes: the path of WEBHOOK_URL (default `/webhook`) for Telegram, `/healthz` (the process
answers), `/readyz` (the database answers) and `/metrics` (Prometheus text format, bot/metrics.py).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from urllib.parse import urlsplit, urlunsplit

from aiogram.webhook.aiohttp_server import setup_application
from aiohttp import web
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from sqlalchemy import text

from bot.app import App, build_app
from bot.background import background_services
from bot.settings import Settings
from bot.webhook_input import CheckedRequestHandler

log = logging.getLogger(__name__)

DEFAULT_PATH = "/webhook"
READY_TIMEOUT = 2.0  # seconds; a probe that waits longer than this is a failed probe anyway
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what Telegram accepts as secret_token


def webhook_endpoint(settings: Settings) -> tuple[str, str]:
    """(URL registered with Telegram, path served). A URL without a path gets `/webhook`."""
    if not settings.webhook_url:
        raise SystemExit(
            "WEBHOOK_URL is not set: the public https URL Telegram will post updates to, e.g. https://bot.example.org/webhook"
        )
    parts = urlsplit(settings.webhook_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SystemExit(
            f"WEBHOOK_URL {settings.webhook_url!r} is not an absolute URL like https://bot.example.org/webhook"
        )
    path = parts.path.rstrip("/") or DEFAULT_PATH
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, "")), path


def webhook_secret(settings: Settings, token: str) -> str:
    """WEBHOOK_SECRET, or one derived from the token: never an open webhook, since anyone who could
    post to it could speak as any user, committee members included. The derived one is the same
    in every worker and across restarts, and useless without the token."""
    if settings.webhook_secret is not None and settings.webhook_secret.get_secret_value():
        secret = settings.webhook_secret.get_secret_value()
        if not _SECRET.fullmatch(secret):
            raise SystemExit(
                "WEBHOOK_SECRET may only hold A-Z, a-z, 0-9, _ and - (1 to 256 characters), as Telegram requires"
            )
        return secret
    return hmac.new(token.encode(), b"pbbot webhook secret", hashlib.sha256).hexdigest()


def max_connections(workers: int) -> int:
    """What the webhook asks Telegram for: 40 connections (Telegram's default) per worker, within
    Telegram's limit of 100. Each connection carries one update at a time, so this is how many
    updates can be in flight; 40 keeps one worker busy while replies wait on the Bot API."""
    return min(100, 40 * max(1, workers))


def build_web_app(app: App, settings: Settings, *, workers: int = 1) -> web.Application:
    """The aiohttp application (`register_webhook` tells Telegram of it, once it listens)."""
    _, path = webhook_endpoint(settings)
    secret = webhook_secret(settings, app.bot.token)
    web_app = web.Application()
    # Answered once the update is handled, not before: Telegram re-sends what a crashed or
    # stopped worker did not acknowledge, and a graceful stop finishes the requests in flight.
    CheckedRequestHandler(app.dispatcher, app.bot, handle_in_background=False, secret_token=secret).register(
        web_app, path=path
    )
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
        body = await app.metrics.render(app.sessionmaker, app.campaign.id)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_PLAIN_0_0_4})

    web_app.router.add_get("/healthz", healthz)
    web_app.router.add_get("/readyz", readyz)
    web_app.router.add_get("/metrics", metrics_page)
    return web_app


async def register_webhook(app: App, settings: Settings, *, workers: int = 1) -> None:
    """The commands' menus, then the webhook. Called once this process listens: Telegram opens
    its connections as soon as it is told, and keeps them; a worker that began to listen after
    them would get none (the kernel spreads connections over the sockets listening then)."""
    url, path = webhook_endpoint(settings)
    await app.publish_commands()
    # Every worker registers the same URL; none deletes it on stop, or one worker going
    # down would cut the others off.
    await app.bot.set_webhook(
        url,
        secret_token=webhook_secret(settings, app.bot.token),
        allowed_updates=app.dispatcher.resolve_used_update_types(),
        drop_pending_updates=False,
        max_connections=max_connections(workers),
    )
    log.info("webhook registered at %s, serving %s", url, path)


@asynccontextmanager
async def _stop_signals() -> AsyncIterator[asyncio.Event]:
    """An event set by SIGTERM (what orchestrators send) or SIGINT; Ctrl-C elsewhere cancels us.
    Installed before the port listens, so that a stop asked for while the webhook is being
    registered still lets the requests already in flight finish."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with suppress(NotImplementedError, RuntimeError):  # Windows, or not the main thread
            loop.add_signal_handler(sig, stop.set)
    try:
        yield stop
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            with suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)


async def run_webhook(settings: Settings, *, workers: int = 1, reuse_port: bool = False) -> None:
    """One webhook process; `pbbot webhook --workers N` runs N of them on one port (bot/workers.py)."""
    settings.require_token()
    webhook_endpoint(settings)  # fail before touching the database if WEBHOOK_URL is unusable
    app = await build_app(settings)
    runner: web.AppRunner | None = None
    try:
        runner = web.AppRunner(build_web_app(app, settings, workers=workers), access_log=None)
        await runner.setup()
        async with background_services(app), _stop_signals() as stop:
            await web.TCPSite(
                runner, settings.webhook_host, settings.webhook_port, reuse_port=reuse_port or None
            ).start()
            log.info(
                "pbbot webhook server on %s:%s (%s)", settings.webhook_host, settings.webhook_port, app.campaign.id
            )
            await register_webhook(app, settings, workers=workers)
            await stop.wait()
    finally:
        if runner is not None:
            await runner.cleanup()
        await app.close()
