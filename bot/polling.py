"""`pbbot run`: long polling against BOT_API_URL."""

from __future__ import annotations

import logging

from bot.app import App, build_app
from bot.background import background_services
from bot.settings import Settings
from storage.db import make_engine, upgrade_schema

log = logging.getLogger(__name__)


async def migrate(settings: Settings) -> None:
    engine = make_engine(settings.database_url)
    try:
        await upgrade_schema(engine)
    finally:
        await engine.dispose()


async def run_polling(settings: Settings, *, app: App | None = None) -> None:
    """Serve until SIGINT/SIGTERM or `app.dispatcher.stop_polling()`; `app` lets a caller (tests)
    build the app and hold its dispatcher. The app is closed at the end either way."""
    app = app or await build_app(settings)
    try:
        me = await app.bot.get_me()
        log.info(
            "pbbot @%s serving %s (%s) from %s", me.username, app.campaign.id, app.campaign.town, settings.bot_api_url
        )
        await app.publish_commands()
        await app.bot.delete_webhook(drop_pending_updates=False)
        async with background_services(app):
            await app.dispatcher.start_polling(app.bot, handle_signals=True, close_bot_session=False)
    finally:
        await app.close()
