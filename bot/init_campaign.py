"""`pbbot init`: write a town's first campaign file, with its calendar starting today.

Flags give the answers (`--town Bertrix --population 8000 --envelope 20000`); in a terminal,
what the flags did not give is asked, each question with a default. The file is written from a
commented template (the operator edits it afterwards, so the comments matter: a TOML writer
library would drop them), then read back through `campaign.schema` before it is saved: `pbbot
init` never writes a file that `pbbot check-campaign` refuses.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tomllib
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency

from campaign.schema import SUPPORTED_LANGUAGES, CampaignError, parse_campaign

Ask = Callable[[str, str], str]

# The texts a new campaign starts with, per language; the operator rewrites them at will.
_TEXTS: dict[str, dict[str, str]] = {
    "fr": {
        "name": "Budget participatif de {town}",
        "description": "{amount} pour des projets proposés et choisis par les habitants de {town}. "
        "Proposez un projet pour la commune, puis votez !",
        "how_title": "Comment ça marche ?",
        "how_body": "Chaque habitant propose un projet du {open} au {close}. Le comité vérifie les projets et choisit "
        "les finalistes. Le vote a lieu du {vote_open} au {vote_close} ; les résultats sont annoncés le {results}.",
        "reminder": "Plus que 2 jours pour proposer un projet !",
        "environment": "Environnement",
        "mobility": "Mobilité",
        "culture": "Culture et sport",
        "social": "Vivre ensemble",
    },
    "en": {
        "name": "{town} participatory budget",
        "description": "{amount} for projects proposed and chosen by the residents of {town}. "
        "Propose a project for the town, then vote!",
        "how_title": "How does it work?",
        "how_body": "Any resident can propose a project from {open} to {close}. The committee checks the projects and "
        "picks the finalists. Voting runs from {vote_open} to {vote_close}; the results are announced on {results}.",
        "reminder": "Only 2 days left to propose a project!",
        "environment": "Environment",
        "mobility": "Mobility",
        "culture": "Culture and sport",
        "social": "Community",
    },
}
CATEGORIES = ("environment", "mobility", "culture", "social")


class InitError(ValueError):
    """An answer that cannot make a campaign; the message says which and why."""


@dataclass(frozen=True)
class Answers:
    town: str
    population: int
    envelope: Decimal
    currency: str = "EUR"
    timezone: str = "Europe/Brussels"
    languages: tuple[str, ...] = ("fr", "en")
    starts: date | None = None  # None: today in the campaign's time zone
    proposal_days: int = 28
    review_days: int = 14
    voting_days: int = 14
    counting_days: int = 7
    phone_prefix: str | None = None


@dataclass(frozen=True)
class Dates:
    proposals_open: datetime
    proposals_close: datetime
    review_close: datetime
    voting_open: datetime
    voting_close: datetime
    results: datetime


def plan_dates(starts: date, answers: Answers) -> Dates:
    """Proposals open at midnight on `starts`; each phase ends at 23:59 of its last day."""

    def day(offset: int, at: time) -> datetime:
        return datetime.combine(starts + timedelta(days=offset), at)

    end = time(23, 59)
    proposals_last = answers.proposal_days - 1
    review_last = proposals_last + answers.review_days
    voting_last = review_last + answers.voting_days
    return Dates(
        proposals_open=day(0, time(0, 0)),
        proposals_close=day(proposals_last, end),
        review_close=day(review_last, end),
        voting_open=day(review_last + 1, time(0, 0)),
        voting_close=day(voting_last, end),
        results=day(voting_last + answers.counting_days, time(18, 0)),
    )


def slug(town: str, year: int) -> str:
    # NFKD splits "é" into "e" + accent; letters it cannot split (Ł, ø, ß) are spelled out first.
    spelled = town.translate(
        str.maketrans({"Ł": "L", "ł": "l", "Ø": "O", "ø": "o", "ß": "ss", "Đ": "D", "đ": "d", "Æ": "AE", "æ": "ae"})
    )
    ascii_town = unicodedata.normalize("NFKD", spelled).encode("ascii", "ignore").decode().lower()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_town).strip("-")[:50] or "campaign"
    return f"{base}-{year}"


def _q(text: str) -> str:
    """A TOML basic string: JSON's escapes (\\", \\\\, \\n, \\uXXXX) are all valid TOML; JSON leaves
    DEL as it is, which TOML refuses unescaped."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _localized(key: str, languages: tuple[str, ...], **values: str) -> str:
    return "{ " + ", ".join(f"{lang} = {_q(_TEXTS[lang][key].format(**values))}" for lang in languages) + " }"


def _money(amount: Decimal, currency: str, language: str) -> str:
    """20 000 € / €20,000: the locale's own currency pattern, without cents for a whole amount."""
    pattern = Locale.parse(language).currency_formats["standard"].pattern
    if amount == amount.to_integral():
        pattern = pattern.replace(".00", "")
    return format_currency(amount, currency, format=pattern, locale=language, currency_digits=False)


def _day(moment: datetime, language: str) -> str:
    return format_date(moment.date(), "d MMMM y", locale=language)


def render_campaign(answers: Answers, today: date) -> str:
    """The campaign file's text."""
    starts = answers.starts or today
    dates = plan_dates(starts, answers)
    langs = answers.languages
    envelope_text = format(answers.envelope.normalize(), "f")  # 20000, not 2E+4
    names = {lang: _TEXTS[lang]["name"].format(town=answers.town) for lang in langs}
    descriptions = {
        lang: _TEXTS[lang]["description"].format(
            town=answers.town, amount=_money(answers.envelope, answers.currency, lang)
        )
        for lang in langs
    }
    how = {
        lang: _TEXTS[lang]["how_body"].format(
            open=_day(dates.proposals_open, lang),
            close=_day(dates.proposals_close, lang),
            vote_open=_day(dates.voting_open, lang),
            vote_close=_day(dates.voting_close, lang),
            results=_day(dates.results, lang),
        )
        for lang in langs
    }
    methods = (["phone"] if answers.phone_prefix else []) + ["code", "committee"]
    stamp = "%Y-%m-%dT%H:%M:00"
    lines = [
        f"# A campaign file written by `pbbot init` on {today.isoformat()}.",
        "# Edit it freely, then check it with: pbbot check-campaign THIS_FILE",
        '# Every setting is described in the README, section "The campaign file".',
        f"id = {_q(slug(answers.town, starts.year))}",
        f"town = {_q(answers.town)}",
        f"population = {answers.population}  # for the turnout",
        f"envelope = {envelope_text}",
        f"currency = {_q(answers.currency)}",
        f"timezone = {_q(answers.timezone)}",
        f"languages = [{', '.join(_q(lang) for lang in langs)}]",
        f"default_language = {_q(langs[0])}",
        "",
        "[name]",
        *(f"{lang} = {_q(text)}" for lang, text in names.items()),
        "",
        "[description]",
        *(f"{lang} = {_q(text)}" for lang, text in descriptions.items()),
        "",
        "[cost]  # what one project may cost",
        "minimum = 0",
        f"maximum = {envelope_text}",
        "",
        "# Local times in the time zone above. Proposals open today, so the bot is live at once;",
        "# the committee can move a date later with /calendar.",
        "[calendar]",
        *(f"{field} = {getattr(dates, field).strftime(stamp)}" for field in Dates.__dataclass_fields__),
        "",
        "[ballot]  # single: one project; approval: up to max_choices; knapsack: within the envelope",
        'type = "approval"',
        "max_choices = 3",
        "changeable = true  # a resident may change their vote until voting closes",
        "",
        "[outcome]",
        'rule = "greedy"  # the most voted projects, in order, while the envelope lasts',
        "",
        "[eligibility]",
        "minimum_age = 16",
        "",
        "[verification]  # phone: the resident shares their number; code: invitation codes; committee: approval",
        f"methods = [{', '.join(_q(m) for m in methods)}]",
        *([f"phone_prefixes = [{_q(answers.phone_prefix)}]"] if answers.phone_prefix else []),
        "",
    ]
    for category in CATEGORIES:
        lines += ["[[categories]]", f"id = {_q(category)}", f"names = {_localized(category, langs)}", ""]
    lines += [
        "[[articles]]",
        'id = "how"',
        f"title = {_localized('how_title', langs)}",
        *(f"body.{lang} = {_q(text)}" for lang, text in how.items()),
        "",
        "[[reminders]]",
        'id = "proposals-closing"',
        'before = "proposals_close"',
        "days = 2",
        'audience = "all"',
        f"text = {_localized('reminder', langs)}",
    ]
    return "\n".join(lines) + "\n"


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
    unknown = [lang for lang in languages if lang not in SUPPORTED_LANGUAGES or lang not in _TEXTS]
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

    def asked(flag: str, question: str, default: str | None, parse: Callable[[str], object]) -> object:
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
        town=str(asked("town", "Name of the town", None, lambda t: t.strip() or _raise("town: give a name"))),
        population=asked("population", "Number of inhabitants", None, lambda t: _parse_int(t, "population")),  # type: ignore[arg-type]
        envelope=asked("envelope", "Budget to share between the projects", None, _parse_amount),  # type: ignore[arg-type]
        currency=str(asked("currency", "Currency (ISO code)", "EUR", lambda t: _currency(t))),
        timezone=str(asked("timezone", "Time zone", "Europe/Brussels", _parse_zone)),
        languages=asked("languages", "Languages, the default first", "fr,en", _parse_languages),  # type: ignore[arg-type]
        starts=asked(
            "starts",
            "Proposals open on (YYYY-MM-DD, empty for today)",
            "today",  # type: ignore[arg-type]
            lambda t: None if t.strip().lower() == "today" else _parse_date(t),
        ),
        phone_prefix=asked(
            "phone_prefix", 'Country code of residents\' phones, e.g. +32 ("-" for none)', "-", _parse_prefix
        ),  # type: ignore[arg-type]
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
