"""The real `build_app` dispatcher fed in-process, then a bare aiogram echo bot fed the same updates."""

from __future__ import annotations

import argparse
import asyncio
import shutil
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from aiogram import Bot
from aiogram.types import Update
from sqlalchemy import select

from bench.updates.api import EmulatorSession, error_replies
from bench.updates.echo_webhook import echo_dispatcher
from bench.updates.journeys import FIRST_ID, JSON, Timed, in_batches, journeys_done, propose_and_verify, vote
from bench.updates.measure import TABLE, Row, SqlMeter, peak_mb, report
from bench.updates.setups import (
    CAMPAIGN,
    TOKEN,
    TRANSACTIONS,
    database_commits,
    drop_database,
    drop_redis_keys,
    fresh_database,
    new_prefix,
    settings_for,
)
from bot.app import App, build_app
from campaign.clock import SettableClock
from campaign.proposal import ProposalStatus
from campaign.schema import load_campaign
from storage.models import ProposalRow
from tests.emulator import BotAPIEmulator, Resident
from tests.journeys.voting_helpers import set_status


async def make_finalists(app: App) -> None:
    """The first four projects on the ballot (the committee's review is not what is measured)."""
    async with app.sessionmaker() as session:
        ids = list(await session.scalars(select(ProposalRow.id).order_by(ProposalRow.id).limit(4)))
        for proposal_id in ids:
            await set_status(session, proposal_id, ProposalStatus.FINALIST)
        await session.commit()


async def in_process(args: argparse.Namespace, db: str, redis: bool, delay: float) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="pbbot-bench-"))
    url = await fresh_database(db, workdir)
    prefix = new_prefix()
    try:
        setup = f"{'PostgreSQL' if db == 'postgresql' else 'SQLite'}{' + Redis' if redis else ''}"
        updates, row = await pbbot_run(args, url, redis, prefix, delay, setup)
        row.echo = f"{await echo_run(args, updates, delay, row.pbbot.rate):,.0f}"
        row.memory = f"{peak_mb():.0f}"
        TABLE.append(row)
    finally:
        await drop_database(url)
        if redis:
            await drop_redis_keys(prefix)
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"  peak memory of this process: {peak_mb():.0f} MB")


async def pbbot_run(
    args: argparse.Namespace, url: str, redis: bool, prefix: str, delay: float, label: str
) -> tuple[list[JSON], Row]:
    """Every resident proposes and verifies, then (the clock moved to the vote) votes."""
    campaign = load_campaign(CAMPAIGN)
    clock = SettableClock(campaign.calendar.proposals_open + timedelta(days=3))
    emulator = BotAPIEmulator()
    app = await build_app(settings_for(url, redis, prefix), clock=clock, session=EmulatorSession(emulator, delay))
    meter = SqlMeter(app.engine)
    updates: list[JSON] = []

    async def feed(update: JSON) -> None:
        await app.dispatcher.feed_update(app.bot, Update.model_validate(update, context={"bot": app.bot}))

    timed = Timed(feed, updates)
    postgresql = not url.startswith("sqlite")
    transactions_before = await database_commits(url) if postgresql else 0
    residents = [Resident(emulator, timed, FIRST_ID + i, f"R{i}", "en") for i in range(args.residents)]
    try:
        started = time.perf_counter()
        await in_batches(residents, args.concurrency, propose_and_verify)
        paused = time.perf_counter()
        statements, commits = meter.statements, meter.commits
        await make_finalists(app)  # not counted: neither time nor statements
        clock.set(campaign.calendar.voting_open + timedelta(days=1))
        meter.statements, meter.commits = statements, commits
        resumed = time.perf_counter()
        await in_batches(residents, args.concurrency, vote)
        seconds = time.perf_counter() - resumed + paused - started
        count = len(timed.latencies)
        print(f"{label}, API {delay * 1000:.0f} ms: {args.residents} residents, {args.concurrency} at a time")
        figures = report(
            "pbbot",
            count,
            seconds,
            timed.latencies,
            f"   {meter.statements / count:4.1f} SQL and {meter.commits / count:4.2f} commits per update",
        )
        async with app.sessionmaker() as session:
            print(f"  journeys done: {await journeys_done(session)} (of {args.residents} residents)")
        if errors := error_replies(emulator):
            print(f"  !! {errors} error replies")
    finally:
        await app.close()
    row = Row(
        f"{label}, API {delay * 1000:.0f} ms",
        figures,
        sql_commits=f"{meter.statements / count:.1f}, {meter.commits / count:.2f}",
    )
    if postgresql:  # what the webhook runs can measure, for comparison
        await asyncio.sleep(0.5)  # a backend reports its transactions when it exits
        transactions = await database_commits(url) - transactions_before
        print(f"  {transactions / count:4.2f} PostgreSQL transactions per update (pg_stat_database: {TRANSACTIONS})")
        row.transactions = f"{transactions / count:.2f}"
    return updates, row


async def echo_run(args: argparse.Namespace, updates: list[JSON], delay: float, pbbot_rate: float) -> float:
    """The same updates, to a bare aiogram dispatcher that answers every message and button once."""
    echo_bot = Bot(TOKEN, session=EmulatorSession(BotAPIEmulator(), delay))
    echo = echo_dispatcher()

    async def feed_echo(update: JSON) -> None:
        await echo.feed_update(echo_bot, Update.model_validate(update, context={"bot": echo_bot}))

    echo_timed = Timed(feed_echo)
    started = time.perf_counter()
    await in_batches(updates, args.concurrency, echo_timed)
    seconds = time.perf_counter() - started
    echo_rate = len(updates) / seconds
    report(
        "bare aiogram echo", len(updates), seconds, echo_timed.latencies, f"   pbbot/echo {pbbot_rate / echo_rate:.3f}"
    )
    return echo_rate
