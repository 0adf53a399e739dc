"""A bare aiogram echo bot behind a webhook, in N processes on one port: the webhook rows' reference.

`python -m bench.updates.echo_webhook PORT API_URL WORKERS`: what `pbbot webhook --workers N`
does for HTTP (aiogram's own `SimpleRequestHandler`, answered once handled; SO_REUSEPORT; the Bot
API over HTTP with aiogram's aiohttp session), with nothing of pbbot: each message is answered with
its text and each button once, as the in-process echo does. Fed the updates pbbot was fed, it shows
what this machine's two cores allow any aiogram bot through the webhook.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import signal
import sys

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import CallbackQuery, Message
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from bench.updates.setups import TOKEN

PATH = "/webhook"


def echo_dispatcher() -> Dispatcher:
    """A bare aiogram dispatcher that answers every message with its text and every button once."""
    echo = Dispatcher()

    @echo.message()
    async def _echo(message: Message) -> None:
        await message.answer(message.text or "?")

    @echo.callback_query()
    async def _pressed(query: CallbackQuery) -> None:
        await query.answer("ok")

    return echo


async def serve(port: int, api_url: str) -> None:
    bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(api_url)))
    echo = echo_dispatcher()
    app = web.Application()
    SimpleRequestHandler(echo, bot, handle_in_background=False).register(app, path=PATH)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port, reuse_port=True).start()
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    await runner.cleanup()
    await bot.session.close()


def _worker(port: int, api_url: str) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    asyncio.run(serve(port, api_url))


def main(port: int, api_url: str, workers: int) -> None:
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_worker, args=(port, api_url)) for _ in range(workers)]
    for process in processes:
        process.start()

    def stop(*_: object) -> None:
        for process in processes:
            process.terminate()

    signal.signal(signal.SIGTERM, stop)
    for process in processes:
        process.join()


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2], int(sys.argv[3]))
