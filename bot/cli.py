"""`pbbot`: run, webhook, console, migrate, check-campaign, init, tally."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from datetime import datetime, timezone

from bot.logs import configure_logging
from campaign import file_checks
from campaign.schema import CampaignError, load_campaign


def _check_campaign(path: str) -> int:
    try:
        campaign = load_campaign(path)
    except CampaignError as error:
        print(f"{path}: {len(error.problems)} problem(s):", file=sys.stderr)
        for problem in error.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    for warning in file_checks.warnings(campaign, datetime.now(timezone.utc)):
        print(f"{path}: warning: {warning}", file=sys.stderr)
    cal = campaign.calendar
    print(
        f"{path}: OK — {campaign.id} ({campaign.town}), {campaign.envelope} {campaign.currency}, "
        f"{len(campaign.categories)} categories, {campaign.ballot.type} ballot, rule {campaign.outcome.rule}"
    )
    print(
        f"  proposals {cal.proposals_open:%Y-%m-%d %H:%M} → {cal.proposals_close:%Y-%m-%d %H:%M}, "
        f"voting {cal.voting_open:%Y-%m-%d %H:%M} → {cal.voting_close:%Y-%m-%d %H:%M}, results {cal.results:%Y-%m-%d %H:%M}"
    )
    return 0


def _refuse(problems: list[str]) -> int:
    print(f"pbbot cannot start: {len(problems)} problem(s) (set them in the environment or in .env):", file=sys.stderr)
    for problem in problems:
        print(f"  - {problem}", file=sys.stderr)
    return 1


def _console(args: argparse.Namespace) -> int:
    from bot.console import run_console
    from bot.console_options import sandbox

    configure_logging("WARNING")
    for chatty in ("bot.scheduler", "bot.broadcaster"):  # a :phase jump drops reminders on purpose
        logging.getLogger(chatty).setLevel(logging.ERROR)
    box = sandbox(args)
    try:
        asyncio.run(
            run_console(
                box.settings,
                phase=args.phase,
                user_id=args.user_id,
                language=args.language,
                files_dir=box.files,
                own_database=box.own_database,
            )
        )
    except CampaignError as error:
        print(f"campaign file {box.settings.campaign_path()}: {len(error.problems)} problem(s):", file=sys.stderr)
        for problem in error.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


def main(argv: list[str] | None = None) -> int:
    from bot.console_options import add_arguments as sandbox_arguments
    from bot.init_campaign import add_arguments as init_arguments, run_init

    parser = argparse.ArgumentParser(prog="pbbot", description="A Telegram bot that runs a participatory budget.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="serve Telegram with long polling (needs BOT_TOKEN)")
    webhook = commands.add_parser("webhook", help="serve Telegram with a webhook (needs BOT_TOKEN and WEBHOOK_URL)")
    webhook.add_argument(
        "--workers",
        type=int,
        default=None,
        help="processes serving the one port (default WEBHOOK_WORKERS, 1); above 1 needs PostgreSQL and Redis",
    )
    console = commands.add_parser("console", help="chat with the bot in this terminal, no Telegram needed")
    console.add_argument(
        "--phase",
        choices=["upcoming", "proposals", "review", "voting", "counting", "results"],
        help="pretend the campaign is in this phase (moves the clock)",
    )
    console.add_argument("--user-id", type=int, default=1001, help="your pretend Telegram id (default 1001)")
    console.add_argument("--language", default="fr", help="your pretend Telegram app language (default fr)")
    sandbox_arguments(console)
    commands.add_parser("migrate", help="create or upgrade the database schema")
    commands.add_parser("verify-log", help="check the hash chain of the audit log and publications")
    commands.add_parser("counting-key", help="print a new private counting key (for COUNTING_KEY)")
    check = commands.add_parser("check-campaign", help="validate a campaign file and summarise it")
    check.add_argument("file")
    init_arguments(commands.add_parser("init", help="write a campaign file for your town, live from today"))
    commands.add_parser("secret-key", help="print a new random SECRET_KEY for .env")
    from bot import tally_cli

    tally_cli.add_parser(commands)
    args = parser.parse_args(argv)

    if args.command == "check-campaign":
        return _check_campaign(args.file)
    if args.command == "counting-key":
        from bot.counting_key import print_new_key

        return print_new_key()
    if args.command == "tally":
        return tally_cli.run(args)
    if args.command == "init":
        return run_init(args)
    if args.command == "secret-key":
        from bot.startup import new_secret_key

        print(new_secret_key())
        return 0

    if args.command == "console":
        return _console(args)

    from pydantic import ValidationError

    from bot import startup
    from bot.settings import Settings

    try:
        settings = Settings()
    except ValidationError as error:
        return _refuse(startup.settings_problems(error))
    if args.command in ("run", "webhook"):
        # Before the database is created or migrated: everything missing, in one go.
        problems, warnings = startup.problems(settings, args.command)
        for warning in warnings:
            print(f"warning: {warning}", file=sys.stderr)
        if problems:
            return _refuse(problems)
    configure_logging(settings.log_level, settings.log_format)
    try:
        if args.command == "run":
            from bot.polling import run_polling

            asyncio.run(run_polling(settings))
        elif args.command == "webhook":
            from bot.workers import serve, worker_problems

            workers = args.workers or settings.webhook_workers
            if problems := worker_problems(settings, workers):
                return _refuse(problems)
            return serve(settings, workers)
        elif args.command == "migrate":
            from bot.polling import migrate

            asyncio.run(migrate(settings))
            print("database schema is up to date")
        elif args.command == "verify-log":
            from bot.verify_log import verify_log

            return asyncio.run(verify_log(settings.database_url))
    except CampaignError as error:
        print(f"campaign file {settings.campaign_path()}: {len(error.problems)} problem(s):", file=sys.stderr)
        for problem in error.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
