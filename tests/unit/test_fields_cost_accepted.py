"""Tests for campaign.fields.parse_cost: the ways residents type a cost that it reads, and what it reads them as."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaign.fields import parse_cost
from tests.unit.field_checks import FIELDS

NNBSP = "\u202f"
NBSP = "\u00a0"


# --------------------------------------------------------------------------
# parse_cost: accepted inputs
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # plain
        ("300", "300"),
        ("  300  ", "300"),
        ("0300", "300"),
        # thousands separators of every flavour
        ("20 000", "20000"),
        ("20 000 €", "20000"),
        (f"20{NNBSP}000{NBSP}€", "20000"),
        (f"20{NBSP}000", "20000"),
        ("1'000", "1000"),
        ("1’000", "1000"),  # phones turn ' into a typographic apostrophe
        ("1 500 000", "1500000"),
        ("1.500.000", "1500000"),
        ("1,500,000", "1500000"),
        # one separator + exactly 3 digits: thousands
        ("1.500", "1500"),
        ("1,500", "1500"),
        ("999.999", "999999"),
        # both separators: the last one is the decimal separator
        ("12.500,50", "12500.50"),
        ("12,500.50", "12500.50"),
        ("1.234.567,89", "1234567.89"),
        ("1,234,567.89", "1234567.89"),
        ("12.500,5", "12500.50"),
        # one separator + 1-2 digits: decimals
        ("12,5", "12.50"),
        ("12.5", "12.50"),
        ("12.50", "12.50"),
        ("12,05", "12.05"),
        ("1234.5", "1234.50"),
        ("0,50", "0.50"),
        (".50", "0.50"),
        ("20 000,50", "20000.50"),
        ("12 500.50", "12500.50"),
        ("1'500.50", "1500.50"),
        # zero cents collapse to an integer-valued Decimal
        ("300,00", "300"),
        ("300.0", "300"),
        # "no cents" suffixes
        ("3 000,-", "3000"),
        ("3.000,-", "3000"),
        ("3.000,--", "3000"),
        ("300.-", "300"),
        ("300,–", "300"),  # en dash
        ("300-", "300"),
        ("300.", "300"),
        ("300,", "300"),
        # currency before / after, any case, with or without space
        ("€300", "300"),
        ("€ 300", "300"),
        ("300€", "300"),
        ("300 €", "300"),
        ("EUR 300", "300"),
        ("eur 300", "300"),
        ("300 EUR", "300"),
        ("300eur", "300"),
        ("300 euros", "300"),
        ("300 Euros", "300"),
        ("300 EURO", "300"),
        ("1 euro", "1"),
        ("€300 EUR", "300"),
        ("300 euros.", "300"),
        ("3 000,- €", "3000"),
        ("€ 3 000,-", "3000"),
        ("+300", "300"),
        # the "k" multiplier
        ("1,5k", "1500"),
        ("1.5k", "1500"),
        ("1,25 K", "1250"),
        ("20k", "20000"),
        ("20 k€", "20000"),
        ("20keur", "20000"),
        ("€20k", "20000"),
        # digits from other scripts and fullwidth keyboards
        ("３００", "300"),
        ("٣٠٠", "300"),
        ("1\uff0c5k", "1500"),
        # invisible junk pasted along with the number
        ("\u200b300\ufeff", "300"),
        ("300\n€", "300"),
    ],
)
def test_parse_cost_accepts(text: str, expected: str) -> None:
    result = parse_cost(text)
    assert result == Decimal(expected)
    # Same representation too: "12.50" stays in cents, whole amounts have no exponent.
    assert str(result) == expected


def test_parse_cost_returns_cents_only_when_there_are_cents() -> None:
    assert parse_cost("12,5").as_tuple().exponent == -2
    assert parse_cost("300,00").as_tuple().exponent == 0
    assert parse_cost("1,5k").as_tuple().exponent == 0


@pytest.mark.parametrize(
    ("text", "currency", "expected"),
    [
        ("CHF 1'500.–", "CHF", "1500"),
        ("Fr. 1'500.-", "CHF", "1500"),
        ("1 500 zł", "PLN", "1500"),
        ("1500 ZŁ", "PLN", "1500"),
        ("1500 zl", "PLN", "1500"),
        ("PLN 1 500,50", "PLN", "1500.50"),
        ("$1,500.50", "USD", "1500.50"),
        ("USD 20", "USD", "20"),
        ("$20", "CAD", "20"),
        ("£20", "GBP", "20"),
        ("20 pounds", "GBP", "20"),
        ("300 kr", "SEK", "300"),
        ("300 SEK", "sek", "300"),
        ("300 XYZ", "XYZ", "300"),  # the campaign's own code is always known
    ],
)
def test_parse_cost_other_currencies(text: str, currency: str, expected: str) -> None:
    assert parse_cost(text, currency=currency) == Decimal(expected)


def test_parse_cost_three_digits_after_single_separator_is_thousands() -> None:
    assert parse_cost("12,345") == Decimal("12345")


# --------------------------------------------------------------------------
# parse_cost: properties of what it accepts
# --------------------------------------------------------------------------

MAX_CENTS = 10**11  # up to one billion


def _group(digits: str, separator: str) -> str:
    head = len(digits) % 3 or 3
    return separator.join([digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)])


@st.composite
def typed_amount(draw: st.DrawFn) -> tuple[Decimal, str]:
    """An amount and one way a resident could type it."""
    cents = draw(st.integers(min_value=1, max_value=MAX_CENTS))
    whole = draw(st.booleans())
    if whole:
        cents -= cents % 100 or 0
        cents = max(cents, 100)
    value = Decimal(cents).scaleb(-2)
    value = value.quantize(Decimal(1)) if cents % 100 == 0 else value
    integer, fraction = divmod(cents, 100)

    decimal_sep = draw(st.sampled_from([",", "."]))
    other = "." if decimal_sep == "," else ","
    group_sep = draw(st.sampled_from(["", " ", NNBSP, NBSP, "'", "’", other]))
    digits = _group(str(integer), group_sep) if group_sep else str(integer)

    if fraction:
        shown = f"{fraction:02d}"
        if shown.endswith("0") and draw(st.booleans()):
            shown = shown[0]  # "12,5"
        number = f"{digits}{decimal_sep}{shown}"
    else:
        number = digits + draw(st.sampled_from(["", f"{decimal_sep}00", f"{decimal_sep}-", ",-"]))
        if number.endswith(",-") and group_sep == ",":
            number = digits  # "1,500,-" is not a habit anyone has

    before = draw(st.sampled_from(["", "€", "€ ", "EUR ", "eur "]))
    after = draw(st.sampled_from(["", "€", " €", f"{NBSP}€", " EUR", "EUR", " euros", " euro"]))
    padding = draw(st.sampled_from(["", " ", "  \n"]))
    return value, f"{padding}{before}{number}{after}{padding}"


@FIELDS
@given(typed_amount())
def test_parse_cost_reads_back_what_people_type(case: tuple[Decimal, str]) -> None:
    value, text = case
    result = parse_cost(text)
    assert result == value, text
    assert str(result) == str(value), text


@pytest.mark.parametrize(
    "text, expected",
    [
        ("about 20 000 €", "20000"),
        ("environ 1.500 €", "1500"),
        ("~300", "300"),
        ("à peu près 12 500,50 €", "12500.50"),
        ("ca. 800", "800"),
    ],
)
def test_a_hedged_estimate_is_read_as_its_amount(text, expected):
    assert parse_cost(text) == Decimal(expected)
