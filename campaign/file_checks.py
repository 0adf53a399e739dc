"""What `pbbot check-campaign` tells a town about its campaign file, in plain words.

- `describe(error)`: one pydantic validation error as "where: what is wrong", where is the
  setting as the TOML file spells it (`calendar.voting_open`, `categories #2 id`) and what is
  wrong says what to write instead, never a regular expression.
- `problems(campaign)`: what the schema cannot see field by field: a phase that lasts no time,
  a text missing in a language the campaign speaks.
- `warnings(campaign, now)`: what is allowed but probably a mistake (a calendar entirely past).

No pydantic import here: the campaign is read through its attributes, the error as the dict
`ValidationError.errors()` gives.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

# The phases that must last some time, as (field that starts it, field that ends it, name).
_PHASES = (
    ("proposals_open", "proposals_close", "the proposals phase"),
    ("proposals_close", "voting_open", "the committee's review"),
    ("voting_open", "voting_close", "the vote"),
    ("voting_close", "results", "the count"),
)

LANGUAGE_NAMES = {"fr": "French", "en": "English", "nl": "Dutch", "de": "German"}

# Patterns of the schema, said in words.
_PATTERNS = {
    r"^[a-z0-9_-]{1,64}$": 'use 1 to 64 small letters a-z, digits, "-" or "_" (no spaces, capitals or accents), e.g. "bertrix-2027"',
    r"^[a-z0-9_-]{1,32}$": 'use 1 to 32 small letters a-z, digits, "-" or "_" (no spaces, capitals or accents), e.g. "mobility"',
    r"^[A-Z]{3}$": 'write the three-letter currency code in capitals, e.g. "EUR"',
    r"^\+\d{1,4}$": 'write a country calling code: "+" and 1 to 4 digits, e.g. "+32"',
}

_DATE_HELP = 'is not a date: write it like 2027-04-01T09:00:00, or as days from today like "+7d" or "-1d 18:00"'


def where(loc: tuple[Any, ...] | list[Any]) -> str:
    """`("categories", 1, "id")` as `categories #2 id`; `("calendar", "results")` as `calendar.results`."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f" #{part + 1}"
        elif text:
            text += ("." if not text[-1].isdigit() else " ") + str(part)
        else:
            text = str(part)
    return text


def _plain(error: Mapping[str, Any]) -> str:
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "missing":
        return "is missing"
    if kind == "extra_forbidden":
        return "is not a known setting (check the spelling)"
    if kind == "string_pattern_mismatch":
        return _PATTERNS.get(str(ctx.get("pattern")), f"is not in the expected form ({error['msg']})")
    if kind == "literal_error":
        return f"must be {ctx.get('expected', 'one of the known values')}"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        bound = ctx.get("gt", ctx.get("ge", ctx.get("lt", ctx.get("le"))))
        words = {
            "greater_than": "more than",
            "greater_than_equal": "at least",
            "less_than": "less than",
            "less_than_equal": "at most",
        }[kind]
        return f"must be {words} {bound}"
    if kind.startswith(("int_", "decimal_", "float_")):
        return (
            "must be a number written with digits, without quotes"
            if kind.endswith(("_type", "_parsing"))
            else "must be a whole number"
            if kind.startswith("int_")
            else error["msg"].lower()
        )
    if kind.startswith(("datetime_", "date_")):
        return _DATE_HELP
    if kind.startswith("bool_"):
        return "must be true or false"
    if kind.startswith("string_"):
        return "must be text in quotes"
    if kind == "dict_type":
        return 'must be a table, e.g. { fr = "…", en = "…" }'
    if kind == "list_type":
        return 'must be a list in square brackets, e.g. ["fr", "en"]'
    if kind == "too_short":
        return f"needs at least {ctx.get('min_length', 1)}"
    if kind == "model_type" or kind == "model_attributes_type":
        return "must be a table of settings"
    return str(error["msg"]).removeprefix("Value error, ")


def describe(error: Mapping[str, Any]) -> str:
    """One validation error as a sentence naming its setting. Errors found across several
    settings (a model validator) name them in their own text, so they have no prefix."""
    loc = tuple(error.get("loc") or ())
    return f"{where(loc)}: {_plain(error)}" if loc else _plain(error)


def _language(code: str) -> str:
    return f'{LANGUAGE_NAMES[code]} ("{code}")' if code in LANGUAGE_NAMES else f'"{code}"'


def _texts(campaign: Any) -> list[tuple[str, dict[str, str]]]:
    """Every translated text of the campaign, with the setting that holds it."""
    found = [("name", campaign.name), ("description", campaign.description)]
    found += [(f"categories #{i} names", c.names) for i, c in enumerate(campaign.categories, 1)]
    for i, article in enumerate(campaign.articles, 1):
        found += [(f"articles #{i} title", article.title), (f"articles #{i} body", article.body)]
    found += [(f"reminders #{i} text", r.text) for i, r in enumerate(campaign.reminders, 1)]
    found += [(f"announcements.{key}", texts) for key, texts in campaign.announcements.items()]
    return found


def problems(campaign: Any) -> list[str]:
    """What makes the file unusable though every setting is valid on its own."""
    found: list[str] = []
    cal = campaign.calendar
    for start, end, name in _PHASES:
        if getattr(cal, end) == getattr(cal, start):
            found.append(f"calendar.{end}: is the same moment as calendar.{start}, so {name} would last no time")
    for setting, texts in _texts(campaign):
        missing = [lang for lang in campaign.languages if not (texts.get(lang) or "").strip()]
        if missing:
            found.append(f"{setting}: no text in {', '.join(map(_language, missing))}, though languages lists it")
    return found


def warnings(campaign: Any, now: datetime) -> list[str]:
    """What check-campaign reports without refusing the file."""
    found: list[str] = []
    results = campaign.calendar.results
    if results < now:
        found.append(
            f"calendar: every date is in the past (the results were due on {results:%Y-%m-%d}), so residents "
            "would find a finished campaign. Give new dates, or write a new file with `pbbot init`."
        )
    return found
