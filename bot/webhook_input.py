"""A webhook body that is not an update gets HTTP 400, logged once.

aiogram's handler reads the body with `request.json()` and lets a decoding or validation error
become HTTP 500; Telegram then sends the same body again and again. A body that is not JSON, not
an object, or not an Update is answered 400 here (Telegram drops it), with one warning that says
why; a valid update goes on to the dispatcher as before.
"""

from __future__ import annotations

import json
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
            data: Any = json.loads(body)
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
            update = Update.model_validate(data, context={"bot": bot})
        except (ValueError, ValidationError) as error:  # JSONDecodeError is a ValueError
            reason = str(error).splitlines()[0][:PREVIEW]
            log.warning("webhook: refused a body that is not an update (%s): %r", reason, body[:PREVIEW])
            return web.Response(status=400, text="not a Telegram update")
        result: Any = await self.dispatcher.feed_webhook_update(bot, update, **self.data)
        return web.Response(body=self._build_response_writer(bot=bot, result=result))
