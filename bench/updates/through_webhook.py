"""`pbbot webhook --workers N` in child processes; this process is the load and the Bot API.

The bench starts `python -m bot.cli webhook --workers N` (the command an operator runs), posts
the residents' updates to it on 127.0.0.1 as Telegram would (one HTTP request per update,
answered once the update is handled), and serves the Bot API over HTTP with the tests' emulator,
answering after the same delay. The workers use the system clock, so the campaign file is written
for the run with its proposals phase open now; after the residents have proposed and verified,
the committee (ADMIN) opens the review and then the vote with /advance through the webhook, and
the residents vote. What the committee does is not timed. Then the residents' updates, as they
were posted, go the same way to a bare aiogram echo bot in as many processes (echo_webhook.py):
what any aiogram bot does through the webhook on this machine.

Several workers need PostgreSQL and Redis (bot/workers.py): asked for more than one without
them, the bench runs the command anyway and prints its refusal, which is by design.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import socket
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from bench.updates.api import SlowEmulator, error_replies
from bench.updates.journeys import FIRST_ID, JSON, Timed, in_batches, journeys_done, propose_and_verify, vote
from bench.updates.measure import TABLE, Row, cpu_seconds_of, own_cpu_seconds, peak_mb_of, process_tree, report
from bench.updates.setups import (
    ADMIN,
    REDIS,
    ROOT,
    SECRET_KEY,
    TOKEN,
    TRANSACTIONS,
    database_commits,
    drop_database,
    drop_redis_keys,
    fresh_database,
    live_campaign,
    new_prefix,
)
from campaign.proposal import ProposalStatus
from storage.models import ProposalRow
from tests.conftest import TEST_COUNTING_KEY
from tests.emulator import Resident
from tests.journeys.voting_helpers import set_status

SECRET = "bench-webhook-secret"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(url: str, redis: bool, prefix: str, api: str, port: int, campaign_file: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "BOT_TOKEN": TOKEN,
        "BOT_API_URL": api,
        "DATABASE_URL": url,
        "REDIS_PREFIX": prefix,
        "CAMPAIGN_FILE": str(campaign_file),
        "SECRET_KEY": SECRET_KEY,
        "ADMIN_IDS": str(ADMIN),
        "COUNTING_KEY": TEST_COUNTING_KEY,
        "WEBHOOK_URL": f"http://127.0.0.1:{port}/webhook",
        "WEBHOOK_SECRET": SECRET,
        "WEBHOOK_HOST": "127.0.0.1",
        "WEBHOOK_PORT": str(port),
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    if redis:
        env["REDIS_URL"] = REDIS
    return env


def label(db: str, redis: bool, workers: int, delay: float) -> str:
    setup = f"{db}{' + redis' if redis else ''}"
    return f"{setup}, API {delay * 1000:.0f} ms, pbbot webhook --workers {workers} (load from the bench's process)"


async def refused(db: str, redis: bool, workers: int) -> None:
    """What an operator sees when asking for several workers without PostgreSQL and Redis."""
    workdir = Path(tempfile.mkdtemp(prefix="pbbot-bench-"))
    url = f"sqlite+aiosqlite:///{workdir / 'bench.sqlite3'}" if db == "sqlite" else "postgresql+asyncpg://unused/x"
    env = environment(url, redis, new_prefix(), "http://127.0.0.1:9", free_port(), live_campaign(workdir))
    command = [sys.executable, "-m", "bot.cli", "webhook", "--workers", str(workers)]
    process = await asyncio.create_subprocess_exec(
        *command, cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    output, _ = await process.communicate()
    shutil.rmtree(workdir, ignore_errors=True)
    print(
        f"{db}{' + redis' if redis else ''}, pbbot webhook --workers {workers}: refused by design (exit {process.returncode})"
    )
    for line in output.decode().splitlines():
        print(f"  | {line}")


async def through_webhook(args: argparse.Namespace, workers: int, delay: float) -> None:
    if workers > 1 and (args.db == "sqlite" or not args.redis):
        await refused(args.db, args.redis, workers)
        return
    workdir = Path(tempfile.mkdtemp(prefix="pbbot-bench-"))
    url = await fresh_database(args.db, workdir)
    prefix = new_prefix()
    try:
        await run(args, workers, delay, workdir, url, prefix)
    finally:
        await drop_database(url)
        if args.redis:
            await drop_redis_keys(prefix)
        shutil.rmtree(workdir, ignore_errors=True)


async def run(args: argparse.Namespace, workers: int, delay: float, workdir: Path, url: str, prefix: str) -> None:
    emulator = SlowEmulator(delay)
    await emulator.start()
    port = free_port()
    env = environment(url, args.redis, prefix, emulator.base_url, port, live_campaign(workdir))
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "webhook", "--workers", str(workers), cwd=ROOT, env=env
    )
    try:
        connector = aiohttp.TCPConnector(limit=args.concurrency * 2)
        async with aiohttp.ClientSession(base_url=f"http://127.0.0.1:{port}", connector=connector) as http:
            await serving(http, emulator, workers, server)

            async def post(update: JSON) -> None:
                async with http.post(
                    "/webhook", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
                ) as response:
                    await response.read()
                    if response.status != 200:
                        raise RuntimeError(f"the webhook answered {response.status}")

            fed: list[JSON] = []  # the residents' updates, for the echo bot after

            async def post_and_keep(update: JSON) -> None:
                fed.append(update)
                await post(update)

            timed = Timed(post_and_keep)
            committee = Resident(emulator, post, ADMIN, "Committee", "en")
            residents = [Resident(emulator, timed, FIRST_ID + i, f"R{i}", "en") for i in range(args.residents)]
            commits_before = await database_commits(url) if args.db == "postgresql" else 0
            pids = process_tree(server.pid)
            cpu_before = own_cpu_seconds(), [cpu_seconds_of(pid) for pid in pids]
            started = time.perf_counter()
            await in_batches(residents, args.concurrency, propose_and_verify)
            paused = time.perf_counter()
            await open_the_vote(committee, url)
            resumed = time.perf_counter()
            await in_batches(residents, args.concurrency, vote)
            seconds = time.perf_counter() - resumed + paused - started
            wall = time.perf_counter() - started
            cpu = (
                own_cpu_seconds() - cpu_before[0],
                [cpu_seconds_of(pid) - before for pid, before in zip(pids, cpu_before[1], strict=True)],
            )
            peaks = [peak_mb_of(pid) for pid in pids]
    finally:
        server.send_signal(signal.SIGTERM)
        await asyncio.wait_for(server.wait(), timeout=60)
        await emulator.stop()
    count = len(timed.latencies)
    print(label(args.db, args.redis, workers, delay))
    extra = note = transactions = ""
    if args.db == "postgresql":
        await asyncio.sleep(0.5)  # the workers' backends report their transactions as they exit
        commits = await database_commits(url) - commits_before
        extra = f"   {commits / count:4.2f} PostgreSQL transactions per update"
        transactions = f"{commits / count:.2f}"
        note = f"  (pg_stat_database: {TRANSACTIONS}: the workers' background tasks and the committee's included)"
    figures = report("pbbot", count, seconds, timed.latencies, extra)
    if note:
        print(note)
    engine = create_async_engine(url)
    async with async_sessionmaker(engine)() as session:
        print(f"  journeys done: {await journeys_done(session)} (of {args.residents} residents)")
    await engine.dispose()
    workers_peaks = " + ".join(f"{peak:.0f}" for peak in peaks[1:]) if workers > 1 else ""
    print(
        f"  peak memory: pbbot webhook {peaks[0]:.0f} MB"
        + (f", its workers {workers_peaks} MB" if workers_peaks else "")
    )
    served = " + ".join(f"{seconds:.1f}" for seconds in (cpu[1][1:] if workers > 1 else cpu[1]))
    print(
        f"  CPU seconds over the {wall:.0f} s of the run (committee included), on {os.cpu_count()} CPUs: "
        f"the workers {served}, the bench (load and Bot API) {cpu[0]:.1f}"
    )
    if errors := error_replies(emulator):
        print(f"  !! {errors} error replies")
    echo = await echo_through_webhook(args, workers, delay, fed)
    setup = f"webhook, {workers} worker{'s' if workers > 1 else ''}, {'PostgreSQL' if args.db == 'postgresql' else 'SQLite'}"
    setup += f"{' + Redis' if args.redis else ''}, API {delay * 1000:.0f} ms"
    memory = f"{peaks[0]:.0f}" + (f" + {workers_peaks}" if workers_peaks else "")
    TABLE.append(Row(setup, figures, transactions=transactions or "—", echo=f"{echo:,.0f}", memory=memory))


async def echo_through_webhook(args: argparse.Namespace, workers: int, delay: float, updates: list[JSON]) -> float:
    """The same updates, posted the same way, to a bare aiogram echo bot in as many processes."""
    emulator = SlowEmulator(delay)
    await emulator.start()
    port = free_port()
    command = [sys.executable, "-m", "bench.updates.echo_webhook", str(port), emulator.base_url, str(workers)]
    server = await asyncio.create_subprocess_exec(*command, cwd=ROOT)
    try:
        connector = aiohttp.TCPConnector(limit=args.concurrency * 2)
        async with aiohttp.ClientSession(base_url=f"http://127.0.0.1:{port}", connector=connector) as http:

            async def post(update: JSON) -> None:
                async with http.post("/webhook", json=update) as response:
                    await response.read()
                    if response.status != 200:
                        raise RuntimeError(f"the echo webhook answered {response.status}")

            while True:  # the port answers once a worker listens; the others are given 3 s more to start
                try:
                    _, writer = await asyncio.open_connection("127.0.0.1", port)
                    writer.close()
                    break
                except OSError:
                    await asyncio.sleep(0.1)
            await asyncio.sleep(3)
            pids = process_tree(server.pid)
            cpu_before = own_cpu_seconds(), [cpu_seconds_of(pid) for pid in pids]
            timed = Timed(post)
            started = time.perf_counter()
            await in_batches(updates, args.concurrency, timed)
            seconds = time.perf_counter() - started
            cpu = (
                own_cpu_seconds() - cpu_before[0],
                sum(cpu_seconds_of(pid) - before for pid, before in zip(pids, cpu_before[1], strict=True)),
            )
    finally:
        server.send_signal(signal.SIGTERM)
        await asyncio.wait_for(server.wait(), timeout=60)
        await emulator.stop()
    rate = len(updates) / seconds
    report("bare aiogram echo through the webhook", len(updates), seconds, timed.latencies, "")
    print(f"  CPU seconds over its {seconds:.0f} s: the echo workers {cpu[1]:.1f}, the bench {cpu[0]:.1f}")
    return rate


async def open_the_vote(committee: Resident, url: str) -> None:
    """/advance to the review, four projects on the ballot, /advance to the vote."""
    await advance(committee)
    engine = create_async_engine(url)
    async with async_sessionmaker(engine)() as session:
        ids = list(await session.scalars(select(ProposalRow.id).order_by(ProposalRow.id).limit(4)))
        for proposal_id in ids:
            await set_status(session, proposal_id, ProposalStatus.FINALIST)
        await session.commit()
    await engine.dispose()
    await advance(committee)
    await asyncio.sleep(1)  # the other workers hear of the moved dates by NOTIFY, at once but not instantly


async def advance(committee: Resident) -> None:
    await committee.send("/advance")
    replies = await committee.press("✅ Yes, start it now")
    if not any("has started" in text for text in replies.plain_texts):
        raise RuntimeError(f"/advance did not move the calendar: {replies.plain_texts}")


async def serving(
    http: aiohttp.ClientSession, emulator: SlowEmulator, workers: int, server: asyncio.subprocess.Process
) -> None:
    """Until every worker registered the webhook and the port answers /healthz."""
    while emulator.method_counts["setWebhook"] < workers:  # noqa: ASYNC110 - other processes: nothing to await
        if server.returncode is not None:
            raise RuntimeError(f"pbbot webhook exited with {server.returncode}")
        await asyncio.sleep(0.2)
    while True:
        try:
            async with http.get("/healthz") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientConnectionError:
            pass
        await asyncio.sleep(0.1)
