"""`pbbot init`: write a town's first campaign file, with its calendar starting today.

Flags give the answers (`--town Bertrix --population 8000 --envelope 20000`); in a terminal,
what the flags did not give is asked, each question with a default. The file is written from a
commented template (the operator edits it afterwards, so the comments matter: a TOML writer
library would drop them), then read back through `campaign.schema` before it is saved: `pbbot
init` never writes a file that `pbbot check-campaign` refuses.
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.init_campaign_file import TEXTS, Answers, render_campaign
from campaign.schema import SUPPORTED_LANGUAGES, CampaignError, parse_campaign

Ask = Callable[[str, str], str]
T = TypeVar("T")


class InitError(ValueError):
    """An answer that cannot make a campaign; the message says which and why."""


# --- answers from flags and questions ------------------------------------------------------


def _parse_int(text: str, what: str) -> int:
    try:
        value = int(text.replace(" ", "").replace("_", ""))
    except ValueError:
        raise InitError(f"{what}: {text!r} is not a whole number") from None
    if value <= 0:
        raise InitError(f"{what}: must be more than 0")
    return value


def _parse_amount(text: str) -> Decimal:
    try:
        value = Decimal(text.replace(" ", "").replace("_", "").replace(",", ""))
    except InvalidOperation:
        raise InitError(f"envelope: {text!r} is not an amount (write it with digits, e.g. 20000)") from None
    if value <= 0:
        raise InitError("envelope: must be more than 0")
    return value


def _parse_languages(text: str) -> tuple[str, ...]:
    languages = tuple(dict.fromkeys(part.strip().lower() for part in re.split(r"[,\s]+", text) if part.strip()))
    unknown = [lang for lang in languages if lang not in SUPPORTED_LANGUAGES or lang not in TEXTS]
    if not languages or unknown:
        raise InitError(
            f"languages: {', '.join(unknown) or 'none given'} — pbbot speaks {', '.join(SUPPORTED_LANGUAGES)}"
        )
    return languages


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InitError(f"starts: {text!r} is not a date (write it as 2026-04-01)") from None


def _parse_starts(text: str) -> date | None:
    return None if text.strip().lower() == "today" else _parse_date(text)


def _parse_zone(text: str) -> str:
    try:
        ZoneInfo(text.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise InitError(f"timezone: unknown time zone {text!r} (use a name like Europe/Brussels)") from None
    return text.strip()


def _parse_prefix(text: str) -> str | None:
    text = text.strip()
    if not text or text.lower() in ("-", "none", "no"):
        return None
    if not re.fullmatch(r"\+\d{1,4}", text):
        raise InitError(f"phone prefix: {text!r} is not a country code like +32")
    return text


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--town", help="the town's name, e.g. Bertrix")
    parser.add_argument("--population", help="its number of inhabitants (for the turnout)")
    parser.add_argument("--envelope", help="the budget to share between the projects, e.g. 20000")
    parser.add_argument("--currency", help="ISO code of the currency (default EUR)")
    parser.add_argument("--timezone", help="the town's time zone (default Europe/Brussels)")
    parser.add_argument("--languages", help="languages the bot speaks, first one the default (default fr,en)")
    parser.add_argument("--starts", help="the day proposals open, YYYY-MM-DD (default today)")
    parser.add_argument(
        "--phone-prefix", help="let residents verify with their phone number from this country, e.g. +32"
    )
    for phase, default in (("proposal", 28), ("review", 14), ("voting", 14), ("counting", 7)):
        parser.add_argument(
            f"--{phase}-days",
            type=int,
            default=default,
            help=f"length of the {phase} phase in days (default {default})",
        )
    parser.add_argument(
        "--output", "-o", default="campaign.toml", help="where to write the file (default campaign.toml)"
    )
    parser.add_argument("--force", action="store_true", help="overwrite the output file if it exists")


def gather(args: argparse.Namespace, ask: Ask | None) -> Answers:
    """The answers: flags first; what they lack is asked (`ask`), or an error without a terminal."""

    def value(flag: str, question: str, default: str | None) -> str:
        given = getattr(args, flag)
        if given is not None:
            return str(given)
        if ask is None:
            if default is None:
                raise InitError(f"--{flag.replace('_', '-')} is required (or run pbbot init in a terminal to be asked)")
            return default
        while True:
            answer = ask(question, default or "").strip() or (default or "")
            if answer:
                return answer

    def asked(flag: str, question: str, default: str | None, parse: Callable[[str], T]) -> T:
        while True:
            text = value(flag, question, default)
            try:
                return parse(text)
            except InitError as error:
                if ask is None or getattr(args, flag) is not None:
                    raise
                print(f"  {error}", file=sys.stderr)

    for phase in ("proposal", "review", "voting", "counting"):
        if getattr(args, f"{phase}_days") < 1:
            raise InitError(f"--{phase}-days: a phase lasts at least one day")
    return Answers(
        town=asked("town", "Name of the town", None, lambda t: t.strip() or _raise("town: give a name")),
        population=asked("population", "Number of inhabitants", None, lambda t: _parse_int(t, "population")),
        envelope=asked("envelope", "Budget to share between the projects", None, _parse_amount),
        currency=asked("currency", "Currency (ISO code)", "EUR", _currency),
        timezone=asked("timezone", "Time zone", "Europe/Brussels", _parse_zone),
        languages=asked("languages", "Languages, the default first", "fr,en", _parse_languages),
        starts=asked("starts", "Proposals open on (YYYY-MM-DD, empty for today)", "today", _parse_starts),
        phone_prefix=asked(
            "phone_prefix", 'Country code of residents\' phones, e.g. +32 ("-" for none)', "-", _parse_prefix
        ),
        proposal_days=args.proposal_days,
        review_days=args.review_days,
        voting_days=args.voting_days,
        counting_days=args.counting_days,
    )


def _raise(message: str) -> str:
    raise InitError(message)


def _currency(text: str) -> str:
    code = text.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise InitError(f"currency: {text!r} is not a three-letter code like EUR")
    return code


def _terminal_ask(question: str, default: str) -> str:
    return input(f"{question}{f' [{default}]' if default else ''}: ")


def run_init(args: argparse.Namespace, *, ask: Ask | None = None, today: date | None = None) -> int:
    """`pbbot init`: 0 when the file is written, 1 (and why, on stderr) otherwise."""
    if ask is None and sys.stdin.isatty():
        ask = _terminal_ask
    output = Path(args.output)
    try:
        if output.exists() and not args.force:
            raise InitError(f"{output} already exists: choose another --output, or add --force to overwrite it")
        answers = gather(args, ask)
        today = today or datetime.now(ZoneInfo(answers.timezone)).date()
        text = render_campaign(answers, today)
        try:
            parse_campaign(tomllib.loads(text), now=datetime.combine(today, time(12), ZoneInfo(answers.timezone)))
        except CampaignError as error:  # a bug here, or answers the schema refuses (a huge envelope...)
            raise InitError("the campaign would not be valid: " + "; ".join(error.problems)) from None
    except InitError as error:
        print(f"pbbot init: {error}", file=sys.stderr)
        return 1
    except (EOFError, KeyboardInterrupt):
        print("\npbbot init: stopped, nothing written", file=sys.stderr)
        return 1
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    print(f"wrote {output}: {answers.town}, proposals open {(answers.starts or today).isoformat()}.")
    print(f"next: pbbot check-campaign {output}, then try it with: pbbot console --campaign {output}")
    print(f"for the real bot, set CAMPAIGN_FILE={output} in .env")
    return 0
