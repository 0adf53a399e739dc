"""Tests for campaign.fields.parse_cost: what it refuses, with which code, and the bounds a campaign sets."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaign.fields import ABSOLUTE_MAXIMUM_COST, ERROR_CODES, FieldError, parse_cost
from tests.unit.field_checks import FIELDS, error_of

# --------------------------------------------------------------------------
# parse_cost: rejected inputs
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code", "params"),
    [
        ("", "empty", {}),
        (None, "empty", {}),
        ("   ", "empty", {}),
        ("\n\n\n", "empty", {}),
        ("abc", "not_a_number", {}),
        ("€", "not_a_number", {}),
        ("-", "not_a_number", {}),
        ("12abc", "not_a_number", {}),
        ("<b>300</b>", "not_a_number", {}),
        ("💶💶💶", "not_a_number", {}),
        ("300²", "not_a_number", {}),  # a superscript is not a digit
        ("1,5 million", "not_a_number", {}),
        ("300 " + "x" * 10_000, "not_a_number", {}),
        ("-5", "negative", {}),
        ("- 5", "negative", {}),
        ("−5 €", "negative", {}),  # U+2212 minus sign
        ("€-5", "negative", {}),
        ("-€5", "negative", {}),
        ("-1,5k", "negative", {}),
        ("0", "zero", {}),
        ("0,00", "zero", {}),
        ("-0", "zero", {}),
        ("0 €", "zero", {}),
        ("0,-", "zero", {}),
        ("12.5000", "too_many_decimals", {"max": 2, "decimals": 4}),
        ("0,500", "too_many_decimals", {"max": 2, "decimals": 3}),
        ("1234.567", "too_many_decimals", {"max": 2, "decimals": 3}),
        ("12.500,5000", "too_many_decimals", {"max": 2, "decimals": 4}),
        ("1.500,000", "ambiguous", {}),
        ("1,500.000", "ambiguous", {}),
        ("1 500.000", "ambiguous", {}),
        ("20 00", "ambiguous", {}),
        ("5 10", "ambiguous", {}),
        ("1.50.0", "ambiguous", {}),
        ("1..5", "ambiguous", {}),
        ("1.2345,50", "ambiguous", {}),
        ("1 000.000,50", "ambiguous", {}),
        ("1.500k", "ambiguous", {}),
        ("100-200", "ambiguous", {}),
        ("100 - 200 €", "ambiguous", {}),
        ("100 ou 200", "ambiguous", {}),
        ("06 12 34 56 78", "ambiguous", {}),
        ("$300", "wrong_currency", {"expected": "EUR", "found": "$"}),
        ("300 USD", "wrong_currency", {"expected": "EUR", "found": "USD"}),
        ("300 zł", "wrong_currency", {"expected": "EUR", "found": "PLN"}),
        ("CHF 300", "wrong_currency", {"expected": "EUR", "found": "CHF"}),
        ("£300", "wrong_currency", {"expected": "EUR", "found": "GBP"}),
        ("€300 USD", "wrong_currency", {"expected": "EUR", "found": "USD"}),
    ],
)
def test_parse_cost_rejects(text: str | None, code: str, params: dict[str, Any]) -> None:
    error = error_of(parse_cost, text)
    assert (error.code, error.params) == (code, params)


def test_parse_cost_wrong_currency_for_pln_campaign() -> None:
    error = error_of(parse_cost, "300 €", currency="PLN")
    assert error.params == {"expected": "PLN", "found": "EUR"}


def test_parse_cost_bounds() -> None:
    low, high = Decimal("100"), Decimal("50000")
    assert parse_cost("100", minimum=low, maximum=high) == low
    assert parse_cost("50 000", minimum=low, maximum=high) == high

    error = error_of(parse_cost, "99,99", minimum=low, maximum=high)
    assert (error.code, error.params) == (
        "below_minimum",
        {"minimum": low, "value": Decimal("99.99")},
    )
    error = error_of(parse_cost, "50 000,01", minimum=low, maximum=high)
    assert (error.code, error.params) == (
        "above_maximum",
        {"maximum": high, "value": Decimal("50000.01")},
    )


def test_parse_cost_zero_and_negative_win_over_bounds() -> None:
    # "0" deserves "the cost cannot be zero", not "the minimum is 100".
    assert error_of(parse_cost, "0", minimum=Decimal(100)).code == "zero"
    assert error_of(parse_cost, "-5", minimum=Decimal(100)).code == "negative"


def test_parse_cost_has_an_absolute_ceiling() -> None:
    error = error_of(parse_cost, "9" * 90)
    assert error.code == "above_maximum"
    assert error.params["maximum"] == ABSOLUTE_MAXIMUM_COST


def test_parse_cost_rejects_a_bad_campaign_currency() -> None:
    with pytest.raises(ValueError) as info:
        parse_cost("300", currency="euro")
    assert not isinstance(info.value, FieldError)


# --------------------------------------------------------------------------
# parse_cost: properties of what it refuses
# --------------------------------------------------------------------------


@FIELDS
@given(st.text())
def test_parse_cost_only_raises_field_error(text: str) -> None:
    try:
        result = parse_cost(text)
    except FieldError as error:
        assert error.code in ERROR_CODES
    else:
        assert result > 0
        assert result.as_tuple().exponent in (0, -2)


@FIELDS
@given(st.text(alphabet=st.sampled_from(list("0123456789 .,'’-+k€$EURuros\u202f\u00a0")), max_size=30))
def test_parse_cost_only_raises_field_error_on_number_like_text(text: str) -> None:
    try:
        result = parse_cost(text)
    except FieldError as error:
        assert error.code in ERROR_CODES
    else:
        assert Decimal(0) < result <= ABSOLUTE_MAXIMUM_COST
        assert result.as_tuple().exponent in (0, -2)
