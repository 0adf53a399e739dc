"""A broadcaster in its own process, for the kill -9 test: `python -m tests.journeys.broadcast_worker URL API RATE`.

Sends everything queued in the database at URL through the Bot API at API, then exits.
"""

from __future__ import annotations

import asyncio
import sys

from bot.app import make_bot
from bot.broadcaster import Broadcaster
from storage.db import make_engine, make_sessionmaker


async def main(database_url: str, api_url: str, rate: float) -> None:
    engine = make_engine(database_url)
    bot = make_bot("123456:TEST-TOKEN", api_url)
    try:
        print("ready", flush=True)
        await Broadcaster(make_sessionmaker(engine), bot, rate=rate).run_once()
    finally:
        await bot.session.close()
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], float(sys.argv[3])))
