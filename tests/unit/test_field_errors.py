"""Tests for campaign.fields' FieldError: what it carries, and that every parser refuses with a documented code."""

from __future__ import annotations

import pickle
from decimal import Decimal
from typing import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaign.fields import (
    ERROR_CODES,
    FieldError,
    parse_cost,
    parse_description,
    parse_location_text,
    parse_summary,
    parse_title,
    validate_category,
)
from tests.unit.field_checks import CATEGORIES, FIELDS


def test_field_error_is_a_value_error_with_code_and_params() -> None:
    error = FieldError("too_long", {"max": 80, "length": 812})
    assert isinstance(error, ValueError)
    assert error.code == "too_long"
    assert error.params == {"max": 80, "length": 812}
    assert FieldError("empty").params == {}


def test_field_error_survives_pickling() -> None:
    # Errors may cross process boundaries (task queues, test workers).
    error = pickle.loads(pickle.dumps(FieldError("too_short", {"min": 5, "length": 2})))
    assert (error.code, error.params) == ("too_short", {"min": 5, "length": 2})


def test_field_error_rejects_undocumented_codes() -> None:
    with pytest.raises(AssertionError):
        FieldError("whatever")


_PARSERS: list[Callable[[str], object]] = [
    parse_title,
    parse_summary,
    parse_description,
    parse_location_text,
    parse_cost,
    lambda text: parse_cost(text, minimum=Decimal(100), maximum=Decimal(1000)),
    lambda text: validate_category(text, CATEGORIES),
]


@FIELDS
@given(st.sampled_from(range(len(_PARSERS))), st.text())
def test_every_error_has_a_documented_code(index: int, text: str) -> None:
    try:
        _PARSERS[index](text)
    except FieldError as error:
        assert error.code in ERROR_CODES
        assert isinstance(error.params, dict)
