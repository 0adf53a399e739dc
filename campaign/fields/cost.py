"""A cost as a resident types it: "1 500 €", "12,5k", "3 000,-".

Reading rules (pinned by ``tests/unit/test_fields_cost_accepted.py`` and ``test_fields_cost_refused.py``):

* ``parse_cost`` reading of separators:
  - space, no-break space, narrow no-break space, apostrophe -> thousands;
  - both "." and "," present -> the last one is the decimal separator
    ("12.500,50" and "12,500.50" -> 12500.50);
  - one "." or "," followed by exactly 3 digits, with a 1-3 digit leading
    group not starting with 0 -> thousands ("1.500", "1,500" -> 1500),
    because that is what a European resident means for a cost;
  - one "." or "," followed by 1-2 digits -> decimals ("12,5" -> 12.50);
  - the same separator repeated -> thousands ("1.500.000");
  - "3 000,-", "300.-", "300-" and a trailing "." or "," mean "no cents";
  - a trailing "k" multiplies by 1000 ("1,5k" -> 1500, "20k" -> 20000),
    but only on an ungrouped number: "1.500k" is "ambiguous";
  - readings that could mean two different amounts are "ambiguous":
    "1.500,000", "1 500.000", "20 00", "100-200", "100 or 200";
  - a currency other than the campaign's is "wrong_currency" rather than
    silently accepted: "$300" is not 300 EUR.
* The result of ``parse_cost`` is an integer-valued ``Decimal`` when the
  amount has no cents ("300,00" -> Decimal("300")), else it is quantized to
  cents ("12,5" -> Decimal("12.50")).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Final

from campaign.fields.errors import FieldError
from campaign.fields.text import SPACE_RUN


MAX_COST_DECIMALS: Final = 2

# Without a caller-supplied maximum we still refuse absurd amounts, so that a
# resident who leans on the "0" key does not produce a 4000-digit budget line.
ABSOLUTE_MAXIMUM_COST: Final = Decimal("1000000000000")

# A cost is a short answer.  Anything longer is a sentence or a story, and
# "please type only the amount" (not_a_number) is the helpful reply.  The cap
# also bounds the work done on a 10,000-character message.
_MAX_COST_INPUT_LENGTH: Final = 100


_DOLLAR_CODES: Final = frozenset({"USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN"})

# What residents write for a currency, case-folded, mapped to the ISO codes
# it can stand for.  "$" stays vague on purpose: a Canadian campaign accepts it.
_CURRENCY_TOKENS: Final[Mapping[str, frozenset[str]]] = {
    "€": frozenset({"EUR"}),
    "euro": frozenset({"EUR"}),
    "euros": frozenset({"EUR"}),
    "$": _DOLLAR_CODES,
    "us$": frozenset({"USD"}),
    "$us": frozenset({"USD"}),  # how French writes it (CLDR), so the bot's own "1 500 $US" reads back
    "dollar": _DOLLAR_CODES,
    "dollars": _DOLLAR_CODES,
    "£": frozenset({"GBP"}),
    "£gb": frozenset({"GBP"}),  # French, likewise
    "pound": frozenset({"GBP"}),
    "pounds": frozenset({"GBP"}),
    "fr": frozenset({"CHF"}),
    "fr.": frozenset({"CHF"}),
    "sfr": frozenset({"CHF"}),
    "sfr.": frozenset({"CHF"}),
    "franc": frozenset({"CHF"}),
    "francs": frozenset({"CHF"}),
    "zł": frozenset({"PLN"}),
    "zl": frozenset({"PLN"}),
    "złoty": frozenset({"PLN"}),
    "zloty": frozenset({"PLN"}),
    "złote": frozenset({"PLN"}),
    "zlote": frozenset({"PLN"}),
    "złotych": frozenset({"PLN"}),
    "zlotych": frozenset({"PLN"}),
    "kč": frozenset({"CZK"}),
    "kc": frozenset({"CZK"}),
    "kr": frozenset({"SEK", "NOK", "DKK", "ISK"}),
    "kr.": frozenset({"SEK", "NOK", "DKK", "ISK"}),
    "ft": frozenset({"HUF"}),
    "lei": frozenset({"RON"}),
    "лв": frozenset({"BGN"}),
    "₴": frozenset({"UAH"}),
    "грн": frozenset({"UAH"}),
    "¥": frozenset({"JPY", "CNY"}),
    "₹": frozenset({"INR"}),
}

# ISO codes we recognise as "a currency, but maybe not yours".  The campaign's
# own code is always accepted even when it is missing from this list.
_ISO_CODES: Final = frozenset(
    {
        "EUR", "USD", "GBP", "CHF", "PLN", "CZK", "SEK", "NOK", "DKK", "ISK",
        "HUF", "RON", "BGN", "UAH", "JPY", "CNY", "INR", "CAD", "AUD", "NZD",
        "MXN", "BRL", "TRY", "SGD", "HKD",
    }
)  # fmt: skip


def _currency_pattern(currency: str) -> re.Pattern[str]:
    tokens = set(_CURRENCY_TOKENS) | {code.casefold() for code in _ISO_CODES}
    tokens.add(currency.casefold())
    # Longest first so that "euros" wins over "euro" and "us$" over "$".
    alternation = "|".join(re.escape(t) for t in sorted(tokens, key=len, reverse=True))
    # The input is case-folded with whitespace collapsed to single spaces, so
    # "\ ?" is "optional space".  The number must start and end with a digit
    # (or be ".50"); everything after it is a "no cents" tail, a currency or a
    # thousand multiplier.
    return re.compile(
        rf"""
        (?P<sign1>[-+]\ ?)?
        (?:(?P<cur1>{alternation})\ ?)?
        (?P<sign2>[-+]\ ?)?
        (?P<num>\d(?:[\d\ ',.]*\d)?|[.,]\d+)
        (?:\ ?(?P<k>k))?
        (?:\ ?(?:[.,]-*|-+))?
        (?:\ ?(?P<cur2>{alternation}))?
        (?:\ ?(?:[.,]-*|-+))?
        """,
        re.VERBOSE,
    )


_PATTERN_CACHE: dict[str, re.Pattern[str]] = {}

# A run of digits possibly glued by single separators: one "amount-looking"
# chunk.  Two of them in an unparseable answer means "two amounts".
_NUMBER_CHUNK: Final = re.compile(r"\d(?:[ ',.]?\d)*")

_APOSTROPHES: Final = frozenset("'\u2019\u2018\u02bc\u00b4`\u2032")
_DASHES: Final = frozenset("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d")
_FULLWIDTH_PUNCT: Final = {"\uff0c": ",", "\uff0e": ".", "\uff07": "'", "\uff0b": "+"}


_HEDGE: Final = re.compile(
    r"^(?:about|around|approx\.?|approximately|roughly|circa|ca\.|c\.|environ|env\.|"
    r"à peu près|a peu pres|autour de|plus ou moins|~|≈|±)\ ?"
)


def _normalise_cost_text(text: str) -> str:
    """Reduce the many ways phones spell digits, spaces and dashes."""
    out: list[str] = []
    for ch in text:
        category = unicodedata.category(ch)
        if category == "Nd":
            # Fullwidth, Arabic-Indic, Devanagari... digits.  Superscripts are
            # "No", not "Nd", so "300²" is not silently read as 3002.
            out.append(str(unicodedata.decimal(ch)))
        elif category == "Zs" or ch in "\t\n\r\x0b\x0c\x85\u2028\u2029":
            out.append(" ")
        elif ch in _APOSTROPHES:
            out.append("'")
        elif ch in _DASHES:
            out.append("-")
        elif ch in _FULLWIDTH_PUNCT:
            out.append(_FULLWIDTH_PUNCT[ch])
        elif category in ("Cc", "Cf", "Cs"):
            continue
        else:
            out.append(ch)
    return SPACE_RUN.sub(" ", "".join(out)).strip(" ").casefold()


@dataclass(frozen=True)
class _Number:
    integer: str  # digits only, may be empty for ".50"
    fraction: str  # digits only, as typed
    grouped: bool  # thousands separators were used


def _valid_groups(groups: list[str]) -> bool:
    """Thousands grouping: 1-3 digits (not starting with 0), then 3s."""
    first, rest = groups[0], groups[1:]
    return (
        1 <= len(first) <= 3
        and first.isdigit()
        and not (first.startswith("0") and rest)
        and all(len(g) == 3 and g.isdigit() for g in rest)
    )


def _split_integer(part: str, allowed_separator: str | None) -> tuple[str, bool]:
    """Validate the integer part; return its digits and whether it was grouped.

    ``allowed_separator`` is the "." or "," acting as thousands separator, if
    any.  Spaces and apostrophes are always thousands separators, but one
    number may use only one kind: "1 000.000,50" is not a habit, it is a typo.
    """
    kinds = {ch for ch in part if not ch.isdigit()}
    if not kinds:
        return part, False
    if len(kinds) > 1 or not kinds <= {" ", "'", allowed_separator}:
        raise FieldError("ambiguous")
    (separator,) = kinds
    groups = part.split(separator)
    if not _valid_groups(groups):
        raise FieldError("ambiguous")
    return "".join(groups), True


def _parse_number(num: str) -> _Number:
    dots, commas = num.count("."), num.count(",")
    if dots and commas:
        decimal_sep = "." if num.rfind(".") > num.rfind(",") else ","
        thousands_sep = "," if decimal_sep == "." else "."
        if num.count(decimal_sep) > 1:
            raise FieldError("ambiguous")
        integer_part, fraction = num.split(decimal_sep)
        if not fraction.isdigit():
            raise FieldError("ambiguous")
        if len(fraction) == 3:
            # "1.500,000": 1500 with three decimals, or a million typed with
            # mixed habits?  Ask instead of guessing.
            raise FieldError("ambiguous")
        digits, _ = _split_integer(integer_part, thousands_sep)
        return _Number(digits, fraction, True)

    if not (dots or commas):
        digits, grouped = _split_integer(num, None)
        return _Number(digits, "", grouped)

    separator = "." if dots else ","
    if num.count(separator) > 1:
        # "1.500.000": a repeated separator can only be grouping.
        digits, _ = _split_integer(num, separator)
        return _Number(digits, "", True)

    left, right = num.split(separator)
    if not right.isdigit():
        raise FieldError("ambiguous")
    if not left:
        return _Number("", right, False)  # ".50"
    digits, grouped = _split_integer(left, None)
    if grouped:
        # Spaces/apostrophes already group, so this separator is decimal;
        # "1 500.000" still reads two ways.
        if len(right) == 3:
            raise FieldError("ambiguous")
        return _Number(digits, right, True)
    if len(right) == 3 and _valid_groups([left, right]):
        return _Number(left + right, "", True)  # "1.500" -> 1500
    return _Number(digits, right, False)


def _check_currency_code(currency: str) -> str:
    # A campaign misconfiguration, not a resident's mistake: plain ValueError.
    code = currency.upper()
    if not re.fullmatch("[A-Z]{3}", code):
        raise ValueError(f"currency must be an ISO 4217 code, got {currency!r}")
    return code


def _to_decimal(value: Decimal | int | str | float) -> Decimal:
    # str() first so that a float bound like 0.1 means 0.1, not 0.1000000000000000055.
    return value if isinstance(value, Decimal) else Decimal(str(value))


def parse_cost(
    text: str | None,
    *,
    minimum: Decimal | None = None,
    maximum: Decimal | None = None,
    currency: str = "EUR",
) -> Decimal:
    """Read an amount of money as a resident types it.

    Returns an integer-valued ``Decimal`` for whole amounts, otherwise a
    ``Decimal`` quantized to cents.  ``maximum`` defaults to
    ``ABSOLUTE_MAXIMUM_COST``.  See the module docstring for the rules.
    """
    currency = _check_currency_code(currency)
    raw = "" if text is None else str(text)
    # "about 20 000 €" is an estimate, which is what we ask for: the hedge is not the amount.
    normalised = _HEDGE.sub("", _normalise_cost_text(raw), count=1)
    if not normalised:
        raise FieldError("empty")
    if len(normalised) > _MAX_COST_INPUT_LENGTH:
        raise FieldError("not_a_number")

    pattern = _PATTERN_CACHE.get(currency)
    if pattern is None:
        pattern = _PATTERN_CACHE.setdefault(currency, _currency_pattern(currency))
    match = pattern.fullmatch(normalised)
    if match is None:
        if len(_NUMBER_CHUNK.findall(normalised)) >= 2:
            raise FieldError("ambiguous")  # "100-200", "100 or 200"
        raise FieldError("not_a_number")

    number = _parse_number(match["num"])
    multiplier = match["k"] is not None
    if multiplier and number.grouped:
        # "1.500k": 1.5 thousand or 1500 thousand?
        raise FieldError("ambiguous")

    for token in (match["cur1"], match["cur2"]):
        if token is None:
            continue
        meanings = _CURRENCY_TOKENS.get(token, frozenset({token.upper()}))
        if currency not in meanings:
            found = next(iter(meanings)) if len(meanings) == 1 else token
            raise FieldError("wrong_currency", {"expected": currency, "found": found})

    if len(number.fraction) > MAX_COST_DECIMALS:
        raise FieldError(
            "too_many_decimals",
            {"max": MAX_COST_DECIMALS, "decimals": len(number.fraction)},
        )

    # Enough precision for any 100-character input: the default context (28
    # digits) would round or make quantize() raise on long inputs.
    with localcontext() as ctx:
        ctx.prec = 4 * _MAX_COST_INPUT_LENGTH
        value = Decimal(f"{number.integer or '0'}.{number.fraction or '0'}")
        if multiplier:
            value *= 1000
        if value == value.to_integral_value():
            value = value.quantize(Decimal(1))
        else:
            value = value.quantize(Decimal("0.01"))

        if value == 0:
            raise FieldError("zero")
        negative = "-" in ((match["sign1"] or "") + (match["sign2"] or ""))
        if negative:
            raise FieldError("negative")
        if minimum is not None and value < _to_decimal(minimum):
            raise FieldError("below_minimum", {"minimum": minimum, "value": value})
        upper = ABSOLUTE_MAXIMUM_COST if maximum is None else _to_decimal(maximum)
        if value > upper:
            raise FieldError(
                "above_maximum",
                {"maximum": upper if maximum is None else maximum, "value": value},
            )
    return value
