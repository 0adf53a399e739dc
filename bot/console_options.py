"""`pbbot console`'s flags and the sandbox they make: nothing typed in the console reaches a
real bot's data.

By default the console gets its own settings, whatever the environment or `.env` say: a
database in a new temporary folder, the demo campaign (or `--campaign`), no Redis, no committee
unless `--committee`, a throwaway SECRET_KEY. `--env` reads the environment and `.env` as
`pbbot run` does (to look at a real database, knowingly); `--database` picks the database.

Kept free of aiogram imports: `pbbot` builds its argument parser from here for every command.
"""

from __future__ import annotations

import argparse
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr

from bot.settings import Settings

DEMO_CAMPAIGN = Path("examples/demo.toml")
THROWAWAY_KEY = SecretStr("pbbot-console-throwaway-key")
# The sandbox's counting key (the simple key mode): ballots cast in the console are sealed to it.
THROWAWAY_COUNTING_KEY = "c0" * 32


@dataclass(frozen=True)
class Sandbox:
    settings: Settings
    folder: Path  # where the sandbox keeps its database and the files the bot sends
    own_database: Path | None  # the SQLite file :reset may delete; None when --database chose it

    @property
    def files(self) -> Path:
        return self.folder / "files"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--campaign", help="the campaign file to play (default: the demo, live today)")
    parser.add_argument("--database", help="a database URL or SQLite file to use instead of a new temporary one")
    parser.add_argument("--committee", action="store_true", help="play a committee member (your id joins ADMIN_IDS)")
    parser.add_argument(
        "--env",
        action="store_true",
        help="read the environment and .env as `pbbot run` does (its database, campaign and committee)",
    )


def _database_url(value: str) -> str:
    if "://" in value:
        return value
    return f"sqlite+aiosqlite:///{Path(value).expanduser().resolve()}"


def sandbox(args: argparse.Namespace) -> Sandbox:
    """The console's settings from its flags; the environment and `.env` only with --env."""
    folder = Path(tempfile.mkdtemp(prefix="pbbot-console-"))
    own = None if args.database or args.env else folder / "console.sqlite3"
    if args.env:
        settings = Settings()
        update: dict[str, object] = {}
    else:
        # Init arguments win over the environment in pydantic-settings: every setting that could
        # point at real data is given here.
        settings = Settings(
            _env_file=None,
            database_url=_database_url(str(own)),
            campaign_file=DEMO_CAMPAIGN,
            redis_url=None,
            admin_ids=[],
            admin_chat_id=None,
            secret_key=THROWAWAY_KEY,
            bot_token=None,
            counting_key=THROWAWAY_COUNTING_KEY,
        )
        update = {}
    if args.database:
        update["database_url"] = _database_url(args.database)
    if args.campaign:
        update["campaign_file"] = Path(args.campaign)
    if args.committee and args.user_id not in settings.admin_ids:
        update["admin_ids"] = [*settings.admin_ids, args.user_id]
    return Sandbox(settings.model_copy(update=update), folder, own)
