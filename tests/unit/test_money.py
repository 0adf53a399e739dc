"""Amounts and language names from Babel's CLDR data, and amounts read back by the cost parser."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import example, given, strategies as st

from campaign.fields import parse_cost
from conversations.money import format_money, language_name

NNBSP = "\u202f"
NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("value", "currency", "locale", "expected"),
    [
        ("20000", "EUR", "fr", f"20{NNBSP}000{NBSP}€"),
        ("12500.50", "EUR", "fr", f"12{NNBSP}500,50{NBSP}€"),
        ("12500.5", "EUR", "fr_FR", f"12{NNBSP}500,50{NBSP}€"),
        ("20000", "EUR", "fr_BE", f"20{NNBSP}000{NBSP}€"),
        ("999", "EUR", "fr", f"999{NBSP}€"),
        ("1500", "PLN", "fr", f"1{NNBSP}500{NBSP}PLN"),
        ("20000", "EUR", "en", "€20,000"),
        ("12500.50", "EUR", "en", "€12,500.50"),
        ("1500", "USD", "en_US", "$1,500"),
        ("1500", "GBP", "en-GB", "£1,500"),
        ("12500.50", "EUR", "de", f"12.500,50{NBSP}€"),
        ("1500.5", "CHF", "de_CH", f"CHF{NBSP}1500.50"),  # not grouped: see format_money
        ("1000000000", "CHF", "de_CH", f"CHF{NBSP}1000000000"),  # Babel alone: "1000000'000"
        ("1234567.5", "CHF", "it_CH", f"CHF{NBSP}1234567.50"),
        ("15000", "EUR", "es", f"15.000{NBSP}€"),
        ("15000", "PLN", "pl_PL", f"15{NBSP}000{NBSP}zł"),
        ("20000", "EUR", "nl", f"€{NBSP}20.000"),
        ("20000", "EUR", "nl_BE", f"€{NBSP}20.000"),
        ("20000", "EUR", "unknown", "€20,000"),  # a language CLDR does not know: English
        ("0.05", "EUR", "en", "€0.05"),
        ("1234567.891", "EUR", "en", "€1,234,567.89"),
        ("12.00", "EUR", "en", "€12"),  # cents only when there are some
        ("12.004", "EUR", "en", "€12"),
        ("-5", "EUR", "en", "-€5"),
        ("-5", "EUR", "fr", f"-5{NBSP}€"),
    ],
)
def test_format_money(value: str, currency: str, locale: str, expected: str) -> None:
    assert format_money(Decimal(value), currency, locale) == expected


def test_format_money_rejects_non_finite() -> None:
    with pytest.raises(ValueError):
        format_money(Decimal("NaN"), "EUR", "fr")


@given(
    st.integers(min_value=1, max_value=10**11),
    st.sampled_from(["EUR", "PLN", "CHF", "USD", "GBP"]),
    st.sampled_from(
        ["fr", "fr_FR", "fr_BE", "fr_CH", "en", "en-US", "de", "de_CH", "es", "it", "nl", "nl_BE", "pt", "pl", "xx"]
    ),
)
@example(cents=100_000_000_000, currency="EUR", locale="de_CH")  # once "EUR 1000000'000", ambiguous
def test_what_the_bot_writes_the_cost_parser_reads_back(cents: int, currency: str, locale: str) -> None:
    # A resident may copy-paste the amount the bot echoed back to them.
    value = Decimal(cents).scaleb(-2)
    text = format_money(value, currency, locale)
    assert parse_cost(text, currency=currency) == value, text


@pytest.mark.parametrize(
    ("code", "in_language", "expected"),
    [
        ("fr", None, "Français"),
        ("en", None, "English"),
        ("nl", None, "Nederlands"),
        ("de", None, "Deutsch"),
        ("fr", "en", "French"),
        ("en", "fr", "Anglais"),
        ("qq", None, "qq"),
    ],
)
def test_language_names_come_from_cldr(code: str, in_language: str | None, expected: str) -> None:
    assert language_name(code, in_language) == expected
