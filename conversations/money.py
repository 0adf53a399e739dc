"""Amounts of money and language names as the resident's language writes them, from Babel's CLDR
data: "20 000 €" (fr), "€20,000" (en), "€ 20.000" (nl), "15 000 zł" (pl).

Rendering lives here, not in campaign/, because campaign/ imports only the standard library and
pydantic; campaign/fields/cost.py keeps the cost *parser*, which reads what residents type ("about
1 500 €", "1,5k") and what this module writes (tests/unit/test_money.py checks the round trip).
"""

from __future__ import annotations

import copy
from decimal import ROUND_HALF_UP, Decimal

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency, get_currency_precision, get_group_symbol

FALLBACK_LOCALE = "en"


def _locale(tag: str) -> Locale:
    try:
        return Locale.parse(tag.split(".")[0].split("@")[0].replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse(FALLBACK_LOCALE)


def format_money(value: Decimal | int, currency: str, locale: str) -> str:
    """An amount in `locale`'s currency format; cents (the currency's minor unit) only when
    there are some, since budgets and project costs are mostly whole: "20 000 €", "12 500,50 €"."""
    amount = Decimal(value)
    if not amount.is_finite():
        raise ValueError(f"cannot format {value!r}")
    where = _locale(locale)
    rounded = amount.quantize(Decimal(1).scaleb(-get_currency_precision(currency)), rounding=ROUND_HALF_UP)
    # Babel 2.19 loses all but the last group when the group symbol is an apostrophe (de_CH,
    # it_CH, fr_CH, gsw: "1234567'890"): those locales get no grouping rather than a wrong one.
    grouped = "'" not in get_group_symbol(locale=where)
    pattern = where.currency_formats["standard"]
    if rounded == rounded.to_integral_value():
        pattern = copy.copy(pattern)
        pattern.frac_prec = (0, 0)
        return format_currency(
            rounded, currency, format=pattern, locale=where, currency_digits=False, group_separator=grouped
        )
    return format_currency(rounded, currency, locale=where, group_separator=grouped)


def language_name(code: str, in_language: str | None = None) -> str:
    """A language's name in `in_language` (default: in itself, as on a language button):
    "Français", "English", "Nederlands"; the code itself when CLDR does not know it."""
    try:
        name = Locale.parse(code).get_display_name(in_language or code)
    except (UnknownLocaleError, ValueError):
        return code
    return name[:1].upper() + name[1:] if name else code
