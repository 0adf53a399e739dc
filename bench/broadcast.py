"""Broadcast to many residents against the Bot API emulator, which enforces a rate limit.

    python -m bench.broadcast                       # 100,000 residents, 1,000 messages/s
    python -m bench.broadcast --residents 20000 --rate 1000
    python -m bench.broadcast --database-url postgresql+asyncpg://postgres@127.0.0.1/bench

The emulator runs in a child process (`keep_messages=False`, so its memory stays flat) and
answers 429 with retry_after when more than `--rate` messages arrive within one second. The
broadcaster runs here with its rate set to that same limit. Printed: the achieved rate as a
fraction of the limit, the 429s received, and this process's memory (peak RSS, and the RSS
while sending, which should stay flat whatever the audience). Figures only: nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import resource
import tempfile
import time
from datetime import datetime, timezone
from multiprocessing.connection import Connection
from pathlib import Path

from sqlalchemy import insert, text

from bot.app import make_bot
from bot.broadcaster import Broadcaster
from storage.db import make_engine, make_sessionmaker, upgrade_schema
from storage.models import UserRow
from storage.repositories.broadcasts import BroadcastRepository

FIRST_ID = 10_000_000


def _serve_emulator(connection: Connection, rate: float) -> None:
    """Child process: the emulator until told to stop; answers "stats" with its counters."""

    async def serve() -> None:
        from tests.emulator import BotAPIEmulator

        emulator = BotAPIEmulator(keep_messages=False, rate_limit_per_second=rate)
        await emulator.start()
        connection.send(emulator.base_url)
        loop = asyncio.get_running_loop()
        while True:
            command = await loop.run_in_executor(None, connection.recv)
            if command == "stats":
                connection.send(
                    {
                        "sent": emulator.sent_count,
                        "too_many_requests": emulator.too_many_requests,
                        "errors": len(emulator.errors),
                    }
                )
            else:
                break
        await emulator.stop()

    asyncio.run(serve())


def _rss_mb() -> float:
    """Current resident memory of this process, in MiB (Linux)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


async def _insert_residents(sessionmaker, count: int) -> None:
    async with sessionmaker() as session:
        for start in range(0, count, 10_000):
            rows = [
                {
                    "telegram_id": FIRST_ID + i,
                    "first_name": f"R{i}",
                    "language": "fr" if i % 3 else "en",
                    "language_chosen": False,
                    "subscribed": True,
                    "unreachable": False,
                }
                for i in range(start, min(count, start + 10_000))
            ]
            await session.execute(insert(UserRow), rows)
        await session.commit()


async def run(args: argparse.Namespace, api_url: str, emulator: Connection) -> None:
    workdir = tempfile.mkdtemp(prefix="pbbot-bench-")
    url = args.database_url or f"sqlite+aiosqlite:///{Path(workdir) / 'bench.sqlite3'}"
    engine = make_engine(url)
    await upgrade_schema(engine)
    async with engine.begin() as connection:  # a previous run's rows, if any (a server database)
        await connection.execute(
            text("DELETE FROM deliveries WHERE broadcast_id IN (SELECT id FROM broadcasts WHERE campaign_id = 'bench')")
        )
        await connection.execute(text("DELETE FROM broadcasts WHERE campaign_id = 'bench'"))
        await connection.execute(text(f"DELETE FROM users WHERE telegram_id >= {FIRST_ID}"))
    sessionmaker = make_sessionmaker(engine)

    started = time.perf_counter()
    await _insert_residents(sessionmaker, args.residents)
    print(f"database     {url.split('@')[-1]}")
    print(f"residents    {args.residents:,} inserted in {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    async with sessionmaker() as session:
        broadcast = await BroadcastRepository(session).queue(
            "bench",
            kind="message",
            audience="all",
            now=datetime.now(timezone.utc),
            text={
                "fr": "Le vote est ouvert ! Envoyez /start pour voter.",
                "en": "Voting is open! Send /start to vote.",
            },
        )
        await session.commit()
    assert broadcast is not None
    print(
        f"queued       {broadcast.recipients:,} deliveries (INSERT ... SELECT) in {time.perf_counter() - started:.2f} s"
    )

    bot = make_bot("123456:BENCH-TOKEN", api_url)
    broadcaster = Broadcaster(sessionmaker, bot, rate=args.rate)
    samples: list[float] = []

    async def sample() -> None:
        while True:
            samples.append(_rss_mb())
            await asyncio.sleep(0.5)

    rss_before = _rss_mb()
    sampler = asyncio.create_task(sample())
    started, cpu_started = time.perf_counter(), time.process_time()
    stats = await broadcaster.run_once()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    sampler.cancel()
    await bot.session.close()

    emulator.send("stats")
    counts = emulator.recv()
    async with sessionmaker() as session:
        progress = await BroadcastRepository(session).progress(broadcast.id)
    await engine.dispose()

    achieved = stats.sent / elapsed if elapsed else 0.0
    print(
        f"limit        {args.rate:,.0f} messages/s at the emulator; broadcaster rate {args.rate:,.0f}/s, "
        f"batches of {broadcaster.batch_size}"
    )
    print(
        f"sent         {stats.sent:,} in {elapsed:.1f} s (emulator counted {counts['sent']:,}); deliveries {progress}"
    )
    print(f"achieved     {achieved:,.0f} messages/s = {achieved / args.rate:.1%} of the limit")
    print(
        f"cpu          this process busy {cpu / elapsed:.0%} of the time ({cpu * 1e6 / max(stats.sent, 1):.0f} µs per message)"
    )
    print(f"429s         {counts['too_many_requests']} received (broadcaster honoured {stats.too_many_requests})")
    print(
        f"memory       peak RSS {_peak_rss_mb():.0f} MiB; while sending {min(samples, default=rss_before):.0f}"
        f"–{max(samples, default=rss_before):.0f} MiB (before sending {rss_before:.0f} MiB)"
    )
    if not args.database_url:
        for leftover in Path(workdir).iterdir():
            leftover.unlink()
        os.rmdir(workdir)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--residents", type=int, default=100_000)
    parser.add_argument("--rate", type=float, default=1000.0, help="the emulator's limit, and the broadcaster's rate")
    parser.add_argument(
        "--database-url",
        help="e.g. postgresql+asyncpg://... (a scratch database; the bench "
        "deletes its own rows first). Default: a fresh SQLite file",
    )
    args = parser.parse_args()

    parent, child = multiprocessing.Pipe()
    process = multiprocessing.get_context("spawn").Process(target=_serve_emulator, args=(child, args.rate), daemon=True)
    process.start()
    api_url = parent.recv()
    try:
        asyncio.run(run(args, api_url, parent))
    finally:
        parent.send("stop")
        process.join(timeout=5)


if __name__ == "__main__":
    main()
