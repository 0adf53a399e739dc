"""The Bot API the bench talks to: the tests' emulator, answering after a delay.

In-process runs give the bot an `EmulatorSession` (a BaseSession that calls the emulator
directly, no HTTP); the webhook runs use `SlowEmulator`, the emulator over HTTP on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator
from http import HTTPStatus
from typing import Any

from aiogram import Bot
from aiogram.client.default import Default
from aiogram.client.session.base import BaseSession
from aiogram.methods import TelegramMethod

from tests.emulator import BotAPIEmulator


class EmulatorSession(BaseSession):
    """The emulator's answers without HTTP: what Telegram would say, after `delay` seconds."""

    def __init__(self, emulator: BotAPIEmulator, delay: float) -> None:
        super().__init__()
        self.emulator = emulator
        self.delay = delay

    async def close(self) -> None:
        return None

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        raise NotImplementedError("no downloads in these journeys")
        yield b""  # a generator, as the base class's

    async def make_request(self, bot: Bot, method: TelegramMethod[Any], timeout: int | None = None) -> Any:
        # Always a turn of the event loop, even at 0 ms, as any real call's network read is: a
        # call that never yields let one resident's task run many updates in a row while others
        # waited, which made a p99 of about a second out of nothing the bot does.
        await asyncio.sleep(self.delay)
        params = _wire(bot, method.model_dump(warnings=False, exclude_none=True))
        name = method.__api_method__
        self.emulator.method_counts[name] += 1
        result = self.emulator._handlers[name.lower()](params)
        if asyncio.iscoroutine(result):
            result = await result
        return self.check_response(bot, method, HTTPStatus.OK, json.dumps({"ok": True, "result": result})).result


# Sent as they are: a method's fields are mostly these, and each needs no call of `_wire`.
_PLAIN = frozenset({str, int, float, bool})


def _wire(bot: Bot, value: Any) -> Any:
    """A method's fields as the Bot API receives them: the bot's defaults filled in, no None."""
    if isinstance(value, Default):
        return _wire(bot, bot.default[value.name])
    if isinstance(value, dict):
        return {
            k: v if type(v) in _PLAIN else _wire(bot, v)
            for k, v in value.items()
            if v is not None and not (isinstance(v, Default) and bot.default[v.name] is None)
        }
    if isinstance(value, list):
        return [v if type(v) in _PLAIN else _wire(bot, v) for v in value]
    if hasattr(value, "model_dump"):
        return _wire(bot, value.model_dump(exclude_none=True))
    return value


class SlowEmulator(BotAPIEmulator):
    """The emulator over HTTP, answering after `delay` seconds (for the webhook workers)."""

    def __init__(self, delay: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.delay = delay

    async def _handle_api(self, request: Any) -> Any:
        if self.delay:
            await asyncio.sleep(self.delay)
        return await super()._handle_api(request)


def error_replies(emulator: BotAPIEmulator) -> int:
    """How many replies were the bot's "something went wrong" (the journeys must not see any)."""
    return sum(1 for _, params in emulator.calls if "went wrong" in str(params.get("text", "")))
