"""Fixtures: a database per test run, the Bot API emulator, the real app, residents.

`pytest` runs on SQLite; `pytest --db postgresql` on a database created for this run on the
PostgreSQL server at PBBOT_TEST_POSTGRES (default postgresql://postgres@127.0.0.1:5432/test)
and dropped afterwards.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiogram.types import Update
from hypothesis import settings as hypothesis_settings
from sqlalchemy import delete, inspect, text

from bot.app import App, build_app
from bot.settings import Settings
from campaign.clock import SettableClock
from campaign.schema import load_campaign
from storage.db import make_engine
from storage.models import Base
from tests.emulator import BotAPIEmulator, Resident

# Hypothesis's per-example deadline is a timing assertion: on a loaded 2-core machine it fails
# tests whose rules are right. Speed is measured in bench/, never asserted in tests.
hypothesis_settings.register_profile("pbbot", deadline=None)
hypothesis_settings.load_profile("pbbot")

TESTS = Path(__file__).parent
TEST_CAMPAIGN = TESTS / "campaigns" / "town.toml"
COMMITTEE_ID = 9000
COMMITTEE_CHAT_ID = -1009000
# The simple key mode's private counting key for the tests (made with `pbbot counting-key`).
TEST_COUNTING_KEY = "5a1f0c3e9b7d2a4c6e8f0a1b3c5d7e9f1a2b3c4d5e6f708192a3b4c5d6e7f809"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--db", choices=["sqlite", "postgresql"], default="sqlite", help="database to run the suite on")


def _server_url() -> str:
    return os.environ.get("PBBOT_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


async def _admin(statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(_server_url())
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    if request.config.getoption("--db") == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'pbbot.sqlite3'}"
        return
    name = f"pbbot_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    base = _server_url().rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    try:
        yield f"{base}/{name}"
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _empty_tables(url: str) -> None:
    """Each test starts with no rows, and with project numbers counting from 1 again."""
    engine = make_engine(url)
    try:
        async with engine.begin() as connection:
            existing = set(await connection.run_sync(lambda c: inspect(c).get_table_names()))
            tables = [t for t in reversed(Base.metadata.sorted_tables) if t.name in existing]
            if connection.dialect.name == "postgresql" and tables:
                names = ", ".join(f'"{t.name}"' for t in tables)
                await connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    await connection.execute(delete(table))
    finally:
        await engine.dispose()


@pytest.fixture
async def emulator() -> AsyncIterator[BotAPIEmulator]:
    async with BotAPIEmulator() as emulator:
        yield emulator


@pytest.fixture
def campaign_file() -> Path:
    return TEST_CAMPAIGN


@pytest.fixture
def clock(campaign_file: Path) -> SettableClock:
    """Starts in the middle of the proposals phase."""
    calendar = load_campaign(campaign_file).calendar
    return SettableClock(calendar.proposals_open + timedelta(days=3, hours=10))


@pytest.fixture
def settings(database_url: str, emulator: BotAPIEmulator, campaign_file: Path) -> Settings:
    return Settings(
        _env_file=None,
        bot_token="123456:TEST-TOKEN",
        bot_api_url=emulator.base_url,
        database_url=database_url,
        campaign_file=campaign_file,
        admin_ids=[COMMITTEE_ID],
        admin_chat_id=COMMITTEE_CHAT_ID,
        secret_key="test-secret-key-not-for-production",
        counting_key=TEST_COUNTING_KEY,
        redis_url=None,
    )


@pytest.fixture
async def app(settings: Settings, clock: SettableClock) -> AsyncIterator[App]:
    await _empty_tables(settings.database_url)
    app = await build_app(settings, clock=clock)
    try:
        yield app
    finally:
        await app.close()


def deliver_to(app: App) -> Callable[[dict[str, Any]], Any]:
    async def deliver(update: dict[str, Any]) -> None:
        await app.dispatcher.feed_update(app.bot, Update.model_validate(update, context={"bot": app.bot}))

    return deliver


@pytest.fixture
def resident_factory(app: App, emulator: BotAPIEmulator) -> Callable[..., Resident]:
    def make(
        user_id: int = 1001, first_name: str = "Marie", language_code: str | None = "fr", chat_id: int | None = None
    ) -> Resident:
        return Resident(emulator, deliver_to(app), user_id, first_name, language_code, chat_id)

    return make


@pytest.fixture
def marie(resident_factory: Callable[..., Resident]) -> Resident:
    return resident_factory(1001, "Marie", "fr")


@pytest.fixture
def john(resident_factory: Callable[..., Resident]) -> Resident:
    return resident_factory(1002, "John", "en")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL, only the tests that open the run's database: the others (the pure rules, the
    parsers, `pbbot` run in a process of its own on files of its own) ran on SQLite with `pytest`
    and would do exactly the same again, about a minute and a half of CI for nothing. Whatever
    reaches the run's database goes through the `database_url` fixture (the app, the settings, the
    engine), so every one of those runs on both; pytest reports the others as deselected."""
    if config.getoption("--db") != "postgresql":
        return
    kept = [item for item in items if "database_url" in getattr(item, "fixturenames", ())]
    if len(kept) < len(items):
        running = {id(item) for item in kept}
        config.hook.pytest_deselected(items=[item for item in items if id(item) not in running])
        items[:] = kept
