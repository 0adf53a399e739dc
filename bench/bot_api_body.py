"""CPU per Bot API call: aiogram's form against one JSON body (bot/bot_api_session.py).

    python -m bench.bot_api_body              # 3,000 calls of each kind, each way, twice

What the bot pays for each call it makes, measured in this process only (time.process_time):
a Bot API stand-in runs in a child process on 127.0.0.1 and answers every call with a message,
as Telegram does. The calls are the update path's usual ones: a reply with a keyboard of four
buttons, an edited message, a button's answer. Each is made N times through aiogram's
AiohttpSession (a form), then through JsonBodySession (JSON), then both again, so that the
machine's pace of the moment weighs on both alike. It also prints the body alone (building it,
without the request). Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import time
from collections.abc import Awaitable, Callable
from multiprocessing.connection import Connection
from typing import Any

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.methods import AnswerCallbackQuery, EditMessageText, SendMessage, TelegramMethod
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiohttp import web

from bot.bot_api_session import JsonBodySession

TOKEN = "123456:BENCH-TOKEN"
MESSAGE = (
    b'{"ok":true,"result":{"message_id":7,"date":1733280000,"chat":{"id":4242,"type":"private",'
    b'"first_name":"Alice"},"from":{"id":1,"is_bot":true,"first_name":"pbbot"},"text":"Thanks"}}'
)

TRUE = b'{"ok":true,"result":true}'


def _serve(connection: Connection) -> None:
    """Child process: the stand-in on a free port, sent back through `connection`, until told to stop."""

    async def answer(request: web.Request) -> web.Response:
        await request.read()
        body = TRUE if request.path.endswith("/answerCallbackQuery") else MESSAGE
        return web.Response(body=body, content_type="application/json")

    async def serve() -> None:
        app = web.Application()
        app.router.add_post("/{tail:.*}", answer)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        connection.send(runner.addresses[0][1])
        await asyncio.get_running_loop().run_in_executor(None, connection.recv)
        await runner.cleanup()

    asyncio.run(serve())


def _calls() -> dict[str, TelegramMethod[Any]]:
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=f"Project {i}", callback_data=f"vote:pick:{i}:3")] for i in range(4)
        ]
    )
    text = "<b>Your ballot</b>\nPick up to 3 projects, then press <i>Next</i>. 12,500 EUR left."
    return {
        "reply with a keyboard": SendMessage(chat_id=4242, text=text, reply_markup=keyboard),
        "edited message": EditMessageText(chat_id=4242, message_id=7, text=text, reply_markup=keyboard),
        "button answered": AnswerCallbackQuery(callback_query_id="4242000017"),
    }


def _bot(session: AiohttpSession) -> Bot:
    return Bot(
        TOKEN, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True)
    )


def _cpu_us(n: int, call: Callable[[], Any]) -> float:
    started = time.process_time()
    for _ in range(n):
        call()
    return (time.process_time() - started) / n * 1e6


async def _cpu_us_async(n: int, call: Callable[[], Awaitable[Any]]) -> float:
    started = time.process_time()
    for _ in range(n):
        await call()
    return (time.process_time() - started) / n * 1e6


async def measure(n: int, port: int) -> None:
    api = TelegramAPIServer.from_base(f"http://127.0.0.1:{port}")
    form_bot, json_bot = _bot(AiohttpSession(api=api)), _bot(JsonBodySession(api=api))
    form_session, json_session = form_bot.session, json_bot.session
    assert isinstance(form_session, AiohttpSession) and isinstance(json_session, JsonBodySession)
    try:
        for name, method in _calls().items():
            await form_bot(method)  # connections open, schemas built
            await json_bot(method)
            form_body: list[float] = []
            json_body: list[float] = []
            form_call: list[float] = []
            json_call: list[float] = []
            for _ in range(2):
                form_body.append(_cpu_us(n, lambda: form_session.build_form_data(form_bot, method)()))  # noqa: B023
                json_body.append(_cpu_us(n, lambda: json_session.json_body(json_bot, method)))  # noqa: B023
                form_call.append(await _cpu_us_async(n, lambda: form_bot(method)))  # noqa: B023
                json_call.append(await _cpu_us_async(n, lambda: json_bot(method)))  # noqa: B023
            print(
                f"{name:<22} whole call: form {_pair(form_call)}  JSON {_pair(json_call)} µs CPU"
                f"   the body alone: form {_pair(form_body)}  JSON {_pair(json_body)} µs"
            )
    finally:
        await form_session.close()
        await json_session.close()


def _pair(figures: list[float]) -> str:
    return " / ".join(f"{figure:4.0f}" for figure in figures)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=3000, help="calls of each kind, each way, per round")
    args = parser.parse_args()
    parent, child = multiprocessing.Pipe()
    server = multiprocessing.get_context("spawn").Process(target=_serve, args=(child,), daemon=True)
    server.start()
    try:
        port = parent.recv()
        print(f"{args.calls} calls of each kind, each way, in two rounds (first / second), this process's CPU per call")
        asyncio.run(measure(args.calls, port))
    finally:
        parent.send("stop")
        server.join(timeout=5)


if __name__ == "__main__":
    main()
