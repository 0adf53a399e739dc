"""The Bot API over aiohttp, each call's fields sent as one JSON body when it uploads no file.

aiogram's AiohttpSession sends every call as a form: each field goes through `prepare_value`,
the nested ones (a keyboard, link preview options) are each turned into a JSON string, and
aiohttp then URL-encodes the whole form. The Bot API takes an `application/json` body for any
call that uploads no file, and building one costs about half as much CPU (about 0.1 ms less per
call on this machine: `python -m bench.bot_api_body`), on every reply and every message of an
announcement (`python -m bench.broadcast` at 1,000 messages/s: 0.8 ms of CPU per message against
1.2–1.3 ms with the form, which kept the process nearly saturated). A call that uploads a file
(an export, the invitation slips, a chart) goes as aiogram's form.

The fields are what aiogram would send: the same `prepare_value` (the bot's defaults filled in,
dates as timestamps, enums as their values), and a field left out when the form would leave it
out (None or an empty string). The answer is read, checked and turned into errors by aiogram
(`check_response`), as before. Only the request's body differs; what follows the request is
aiogram's `make_request`, repeated here because it builds the form inside it.
"""

from __future__ import annotations

import asyncio
from typing import Any, cast

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiohttp import ClientError, ClientTimeout

JSON_HEADERS = {"Content-Type": "application/json"}


class JsonBodySession(AiohttpSession):
    def json_body(self, bot: Bot, method: TelegramMethod[Any]) -> bytes | None:
        """The call's fields as one JSON document; None when it uploads a file (a form, then)."""
        files: dict[str, Any] = {}
        fields: dict[str, Any] = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files=files, _dumps_json=False)
            if prepared is None or prepared == "":
                continue  # what aiogram's form leaves out
            fields[key] = prepared
        if files:
            return None
        return self.json_dumps(fields).encode()

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,
    ) -> TelegramType:
        body = self.json_body(bot, method)
        if body is None:
            return await super().make_request(bot, method, timeout)
        session = await self.create_session()
        url = self.api.api_url(token=bot.token, method=method.__api_method__)
        try:
            async with session.post(
                url,
                data=body,
                headers=JSON_HEADERS,
                timeout=ClientTimeout(total=self.timeout if timeout is None else timeout),
            ) as resp:
                raw_result = await resp.text()
        except asyncio.TimeoutError as e:
            raise TelegramNetworkError(method=method, message="Request timeout error") from e
        except ClientError as e:
            raise TelegramNetworkError(method=method, message=f"{type(e).__name__}: {e}") from e
        response = self.check_response(bot=bot, method=method, status_code=resp.status, content=raw_result)
        return cast(TelegramType, response.result)
