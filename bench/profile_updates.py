"""CPU per update through the real bot, and where it goes (cProfile).

    python -m bench.profile_updates                       # 40 residents, one update at a time, SQLite
    python -m bench.profile_updates --profile --top 40    # and the functions that cost the most
    python -m bench.profile_updates --concurrency 50 --residents 200

The same journeys as bench/updates.py (/start, the proposal wizard, /verify, then the vote: 18
updates each), fed in-process to `build_app`'s dispatcher, the emulator answering at once. What
is printed is CPU time (time.process_time), not wall time, so that a shared machine changes the
figures less: CPU ms per update for the whole journey and per phase (proposals, vote), SQL
statements and commits per update. The CPU includes the emulator's (it runs in this process),
as the bare aiogram echo bot's figure in bench/updates.py does.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiosqlite
from aiogram.types import Update

from bench.updates.api import EmulatorSession
from bench.updates.in_process import make_finalists
from bench.updates.journeys import FIRST_ID, Timed, in_batches, propose_and_verify, vote
from bench.updates.measure import SqlMeter
from bench.updates.setups import CAMPAIGN, new_prefix, settings_for
from bot.app import build_app
from campaign.clock import SettableClock
from campaign.schema import load_campaign
from tests.emulator import BotAPIEmulator, Resident


def count_trips() -> list[int]:
    """Calls crossing to aiosqlite's thread (each a future and a wake-up of the event loop)."""
    trips = [0]
    original = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        trips[0] += 1
        return await original(self, fn, *args, **kwargs)

    aiosqlite.Connection._execute = counted  # type: ignore[method-assign]
    return trips


async def run(args: argparse.Namespace) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="pbbot-profile-"))
    campaign = load_campaign(CAMPAIGN)
    clock = SettableClock(campaign.calendar.proposals_open + timedelta(days=3))
    emulator = BotAPIEmulator(keep_messages=True)
    url = f"sqlite+aiosqlite:///{workdir / 'profile.sqlite3'}"
    app = await build_app(settings_for(url, False, new_prefix()), clock=clock, session=EmulatorSession(emulator, 0))
    meter = SqlMeter(app.engine)
    trips = count_trips()

    async def feed(update: dict[str, Any]) -> None:
        await app.dispatcher.feed_update(app.bot, Update.model_validate(update, context={"bot": app.bot}))

    timed = Timed(feed)
    residents = [Resident(emulator, timed, FIRST_ID + i, f"R{i}", "en") for i in range(args.residents)]
    # Warm up (imports, first queries, caches) with other residents, outside the measure.
    warm = [Resident(emulator, timed, FIRST_ID + 900_000 + i, f"W{i}", "en") for i in range(3)]
    await in_batches(warm, 1, propose_and_verify)
    timed.latencies.clear()
    meter.statements = meter.commits = 0
    trips[0] = 0

    profiler: Any = None
    if args.profile:
        profiler = cProfile.Profile(time.process_time)  # CPU, not wall: the machine may be shared
    elif args.sample:
        from pyinstrument import Profiler  # pip install pyinstrument

        profiler = Profiler(interval=0.0005, async_mode="disabled")
    phases: list[tuple[str, int, float]] = []

    async def phase(name: str, job: Any) -> None:
        before, count = time.process_time(), len(timed.latencies)
        if profiler is not None:
            profiler.start() if args.sample else profiler.enable()
        await in_batches(residents, args.concurrency, job)
        if profiler is not None:
            profiler.stop() if args.sample else profiler.disable()
        phases.append((name, len(timed.latencies) - count, time.process_time() - before))

    wall = time.perf_counter()
    await phase("proposals", propose_and_verify)
    await make_finalists(app)
    clock.set(campaign.calendar.voting_open + timedelta(days=1))
    await phase("vote", vote)
    wall = time.perf_counter() - wall
    count = len(timed.latencies)
    cpu = sum(seconds for _, _, seconds in phases)
    print(f"{args.residents} residents, {args.concurrency} at a time, SQLite, API 0 ms (load {os.getloadavg()[0]:.1f})")
    for name, n, seconds in phases:
        print(f"  {name:<10} {n:>6} updates  {seconds / n * 1000:6.2f} ms CPU per update")
    print(
        f"  {'all':<10} {count:>6} updates  {cpu / count * 1000:6.2f} ms CPU per update "
        f"(= {count / cpu:.0f} updates per CPU second; wall {count / wall:.0f}/s)   "
        f"{meter.statements / count:.2f} SQL and {meter.commits / count:.2f} commits per update, "
        f"{trips[0] / count:.1f} trips to the SQLite thread"
    )
    errors = sum(1 for _, params in emulator.calls if "went wrong" in str(params.get("text", "")))
    if errors:
        print(f"  !! {errors} error replies")
    await app.close()
    if args.sample:
        print(profiler.output_text(unicode=False, color=False, show_all=False, short_mode=False))
    elif profiler is not None:
        stats = pstats.Stats(profiler)
        stats.sort_stats(args.sort).print_stats(args.top)
        if args.output:
            stats.dump_stats(args.output)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--residents", type=int, default=40)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="cProfile the measured updates")
    parser.add_argument("--sample", action="store_true", help="sample with pyinstrument instead (pip install it)")
    parser.add_argument("--sort", default="tottime", help="pstats order: tottime, cumulative, ncalls")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--output", help="write the pstats file here (for snakeviz, gprof2dot...)")
    asyncio.run(run(parser.parse_args()))
