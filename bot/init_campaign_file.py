"""The campaign file `pbbot init` writes: a commented template (the operator edits the file
afterwards, so the comments matter: a TOML writer library would drop them), its calendar starting
on the day the town chooses, and its first texts in each language the bot speaks."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency

# The texts a new campaign starts with, per language; the operator rewrites them at will.
TEXTS: dict[str, dict[str, str]] = {
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


_SPELLED_OUT: dict[str, str | int | None] = {
    "Ł": "L",
    "ł": "l",
    "Ø": "O",
    "ø": "o",
    "ß": "ss",
    "Đ": "D",
    "đ": "d",
    "Æ": "AE",
    "æ": "ae",
}


def slug(town: str, year: int) -> str:
    # NFKD splits "é" into "e" + accent; letters it cannot split (Ł, ø, ß) are spelled out first.
    spelled = town.translate(str.maketrans(_SPELLED_OUT))
    ascii_town = unicodedata.normalize("NFKD", spelled).encode("ascii", "ignore").decode().lower()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_town).strip("-")[:50] or "campaign"
    return f"{base}-{year}"


def _q(text: str) -> str:
    """A TOML basic string: JSON's escapes (\\", \\\\, \\n, \\uXXXX) are all valid TOML; JSON leaves
    DEL as it is, which TOML refuses unescaped."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _localized(key: str, languages: tuple[str, ...], **values: str) -> str:
    return "{ " + ", ".join(f"{lang} = {_q(TEXTS[lang][key].format(**values))}" for lang in languages) + " }"


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
    names = {lang: TEXTS[lang]["name"].format(town=answers.town) for lang in langs}
    descriptions = {
        lang: TEXTS[lang]["description"].format(
            town=answers.town, amount=_money(answers.envelope, answers.currency, lang)
        )
        for lang in langs
    }
    how = {
        lang: TEXTS[lang]["how_body"].format(
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
