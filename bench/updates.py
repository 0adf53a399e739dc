"""Updates per second through the real bot, beside a bare aiogram echo bot fed the same way.

    python -m bench.updates                                  # SQLite, API 0 and 50 ms, 400 residents
    python -m bench.updates --db postgresql --redis          # PostgreSQL (+ Redis)
    python -m bench.updates --db postgresql --redis --workers 1 2 4   # through `pbbot webhook --workers N`
    python -m bench.updates --memory 100000                  # memory over 100,000 residents' /start

Residents run real journeys, `--concurrency` (50) at a time: /start, the proposal wizard to the
end (/propose, title, summary, description, a category button, place, cost, /skip, ✅), /verify
and their own phone number; then the clock moves to the vote and each one votes (/vote, select,
next, select, submit, confirm): 18 updates each. The Bot API is the tests' emulator, answering
in-process (a BaseSession that calls it directly, no HTTP) after `--delay` ms. The same updates
are then fed to a bare aiogram dispatcher that answers every message and button once.

With `--workers`, `pbbot webhook --workers N` runs in child processes (PostgreSQL and Redis) and
this process is the load: it posts the residents' updates to the webhook on 127.0.0.1 and runs
the emulator as the Bot API over HTTP, answering after the same delay.

Printed, never asserted: updates/s, p50/p99 latency per update, SQL statements and commits per
update (in-process runs), peak memory of this process. The machine may be shared: figures vary.
"""

from __future__ import annotations

import argparse
import aiohttp
import asyncio
import json
import os
import resource
import signal
import socket
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from http import HTTPStatus
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import Default
from aiogram.client.session.base import BaseSession
from aiogram.methods import TelegramMethod
from aiogram.types import CallbackQuery, Message, Update
from sqlalchemy import event, select

from bot.app import App, build_app
from bot.settings import Settings
from campaign.clock import SettableClock
from campaign.proposal import ProposalStatus
from campaign.schema import load_campaign
from storage.models import ProposalRow
from tests.conftest import TEST_COUNTING_KEY
from tests.emulator import BotAPIEmulator, Resident
from tests.journeys.voting_helpers import set_status

ROOT = Path(__file__).resolve().parents[1]
CAMPAIGN = ROOT / "tests" / "campaigns" / "town.toml"
SECRET = "bench-webhook-secret"
FIRST_ID = 3_000_000
PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
REDIS = "redis://127.0.0.1:6379/0"
JSON = dict[str, Any]


# --- the Bot API --------------------------------------------------------------------------------


class EmulatorSession(BaseSession):
    """The emulator's answers without HTTP: what Telegram would say, after `delay` seconds."""

    def __init__(self, emulator: BotAPIEmulator, delay: float) -> None:
        super().__init__()
        self.emulator = emulator
        self.delay = delay

    async def close(self) -> None:
        return None

    async def stream_content(self, *args: Any, **kwargs: Any) -> Any:  # no downloads in these journeys
        raise NotImplementedError

    async def make_request(self, bot: Bot, method: TelegramMethod[Any], timeout: int | None = None) -> Any:
        if self.delay:
            await asyncio.sleep(self.delay)
        params = _wire(bot, method.model_dump(warnings=False, exclude_none=True))
        name = method.__api_method__
        self.emulator.method_counts[name] += 1
        result = self.emulator._handlers[name.lower()](params)
        if asyncio.iscoroutine(result):
            result = await result
        return self.check_response(bot, method, HTTPStatus.OK, json.dumps({"ok": True, "result": result})).result


def _wire(bot: Bot, value: Any) -> Any:
    """A method's fields as the Bot API receives them: the bot's defaults filled in, no None."""
    if isinstance(value, Default):
        return _wire(bot, bot.default[value.name])
    if isinstance(value, dict):
        return {
            k: _wire(bot, v)
            for k, v in value.items()
            if v is not None and not (isinstance(v, Default) and bot.default[v.name] is None)
        }
    if isinstance(value, list):
        return [_wire(bot, v) for v in value]
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


# --- residents ----------------------------------------------------------------------------------


def phone(user_id: int) -> str:
    return f"3247{user_id % 10_000_000:07d}"


async def propose_and_verify(r: Resident) -> None:
    await r.send("/start")
    await r.send("/propose")
    await r.send(f"A bench for street {r.user_id}")
    await r.send("A wooden bench in front of the church, for the elders.")
    await r.send("Many elderly residents walk to the square and have nowhere to sit. A solid oak bench would help.")
    await r.press("Environment")
    await r.send("Place de l'Église")
    await r.send("1500")
    await r.send("/skip")
    await r.press("✅")
    await r.send("/verify")
    await r.share_contact(phone(r.user_id))


async def vote(r: Resident) -> None:
    await r.send("/vote")
    await r.press("☑️ Select")
    await r.press("▶️")
    await r.press("☑️ Select")
    await r.press("Submit my ballot")
    await r.press("✅ Confirm my vote")


class Timed:
    """Wraps a deliver function: the latency of each update, and the updates themselves."""

    def __init__(self, deliver: Callable[[JSON], Awaitable[Any]], record: list[JSON] | None = None) -> None:
        self.deliver = deliver
        self.latencies: list[float] = []
        self.record = record

    async def __call__(self, update: JSON) -> None:
        if self.record is not None:
            self.record.append(update)
        started = time.perf_counter()
        await self.deliver(update)
        self.latencies.append(time.perf_counter() - started)


async def in_batches(items: list[Any], concurrency: int, job: Callable[[Any], Awaitable[None]]) -> None:
    queue: asyncio.Queue[Any] = asyncio.Queue()
    for item in items:
        queue.put_nowait(item)

    async def worker() -> None:
        while not queue.empty():
            await job(queue.get_nowait())

    await asyncio.gather(*(worker() for _ in range(concurrency)))


# --- measuring ----------------------------------------------------------------------------------


class SqlMeter:
    def __init__(self, app: App) -> None:
        self.statements = self.commits = 0
        engine = app.engine.sync_engine
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "commit", self._commit)

    def _statement(self, *_: Any) -> None:
        self.statements += 1

    def _commit(self, *_: Any) -> None:
        self.commits += 1


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def report(name: str, count: int, seconds: float, latencies: list[float], extra: str = "") -> float:
    rate = count / seconds if seconds else 0.0
    ordered = sorted(latencies) or [0.0]
    p50 = ordered[len(ordered) // 2] * 1000
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
    print(
        f"  {name:<22} {count:>7,} updates in {seconds:6.1f} s = {rate:7.0f}/s   p50 {p50:6.1f} ms  p99 {p99:7.1f} ms{extra}"
    )
    return rate


# --- setups -------------------------------------------------------------------------------------


async def fresh_database(kind: str, workdir: Path) -> str:
    if kind == "sqlite":
        return f"sqlite+aiosqlite:///{workdir / 'bench.sqlite3'}"
    import asyncpg

    name = f"pbbot_bench_{uuid.uuid4().hex[:8]}"
    connection = await asyncpg.connect(PG.replace("+asyncpg", ""))
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return PG.rsplit("/", 1)[0] + "/" + name


async def drop_database(url: str) -> None:
    if url.startswith("sqlite"):
        return
    import asyncpg

    connection = await asyncpg.connect(PG.replace("+asyncpg", ""))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
    finally:
        await connection.close()


def settings_for(url: str, redis: bool, emulator_url: str = "http://127.0.0.1:9") -> Settings:
    return Settings(
        _env_file=None,
        bot_token="123456:BENCH-TOKEN",
        bot_api_url=emulator_url,
        database_url=url,
        campaign_file=CAMPAIGN,
        admin_ids=[9000],
        secret_key="bench-secret-key-not-for-production",
        redis_url=REDIS if redis else None,
        redis_prefix=f"pbbot-bench-{uuid.uuid4().hex[:8]}",
        log_level="WARNING",
        counting_key=TEST_COUNTING_KEY,
    )


async def make_finalists(app: App) -> None:
    async with app.sessionmaker() as session:
        ids = list(await session.scalars(select(ProposalRow.id).order_by(ProposalRow.id).limit(4)))
        for proposal_id in ids:
            await set_status(session, proposal_id, ProposalStatus.FINALIST)
        await session.commit()


async def in_process(args: argparse.Namespace, db: str, redis: bool, delay: float) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="pbbot-bench-"))
    url = await fresh_database(db, workdir)
    campaign = load_campaign(CAMPAIGN)
    clock = SettableClock(campaign.calendar.proposals_open + timedelta(days=3))
    emulator = BotAPIEmulator()
    session = EmulatorSession(emulator, delay)
    app = await build_app(settings_for(url, redis), clock=clock, session=session)
    meter = SqlMeter(app)
    updates: list[JSON] = []

    async def feed(update: JSON) -> None:
        await app.dispatcher.feed_update(app.bot, Update.model_validate(update, context={"bot": app.bot}))

    timed = Timed(feed, updates)
    residents = [Resident(emulator, timed, FIRST_ID + i, f"R{i}", "en") for i in range(args.residents)]
    label = f"{db}{'+redis' if redis else ''}, API {delay * 1000:.0f} ms"
    started = time.perf_counter()
    await in_batches(residents, args.concurrency, propose_and_verify)
    await make_finalists(app)
    clock.set(campaign.calendar.voting_open + timedelta(days=1))
    await in_batches(residents, args.concurrency, vote)
    seconds = time.perf_counter() - started
    count = len(timed.latencies)
    print(f"{label}: {args.residents} residents, {args.concurrency} at a time")
    rate = report(
        "pbbot",
        count,
        seconds,
        timed.latencies,
        f"   {meter.statements / count:4.1f} SQL and {meter.commits / count:4.2f} commits per update",
    )
    errors = sum(1 for _, params in emulator.calls if "went wrong" in str(params.get("text", "")))
    if errors:
        print(f"  !! {errors} error replies")
    await app.close()

    # The same updates, to a bare aiogram dispatcher answering each one.
    echo_bot = Bot("123456:BENCH-TOKEN", session=EmulatorSession(BotAPIEmulator(), delay))
    echo = Dispatcher()

    @echo.message()
    async def _echo(message: Message) -> None:
        await message.answer(message.text or "?")

    @echo.callback_query()
    async def _pressed(query: CallbackQuery) -> None:
        await query.answer("ok")

    async def feed_echo(update: JSON) -> None:
        await echo.feed_update(echo_bot, Update.model_validate(update, context={"bot": echo_bot}))

    echo_timed = Timed(feed_echo)
    started = time.perf_counter()
    await in_batches(updates, args.concurrency, echo_timed)
    echo_seconds = time.perf_counter() - started
    echo_rate = len(updates) / echo_seconds
    report(
        "bare aiogram echo", len(updates), echo_seconds, echo_timed.latencies, f"   pbbot/echo {rate / echo_rate:.2f}"
    )
    print(f"  peak memory of this process: {peak_mb():.0f} MB")
    await drop_database(url)


# --- webhook workers ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def through_workers(args: argparse.Namespace, workers: int, delay: float) -> None:
    import aiohttp

    workdir = Path(tempfile.mkdtemp(prefix="pbbot-bench-"))
    url = await fresh_database("postgresql", workdir)
    emulator = SlowEmulator(delay)
    await emulator.start()
    port = free_port()
    settings = settings_for(url, True, emulator.base_url)
    env = {
        **os.environ,
        "BOT_TOKEN": "123456:BENCH-TOKEN",
        "BOT_API_URL": emulator.base_url,
        "DATABASE_URL": url,
        "REDIS_URL": REDIS,
        "REDIS_PREFIX": settings.redis_prefix,
        "CAMPAIGN_FILE": str(CAMPAIGN),
        "SECRET_KEY": "bench-secret-key-not-for-production",
        "ADMIN_IDS": "9000",
        "COUNTING_KEY": TEST_COUNTING_KEY,
        "WEBHOOK_URL": f"http://127.0.0.1:{port}/webhook",
        "WEBHOOK_SECRET": SECRET,
        "WEBHOOK_HOST": "127.0.0.1",
        "WEBHOOK_PORT": str(port),
        "LOG_LEVEL": "WARNING",
    }
    # The clock is the system's: the campaign's dates are moved so that proposals are open now.
    campaign_file = workdir / "campaign.toml"
    campaign_file.write_text(live_campaign())
    env["CAMPAIGN_FILE"] = str(campaign_file)
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "webhook", "--workers", str(workers), cwd=ROOT, env=env
    )
    try:
        connector = aiohttp.TCPConnector(limit=args.concurrency * 2)
        async with aiohttp.ClientSession(base_url=f"http://127.0.0.1:{port}", connector=connector) as http:
            while emulator.method_counts["setWebhook"] < workers:  # noqa: ASYNC110 - other processes: nothing to await
                await asyncio.sleep(0.2)
            await serving(http)

            async def post(update: JSON) -> None:
                async with http.post(
                    "/webhook", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
                ) as response:
                    await response.read()

            timed = Timed(post)
            residents = [Resident(emulator, timed, FIRST_ID + i, f"R{i}", "en") for i in range(args.residents)]
            started = time.perf_counter()
            await in_batches(residents, args.concurrency, propose_and_verify)
            seconds = time.perf_counter() - started
            print(
                f"postgresql+redis, API {delay * 1000:.0f} ms, pbbot webhook --workers {workers} (load from this process):"
            )
            report("pbbot", len(timed.latencies), seconds, timed.latencies)
    finally:
        server.send_signal(signal.SIGTERM)
        await asyncio.wait_for(server.wait(), timeout=60)
        await emulator.stop()
        await drop_database(url)


async def serving(http) -> None:  # noqa: ANN001
    """Until the webhook answers /healthz (it registers with Telegram before it listens)."""
    while True:
        try:
            async with http.get("/healthz") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientConnectionError:
            pass
        await asyncio.sleep(0.1)


def live_campaign() -> str:
    """The test campaign with its proposals phase around now (the workers use the system clock)."""
    from datetime import datetime

    now = datetime.now()
    source = CAMPAIGN.read_text()
    dates = {
        "proposals_open": now - timedelta(days=3),
        "proposals_close": now + timedelta(days=20),
        "review_close": now + timedelta(days=30),
        "voting_open": now + timedelta(days=31),
        "voting_close": now + timedelta(days=45),
        "results": now + timedelta(days=50),
    }
    lines = []
    for line in source.splitlines():
        key = line.split("=")[0].strip()
        if key in dates:
            line = f"{key} = {dates[key]:%Y-%m-%dT%H:%M:00}"
        lines.append(line)
    return "\n".join(lines) + "\n"


# --- memory over many residents -------------------------------------------------------------------


async def memory(args: argparse.Namespace) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="pbbot-bench-"))
    url = await fresh_database("sqlite", workdir)
    campaign = load_campaign(CAMPAIGN)
    clock = SettableClock(campaign.calendar.proposals_open + timedelta(days=3))
    emulator = BotAPIEmulator(keep_messages=False)
    app = await build_app(settings_for(url, False), clock=clock, session=EmulatorSession(emulator, 0))

    async def feed(update: JSON) -> None:
        await app.dispatcher.feed_update(app.bot, Update.model_validate(update, context={"bot": app.bot}))

    timed = Timed(feed)
    print(f"memory: {args.memory:,} residents send /start then /help (SQLite, API 0 ms)")
    step = max(1, args.memory // 5)
    started = time.perf_counter()

    async def one(i: int) -> None:
        resident = Resident(emulator, timed, FIRST_ID + i, f"R{i}", "en")
        await resident.send("/start")
        await resident.send("/help")

    for block in range(0, args.memory, step):
        await in_batches(list(range(block, min(args.memory, block + step))), args.concurrency, one)
        timed.latencies.clear()  # the latencies list itself must not be what grows
        print(
            f"  after {min(args.memory, block + step):>7,} residents: RSS {rss_mb():6.0f} MB   "
            f"({time.perf_counter() - started:5.0f} s)"
        )
    await app.close()


async def main(args: argparse.Namespace) -> None:
    print(f"bench/updates.py — {os.cpu_count()} CPUs (shared with other work: figures vary from run to run)")
    if args.memory:
        await memory(args)
        return
    if args.workers:
        for delay in args.delay:
            for workers in args.workers:
                await through_workers(args, workers, delay / 1000)
        return
    for delay in args.delay:
        await in_process(args, args.db, args.redis, delay / 1000)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--redis", action="store_true", help="conversation state and locks in Redis")
    parser.add_argument("--residents", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--delay", type=float, nargs="+", default=[0, 50], help="Bot API answer delay, ms")
    parser.add_argument(
        "--workers", type=int, nargs="*", help="through `pbbot webhook --workers N` (PostgreSQL + Redis)"
    )
    parser.add_argument("--memory", type=int, default=0, help="residents for the memory run (e.g. 100000)")
    asyncio.run(main(parser.parse_args()))
