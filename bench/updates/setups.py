"""Databases, Redis keys, settings and campaign files for one run; each run cleans up after itself.

PostgreSQL runs get a database of their own (created, then dropped); Redis runs a key prefix of
their own (its keys deleted at the end), so the bench never touches anyone else's data.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from pathlib import Path

from bot.settings import Settings
from tests.conftest import TEST_COUNTING_KEY

ROOT = Path(__file__).resolve().parents[2]
CAMPAIGN = ROOT / "tests" / "campaigns" / "town.toml"
PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
REDIS = "redis://127.0.0.1:6379/0"
TOKEN = "123456:BENCH-TOKEN"
ADMIN = 9000  # the committee member who moves the calendar in the webhook runs
SECRET_KEY = "bench-secret-key-not-for-production"


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


# What pg_stat_database counts: more than the bot's own commits (SqlMeter counts those in-process).
TRANSACTIONS = "every transaction committed in the run's database, by whatever connection"


async def database_commits(url: str) -> int:
    """Transactions committed in this database so far, by every process (pg_stat_database;
    a backend reports its own when it goes idle or exits, so read it after they stop)."""
    import asyncpg

    connection = await asyncpg.connect(PG.replace("+asyncpg", ""))
    try:
        return int(
            await connection.fetchval(
                "SELECT xact_commit FROM pg_stat_database WHERE datname = $1", url.rsplit("/", 1)[1]
            )
            or 0
        )
    finally:
        await connection.close()


def new_prefix() -> str:
    return f"pbbot-bench-{uuid.uuid4().hex[:8]}"


async def drop_redis_keys(prefix: str) -> None:
    """Delete this run's keys (and only them)."""
    from redis.asyncio import Redis

    redis = Redis.from_url(REDIS)
    try:
        keys = [key async for key in redis.scan_iter(match=f"{prefix}:*", count=1000)]
        for start in range(0, len(keys), 1000):
            await redis.delete(*keys[start : start + 1000])
    finally:
        await redis.aclose()


def settings_for(url: str, redis: bool, prefix: str, campaign_file: Path = CAMPAIGN) -> Settings:
    return Settings(
        _env_file=None,
        bot_token=TOKEN,
        bot_api_url="http://127.0.0.1:9",  # unused: the in-process runs give the bot their own session
        database_url=url,
        campaign_file=campaign_file,
        admin_ids=[ADMIN],
        secret_key=SECRET_KEY,
        redis_url=REDIS if redis else None,
        redis_prefix=prefix,
        log_level="WARNING",
        counting_key=TEST_COUNTING_KEY,
    )


def live_campaign(workdir: Path) -> Path:
    """The test campaign with its proposals phase around now, written for this run: the webhook
    workers use the system clock. The committee (ADMIN) then opens the review and the vote with
    /advance, as a real committee would, so the residents can vote in the same run."""
    now = datetime.now()
    dates = {
        "proposals_open": now - timedelta(days=3),
        "proposals_close": now + timedelta(days=20),
        "review_close": now + timedelta(days=30),
        "voting_open": now + timedelta(days=31),
        "voting_close": now + timedelta(days=45),
        "results": now + timedelta(days=50),
    }
    lines = []
    for line in CAMPAIGN.read_text().splitlines():
        key = line.split("=")[0].strip()
        if key in dates:
            line = f"{key} = {dates[key]:%Y-%m-%dT%H:%M:00}"
        lines.append(line)
    path = workdir / "campaign.toml"
    path.write_text("\n".join(lines) + "\n")
    return path
