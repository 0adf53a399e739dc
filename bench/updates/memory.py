"""Memory over many distinct residents: is the bot's footprint flat as residents come and go?

Residents are made one at a time as the run needs them (`in_batches` takes them from a
generator), each sends /start then /help, and what the bench itself would keep per resident is
dropped: the emulator keeps no messages (`keep_messages=False`) and forgets the
users and chats it saw at each checkpoint, since they are the bench's Telegram, not the bot. What
remains is the bot's own: its caches, its locks (bot/isolation.py frees a resident's once their
updates are handled) and the ids of the last 100,000 updates (bot/recent_updates.py, without
Redis), which fill up over the first 50,000 residents and then stay at that size.
"""

from __future__ import annotations

import argparse
import gc
import shutil
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from aiogram.types import Update

from bench.updates.api import EmulatorSession, error_replies
from bench.updates.journeys import FIRST_ID, JSON, Timed, in_batches
from bench.updates.measure import report, rss_mb
from bench.updates.setups import CAMPAIGN, drop_database, drop_redis_keys, fresh_database, new_prefix, settings_for
from bot.app import build_app
from campaign.clock import SettableClock
from campaign.schema import load_campaign
from tests.emulator import BotAPIEmulator, Resident


async def memory(args: argparse.Namespace) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="pbbot-bench-"))
    url = await fresh_database(args.db, workdir)
    prefix = new_prefix()
    campaign = load_campaign(CAMPAIGN)
    clock = SettableClock(campaign.calendar.proposals_open + timedelta(days=3))
    emulator = BotAPIEmulator(keep_messages=False)
    delay = args.delay[0] / 1000
    settings = settings_for(url, args.redis, prefix)
    app = await build_app(settings, clock=clock, session=EmulatorSession(emulator, delay))

    async def feed(update: JSON) -> None:
        await app.dispatcher.feed_update(app.bot, Update.model_validate(update, context={"bot": app.bot}))

    timed = Timed(feed)

    async def one(i: int) -> None:
        resident = Resident(emulator, timed, FIRST_ID + i, f"R{i}", "en")
        await resident.send("/start")
        await resident.send("/help")

    setup = f"{args.db}{' + redis' if args.redis else ''}, API {delay * 1000:.0f} ms"
    print(
        f"memory: {args.memory:,} distinct residents each send /start then /help ({setup}, {args.concurrency} at a time)"
    )
    gc.collect()
    print(f"  before any resident:        RSS {rss_mb():6.0f} MB")
    step = min(args.checkpoint, args.memory)
    started = time.perf_counter()
    try:
        for block in range(0, args.memory, step):
            block_started = time.perf_counter()
            await in_batches(range(block, min(args.memory, block + step)), args.concurrency, one)
            seconds = time.perf_counter() - block_started
            count = len(timed.latencies)
            emulator.users.clear()  # the bench's Telegram, not the bot
            emulator.chats.clear()
            gc.collect()
            done = min(args.memory, block + step)
            print(f"  after {done:>8,} residents: RSS {rss_mb():6.0f} MB   ({time.perf_counter() - started:6.0f} s)")
            report(f"    last {done - block:,}", count, seconds, timed.latencies)
            timed.latencies.clear()  # the latencies list itself must not be what grows
        if errors := error_replies(emulator):
            print(f"  !! {errors} error replies among the last 1,000 calls")
    finally:
        await app.close()
        await drop_database(url)
        if args.redis:
            await drop_redis_keys(prefix)
        shutil.rmtree(workdir, ignore_errors=True)
