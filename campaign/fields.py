"""Validators and parsers for what a resident types in the proposal wizard.

Every function either returns a cleaned value or raises :class:`FieldError`.
A ``FieldError`` carries a machine-readable ``code`` and a ``params`` dict;
the bot turns the pair into a sentence in the resident's language.  This
module therefore contains no user-facing prose at all.

Error codes and their params (see ``ERROR_CODES``):

=====================  ====================================================
code                   params
=====================  ====================================================
empty                  {}
too_short              {"min": int, "length": int}
too_long               {"max": int, "length": int}
not_a_number           {}
ambiguous              {}
too_many_decimals      {"max": 2, "decimals": int}
wrong_currency         {"expected": "EUR", "found": "USD"}  (found is the
                       ISO code, or the symbol as typed when it names
                       several currencies: "$", "kr", "¥")
negative               {}
zero                   {}
below_minimum          {"minimum": Decimal, "value": Decimal}
above_maximum          {"maximum": Decimal, "value": Decimal}
unknown_category       {"allowed": tuple[str, ...]}
invalid_coordinates    {}
out_of_area            {"bbox": (min_lat, min_lon, max_lat, max_lon)}
=====================  ====================================================

Decisions worth knowing (all pinned by ``tests/unit/test_fields.py``):

* Lengths are counted in Unicode code points after :func:`clean_text`,
  which is what a database ``VARCHAR(n)`` counts.  An emoji flag counts 2.
* HTML is kept verbatim: "<b>" in a title is text, and escaping it is the
  renderer's job.  Stripping tags would mangle honest text like "3 < 5".
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
* ``validate_coordinates`` rejects exactly (0, 0): phones without a GPS fix
  report "Null Island", and no town lies there.
"""

from __future__ import annotations

import math
import numbers
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation, localcontext
from typing import Any, Final

__all__ = [
    "ABSOLUTE_MAXIMUM_COST",
    "ERROR_CODES",
    "MAX_COST_DECIMALS",
    "FieldError",
    "clean_text",
    "parse_cost",
    "parse_description",
    "parse_location_text",
    "parse_summary",
    "parse_title",
    "validate_category",
    "validate_coordinates",
]

ERROR_CODES: Final[frozenset[str]] = frozenset(
    {
        "empty",
        "too_short",
        "too_long",
        "not_a_number",
        "ambiguous",
        "too_many_decimals",
        "wrong_currency",
        "negative",
        "zero",
        "below_minimum",
        "above_maximum",
        "unknown_category",
        "invalid_coordinates",
        "out_of_area",
    }
)

MAX_COST_DECIMALS: Final = 2

# Without a caller-supplied maximum we still refuse absurd amounts, so that a
# resident who leans on the "0" key does not produce a 4000-digit budget line.
ABSOLUTE_MAXIMUM_COST: Final = Decimal("1000000000000")

# A cost is a short answer.  Anything longer is a sentence or a story, and
# "please type only the amount" (not_a_number) is the helpful reply.  The cap
# also bounds the work done on a 10,000-character message.
_MAX_COST_INPUT_LENGTH: Final = 100


class FieldError(ValueError):
    """A resident's input was rejected.

    ``code`` is one of ``ERROR_CODES``; ``params`` holds the values the bot
    needs to explain the problem (limits, measured length, ...).
    """

    code: str
    params: dict[str, Any]

    def __init__(self, code: str, params: Mapping[str, Any] | None = None) -> None:
        # A typo in a code would surface as an untranslated message in the
        # bot; fail loudly in development instead.
        if code not in ERROR_CODES:
            raise AssertionError(f"unknown FieldError code {code!r}")
        self.code = code
        self.params = dict(params or {})
        # Passing both to ValueError keeps the exception picklable (args are
        # replayed into __init__) and gives logs a useful str().
        super().__init__(code, self.params)

    def __str__(self) -> str:
        return f"{self.code} {self.params}" if self.params else self.code

    def __repr__(self) -> str:
        return f"FieldError({self.code!r}, {self.params!r})"


# --------------------------------------------------------------------------
# Free text
# --------------------------------------------------------------------------

# Windows, old-Mac and Unicode line breaks all mean "new line" to a resident.
_LINE_BREAKS: Final = re.compile("\r\n|[\r\x85\u2028\u2029]")

# Invisible format characters that carry no meaning in a proposal but can
# hide text or reorder it on screen (bidi overrides are a spoofing vector).
# ZWJ/ZWNJ are deliberately kept: emoji sequences and several scripts need them.
_INVISIBLE: Final = frozenset(
    "\u200b\u2060\ufeff"  # zero-width space, word joiner, BOM
    "\u202a\u202b\u202c\u202d\u202e"  # bidi embeddings / overrides
    "\u2066\u2067\u2068\u2069"  # bidi isolates
)

_SPACE_RUN: Final = re.compile(" {2,}")


def clean_text(text: str | None) -> str:
    """Normalise what a resident typed.

    NFC, strip, collapse runs of spaces/tabs to one space, at most one blank
    line between paragraphs, no control characters except ``\\n``.
    ``None`` (a sticker or photo has no text) becomes ``""``.  Idempotent.
    """
    if text is None:
        return ""
    text = _LINE_BREAKS.sub("\n", str(text))

    kept: list[str] = []
    for ch in text:
        if ch == "\n":
            kept.append(ch)
            continue
        category = unicodedata.category(ch)
        if ch == "\t" or category == "Zs":
            # All space flavours (no-break, narrow, ideographic, ...) become
            # a plain space so that "only spaces" really is empty.
            kept.append(" ")
        elif category in ("Cc", "Cs") or ch in _INVISIBLE:
            # Lone surrogates (Cs) cannot be encoded to UTF-8 and would crash
            # the database driver or the Telegram API call later on.
            continue
        else:
            kept.append(ch)

    paragraphs: list[str] = []
    previous_blank = True  # also drops leading blank lines
    for raw_line in "".join(kept).split("\n"):
        line = _SPACE_RUN.sub(" ", raw_line).strip(" ")
        if not line:
            if not previous_blank:
                paragraphs.append("")
            previous_blank = True
            continue
        paragraphs.append(line)
        previous_blank = False
    while paragraphs and not paragraphs[-1]:
        paragraphs.pop()

    # NFC last: removing an invisible character can bring a base letter and
    # a combining mark together, and normalising earlier would then leave a
    # decomposed pair behind (breaking idempotence).  NFC never creates
    # spaces, newlines or control characters, so the layout above survives.
    return unicodedata.normalize("NFC", "\n".join(paragraphs))


def _check_length(text: str, min_length: int, max_length: int) -> str:
    if min_length > max_length:
        # Campaign misconfiguration: no resident input could ever pass.
        raise ValueError(f"min_length {min_length} > max_length {max_length}")
    if not text:
        raise FieldError("empty")
    length = len(text)
    if length < min_length:
        raise FieldError("too_short", {"min": min_length, "length": length})
    if length > max_length:
        raise FieldError("too_long", {"max": max_length, "length": length})
    return text


def _single_line(text: str) -> str:
    return _SPACE_RUN.sub(" ", text.replace("\n", " "))


def parse_title(text: str | None, *, min_length: int = 5, max_length: int = 80) -> str:
    """A proposal title: one line (newlines become spaces)."""
    return _check_length(_single_line(clean_text(text)), min_length, max_length)


def parse_summary(text: str | None, *, min_length: int = 20, max_length: int = 300) -> str:
    """A short summary; paragraphs are kept."""
    return _check_length(clean_text(text), min_length, max_length)


def parse_description(
    text: str | None, *, min_length: int = 50, max_length: int = 3000
) -> str:
    """The full description; paragraphs are kept.

    Telegram caps one message at 4096 characters, so the default maximum is
    below what a resident can send and ``too_long`` is reachable.
    """
    return _check_length(clean_text(text), min_length, max_length)


def parse_location_text(
    text: str | None, *, min_length: int = 3, max_length: int = 200
) -> str:
    """A place described in words ("behind the school, rue Haute").

    Shown inline next to a pin, so it is one line: an address typed over
    several lines becomes "line 1, line 2".
    """
    lines = [line.rstrip(" ,;") for line in clean_text(text).split("\n")]
    joined = ", ".join(line for line in lines if line)
    return _check_length(joined, min_length, max_length)


# --------------------------------------------------------------------------
# Money
# --------------------------------------------------------------------------

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
    return _SPACE_RUN.sub(" ", "".join(out)).strip(" ").casefold()


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


# --------------------------------------------------------------------------
# Category and place
# --------------------------------------------------------------------------


def validate_category(value: str | None, allowed: Sequence[str]) -> str:
    """Return the canonical spelling from ``allowed`` for ``value``.

    Buttons send the exact key, but a resident may type "Parks " or "parks";
    matching ignores case, surrounding spaces and Unicode normalisation.
    """
    allowed_tuple = tuple(allowed)
    if value is None or not clean_text(value):
        raise FieldError("empty")
    if value in allowed_tuple:
        return value
    wanted = _single_line(clean_text(value)).casefold()
    for candidate in allowed_tuple:
        if _single_line(clean_text(candidate)).casefold() == wanted:
            return candidate
    raise FieldError("unknown_category", {"allowed": allowed_tuple})


def _as_coordinate(value: object) -> float:
    # bool is an int subclass; True as a latitude is a bug, not 1°.
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, Decimal)):
        raise FieldError("invalid_coordinates")
    try:
        number = float(value)
    except (OverflowError, ValueError, InvalidOperation):
        raise FieldError("invalid_coordinates") from None
    if not math.isfinite(number):
        raise FieldError("invalid_coordinates")
    return number


def validate_coordinates(
    lat: float,
    lon: float,
    *,
    bbox: tuple[float, float, float, float] | None = None,
) -> tuple[float, float]:
    """Check a shared location; return ``(lat, lon)`` as floats.

    ``bbox`` is ``(min_lat, min_lon, max_lat, max_lon)``, edges included.  A
    box whose ``min_lon`` exceeds ``max_lon`` crosses the antimeridian.
    """
    latitude, longitude = _as_coordinate(lat), _as_coordinate(lon)
    if not (-90.0 <= latitude <= 90.0 and -180.0 <= longitude <= 180.0):
        raise FieldError("invalid_coordinates")
    if latitude == 0.0 and longitude == 0.0:
        raise FieldError("invalid_coordinates")  # "Null Island": no GPS fix
    if bbox is not None:
        min_lat, min_lon, max_lat, max_lon = bbox
        if min_lat > max_lat:
            raise ValueError(f"bbox has min_lat > max_lat: {bbox!r}")
        if min_lon <= max_lon:
            inside_lon = min_lon <= longitude <= max_lon
        else:
            inside_lon = longitude >= min_lon or longitude <= max_lon
        if not (min_lat <= latitude <= max_lat and inside_lon):
            raise FieldError("out_of_area", {"bbox": tuple(bbox)})
    return latitude, longitude
