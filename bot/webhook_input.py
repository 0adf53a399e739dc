"""A webhook body that is not an update gets HTTP 400, logged once.

aiogram's handler reads the body with `request.json()` and lets a decoding or validation error
become HTTP 500; Telegram then sends the same body again and again. A body that is not JSON, not
an object, or not an Update is answered 400 here (Telegram drops it), with one warning that says
why; a valid update goes on to the dispatcher as before. The body is parsed and validated in
one pass by pydantic's own JSON parser (no dict of the whole update made first).
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot
from aiogram.types import Update
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web
from pydantic import ValidationError

log = logging.getLogger(__name__)

PREVIEW = 200  # characters of a bad body shown in the log


class CheckedRequestHandler(SimpleRequestHandler):
    async def _handle_request(self, bot: Bot, request: web.Request) -> web.Response:
        body = await request.read()
        try:
            update = Update.model_validate_json(body, context={"bot": bot})
        except ValidationError as error:  # not JSON, not an object, not an Update
            reason = _reason(error)
            log.warning("webhook: refused a body that is not an update (%s): %r", reason, body[:PREVIEW])
            return web.Response(status=400, text="not a Telegram update")
        result: Any = await self.dispatcher.feed_webhook_update(bot, update, **self.data)
        return web.Response(body=self._build_response_writer(bot=bot, result=result))


def _reason(error: ValidationError) -> str:
    """The first thing wrong, and where: `Invalid JSON: ...`, `message.text: Input should be...`."""
    first = error.errors(include_url=False, include_input=False)[0]
    where = ".".join(str(part) for part in first["loc"])
    return (f"{where}: {first['msg']}" if where else first["msg"])[:PREVIEW]
